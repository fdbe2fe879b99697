using System;
using System.Collections.Generic;
using Specialize.Sampling;

namespace Specialize.Blb;

/// <summary>
/// Scratch memory of one worker thread for one run: a bootstrap's weights, a batch's weights, the reduction's
/// scratch, and the set used by Floyd's algorithm to draw subsamples (a bitmap or a hash set, made on first use).
/// The subsamples themselves, with their copied rows, are <see cref="BlbSubsample"/>s, shared between threads.
/// </summary>
/// <remarks>
/// Runs take their workspaces with <see cref="Rent"/> and give them back with <see cref="Return"/>, so that a
/// program that runs BLB repeatedly (the same estimator on new data, or model selection) does not allocate a
/// few hundred kilobytes per thread and run, some of it on the large object heap.
/// </remarks>
internal sealed class BlbWorkspace
{
    // Kept between runs: as many workspaces as threads normally run at once.
    private static readonly Shelf<BlbWorkspace> s_kept = new(Math.Clamp(Environment.ProcessorCount, 2, 128));

    private BlbWorkspace(int subsampleSize)
    {
        Weights = new int[subsampleSize];
    }

    /// <summary>A workspace for subsamples of <paramref name="subsampleSize"/> rows: a kept one where one fits.</summary>
    public static BlbWorkspace Rent(int subsampleSize) =>
        s_kept.Take(subsampleSize, static (kept, size) => kept.Weights.Length == size) ?? new BlbWorkspace(subsampleSize);

    /// <summary>Keeps <paramref name="workspace"/> for a later run, once its run no longer uses it.</summary>
    public static void Return(BlbWorkspace workspace) => s_kept.Put(workspace);

    /// <summary>One bootstrap's weights, one per subsample row.</summary>
    public int[] Weights { get; }

    private double[] _estimates = [];

    /// <summary>Scratch for reducing a subsample's bootstrap estimates; at least <paramref name="length"/> long.</summary>
    public double[] Estimates(int length)
    {
        if (_estimates.Length < length)
        {
            _estimates = new double[length];
        }
        return _estimates;
    }

    private HashSet<int>? _seen;
    private ulong[]? _seenBits;

    /// <summary>Draws subsample <paramref name="random"/>'s rows into <paramref name="destination"/>, sorted, with the cheaper form of Floyd's algorithm.</summary>
    public void DrawSubsample(ref CounterRandom random, int n, Span<int> destination)
    {
        if (Subsampling.BitmapPays(n, destination.Length))
        {
            int words = Subsampling.BitmapWords(n);
            if (_seenBits is null || _seenBits.Length < words)
            {
                _seenBits = new ulong[words];
            }
            Subsampling.DrawSorted(ref random, n, destination, _seenBits);
        }
        else
        {
            _seen ??= new HashSet<int>(destination.Length);
            Subsampling.DrawSorted(ref random, n, destination, _seen);
        }
    }

    private int[] _batchWeights = [];

    /// <summary>Scratch for the weights of a batch of bootstraps, row by row; at least <paramref name="length"/> long.</summary>
    public Span<int> BatchWeights(int length)
    {
        if (_batchWeights.Length < length)
        {
            _batchWeights = new int[length];
        }
        return _batchWeights.AsSpan(0, length);
    }
}
