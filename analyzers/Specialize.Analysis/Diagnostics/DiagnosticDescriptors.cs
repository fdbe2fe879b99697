using Microsoft.CodeAnalysis;

namespace Specialize.Analysis.Diagnostics;

/// <summary>All diagnostic descriptors, with their help links into the repository's docs.</summary>
public static class DiagnosticDescriptors
{
    // Help pages live in the repository, beside the code: docs/diagnostics/SPECxxx.md.
    private const string HelpLinkBase = "docs/diagnostics/";

    public const string PurityCategory = "Specialize.Purity";
    public const string MixtureCategory = "Specialize.Mixture";
    public const string InternalCategory = "Specialize.Internal";

    /// <summary>SPEC001: a [Pure] method writes state it does not own.</summary>
    public static readonly DiagnosticDescriptor PureMethodWritesSharedState = new(
        id: DiagnosticIds.PureMethodWritesSharedState,
        title: "A [Pure] method writes state it does not own",
        messageFormat: "[Pure] method '{0}' writes {1}, which it did not allocate; a pure method may only write its locals and objects it created",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A method marked [Pure] may write only its own locals and objects it allocated itself. Writes to fields, statics, array elements or members reached from parameters, ref/out parameters or captured variables make the method impure, and Specialize never runs it as a future.",
        helpLinkUri: HelpLinkBase + "SPEC001.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC002: a [Pure] method calls something that is not known to be pure.</summary>
    public static readonly DiagnosticDescriptor PureMethodCallsImpureMember = new(
        id: DiagnosticIds.PureMethodCallsImpureMember,
        title: "A [Pure] method calls a member that is not known to be pure",
        messageFormat: "[Pure] method '{0}' calls '{1}', which is not known to be pure{2}",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A method marked [Pure] may call only methods that are themselves verified pure: methods in the same compilation that pass the check, or framework members in Specialize's catalogue of known-pure members. Mark a callee in your source [Pure] to have it checked.",
        helpLinkUri: HelpLinkBase + "SPEC002.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC003: a [Pure] method reads a mutable static field.</summary>
    public static readonly DiagnosticDescriptor PureMethodReadsMutableStatic = new(
        id: DiagnosticIds.PureMethodReadsMutableStatic,
        title: "A [Pure] method reads mutable shared state",
        messageFormat: "[Pure] method '{0}' reads '{1}', a static field that is not readonly; its result may change while the method runs as a future",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Reading a static field that other code can write makes the result of a pure call depend on when it runs. Make the field readonly (or const), or pass the value as an argument.",
        helpLinkUri: HelpLinkBase + "SPEC003.md");

    /// <summary>SPEC004: a method passes the purity check but is not marked.</summary>
    public static readonly DiagnosticDescriptor MethodIsPureButNotMarked = new(
        id: DiagnosticIds.MethodIsPureButNotMarked,
        title: "A method is pure but not marked [Pure]",
        messageFormat: "Method '{0}' is pure by analysis; mark it [Pure] so that calls to it can run as futures",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Only calls to methods marked [Pure] become futures, so that parallelism is always something you asked for. This method writes nothing it does not own and calls only pure code; marking it lets its callers overlap its calls.",
        helpLinkUri: HelpLinkBase + "SPEC004.md");

    /// <summary>SPEC005: a pure call whose result is needed at once.</summary>
    public static readonly DiagnosticDescriptor PureCallCannotOverlap = new(
        id: DiagnosticIds.PureCallCannotOverlap,
        title: "A pure call cannot overlap other work",
        messageFormat: "The result of pure call '{0}' is used by the next statement, so the call cannot overlap other work; move independent pure calls between it and the first use of '{1}'",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A pure call runs as a future only while nothing needs its value. When the very next statement reads the result, there is nothing to run alongside it. Reordering independent pure calls so that they come before the first use lets them run at once.",
        helpLinkUri: HelpLinkBase + "SPEC005.md");

    /// <summary>SPEC006: the type holding parallelizable calls is not partial.</summary>
    public static readonly DiagnosticDescriptor TypeWithParallelCallsIsNotPartial = new(
        id: DiagnosticIds.TypeWithParallelCallsIsNotPartial,
        title: "The type containing parallelizable calls is not partial",
        messageFormat: "Type '{0}' is not partial, so Specialize cannot add the parallel twin of '{1}', whose pure calls could run at once; make '{0}' partial",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Specialize adds a parallel twin of a method to the method's own type, which needs the type (and every type containing it) to be declared partial.",
        helpLinkUri: HelpLinkBase + "SPEC006.md");

    /// <summary>SPEC007: pure calls in a place that cannot host a parallel twin.</summary>
    public static readonly DiagnosticDescriptor PureCallsCannotHostTwin = new(
        id: DiagnosticIds.PureCallsCannotHostTwin,
        title: "Pure calls in a place that cannot host a parallel twin",
        messageFormat: "The pure calls to {0} in {1} could run at once, but {2}; move them into a method of a partial type",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Specialize parallelizes a method by routing its call sites to a generated twin. An entry point has no call sites; lambdas and local functions cannot be intercepted; iterators and async methods are rewritten into state machines. Pure calls there stay sequential.",
        helpLinkUri: HelpLinkBase + "SPEC007.md");

    /// <summary>SPEC201: a [GmmTrain] method is not a static partial method without a body.</summary>
    public static readonly DiagnosticDescriptor GmmTrainMethodNotStaticPartial = new(
        id: DiagnosticIds.GmmTrainMethodNotStaticPartial,
        title: "A [GmmTrain] method must be a static partial method without a body",
        messageFormat: "[GmmTrain] method '{0}' must be declared 'static partial' without a body, so that Specialize can supply the implementation",
        category: MixtureCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Specialize implements a [GmmTrain] method: it emits the body of a static partial method whose declaration has no body. An instance method, a method that is not partial, or one that already has a body gets no implementation.",
        helpLinkUri: HelpLinkBase + "SPEC201.md");

    /// <summary>SPEC202: the row type of a [GmmTrain] method is not a struct of D float or double values.</summary>
    public static readonly DiagnosticDescriptor GmmTrainUnsupportedRowType = new(
        id: DiagnosticIds.GmmTrainUnsupportedRowType,
        title: "The row type of a [GmmTrain] method is not a struct of float or double values",
        messageFormat: "[GmmTrain] method '{0}' cannot train on rows of type '{1}': {2}",
        category: MixtureCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A row must be a struct whose instance fields are D >= 1 values of one type, float or double, in sequential layout, or an [InlineArray(D)] struct of float or double. Specialize then reads a span of rows as one flat row-major span of D values per row without copying.",
        helpLinkUri: HelpLinkBase + "SPEC202.md");

    /// <summary>SPEC203: a [GmmTrain] option is out of range.</summary>
    public static readonly DiagnosticDescriptor GmmTrainInvalidOption = new(
        id: DiagnosticIds.GmmTrainInvalidOption,
        title: "A [GmmTrain] option is out of range",
        messageFormat: "[GmmTrain] method '{0}' sets {1} = {2}; it must be {3}",
        category: MixtureCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Components and MaxIterations must be at least 1; Tolerance and Regularization must be finite and not negative; CovarianceType must be a defined value. The same options would make GaussianMixtureOptions throw when the method runs.",
        helpLinkUri: HelpLinkBase + "SPEC203.md");

    /// <summary>SPEC204: a [GmmTrain] method has the wrong return type or parameters.</summary>
    public static readonly DiagnosticDescriptor GmmTrainInvalidSignature = new(
        id: DiagnosticIds.GmmTrainInvalidSignature,
        title: "A [GmmTrain] method has the wrong signature",
        messageFormat: "[GmmTrain] method '{0}' {1}",
        category: MixtureCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [GmmTrain] method returns Specialize.Mixture.GaussianMixture and takes exactly one parameter, the rows: a ReadOnlySpan<TRow> or a TRow[], passed by value.",
        helpLinkUri: HelpLinkBase + "SPEC204.md");

    /// <summary>SPEC900: the generator failed internally; the code stays sequential.</summary>
    public static readonly DiagnosticDescriptor GeneratorInternalError = new(
        id: DiagnosticIds.GeneratorInternalError,
        title: "Specialize could not specialize this declaration",
        messageFormat: "Specialize could not specialize '{0}' and left it sequential: {1}",
        category: InternalCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "An internal failure inside the Specialize generator. The declaration keeps its ordinary, sequential behaviour. Please report the message.",
        helpLinkUri: HelpLinkBase + "SPEC900.md");
}
