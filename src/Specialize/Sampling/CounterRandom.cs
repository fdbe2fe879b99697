using System.Runtime.CompilerServices;

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
        _key = Mix(Mix(seed ^ 0x6A09E667F3BCC909UL) + Mix(stream + Golden));
        _counter = 0;
    }

    /// <summary>Stream id for subsample <paramref name="subsample"/>'s row draw (<paramref name="bootstrap"/> = -1) or one of its bootstraps.</summary>
    public static ulong StreamId(int subsample, int bootstrap) =>
        ((ulong)(uint)subsample << 32) | (uint)(bootstrap + 1);

    /// <summary>The next 64 uniformly distributed bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        _counter++;
        return Mix(_key + _counter * Golden);
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
}
