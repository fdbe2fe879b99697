using System;
using System.Runtime.CompilerServices;
using Specialize.Blb;

namespace Specialize;

/// <summary>
/// One weighted subsample as the weighted estimator sees it: <see cref="Count"/> rows of the full data
/// (<see cref="Indices"/>, ascending) with integer <see cref="Weights"/> that sum to <see cref="N"/>.
/// </summary>
/// <remarks>
/// <para>
/// A weighted loop visits <c>i</c> in <c>[0, Count)</c>, skips rows with <c>Weights[i] == 0</c>, and scales
/// every accumulation by <c>Weights[i]</c>; <c>.Length</c> of subsampled data becomes <see cref="N"/>.
/// Several subsampled inputs of the same length share the indices and weights: row <c>i</c> is row
/// <c>Indices[i]</c> of each of them.
/// </para>
/// <para>
/// Rows reach the loop in one of two ways, chosen per run and reported by <see cref="Layout"/>:
/// with <see cref="BlbDataLayout.LoadIn"/>, <see cref="Gather{T}"/> returns the subsample's rows of an input
/// as a contiguous span (copied once per subsample, shared by all its bootstraps on every thread); with
/// <see cref="BlbDataLayout.Indirection"/>, the loop reads <c>data[Indices[i]]</c>. <see cref="Rows{T}"/>
/// hides the difference behind one indexer, and exposes both (<see cref="BlbRows{T}.Source"/>,
/// <see cref="BlbRows{T}.Map"/>) for loops specialized to each. The full-data pass (<see cref="IsFullData"/>) reports
/// <see cref="BlbDataLayout.LoadIn"/>, and <see cref="Gather{T}"/> then returns the data itself.
/// </para>
/// </remarks>
public readonly ref struct BlbSample
{
    private readonly ReadOnlySpan<int> _indices;
    private readonly ReadOnlySpan<int> _weights;
    private readonly int _n;
    private readonly BlbSubsample? _subsample;
    private readonly BlbDataLayout _layout;

    internal BlbSample(ReadOnlySpan<int> indices, ReadOnlySpan<int> weights, int n, BlbDataLayout layout, BlbSubsample? subsample)
    {
        _indices = indices;
        _weights = weights;
        _n = n;
        _layout = layout;
        _subsample = subsample;
    }

    /// <summary>
    /// Creates a weighted subsample outside a run, to call a generated <c>EstimateWeighted</c> directly
    /// (tests, or checking an estimator on a chosen resample). Row <c>i</c> of the subsample is row
    /// <c>indices[i]</c> of the data and counts <c>weights[i]</c> times.
    /// </summary>
    /// <param name="n">Number of rows of the full data; every subsampled input passed to the estimator must have this many.</param>
    /// <param name="indices">Row indices into the data, each in <c>[0, n)</c>; the arrays are used, not copied.</param>
    /// <param name="weights">Non-negative weight per index, summing to <paramref name="n"/>.</param>
    /// <param name="layout"><see cref="BlbDataLayout.LoadIn"/> or <see cref="BlbDataLayout.Indirection"/>: how the estimator reads the rows.</param>
    /// <returns>A sample over <paramref name="indices"/> with <paramref name="weights"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="indices"/> or <paramref name="weights"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The arrays differ in length, an index is out of range, a weight is negative, or the weights do not sum to <paramref name="n"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 1 or <paramref name="layout"/> is <see cref="BlbDataLayout.Auto"/>.</exception>
    public static BlbSample Create(int n, int[] indices, int[] weights, BlbDataLayout layout = BlbDataLayout.Indirection)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        if (layout is not (BlbDataLayout.LoadIn or BlbDataLayout.Indirection))
        {
            throw new ArgumentOutOfRangeException(nameof(layout), layout, "The layout must be LoadIn or Indirection.");
        }
        if (weights.Length != indices.Length)
        {
            throw new ArgumentException($"There must be one weight per index: {indices.Length} indices, {weights.Length} weights.", nameof(weights));
        }
        long sum = 0;
        for (int i = 0; i < indices.Length; i++)
        {
            if ((uint)indices[i] >= (uint)n)
            {
                throw new ArgumentException($"Index {indices[i]} at position {i} is outside [0, {n}).", nameof(indices));
            }
            if (weights[i] < 0)
            {
                throw new ArgumentException($"Weight {weights[i]} at position {i} is negative.", nameof(weights));
            }
            sum += weights[i];
        }
        if (sum != n)
        {
            throw new ArgumentException($"The weights sum to {sum}; they must sum to n = {n}.", nameof(weights));
        }
        return new BlbSample(indices, weights, n, layout, BlbSubsample.Over(indices));
    }

    /// <summary>Number of rows of the full data; the weights sum to it. Subsampled data's <c>.Length</c> becomes this.</summary>
    public int N => _n;

    /// <summary>Number of rows in this subsample, <c>b</c> (<see cref="N"/> for the full-data pass).</summary>
    public int Count => _indices.Length;

    /// <summary>Row indices into the full data, ascending, one per subsample row.</summary>
    public ReadOnlySpan<int> Indices => _indices;

    /// <summary>Weight of each subsample row (how many times it counts); non-negative, summing to <see cref="N"/>.</summary>
    public ReadOnlySpan<int> Weights => _weights;

    /// <summary>How rows should be read: <see cref="BlbDataLayout.LoadIn"/> (use <see cref="Gather{T}"/>) or <see cref="BlbDataLayout.Indirection"/> (use <see cref="Indices"/>).</summary>
    public BlbDataLayout Layout => _layout;

    /// <summary><see langword="true"/> for the pass over the full data (every row once, weight 1) that computes <see cref="BlbResult.Estimate"/>.</summary>
    public bool IsFullData => _subsample is null;

    /// <summary>
    /// The subsample's rows of one subsampled input as a contiguous span: row <c>i</c> is <c>data[Indices[i]]</c>.
    /// The copy is made on the first call for this subsample and shared by its later bootstraps, on every thread.
    /// </summary>
    /// <typeparam name="T">Row type.</typeparam>
    /// <param name="input">A number identifying the input, 0 for the first subsampled parameter, 1 for the second, ... (below 64).</param>
    /// <param name="data">The full input; its length must be <see cref="N"/>.</param>
    /// <returns>The <see cref="Count"/> rows of this subsample.</returns>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not have <see cref="N"/> rows.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="input"/> is negative or 64 or more.</exception>
    public ReadOnlySpan<T> Gather<T>(int input, ReadOnlySpan<T> data)
    {
        CheckLength(data.Length);
        if (_subsample is null)
        {
            return data;
        }
        return _subsample.Gather(input, data);
    }

    /// <summary>
    /// Indexed access to the subsample's rows of one subsampled input, whatever the <see cref="Layout"/>:
    /// a gathered copy under load-in, the original data through <see cref="Indices"/> under indirection.
    /// </summary>
    /// <typeparam name="T">Row type.</typeparam>
    /// <param name="input">A number identifying the input, as for <see cref="Gather{T}"/>.</param>
    /// <param name="data">The full input; its length must be <see cref="N"/>.</param>
    /// <returns>A view with <see cref="Count"/> rows.</returns>
    /// <exception cref="ArgumentException"><paramref name="data"/> does not have <see cref="N"/> rows.</exception>
    public BlbRows<T> Rows<T>(int input, ReadOnlySpan<T> data)
    {
        CheckLength(data.Length);
        if (_subsample is null)
        {
            return new BlbRows<T>(data, default, data.Length);
        }
        return _layout == BlbDataLayout.LoadIn
            ? new BlbRows<T>(_subsample.Gather(input, data), default, _indices.Length)
            : new BlbRows<T>(data, _indices, _indices.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void CheckLength(int length)
    {
        if (length != _n)
        {
            ThrowLengthMismatch(length, _n);
        }
    }

    private static void ThrowLengthMismatch(int length, int n) =>
        throw new ArgumentException($"Every subsampled input must have the same number of rows as the first one ({n}); this one has {length}.", "data");
}

/// <summary>The rows of one subsampled input for one subsample; see <see cref="BlbSample.Rows{T}"/>.</summary>
/// <typeparam name="T">Row type.</typeparam>
public readonly ref struct BlbRows<T>
{
    private readonly ReadOnlySpan<T> _source;
    private readonly ReadOnlySpan<int> _map;
    private readonly int _length;

    internal BlbRows(ReadOnlySpan<T> source, ReadOnlySpan<int> map, int length)
    {
        _source = source;
        _map = map;
        _length = length;
    }

    /// <summary>Number of rows (the subsample size, or <c>n</c> in the full-data pass).</summary>
    public int Length => _length;

    /// <summary>
    /// Where the rows are: the rows themselves, in order, when <see cref="Map"/> is empty (load-in and the
    /// full-data pass); otherwise the full input, row <c>i</c> being <c>Source[Map[i]]</c> (indirection).
    /// Generated loops read these directly, one loop per case, instead of branching on every read.
    /// </summary>
    public ReadOnlySpan<T> Source => _source;

    /// <summary>The subsample's row indices into <see cref="Source"/> under indirection; empty when <see cref="Source"/> holds the rows in order.</summary>
    public ReadOnlySpan<int> Map => _map;

    /// <summary>Row <paramref name="index"/> of the subsample.</summary>
    /// <param name="index">Position in the subsample, in <c>[0, Length)</c>.</param>
    public ref readonly T this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ref _map.IsEmpty ? ref _source[index] : ref _source[_map[index]];
    }
}
