using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Specialize.Sampling;

namespace Specialize.Blb;

/// <summary>
/// Scratch memory of one worker thread for one run: weights, a subsample's indices, the set used by
/// Floyd's algorithm (a bitmap or a hash set, made on first use), and the load-in buffers (one per subsampled input), tagged with the subsample they hold.
/// </summary>
/// <remarks>
/// Runs take their workspaces with <see cref="Rent"/> and give them back with <see cref="Return"/>, so that a
/// program that runs BLB repeatedly (the same estimator on new data, or model selection) does not allocate a
/// few hundred kilobytes per thread and run, some of it on the large object heap. A returned workspace
/// forgets which subsamples its buffers hold and drops the rows it copied of types that hold references.
/// </remarks>
internal sealed class BlbWorkspace
{
    private const int MaxInputs = 64;

    // Kept between runs: a few workspaces, as many as threads normally run at once.
    private static readonly BlbWorkspace?[] s_pool = new BlbWorkspace?[Math.Clamp(Environment.ProcessorCount, 2, 64)];

    private readonly object?[] _buffers = new object?[MaxInputs];
    private readonly int[] _bufferSubsample = new int[MaxInputs];
    private readonly bool[] _bufferHoldsReferences = new bool[MaxInputs];

    /// <summary>A workspace for subsamples of <paramref name="subsampleSize"/> rows and <paramref name="bootstraps"/> bootstraps: a kept one where one fits.</summary>
    public static BlbWorkspace Rent(int subsampleSize, int bootstraps)
    {
        for (int i = 0; i < s_pool.Length; i++)
        {
            if (Volatile.Read(ref s_pool[i]) is not null && Interlocked.Exchange(ref s_pool[i], null) is { } kept)
            {
                if (kept.Indices.Length == subsampleSize && kept.Estimates.Length >= bootstraps)
                {
                    return kept;
                }
                // Another size: the next run of that size makes its own.
            }
        }
        return new BlbWorkspace(subsampleSize, bootstraps);
    }

    /// <summary>Keeps <paramref name="workspace"/> for a later run, once its run no longer uses it.</summary>
    public static void Return(BlbWorkspace workspace)
    {
        workspace.Forget();
        for (int i = 0; i < s_pool.Length; i++)
        {
            if (Interlocked.CompareExchange(ref s_pool[i], workspace, null) is null)
            {
                return;
            }
        }
    }

    /// <summary>Marks every buffer as holding no subsample, and clears the ones that would keep a run's objects alive.</summary>
    private void Forget()
    {
        Array.Fill(_bufferSubsample, -1);
        for (int input = 0; input < MaxInputs; input++)
        {
            if (_bufferHoldsReferences[input] && _buffers[input] is Array buffer)
            {
                Array.Clear(buffer);
            }
        }
    }

    public BlbWorkspace(int subsampleSize, int bootstraps)
    {
        Indices = new int[subsampleSize];
        Weights = new int[subsampleSize];
        Estimates = new double[bootstraps];
        Array.Fill(_bufferSubsample, -1);
    }

    public int[] Indices { get; }

    public int[] Weights { get; }

    public double[] Estimates { get; }

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

    public ReadOnlySpan<T> Gather<T>(int input, int subsample, ReadOnlySpan<T> data, ReadOnlySpan<int> indices)
    {
        if ((uint)input >= MaxInputs)
        {
            throw new ArgumentOutOfRangeException(nameof(input), input, $"The input number must be in [0, {MaxInputs}).");
        }
        if (_buffers[input] is T[] buffer && buffer.Length == indices.Length)
        {
            if (_bufferSubsample[input] == subsample)
            {
                return buffer;
            }
        }
        else
        {
            buffer = new T[indices.Length];
            _buffers[input] = buffer;
            _bufferHoldsReferences[input] = RuntimeHelpers.IsReferenceOrContainsReferences<T>();
        }
        for (int i = 0; i < indices.Length; i++)
        {
            buffer[i] = data[indices[i]];
        }
        _bufferSubsample[input] = subsample;
        return buffer;
    }
}
