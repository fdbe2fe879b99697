using System.Threading;

namespace Specialize.Distributed;

/// <summary>
/// What this rank's collectives have moved since the process started: how many MPI collectives it completed and how
/// many bytes it received in them. Read by the benchmarks for the cost model (bytes and collectives per operation).
/// </summary>
internal static class ClusterTraffic
{
    private static long collectives;
    private static long bytesReceived;

    public static long Collectives => Interlocked.Read(ref collectives);

    public static long BytesReceived => Interlocked.Read(ref bytesReceived);

    public static void Add(long bytes)
    {
        Interlocked.Increment(ref collectives);
        Interlocked.Add(ref bytesReceived, bytes);
    }
}
