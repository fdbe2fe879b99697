namespace Specialize.Analysis.Diagnostics;

/// <summary>
/// Every diagnostic id Specialize reports, in one place, shared by the analyzers, the generator and
/// the code fixes. Ranges: SPEC0xx purity and futures, SPEC1xx BLB estimator language, SPEC2xx GMM
/// declarations, SPEC9xx internal failures.
/// </summary>
public static class DiagnosticIds
{
    public const string PureMethodWritesSharedState = "SPEC001";
    public const string PureMethodCallsImpureMember = "SPEC002";
    public const string PureMethodReadsMutableStatic = "SPEC003";
    public const string MethodIsPureButNotMarked = "SPEC004";
    public const string PureCallCannotOverlap = "SPEC005";
    public const string TypeWithParallelCallsIsNotPartial = "SPEC006";
    public const string PureCallsCannotHostTwin = "SPEC007";
    public const string PureCallsKeptApart = "SPEC008";

    public const string GmmTrainMethodNotStaticPartial = "SPEC201";
    public const string GmmTrainUnsupportedRowType = "SPEC202";
    public const string GmmTrainInvalidOption = "SPEC203";
    public const string GmmTrainInvalidSignature = "SPEC204";
    public const string SubsampledDataReadByPosition = "SPEC101";
    public const string OuterVariableCannotBeWeighted = "SPEC102";
    public const string JumpOutOfWeightedLoop = "SPEC103";
    public const string EstimatorCallsImpureMember = "SPEC104";
    public const string EstimatorNotStaticOrGeneric = "SPEC105";
    public const string SubsampledParameterTypeUnsupported = "SPEC106";
    public const string EstimatorTypeNotPartial = "SPEC107";
    public const string EstimateMethodMissing = "SPEC108";
    public const string ReducerShapeInvalid = "SPEC109";
    public const string EstimatorTypeFileLocal = "SPEC110";
    public const string EstimatorStaysOnCpu = "SPEC111";

    public const string GeneratorInternalError = "SPEC900";
}
