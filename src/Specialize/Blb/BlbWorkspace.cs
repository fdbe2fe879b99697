using System;
using System.Collections.Generic;
using Specialize.Sampling;

namespace Specialize.Blb;

/// <summary>
/// Scratch memory of one worker thread for one run: weights, a subsample's indices, the set used by
/// Floyd's algorithm (a bitmap or a hash set, made on first use), and the load-in buffers (one per subsampled input), tagged with the subsample they hold.
/// </summary>
internal sealed class BlbWorkspace
{
    private const int MaxInputs = 64;

    private readonly object?[] _buffers = new object?[MaxInputs];
    private readonly int[] _bufferSubsample = new int[MaxInputs];

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
            _seenBits ??= new ulong[Subsampling.BitmapWords(n)];
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
        }
        for (int i = 0; i < indices.Length; i++)
        {
            buffer[i] = data[indices[i]];
        }
        _bufferSubsample[input] = subsample;
        return buffer;
    }
}
