using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Specialize;

/// <summary>
/// Collects the scaled terms of a few rows of a batched weighted loop and adds them to the per-bootstrap
/// accumulators together: the generated <c>EstimateWeightedBatch</c> creates one over its accumulator arrays, calls
/// <see cref="Row"/> at the start of each row, <see cref="Add"/> for each <c>accumulator[position] += term</c> of the row,
/// and <see cref="Flush"/> after the loop.
/// </summary>
/// <remarks>
/// <para>
/// Adding a row's terms one by one (<see cref="BlbBatch.AddScaled"/>) loads and stores every bootstrap's accumulator once
/// per row and term. When the rows of a block add to the same accumulator positions in the same order (as the rows of
/// least squares, or of any loop without branches, do), the block is applied a tile at a time instead: several positions
/// times a vector of bootstraps stay in registers while the block's rows are added in row order, and each row's weights
/// are loaded once per tile. <see cref="Add"/> itself only records the term; the positions of a block's rows are compared
/// with those of the rows before when the block is applied. Rows whose positions differ, or that add to one position
/// twice, are applied term by term in their original order.
/// </para>
/// <para>
/// Either way every accumulator receives <c>weight * term</c> (multiply, then add: no fused multiply-add) for each row in
/// row order and, within a row, in the order of the <see cref="Add"/> calls; rows of weight zero leave it untouched, a
/// <c>-0.0</c> included. The result is therefore the same, bit for bit, as the weighted loop run for each bootstrap on
/// its own, whatever the block size or the vector width of the machine.
/// </para>
/// <para>
/// Until <see cref="Flush"/> the accumulators lag behind; the batched loops never read them (that is a condition of the
/// batched form). Positions are checked when their block is applied (on a later <see cref="Row"/> or on
/// <see cref="Flush"/>), before anything of that block is added. An instance is used by one thread.
/// </para>
/// </remarks>
public sealed class BlbBatchTerms
{
    /// <summary>Rows per block: their weights (as <see cref="double"/>) and terms stay in the first-level cache.</summary>
    private const int BlockRows = 16;

    /// <summary>A block also ends once it holds this many terms, so that rows with many terms keep the block small.</summary>
    private const int BlockTerms = 4096;

    /// <summary>Positions kept in registers at once by the tiled kernel.</summary>
    private const int Tile = 8;

    private readonly int _count;
    private readonly double[][] _accumulators;
    private readonly double[] _weights;
    private readonly int[] _rowStart = new int[BlockRows + 1];
    private int _rows;
    private bool _zeroWeights;

    // The block's terms in order. _open is _storage while a row is open and empty otherwise, so that Add checks for
    // an open row and for room with one comparison.
    private Entry[] _storage = new Entry[256];
    private Entry[] _open = [];
    private int _entries;

    // The positions of the rows of the last tiled block, in order, checked and without repeats; empty when none.
    private long[] _patternKeys = [];
    private PatternEntry[] _pattern = [];

    // Scratch for the entries of a block applied term by term.
    private PatternEntry[] _resolved = [];

    /// <summary>Creates the collector for a batch of <paramref name="count"/> bootstraps adding to <paramref name="accumulators"/>.</summary>
    /// <param name="count">Number of bootstraps in the batch; at least 1.</param>
    /// <param name="accumulators">
    /// The accumulator arrays, numbered from 0 in this order for <see cref="Add"/>: each holds <paramref name="count"/> values per
    /// position, those of a position together (position <c>p</c> of bootstrap <c>k</c> at <c>p * count + k</c>).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="accumulators"/> or one of its arrays is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An array appears twice in <paramref name="accumulators"/>.</exception>
    public BlbBatchTerms(int count, params double[][] accumulators)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentNullException.ThrowIfNull(accumulators);
        for (int i = 0; i < accumulators.Length; i++)
        {
            if (accumulators[i] is null)
            {
                throw new ArgumentNullException(nameof(accumulators), $"Accumulator array {i} is null.");
            }

            for (int j = 0; j < i; j++)
            {
                if (ReferenceEquals(accumulators[i], accumulators[j]))
                {
                    throw new ArgumentException($"Accumulator arrays {j} and {i} are the same array.", nameof(accumulators));
                }
            }
        }

