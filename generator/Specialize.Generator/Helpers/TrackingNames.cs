namespace Specialize.Generator.Helpers;

/// <summary>Names of pipeline steps, for incrementality tests.</summary>
internal static class TrackingNames
{
    public const string FutureTwins = nameof(FutureTwins);
    public const string FutureCallSites = nameof(FutureCallSites);
    public const string ReferencedTwins = nameof(ReferencedTwins);
    public const string GmmTrainMethods = nameof(GmmTrainMethods);
    public const string BlbEstimators = nameof(BlbEstimators);
}
