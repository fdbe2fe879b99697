using Specialize.Generator.Helpers;

namespace Specialize.Generator.Gmm.Model;

/// <summary>
/// One <c>[GmmTrain]</c> method to implement: everything the emitter needs, as text and numbers, no symbols.
/// </summary>
/// <param name="HintName">Unique file name of the generated source.</param>
/// <param name="Namespace">The containing namespace, empty for the global namespace.</param>
/// <param name="TypeHeaders">Declarations of the containing types, outermost first ("public static partial class Speakers").</param>
/// <param name="Modifiers">The method's modifiers as declared ("public static partial").</param>
/// <param name="MethodName">Name of the method.</param>
/// <param name="ParameterName">Name of the rows parameter.</param>
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
    string HintName,
    string Namespace,
    EquatableArray<string> TypeHeaders,
    string Modifiers,
    string MethodName,
    string ParameterName,
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
