using System;
using Specialize.Variants;

namespace Specialize;

/// <summary>Settings of <see cref="Cluster.Map{TRecord, TInvariant, TResult}(System.Collections.Generic.IReadOnlyList{TRecord}, TInvariant, Func{TRecord, TInvariant, TResult}, ClusterMapOptions?)"/>.</summary>
public sealed class ClusterMapOptions
{
    /// <summary>
    /// Records per chunk, the unit dealt to a rank (and, within a rank, to a thread); <see langword="null"/> (the default)
    /// lets the runtime choose among a few chunk counts per rank by timing the calls and remember the fastest in
    /// <see cref="TuningStore"/>, per function, number of ranks and number of records.
    /// </summary>
    public int? ChunkSize { get; init; }

    /// <summary>Threads each rank uses; -1 (the default) for the processor count, shared among the ranks on one node.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>Where the chosen chunk sizes are remembered; <see langword="null"/> for <see cref="Variants.TuningStore.Default"/>.</summary>
    public TuningStore? TuningStore { get; init; }

    internal void Validate()
    {
        if (ChunkSize is int chunk && chunk < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ChunkSize), chunk, "ChunkSize must be at least 1, or null to learn it.");
        }

        if (MaxDegreeOfParallelism != -1 && MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be -1 (all processors) or at least 1.");
        }
    }
}
