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
/// <param name="Device">The GPU form, or null when a construct keeps the estimator on the processor (SPEC111).</param>
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
    string ResultsName,
    BlbDeviceSpec? Device);

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

/// <summary>
/// The GPU form of an estimator: an ILGPU kernel that computes one lane of one bootstrap's sums per thread, the struct
/// of what it reads, and the host methods around it.
/// </summary>
/// <param name="KernelBody">The kernel's body (a block).</param>
/// <param name="KeepsLocalsForTheSuffix">Whether the part before the loops has statements other than the accumulators' declarations, whose locals the kernel and the widths may not read.</param>
/// <param name="IndexName">The kernel's thread index parameter.</param>
/// <param name="FrameName">The kernel's frame parameter (the run's sizes, the weights, the partial sums).</param>
/// <param name="InputsName">The kernel's inputs parameter.</param>
/// <param name="Fields">The inputs struct's fields, in order.</param>
/// <param name="WidthsBody">The body of the method that computes the accumulators' widths (a block).</param>
/// <param name="FinishBody">The body of the method that runs the suffix per bootstrap from the device's sums (a block).</param>
/// <param name="LengthName">The n parameter of the widths and finishing methods.</param>
/// <param name="DoubleSumsName">The finishing method's double sums parameter.</param>
/// <param name="IntegerSumsName">The finishing method's integer sums parameter.</param>
internal sealed record BlbDeviceSpec(
    string KernelBody,
    bool KeepsLocalsForTheSuffix,
    string IndexName,
    string FrameName,
    string InputsName,
    EquatableArray<BlbDeviceFieldSpec> Fields,
    string WidthsBody,
    string FinishBody,
    string LengthName,
    string DoubleSumsName,
    string IntegerSumsName);

/// <summary>What a field of the kernel's inputs holds.</summary>
internal enum BlbDeviceFieldKind
{
    /// <summary>The subsample's rows of a subsampled input, uploaded per subsample.</summary>
    Rows,

    /// <summary>A [NoSubsample] array or span, uploaded once per run.</summary>
    Array,

    /// <summary>A [NoSubsample] value, passed as it is.</summary>
    Value,
}

/// <summary>One field of the kernel's inputs.</summary>
/// <param name="Name">The field's name: the parameter's.</param>
/// <param name="Type">Its type, fully qualified (an ILGPU view for rows and arrays).</param>
/// <param name="Local">The kernel's local that holds it.</param>
/// <param name="Kind">What it holds.</param>
/// <param name="Input">The input number of rows (0 for the first subsampled parameter); -1 otherwise.</param>
/// <param name="Parameter">The position of the parameter among Estimate's.</param>
internal sealed record BlbDeviceFieldSpec(string Name, string Type, string Local, BlbDeviceFieldKind Kind, int Input, int Parameter);
