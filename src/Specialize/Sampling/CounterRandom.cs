using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Specialize.Sampling;

/// <summary>
/// A counter-based random stream: the <c>i</c>-th output depends only on the stream's key and
/// <c>i</c>, so any (subsample, bootstrap) pair can be drawn on any thread in any order and still
/// produce the same numbers. Output <c>i</c> is a 64-bit mix (two rounds of the SplitMix64 / Stafford
/// variant 13 finalizer) of <c>key + (i + 1) * golden</c>; the key itself is a mix of the seed and
/// the stream id.
/// </summary>
internal struct CounterRandom
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;

    private readonly ulong _key;
    private ulong _counter;

    /// <summary>Creates the stream <paramref name="stream"/> of the generator seeded with <paramref name="seed"/>.</summary>
    public CounterRandom(ulong seed, ulong stream)
    {
        _key = KeyOf(seed, stream);
        _counter = 0;
    }

    /// <summary>The key of stream <paramref name="stream"/> of the generator seeded with <paramref name="seed"/>.</summary>
    /// <remarks>Device kernels draw the same streams with this and <see cref="Output"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong KeyOf(ulong seed, ulong stream) => Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) + Mix(stream + Golden));

    /// <summary>Output <paramref name="counter"/> (1 for the first) of the stream with key <paramref name="key"/>: what the <paramref name="counter"/>-th <see cref="NextUInt64"/> returns.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Output(ulong key, ulong counter) => Mix(key + (counter * Golden));

    /// <summary>Stream id for subsample <paramref name="subsample"/>'s row draw (<paramref name="bootstrap"/> = -1) or one of its bootstraps.</summary>
    public static ulong StreamId(int subsample, int bootstrap) =>
        ((ulong)(uint)subsample << 32) | (uint)(bootstrap + 1);

    /// <summary>The next 64 uniformly distributed bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        _counter++;
        return Output(_key, _counter);
    }

    /// <summary>
    /// Writes the stream's next <paramref name="destination"/>.Length outputs, exactly those that as many
    /// <see cref="NextUInt64"/> calls would return, computing 8 (or 4) of them at a time with vector instructions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(Span<ulong> destination)
    {
        ulong counter = _counter;
        ref ulong target = ref MemoryMarshal.GetReference(destination);
        int i = 0;
        if (Vector512.IsHardwareAccelerated && destination.Length >= Vector512<ulong>.Count)
        {
            // Lane l holds key + (counter + 1 + l) * golden; the next block is 8 * golden further on (mod 2^64).
            Vector512<ulong> x = Vector512.Create(_key)
                + ((Vector512.Create(counter + 1) + Vector512.Create(0UL, 1, 2, 3, 4, 5, 6, 7)) * Vector512.Create(Golden));
            Vector512<ulong> step = Vector512.Create(unchecked(8 * Golden));
            for (; i <= destination.Length - Vector512<ulong>.Count; i += Vector512<ulong>.Count)
            {
                Mix(x).StoreUnsafe(ref target, (nuint)i);
                x += step;
            }
        }
        else if (Vector256.IsHardwareAccelerated && destination.Length >= Vector256<ulong>.Count)
        {
            Vector256<ulong> x = Vector256.Create(_key)
                + ((Vector256.Create(counter + 1) + Vector256.Create(0UL, 1, 2, 3)) * Vector256.Create(Golden));
            Vector256<ulong> step = Vector256.Create(unchecked(4 * Golden));
            for (; i <= destination.Length - Vector256<ulong>.Count; i += Vector256<ulong>.Count)
            {
                Mix(x).StoreUnsafe(ref target, (nuint)i);
                x += step;
            }
        }
        for (; i < destination.Length; i++)
        {
            Unsafe.Add(ref target, i) = Mix(_key + ((counter + (ulong)i + 1) * Golden));
        }
        _counter = counter + (ulong)destination.Length;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform double in (0, 1): never zero, so its logarithm is finite.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextOpenDouble() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="exclusiveBound"/>) without modulo bias (Lemire's method).</summary>
    public uint NextUInt32(uint exclusiveBound)
    {
        ulong m = (ulong)(uint)(NextUInt64() >> 32) * exclusiveBound;
        uint low = (uint)m;
        if (low < exclusiveBound)
        {
            uint threshold = (0u - exclusiveBound) % exclusiveBound;
            while (low < threshold)
            {
                m = (ulong)(uint)(NextUInt64() >> 32) * exclusiveBound;
                low = (uint)m;
            }
        }
        return (uint)(m >> 32);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<ulong> Mix(Vector512<ulong> z)
    {
        z = (z ^ Vector512.ShiftRightLogical(z, 30)) * Vector512.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector512.ShiftRightLogical(z, 27)) * Vector512.Create(0x94D049BB133111EBUL);
        return z ^ Vector512.ShiftRightLogical(z, 31);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Mix(Vector256<ulong> z)
    {
        z = (z ^ Vector256.ShiftRightLogical(z, 30)) * Vector256.Create(0xBF58476D1CE4E5B9UL);
        z = (z ^ Vector256.ShiftRightLogical(z, 27)) * Vector256.Create(0x94D049BB133111EBUL);
        return z ^ Vector256.ShiftRightLogical(z, 31);
    }
}
