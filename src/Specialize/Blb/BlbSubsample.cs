using System;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Specialize.Blb;

/// <summary>
/// One subsample as a run holds it: its row indices into the data, and under load-in the copies of its rows
/// (one per subsampled input), made once and then read by every bootstrap of the subsample on every thread.
/// </summary>
/// <remarks>
/// The copy of an input is made by the first call that needs it (normally the subsample's own estimate,
/// before any bootstrap starts); a second thread that needs it at the same moment waits for that copy
/// instead of making its own. Subsamples are kept between runs (<see cref="Rent"/>, <see cref="Return"/>);
/// a returned one forgets its rows and drops the copies of rows that hold references.
/// </remarks>
internal sealed class BlbSubsample
{
    private const int MaxInputs = 64;

    // A run holds at most about twice as many subsamples as it has threads (those being computed, and those drawn ahead).
    private static readonly Shelf<BlbSubsample> s_kept = new(Math.Clamp((2 * Environment.ProcessorCount) + 2, 4, 256));

    private readonly int[] _indices;
    private readonly object?[] _copies = new object?[MaxInputs];
    private readonly bool[] _filled = new bool[MaxInputs];
    private readonly bool[] _holdsReferences = new bool[MaxInputs];
    private readonly object _gate = new();

    private BlbSubsample(int[] indices)
    {
        _indices = indices;
    }

    /// <summary>A subsample of <paramref name="size"/> rows, holding no rows yet: a kept one where one fits.</summary>
    public static BlbSubsample Rent(int size) =>
        s_kept.Take(size, static (kept, size) => kept._indices.Length == size) ?? new BlbSubsample(new int[size]);

    /// <summary>Keeps <paramref name="subsample"/> for reuse, once no thread reads it any more.</summary>
    public static void Return(BlbSubsample subsample)
    {
        subsample.Forget();
        s_kept.Put(subsample);
    }

    /// <summary>A subsample over <paramref name="indices"/> as given (not copied), for <see cref="BlbSample.Create"/>.</summary>
    public static BlbSubsample Over(int[] indices) => new(indices);

    /// <summary>How many copies of rows this subsample has made since it was created (a test's window on the sharing).</summary>
    internal int CopiesMade { get; private set; }

    /// <summary>The row indices, ascending; written by the draw, before any copy is made.</summary>
    public int[] Indices => _indices;

    /// <summary>
    /// Input <paramref name="input"/>'s rows of this subsample as a contiguous span: row <c>i</c> is
    /// <c>data[Indices[i]]</c>, copied on the first call and shared by every later call, on any thread.
    /// </summary>
    public ReadOnlySpan<T> Gather<T>(int input, ReadOnlySpan<T> data)
    {
        if ((uint)input >= MaxInputs)
        {
            throw new ArgumentOutOfRangeException(nameof(input), input, $"The input number must be in [0, {MaxInputs}).");
        }
        if (Volatile.Read(ref _filled[input]) && _copies[input] is T[] ready)
        {
            return ready;
        }
        lock (_gate)
        {
            if (!_filled[input] || _copies[input] is not T[])
            {
                Fill(input, data);
            }
            return (T[])_copies[input]!;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Fill<T>(int input, ReadOnlySpan<T> data)
    {
        if (_copies[input] is not T[] copy || copy.Length != _indices.Length)
        {
            copy = new T[_indices.Length];
            _copies[input] = copy;
            _holdsReferences[input] = RuntimeHelpers.IsReferenceOrContainsReferences<T>();
        }
        int[] indices = _indices;
        for (int i = 0; i < indices.Length; i++)
        {
            copy[i] = data[indices[i]];
        }
        CopiesMade++;
        Volatile.Write(ref _filled[input], true);
    }

    /// <summary>Makes the subsample hold no rows (its indices are drawn again), keeping the copies' memory for reuse.</summary>
    public void Forget()
    {
        for (int input = 0; input < MaxInputs; input++)
        {
            _filled[input] = false;
            if (_holdsReferences[input] && _copies[input] is Array copy)
            {
                Array.Clear(copy);
            }
        }
    }
}
