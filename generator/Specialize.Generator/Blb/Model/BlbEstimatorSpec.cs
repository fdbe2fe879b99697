using Specialize.Generator.Helpers;

namespace Specialize.Generator.Blb.Model;

/// <summary>One <c>[BlbEstimator]</c> class to complete: everything the emitter needs, as text, no symbols.</summary>
/// <param name="HintName">Unique file name of the generated partial.</param>
/// <param name="Scopes">The directives and namespace declarations around Estimate in its file, each directive in its scope (the rewritten body is the user's code).</param>
/// <param name="NullableDirective">The <c>#nullable</c> directive that gives the generated file Estimate's nullable context.</param>
/// <param name="NullableEnabled">Whether Estimate is in a context with nullable annotations enabled.</param>
/// <param name="TypeHeaders">Declarations of the containing types, outermost first ("public static partial class ErrorRate").</param>
/// <param name="IsVector">True when Estimate returns <c>double[]</c>.</param>
/// <param name="Parameters">Estimate's parameters in order.</param>
/// <param name="SampleName">Name of the <c>BlbSample</c> parameter of EstimateWeighted.</param>
/// <param name="WeightedBody">The rewritten body of Estimate (a block).</param>
/// <param name="Subsamples">Default subsamples from the attribute.</param>
/// <param name="Bootstraps">Default bootstraps from the attribute.</param>
/// <param name="Gamma">Default gamma from the attribute, as a C# literal.</param>
/// <param name="HasReduceBootstraps">Whether the class declares ReduceBootstraps(ReadOnlySpan&lt;double&gt;).</param>
/// <param name="HasAverage">Whether the class declares Average(ReadOnlySpan&lt;double&gt;).</param>
/// <param name="Accessibility">Estimate's accessibility, which Run and EstimateWeighted share (their signatures name the same types).</param>
/// <param name="StateName">Name of the state parameter of the estimator lambda in Run.</param>
/// <param name="OptionsName">Name of Run's options parameter ("options" unless Estimate has a parameter of that name).</param>
/// <param name="ProgressName">Name of Run's progress parameter.</param>
/// <param name="CancellationName">Name of Run's cancellation token parameter.</param>
/// <param name="BatchBody">The body of EstimateWeightedBatch (a block), or null when the estimator has no batched form.</param>
/// <param name="BatchInRun">Whether Run hands the batched form to the runtime (it pays when a row's terms cost more than adding them).</param>
/// <param name="WeightsName">Name of the weights: a local of EstimateWeighted, the row-by-row weights parameter of EstimateWeightedBatch.</param>
/// <param name="CountName">Name of EstimateWeightedBatch's number of bootstraps; empty without a batched form.</param>
/// <param name="ResultsName">Name of EstimateWeightedBatch's results; empty without a batched form.</param>
internal sealed record BlbEstimatorSpec(
    string HintName,
    SourceScopes Scopes,
    string NullableDirective,
    bool NullableEnabled,
    EquatableArray<string> TypeHeaders,
    bool IsVector,
    EquatableArray<BlbParameterSpec> Parameters,
    string SampleName,
    string WeightedBody,
    int Subsamples,
    int Bootstraps,
    string Gamma,
    bool HasReduceBootstraps,
    bool HasAverage,
    string Accessibility,
    string StateName,
    string OptionsName,
    string ProgressName,
    string CancellationName,
    string? BatchBody,
    bool BatchInRun,
    string WeightsName,
    string CountName,
    string ResultsName);

/// <summary>One parameter of Estimate.</summary>
/// <param name="Name">The parameter's name as written (escaped with '@' where needed).</param>
/// <param name="Type">Its type, fully qualified.</param>
/// <param name="Subsampled">False for [NoSubsample] parameters.</param>
/// <param name="ElementType">Row type of a subsampled parameter, fully qualified; empty otherwise.</param>
/// <param name="IsArray">True for an array (a span otherwise, when subsampled).</param>
/// <param name="IsSpan">True for a <c>ReadOnlySpan&lt;T&gt;</c> (subsampled or not), which travels to the threads as a copy.</param>
/// <param name="CheckNaN">True when the rows are floating-point numbers, checked for NaN before a run.</param>
/// <param name="SpanElementType">The element type of a <c>ReadOnlySpan&lt;T&gt;</c>, fully qualified; empty otherwise.</param>
internal sealed record BlbParameterSpec(
    string Name,
    string Type,
    bool Subsampled,
    string ElementType,
    bool IsArray,
    bool IsSpan,
    bool CheckNaN,
    string SpanElementType);
