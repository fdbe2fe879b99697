using System.Numerics;
using ILGPU;
using ILGPU.Algorithms;
using Specialize.Sampling;

namespace Specialize.Blb;

/// <summary>What the weight kernels need to know: the streams' seed, the sizes, and the Poisson table's shape.</summary>
internal readonly struct BlbWeightsFrame
{
    public BlbWeightsFrame(ulong seed, int n, int rows, int bootstraps, int firstSubsample, int guideShift, int first, int subsampleStride = 1)
    {
        Seed = seed;
        N = n;
        Rows = rows;
        Bootstraps = bootstraps;
        FirstSubsample = firstSubsample;
        SubsampleStride = subsampleStride;
        GuideShift = guideShift;
        First = first;
        Lanes = BlbDeviceFrame.LaneCount;
        Threshold = (0u - (uint)rows) % (uint)rows;
    }

    /// <summary>The run's stream key (<see cref="BlbOptions.StreamKey"/>).</summary>
    public ulong Seed { get; }

    /// <summary>Number of trials of each multinomial draw, <c>n</c>.</summary>
    public int N { get; }

    /// <summary>Cells of each draw: rows per subsample, <c>b</c>.</summary>
    public int Rows { get; }

    /// <summary>Bootstraps per subsample.</summary>
    public int Bootstraps { get; }

    /// <summary>The run's number of the launch's first subsample.</summary>
    public int FirstSubsample { get; }

    /// <summary>How far apart the run's numbers of the launch's subsamples are: 1 for one process, the number of ranks for a rank's share of a cluster run.</summary>
    public int SubsampleStride { get; }

    /// <summary>The shift from 64 random bits to their guide bin.</summary>
    public int GuideShift { get; }

    /// <summary>The count of the Poisson table's first entry.</summary>
    public int First { get; }

    /// <summary>Threads per slot.</summary>
    public int Lanes { get; }

    /// <summary>Lemire's rejection threshold for a uniform cell: <c>2^32 mod b</c>.</summary>
    public uint Threshold { get; }

    /// <summary>The key of slot <paramref name="slot"/>'s stream: subsample <c>FirstSubsample + (slot / Bootstraps) * SubsampleStride</c>, bootstrap <c>slot % Bootstraps</c>.</summary>
    public ulong Key(int slot) =>
        CounterRandom.KeyOf(Seed, CounterRandom.StreamId(FirstSubsample + ((slot / Bootstraps) * SubsampleStride), slot % Bootstraps));
}

/// <summary>
/// The GPU kernels of the runtime's BLB path: the bootstraps' multinomial weights, drawn from the same counter-based
/// streams as on the processor and with the same draws (<see cref="UniformMultinomial"/>: Poisson counts by inversion
/// of the run's table, then the units left over added to uniformly chosen cells), and the sum of each bootstrap's lanes
/// in lane order. Every thread works on one lane of one slot (a bootstrap), <c>index = slot * Lanes + lane</c>, and
/// nothing depends on how the device groups the threads.
/// </summary>
internal static class BlbDeviceKernels
{
    /// <summary>
    /// The Poisson counts of the slots listed in <paramref name="slots"/> (thread <c>index</c>: lane <c>index % Lanes</c>
    /// of <c>slots[index / Lanes]</c>), from outputs <c>pass * b + 1</c> to <c>(pass + 1) * b</c> of the slot's stream, as
    /// the processor's pass number <c>pass</c> draws them; each lane adds its counts to the slot's total.
    /// </summary>
    internal static void PoissonCounts(
        Index1D index,
        BlbWeightsFrame frame,
        ArrayView<double> cdf,
        ArrayView<int> guide,
        ArrayView<int> slots,
        ArrayView<int> passes,
        ArrayView<int> counts,
        ArrayView<long> totals)
    {
        int lane = index.X % frame.Lanes;
        int slot = slots[index.X / frame.Lanes];
        ulong key = frame.Key(slot);
        ulong start = (ulong)passes[slot] * (ulong)frame.Rows;
        long at = (long)slot * frame.Rows;
        long total = 0;
        for (int i = lane; i < frame.Rows; i += frame.Lanes)
        {
            ulong x = CounterRandom.Output(key, start + (ulong)i + 1);
            // The guide bin of u = (x >> 11) / 2^53 decides the count, or names the first table entry to search from.
            int k = guide[(int)(x >> frame.GuideShift)];
            if (k < 0)
            {
                double u = (x >> 11) * (1.0 / (1UL << 53));
                k = ~k;
                while (cdf[k] <= u)
                {
                    k++;
                }

                k += frame.First;
            }

            counts[at + i] = k;
            total += k;
        }

        Atomic.Add(ref totals[slot], total);
    }

    /// <summary>
    /// The units the Poisson counts left over, for the slots in <paramref name="slots"/>: position <c>u</c> of a slot's
    /// units is output <c>(pass + 1) * b + u + 1</c> of its stream, a uniform cell by Lemire's method, or a rejection
    /// (which the host makes up for with the positions after the range). With <paramref name="fromTotals"/> the range is
    /// <c>[0, n - total)</c>; otherwise <c>[from[slot], from[slot] + count[slot])</c>. The order in which units reach a
    /// cell does not matter: the counts are the same as the processor's, whose draw takes the first <c>n - total</c>
    /// accepted outputs.
    /// </summary>
    internal static void UniformUnits(
        Index1D index,
        BlbWeightsFrame frame,
        ArrayView<int> slots,
        ArrayView<int> passes,
        ArrayView<long> totals,
        ArrayView<long> from,
        ArrayView<long> count,
        ArrayView<int> rejected,
        ArrayView<int> counts,
        int fromTotals)
    {
        int lane = index.X % frame.Lanes;
        int slot = slots[index.X / frame.Lanes];
        long first = fromTotals != 0 ? 0 : from[slot];
        long end = fromTotals != 0 ? frame.N - totals[slot] : first + count[slot];
        ulong key = frame.Key(slot);
        ulong start = (ulong)(passes[slot] + 1) * (ulong)frame.Rows;
        uint bound = (uint)frame.Rows;
        long at = (long)slot * frame.Rows;
        int misses = 0;
        for (long u = first + lane; u < end; u += frame.Lanes)
        {
            ulong m = (CounterRandom.Output(key, start + (ulong)u + 1) >> 32) * bound;
            if ((uint)m < frame.Threshold)
            {
                misses++;
                continue;
            }

            Atomic.Add(ref counts[at + (long)(m >> 32)], 1);
        }

        if (misses > 0)
        {
            Atomic.Add(ref rejected[slot], misses);
        }
    }

    /// <summary>
    /// Sum <c>index</c> (slot <c>index / width</c>, position <c>index % width</c>) over its <paramref name="lanes"/> lanes,
    /// added in lane order: <c>sums[index] = partials[index * lanes] + partials[index * lanes + 1] + ...</c>.
    /// </summary>
    internal static void ReduceLanes<T>(Index1D index, ArrayView<T> partials, ArrayView<T> sums, int lanes)
        where T : unmanaged, INumber<T>
    {
        long at = (long)index.X * lanes;
        T total = T.Zero;
        for (int lane = 0; lane < lanes; lane++)
        {
            total += partials[at + lane];
        }

        sums[index] = total;
    }
}
