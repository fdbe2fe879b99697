using Specialize.Generator.Helpers;

namespace Specialize.Generator.Gmm.Model;

/// <summary>
/// Where a <c>[GmmTrain]</c> method's implementation goes and how it is declared: the part every generated
/// implementation shares, the real one and the stand-in alike.
/// </summary>
/// <param name="HintName">Unique file name of the generated source.</param>
/// <param name="Namespace">The containing namespace as declared (keywords escaped), empty for the global namespace.</param>
/// <param name="TypeHeaders">Declarations of the containing types, outermost first ("static partial class Speakers").</param>
/// <param name="Declaration">The implementing declaration up to its parameter list: the modifiers as declared, types fully qualified with their annotations, parameter modifiers ("public static partial global::Specialize.Mixture.GaussianMixture Train(global::System.ReadOnlySpan&lt;global::Demo.Row&gt; rows)").</param>
/// <param name="Constraints">The method's <c>where</c> clauses, when it is generic.</param>
internal sealed record GmmMethodFrame(
    string HintName,
    string Namespace,
    EquatableArray<string> TypeHeaders,
    string Declaration,
    EquatableArray<string> Constraints);

/// <summary>
/// One <c>[GmmTrain]</c> method to implement: everything the emitter needs, as text and numbers, no symbols.
/// </summary>
/// <param name="Frame">Where the implementation goes and its declaration.</param>
/// <param name="ProgressOverload">
/// The declaration of the overload with progress and cancellation that holds the body ("public static
/// global::Specialize.Mixture.GaussianMixture Train(global::System.ReadOnlySpan&lt;global::Demo.Row&gt; rows,
/// global::System.IProgress&lt;global::Specialize.Mixture.GmmProgress&gt;? progress = null, global::System.Threading.CancellationToken
/// cancellationToken = default)"); <see langword="null"/> when the type declares that overload itself, and the declared
/// method then holds the body.
/// </param>
/// <param name="Call">The method's name as the declared method calls the overload, with its type parameters ("Train&lt;T&gt;").</param>
/// <param name="ProgressName">Name of the overload's progress parameter, unlike the rows parameter's.</param>
/// <param name="CancellationName">Name of the overload's cancellation parameter, unlike the rows parameter's.</param>
/// <param name="ParameterName">Name of the rows parameter, escaped where it is a keyword.</param>
/// <param name="ValuesName">Name of the local holding the rows as one span of values, unlike the parameter's.</param>
/// <param name="DataName">Name of the local holding the blocked data, unlike the parameter's.</param>
/// <param name="OptionsName">Name of the local holding the options, unlike the parameter's.</param>
/// <param name="RowType">The row struct, fully qualified with <c>global::</c>.</param>
/// <param name="RowTypeName">The row struct's short name, for comments.</param>
/// <param name="RowsAreArray">Whether the rows are a <c>TRow[]</c> rather than a <c>ReadOnlySpan&lt;TRow&gt;</c>.</param>
/// <param name="RowIsInlineArray">Whether the row is an <c>[InlineArray(D)]</c> rather than D fields.</param>
/// <param name="ElementType"><c>"double"</c> or <c>"float"</c>.</param>
/// <param name="Dimension">Values per row <c>D</c>.</param>
/// <param name="Components">Number of components <c>M</c>.</param>
/// <param name="CovarianceType">The name of the <c>CovarianceType</c> value.</param>
/// <param name="Tolerance">The convergence tolerance, as a C# literal.</param>
/// <param name="Regularization">The diagonal regularization, as a C# literal.</param>
/// <param name="MaxIterations">The maximum number of EM iterations.</param>
/// <param name="Seed">The seed of the initialization, when the attribute sets one.</param>
internal sealed record GmmTrainSpec(
    GmmMethodFrame Frame,
    string? ProgressOverload,
    string Call,
    string ProgressName,
    string CancellationName,
    string ParameterName,
    string ValuesName,
    string DataName,
    string OptionsName,
    string RowType,
    string RowTypeName,
    bool RowsAreArray,
    bool RowIsInlineArray,
    string ElementType,
    int Dimension,
    int Components,
    string CovarianceType,
    string Tolerance,
    string Regularization,
    int MaxIterations,
    int? Seed);

/// <summary>
/// A <c>[GmmTrain]</c> declaration with problems (SPEC201-SPEC204), which the generator reports: it gets a body that
/// throws, so that the build shows those problems rather than only the compiler's "partial method must have an
/// implementation part" (which also keeps a command-line build from running any analyzer).
/// </summary>
/// <param name="Frame">Where the stand-in goes and its declaration, mirroring the user's.</param>
/// <param name="Message">The message of the exception the stand-in throws.</param>
internal sealed record GmmStandInSpec(GmmMethodFrame Frame, string Message);