        _count = count;
        _accumulators = (double[][])accumulators.Clone();
        _weights = new double[BlockRows * count];
    }

    /// <summary>Starts the next row: its weight in each bootstrap of the batch.</summary>
    /// <param name="weights">The row's weights, one per bootstrap (<c>count</c> of them, non-negative).</param>
    /// <exception cref="ArgumentException"><paramref name="weights"/> does not hold one weight per bootstrap.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A term of an earlier row names an accumulator or position that does not exist.</exception>
    public void Row(ReadOnlySpan<int> weights)
    {
        if (weights.Length != _count)
        {
            throw new ArgumentException($"A row needs one weight per bootstrap: {_count}; got {weights.Length}.", nameof(weights));
        }

        if (_rows == BlockRows || _entries >= BlockTerms)
        {
            Apply();
        }

        Span<double> destination = _weights.AsSpan(_rows * _count, _count);
        bool zero = false;
        for (int k = 0; k < destination.Length; k++)
        {
            destination[k] = weights[k];
            zero |= weights[k] == 0;
        }

        _zeroWeights |= zero;
        _rowStart[_rows] = _entries;
        _rows++;
        _open = _storage;
    }

    /// <summary>
    /// Records <c>accumulators[accumulator][position * count + k] += weight_k * term</c> for every bootstrap <c>k</c> whose
    /// weight of the current row is not zero; it is carried out when the block of rows is applied, at the latest on <see cref="Flush"/>.
    /// </summary>
    /// <param name="accumulator">The accumulator array's number: its place among the constructor's arrays.</param>
    /// <param name="position">The position in that array (0 for a scalar accumulator of <c>count</c> values).</param>
    /// <param name="term">The row's term.</param>
    /// <exception cref="InvalidOperationException">No row was started with <see cref="Row"/>.</exception>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(int accumulator, int position, double term)
    {
        int entry = _entries;
        Entry[] open = _open;
        if ((uint)entry < (uint)open.Length)
        {
            open[entry] = new Entry(((long)accumulator << 32) | (uint)position, term);
            _entries = entry + 1;
            return;
        }

        AddGrowing(accumulator, position, term);
    }

    /// <summary>Adds every term collected so far to the accumulators; call it after the loop, before reading them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A term names an accumulator or position that does not exist.</exception>
    public void Flush() => Apply();

    /// <summary><see cref="Add"/> when the buffers are full (or no row was started); kept out of the loops that call Add.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void AddGrowing(int accumulator, int position, double term)
    {
        if (_rows == 0)
        {
            throw new InvalidOperationException("Start a row with Row before adding its terms.");
        }

        Array.Resize(ref _storage, _storage.Length * 2);
        _open = _storage;
        Add(accumulator, position, term);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Apply()
    {
        if (_rows == 0)
        {
            return;
        }

        _rowStart[_rows] = _entries;
        if (!FollowsPattern())
        {
            Learn();
        }

        if (_pattern.Length > 0 && FollowsPattern())
        {
            ApplyTiled();
        }
        else
        {
            ApplyInOrder();
        }

        _rows = 0;
        _entries = 0;
        _zeroWeights = false;
        _open = [];
    }

    /// <summary>Whether every row of the block adds to exactly the pattern's positions, in the pattern's order.</summary>
    private bool FollowsPattern()
    {
        ReadOnlySpan<long> pattern = _patternKeys;
        if (pattern.IsEmpty || _entries != _rows * pattern.Length)
        {
            return false;
        }

        for (int r = 0; r < _rows; r++)
        {
            ReadOnlySpan<Entry> row = _storage.AsSpan(r * pattern.Length, pattern.Length);
            for (int e = 0; e < row.Length; e++)
            {
                if (row[e].Key != pattern[e])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Takes the block's first row as the pattern, if its positions exist and none repeats; otherwise no pattern.</summary>
    private void Learn()
    {
        int length = _rowStart[1];
        _patternKeys = [];
        _pattern = [];
        if (length == 0)
        {
            return;
        }

        var pattern = new PatternEntry[length];
        var keys = new long[length];
        for (int e = 0; e < length; e++)
        {
            keys[e] = _storage[e].Key;
            pattern[e] = Resolve(keys[e]);
        }

        if (Distinct(keys))
        {
            _patternKeys = keys;
            _pattern = pattern;
        }
    }

    private static bool Distinct(ReadOnlySpan<long> keys)
    {
        if (keys.Length <= 16)
        {
            for (int i = 1; i < keys.Length; i++)
            {
                if (keys[..i].Contains(keys[i]))
                {
                    return false;
                }
            }

            return true;
        }

        var seen = new HashSet<long>(keys.Length);
        foreach (long key in keys)
        {
            if (!seen.Add(key))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The accumulator values an entry's key names; throws when they do not exist.</summary>
    private PatternEntry Resolve(long key)
    {
        int accumulator = (int)(key >> 32);
        int position = (int)key;
        if ((uint)accumulator >= (uint)_accumulators.Length)
        {
            throw new ArgumentOutOfRangeException("accumulator", accumulator, $"There are {_accumulators.Length} accumulator arrays.");
        }

        double[] target = _accumulators[accumulator];
        if ((uint)position >= (uint)(target.Length / _count))
        {
            throw new ArgumentOutOfRangeException("position", position, $"Accumulator array {accumulator} holds {target.Length / _count} positions.");
        }

        return new PatternEntry(target, position * _count);
    }

    /// <summary>Term by term, in row order and call order: any mix of positions. Every entry is checked before any is added.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyInOrder()
    {
        if (_resolved.Length < _entries)
        {
            _resolved = new PatternEntry[Math.Max(_entries, 2 * _resolved.Length)];
        }

        PatternEntry[] entries = _resolved;
        for (int e = 0; e < _entries; e++)
        {
            entries[e] = Resolve(_storage[e].Key);
        }

        for (int r = 0; r < _rows; r++)
        {
            ReadOnlySpan<double> weights = _weights.AsSpan(r * _count, _count);
            for (int e = _rowStart[r]; e < _rowStart[r + 1]; e++)
            {
                BlbBatch.AddScaled(entries[e].Target.AsSpan(entries[e].Offset, _count), weights, _storage[e].Term);
            }
        }
    }

    /// <summary>Every row of the block adds to the pattern's positions, each once, in order: tiles of positions times bootstraps.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyTiled()
    {
        if (_zeroWeights)
        {
            ApplyTiled<KeepWhereZero>();
        }
        else
        {
            ApplyTiled<NoZeros>();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyTiled<TZeros>()
        where TZeros : struct, IZeroWeights
    {
        int k = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; k <= _count - Vector512<double>.Count; k += Vector512<double>.Count)
            {
                ApplyLanes<Lanes512, Vector512<double>, TZeros>(k, Vector512<double>.Zero);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; k <= _count - Vector256<double>.Count; k += Vector256<double>.Count)
            {
                ApplyLanes<Lanes256, Vector256<double>, TZeros>(k, Vector256<double>.Zero);
            }

            if (k < _count && _count >= Vector256<double>.Count)
            {
                // The last 1 to 3 bootstraps: a vector over the last 4 of the position, whose first lanes (bootstraps done
                // above, already stored) are treated as rows of weight zero and so written back unchanged.
                int done = Vector256<double>.Count - (_count - k);
                Vector256<double> keep = Vector256.LessThan(Vector256.Create(0.0, 1.0, 2.0, 3.0), Vector256.Create((double)done));
                ApplyLanes<Lanes256, Vector256<double>, KeepWhereZero>(_count - Vector256<double>.Count, keep);
                k = _count;
            }
        }

        for (; k < _count; k++)
        {
            ApplyLanes<Lanes1, double, TZeros>(k, 0);
        }
    }

    /// <summary>
    /// Bootstraps <paramref name="lane"/> to <paramref name="lane"/> + width of every pattern position, for all rows of the block;
    /// lanes set in <paramref name="keep"/> are left as they are, like bootstraps whose weight is zero (vectors only).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ApplyLanes<TLanes, TVector, TZeros>(int lane, TVector keep)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
        where TZeros : struct, IZeroWeights
    {
        PatternEntry[] pattern = _pattern;
        int positions = pattern.Length;
        int rows = _rows;
        int count = _count;
        ref double weights = ref MemoryMarshal.GetArrayDataReference(_weights);
        ref Entry terms = ref MemoryMarshal.GetArrayDataReference(_storage);
        int p = 0;
        for (; p <= positions - Tile; p += Tile)
        {
            ref double a0 = ref At(pattern[p], lane);
            ref double a1 = ref At(pattern[p + 1], lane);
            ref double a2 = ref At(pattern[p + 2], lane);
            ref double a3 = ref At(pattern[p + 3], lane);
            ref double a4 = ref At(pattern[p + 4], lane);
            ref double a5 = ref At(pattern[p + 5], lane);
            ref double a6 = ref At(pattern[p + 6], lane);
            ref double a7 = ref At(pattern[p + 7], lane);
            TVector c0 = TLanes.Load(ref a0);
            TVector c1 = TLanes.Load(ref a1);
            TVector c2 = TLanes.Load(ref a2);
            TVector c3 = TLanes.Load(ref a3);
            TVector c4 = TLanes.Load(ref a4);
            TVector c5 = TLanes.Load(ref a5);
            TVector c6 = TLanes.Load(ref a6);
            TVector c7 = TLanes.Load(ref a7);
            for (int r = 0; r < rows; r++)
            {
                TVector w = TLanes.Load(ref Unsafe.Add(ref weights, (r * count) + lane));
                ref Entry t = ref Unsafe.Add(ref terms, (r * positions) + p);
                if (TZeros.Present)
                {
                    TVector zero = TLanes.Or(TLanes.IsZero(w), keep);
                    c0 = TLanes.AddScaled(c0, w, zero, t.Term);
                    c1 = TLanes.AddScaled(c1, w, zero, Unsafe.Add(ref t, 1).Term);
                    c2 = TLanes.AddScaled(c2, w, zero, Unsafe.Add(ref t, 2).Term);
                    c3 = TLanes.AddScaled(c3, w, zero, Unsafe.Add(ref t, 3).Term);
                    c4 = TLanes.AddScaled(c4, w, zero, Unsafe.Add(ref t, 4).Term);
                    c5 = TLanes.AddScaled(c5, w, zero, Unsafe.Add(ref t, 5).Term);
                    c6 = TLanes.AddScaled(c6, w, zero, Unsafe.Add(ref t, 6).Term);
                    c7 = TLanes.AddScaled(c7, w, zero, Unsafe.Add(ref t, 7).Term);
                }
                else
                {
                    c0 = TLanes.AddScaled(c0, w, t.Term);
                    c1 = TLanes.AddScaled(c1, w, Unsafe.Add(ref t, 1).Term);
                    c2 = TLanes.AddScaled(c2, w, Unsafe.Add(ref t, 2).Term);
                    c3 = TLanes.AddScaled(c3, w, Unsafe.Add(ref t, 3).Term);
                    c4 = TLanes.AddScaled(c4, w, Unsafe.Add(ref t, 4).Term);
                    c5 = TLanes.AddScaled(c5, w, Unsafe.Add(ref t, 5).Term);
                    c6 = TLanes.AddScaled(c6, w, Unsafe.Add(ref t, 6).Term);
                    c7 = TLanes.AddScaled(c7, w, Unsafe.Add(ref t, 7).Term);
                }
            }

            TLanes.Store(c0, ref a0);
            TLanes.Store(c1, ref a1);
            TLanes.Store(c2, ref a2);
            TLanes.Store(c3, ref a3);
            TLanes.Store(c4, ref a4);
            TLanes.Store(c5, ref a5);
            TLanes.Store(c6, ref a6);
            TLanes.Store(c7, ref a7);
        }

        for (; p < positions; p++)
        {
            ref double a = ref At(pattern[p], lane);
            TVector c = TLanes.Load(ref a);
            for (int r = 0; r < rows; r++)
            {
                TVector w = TLanes.Load(ref Unsafe.Add(ref weights, (r * count) + lane));
                double t = Unsafe.Add(ref terms, (r * positions) + p).Term;
                c = TZeros.Present ? TLanes.AddScaled(c, w, TLanes.Or(TLanes.IsZero(w), keep), t) : TLanes.AddScaled(c, w, t);
            }

            TLanes.Store(c, ref a);
        }
    }

    /// <summary>Bootstrap <paramref name="lane"/>'s accumulator at a pattern position; the position was checked to lie inside its array.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ref double At(PatternEntry entry, int lane) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(entry.Target), entry.Offset + lane);

    /// <summary>One way of holding several bootstraps' accumulators: a vector of some width, or a single value.</summary>
    private interface ILanes<TVector>
        where TVector : struct
    {
        static abstract TVector Load(ref double source);

        static abstract void Store(TVector value, ref double destination);

        static abstract TVector IsZero(TVector weights);

        static abstract TVector Or(TVector left, TVector right);

        /// <summary><c>accumulators + weights * term</c> (multiply, then add) where the weight is not zero; the accumulator elsewhere.</summary>
        static abstract TVector AddScaled(TVector accumulators, TVector weights, TVector zero, double term);

        /// <summary><c>accumulators + weights * term</c> (multiply, then add), for weights none of which is zero.</summary>
        static abstract TVector AddScaled(TVector accumulators, TVector weights, double term);
    }

    /// <summary>Whether a block has rows of weight zero, whose accumulators must be kept as they are (a compile-time constant per kernel).</summary>
    private interface IZeroWeights
    {
        static abstract bool Present { get; }
    }

    private readonly struct KeepWhereZero : IZeroWeights
    {
        public static bool Present => true;
    }

    private readonly struct NoZeros : IZeroWeights
    {
        public static bool Present => false;
    }

    /// <summary>One recorded term: its accumulator (high 32 bits of the key) and position (low 32 bits), and the term.</summary>
    private readonly record struct Entry(long Key, double Term);

    /// <summary>A position of the pattern: its accumulator array and the offset of its first bootstrap there.</summary>
    private readonly record struct PatternEntry(double[] Target, int Offset);

    private readonly struct Lanes512 : ILanes<Vector512<double>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Load(ref double source) => Vector512.LoadUnsafe(ref source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<double> value, ref double destination) => value.StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> IsZero(Vector512<double> weights) => Vector512.Equals(weights, Vector512<double>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Or(Vector512<double> left, Vector512<double> right) => left | right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> AddScaled(Vector512<double> accumulators, Vector512<double> weights, Vector512<double> zero, double term) =>
            Vector512.ConditionalSelect(zero, accumulators, accumulators + (weights * Vector512.Create(term)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> AddScaled(Vector512<double> accumulators, Vector512<double> weights, double term) =>
            accumulators + (weights * Vector512.Create(term));
    }

    private readonly struct Lanes256 : ILanes<Vector256<double>>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(ref double source) => Vector256.LoadUnsafe(ref source);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> value, ref double destination) => value.StoreUnsafe(ref destination);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> IsZero(Vector256<double> weights) => Vector256.Equals(weights, Vector256<double>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Or(Vector256<double> left, Vector256<double> right) => left | right;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> AddScaled(Vector256<double> accumulators, Vector256<double> weights, Vector256<double> zero, double term) =>
            Vector256.ConditionalSelect(zero, accumulators, accumulators + (weights * Vector256.Create(term)));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> AddScaled(Vector256<double> accumulators, Vector256<double> weights, double term) =>
            accumulators + (weights * Vector256.Create(term));
    }

    private readonly struct Lanes1 : ILanes<double>
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Load(ref double source) => source;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(double value, ref double destination) => destination = value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double IsZero(double weights) => weights;

        /// <summary>A single lane is never kept by mask (it is only used for whole bootstraps); the weight decides.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double Or(double left, double right) => left;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double AddScaled(double accumulators, double weights, double zero, double term) =>
            weights == 0 ? accumulators : accumulators + (weights * term);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static double AddScaled(double accumulators, double weights, double term) => accumulators + (weights * term);
    }
}
