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
    public const string BlbCategory = "Specialize.Blb";

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

    /// <summary>SPEC005: a pure call whose result is needed before another pure call starts.</summary>
    public static readonly DiagnosticDescriptor PureCallCannotOverlap = new(
        id: DiagnosticIds.PureCallCannotOverlap,
        title: "A pure call cannot overlap other work",
        messageFormat: "The result of pure call '{0}' is used before another pure call starts, so the call cannot overlap other work; move independent pure calls between it and the first use of '{1}'",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "A pure call runs as a future only while nothing needs its value. Its value stays pending across pure local declarations that do not read it, but when it is read before any other pure call has started, there is nothing to run alongside it. Reordering independent pure calls so that they come before the first use lets them run at once.",
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

    /// <summary>SPEC008: independent pure calls that stay sequential because of what runs between them.</summary>
    public static readonly DiagnosticDescriptor PureCallsKeptApart = new(
        id: DiagnosticIds.PureCallsKeptApart,
        title: "Independent pure calls are kept apart",
        messageFormat: "Pure call '{0}' cannot run alongside pure call '{1}': {2}",
        category: PurityCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Pure calls overlap only across code that cannot change what they read or observe their order: other pure calls, and statements that write nothing but local variables and stay in their block. A statement with side effects (a call that is not pure, a write to a field or an array, I/O), one that leaves the block (return, break, throw), or, inside one expression, something evaluated before a call that could throw or have an effect, makes the calls run one after the other. Moving the independent pure calls before it lets them run at once.",
        helpLinkUri: HelpLinkBase + "SPEC008.md");

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
    /// <summary>SPEC101: subsampled data used other than by a weighted loop or its length.</summary>
    public static readonly DiagnosticDescriptor SubsampledDataReadByPosition = new(
        id: DiagnosticIds.SubsampledDataReadByPosition,
        title: "Subsampled data is read by position or as a whole",
        messageFormat: "'{0}' reads subsampled data '{1}' {2}; a BLB estimator sees only the subsample's rows with their weights, so positions and the whole input do not exist there — read rows with 'foreach' over '{1}'",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Inside a [BlbEstimator], a subsampled parameter may only be iterated with foreach (which becomes a weighted loop over the subsample), or asked for its .Length (which becomes n). Indexing it, slicing it, or passing it to another method would read rows that are not in the subsample, or ignore the weights.",
        helpLinkUri: HelpLinkBase + "SPEC101.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC102: an assignment to an outer variable inside a weighted loop that cannot be scaled by the weight.</summary>
    public static readonly DiagnosticDescriptor OuterVariableCannotBeWeighted = new(
        id: DiagnosticIds.OuterVariableCannotBeWeighted,
        title: "An assignment inside a weighted loop cannot be weighted",
        messageFormat: "'{0}' {1} '{2}', declared outside the weighted loop over '{3}'; only '+=', '-=', '++' and '--' can be scaled by a row's weight, so this would count a row once however many times it was drawn",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A weighted loop visits each subsample row once and scales accumulations by how many times the row was drawn. 'x += v' becomes 'x += w * v', which is the same as adding v w times. A plain '=', '*=', '/=' or any other update of a variable declared outside the loop has no such weighted form. Accumulate into the variable, or declare it inside the loop.",
        helpLinkUri: HelpLinkBase + "SPEC102.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC103: a jump out of a weighted loop.</summary>
    public static readonly DiagnosticDescriptor JumpOutOfWeightedLoop = new(
        id: DiagnosticIds.JumpOutOfWeightedLoop,
        title: "A weighted loop is left early",
        messageFormat: "'{0}' leaves the weighted loop over '{1}' early; a weighted loop must visit every subsample row, because which rows come first depends on the subsample, not on the data",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The result of a weighted loop must depend only on which rows were drawn and how often, never on the order in which they are visited. 'break', 'return' and 'goto' out of the loop make the result depend on the rows seen before the jump. 'continue' (skip this row) is allowed, and so are jumps inside loops nested in the weighted loop.",
        helpLinkUri: HelpLinkBase + "SPEC103.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC104: a BLB estimator calls a member that is not known to be pure.</summary>
    public static readonly DiagnosticDescriptor EstimatorCallsImpureMember = new(
        id: DiagnosticIds.EstimatorCallsImpureMember,
        title: "A BLB estimator calls a member that is not known to be pure",
        messageFormat: "Estimator '{0}' calls '{1}', which is not known to be pure{2}; BLB runs the estimator thousands of times at once on many threads, so it may only call pure code",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "BLB calls the estimator once per bootstrap, concurrently, and its result must depend only on the weighted data. A call to a method with side effects, or whose result is not determined by its arguments, breaks both. Methods in your source pass when they are pure by analysis (mark them [Pure] to have them checked); framework members must be in Specialize's catalogue of known-pure members, which includes TensorPrimitives and Math.",
        helpLinkUri: HelpLinkBase + "SPEC104.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC105: the estimator class or method is not static, or is generic.</summary>
    public static readonly DiagnosticDescriptor EstimatorNotStaticOrGeneric = new(
        id: DiagnosticIds.EstimatorNotStaticOrGeneric,
        title: "A BLB estimator must be static and not generic",
        messageFormat: "'{0}' is {1}; a BLB estimator must be a static, non-generic class with a static, non-generic Estimate method, because the generated Run calls it from many threads with no instance and fixed row types",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator adds static Run and EstimateWeighted methods to the estimator class. They need the estimator to have no instance state (it runs concurrently) and concrete row types (to size and copy rows).",
        helpLinkUri: HelpLinkBase + "SPEC105.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC106: a subsampled parameter of a type BLB cannot subsample.</summary>
    public static readonly DiagnosticDescriptor SubsampledParameterTypeUnsupported = new(
        id: DiagnosticIds.SubsampledParameterTypeUnsupported,
        title: "A subsampled parameter is not a ReadOnlySpan<T> or an array",
        messageFormat: "Parameter '{0}' of type '{1}' {2}",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Every Estimate parameter without [NoSubsample] is data with n rows from which subsamples are drawn. Rows are addressed by index, so the data must be a ReadOnlySpan<T> or an array (not ref, out, in or params); a model, a table or a scalar must be marked [NoSubsample]. A [NoSubsample] parameter is handed to estimator calls on many threads, so it must be passed by value and must not be a ref struct other than ReadOnlySpan<T> (which is copied once).",
        helpLinkUri: HelpLinkBase + "SPEC106.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC107: the estimator class is not partial.</summary>
    public static readonly DiagnosticDescriptor EstimatorTypeNotPartial = new(
        id: DiagnosticIds.EstimatorTypeNotPartial,
        title: "A [BlbEstimator] class is not partial",
        messageFormat: "[BlbEstimator] class '{0}' is not partial, so the weighted estimator and the Run entry point cannot be added to it; declare it 'static partial class {0}'",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator adds EstimateWeighted and Run to the estimator class itself, which needs the class, and every class containing it, to be declared partial.",
        helpLinkUri: HelpLinkBase + "SPEC107.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC110: the estimator class is file-local, or nested in a file-local type.</summary>
    public static readonly DiagnosticDescriptor EstimatorTypeFileLocal = new(
        id: DiagnosticIds.EstimatorTypeFileLocal,
        title: "A [BlbEstimator] class is file-local",
        messageFormat: "[BlbEstimator] class '{0}' {1}, so the weighted estimator and the Run entry point, which are generated in a file of their own, cannot be added to it; remove 'file'",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A file-local type can only be extended in its own file, and the generator adds EstimateWeighted and Run to the estimator class in a file of its own. Declared there, they would make a second class of the same name, which the estimator's file does not see.",
        helpLinkUri: HelpLinkBase + "SPEC110.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC108: no Estimate method BLB can run.</summary>
    public static readonly DiagnosticDescriptor EstimateMethodMissing = new(
        id: DiagnosticIds.EstimateMethodMissing,
        title: "A [BlbEstimator] class has no Estimate method BLB can run",
        messageFormat: "[BlbEstimator] class '{0}' {1}; BLB needs one 'static double Estimate(...)' or 'static double[] Estimate(...)' with a body and at least one subsampled parameter",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The estimator is the one method named Estimate: it returns a double (or a double[] for a vector of estimates, reduced per coordinate), has a block or expression body, and takes at least one subsampled ReadOnlySpan<T> or array.",
        helpLinkUri: HelpLinkBase + "SPEC108.md",
        customTags: WellKnownDiagnosticTags.NotConfigurable);

    /// <summary>SPEC109: a method named like a reducer does not have a reducer's shape.</summary>
    public static readonly DiagnosticDescriptor ReducerShapeInvalid = new(
        id: DiagnosticIds.ReducerShapeInvalid,
        title: "A BLB reducer has the wrong shape and is not used",
        messageFormat: "'{0}' is not used as a BLB reducer, so the built-in {1} is used instead; a reducer is 'static double {0}(ReadOnlySpan<double> values)'",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "ReduceBootstraps (one subsample's bootstrap estimates to a quality measure) and Average (the per-subsample measures to the result) are optional. A method with one of these names is used only when it is static, not generic, returns double and takes one ReadOnlySpan<double>; otherwise the built-in reducer runs, which is rarely what the author of the method meant.",
        helpLinkUri: HelpLinkBase + "SPEC109.md");

    /// <summary>SPEC111: an estimator's bootstraps run on the processor only, because a construct has no GPU lowering.</summary>
    public static readonly DiagnosticDescriptor EstimatorStaysOnCpu = new(
        id: DiagnosticIds.EstimatorStaysOnCpu,
        title: "A BLB estimator runs its bootstraps on the processor only",
        messageFormat: "Estimator '{0}' runs its bootstraps on the processor only: '{1}' has no GPU lowering ({2})",
        category: BlbCategory,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "Beside EstimateWeighted, the generator emits an ILGPU kernel that computes each bootstrap's sums on a GPU when every construct before and in the weighted loops has a lowering: accumulators of double, int or long (or arrays of them) that the loops only add to, rows of unmanaged values, [NoSubsample] values and arrays of them, arithmetic, locals, if/for/while/switch, the Math functions, and calls of this compilation's static methods and struct members whose bodies lower too. The rest of the estimator runs on the host from the sums. The estimator named here has a construct outside that set, so its bootstraps always run on the processor; the result is the same either way.",
        helpLinkUri: HelpLinkBase + "SPEC111.md");

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
