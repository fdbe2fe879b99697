using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using ILGPU;
using ILGPU.Runtime;
using Specialize.Devices;
using Specialize.Mixture;
using Specialize.Sampling;

namespace Specialize.Blb;

/// <summary>An estimator's GPU form bound to a run's state: what the device path calls, whatever the state's type.</summary>
internal interface IBlbDeviceForm
{
    /// <summary>The kernel method, which names the estimator.</summary>
    System.Reflection.MethodInfo Kernel { get; }

    BlbDeviceWidths Widths(int n);

    void Launch(ComputeDevice device, Accelerator accelerator, BlbDeviceUpload upload, BlbDeviceFrame frame, int threads);

    void Finish(int n, ReadOnlySpan<double> doubleSums, ReadOnlySpan<long> integerSums, int count, Span<double> destination);
}

/// <inheritdoc cref="IBlbDeviceForm"/>
internal sealed class BoundDeviceForm<TState>(BlbDeviceEstimator<TState> estimator, TState state) : IBlbDeviceForm
{
    public System.Reflection.MethodInfo Kernel => estimator.Kernel.Method;

    public BlbDeviceWidths Widths(int n) => estimator.Widths(n, state);

    public void Launch(ComputeDevice device, Accelerator accelerator, BlbDeviceUpload upload, BlbDeviceFrame frame, int threads) =>
        estimator.Launch(device, accelerator, upload, state, frame, threads);

    public void Finish(int n, ReadOnlySpan<double> doubleSums, ReadOnlySpan<long> integerSums, int count, Span<double> destination) =>
        estimator.Finish(n, doubleSums, integerSums, count, state, destination);
}

/// <summary>
/// A run's bootstraps on one ILGPU device. Launch by launch, a few subsamples at a time (as many as a share of the
/// device's memory holds): their rows go to the device once; the weights of all their bootstraps are drawn there
/// (<see cref="BlbDeviceKernels"/>: the processor's draws, bit for bit); the estimator's kernel computes each
/// bootstrap's sums lane by lane; the lanes are added in lane order; and the sums come back for the host's part of the
/// estimator, which finishes each bootstrap. Per launch the host waits for the device once to check the draws (a
/// Poisson total above n, a rejected uniform cell: both redrawn as the processor does), once more when one happened,
/// and once for the sums.
/// </summary>
internal sealed class BlbDeviceSession : IDisposable
{
    /// <summary>The share of a GPU's memory one launch may use.</summary>
    private const double MemoryShare = 0.25;

    /// <summary>What one launch may use on a device whose memory is the host's (ILGPU's CPU accelerator).</summary>
    private const long HostMemoryBudget = 256L << 20;

    private readonly ComputeDevice device;
    private readonly Accelerator accelerator;
    private readonly IBlbDeviceForm form;
    private readonly BlbDeviceUpload upload;
    private readonly int n;
    private readonly int b;
    private readonly int r;
    private readonly int dimension;
    private readonly ulong seed;
    private readonly int guideShift;
    private readonly int first;
    private readonly BlbDeviceWidths widths;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> cdf;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> guide;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> weights;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> slots;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> passes;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> totals;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> from;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> count;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> rejected;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> doublePartials;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> integerPartials;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> doubleSums;
    private readonly MemoryBuffer1D<long, Stride1D.Dense> integerSums;

    /// <summary>Opens a run on <paramref name="device"/>: the Poisson table goes up once, the launch buffers are made for <see cref="SubsamplesPerLaunch"/> subsamples.</summary>
    /// <param name="device">The ILGPU device.</param>
    /// <param name="form">The estimator's GPU form, bound to the run's state.</param>
    /// <param name="n">Number of rows of the data.</param>
    /// <param name="b">Rows per subsample.</param>
    /// <param name="s">Subsamples of the run.</param>
    /// <param name="r">Bootstraps per subsample.</param>
    /// <param name="dimension">Values per estimate.</param>
    /// <param name="bytesPerRow">Bytes of one row of all subsampled inputs.</param>
    /// <param name="seed">The run's stream key.</param>
    /// <param name="multinomial">The run's weight draws (its Poisson table goes to the device).</param>
    /// <param name="subsamplesPerLaunch">Subsamples per launch instead of as many as the memory budget holds (tests); null for the budget's.</param>
    internal BlbDeviceSession(ComputeDevice device, IBlbDeviceForm form, int n, int b, int s, int r, int dimension, int bytesPerRow, ulong seed, UniformMultinomial multinomial, int? subsamplesPerLaunch = null)
    {
        if (!multinomial.UsesPoissonTable)
        {
            throw new InvalidOperationException("The device draws weights from the Poisson table; this run has none.");
        }

        this.device = device;
        this.form = form;
        this.n = n;
        this.b = b;
        this.r = r;
        this.dimension = dimension;
        this.seed = seed;
        guideShift = multinomial.GuideShift;
        first = multinomial.First;
        widths = form.Widths(n);
        SubsamplesPerLaunch = subsamplesPerLaunch ?? SubsamplesFor(device, b, s, r, widths, bytesPerRow);
        accelerator = DeviceRuntime.GetAccelerator(device);
        using var scope = DeviceRuntime.Use(device);
        upload = new BlbDeviceUpload(device, accelerator);
        cdf = Upload(multinomial.Cdf);
        guide = Upload(multinomial.Guide);
        long slotCount = (long)SubsamplesPerLaunch * r;
        weights = DeviceMemory.Allocate<int>(device, accelerator, slotCount * b);
        slots = DeviceMemory.Allocate<int>(device, accelerator, slotCount);
        passes = DeviceMemory.Allocate<int>(device, accelerator, slotCount);
        totals = DeviceMemory.Allocate<long>(device, accelerator, slotCount);
        from = DeviceMemory.Allocate<long>(device, accelerator, slotCount);
        count = DeviceMemory.Allocate<long>(device, accelerator, slotCount);
        rejected = DeviceMemory.Allocate<int>(device, accelerator, slotCount);
        doublePartials = DeviceMemory.Allocate<double>(device, accelerator, slotCount * widths.Doubles * BlbDeviceFrame.LaneCount);
        integerPartials = DeviceMemory.Allocate<long>(device, accelerator, slotCount * widths.Integers * BlbDeviceFrame.LaneCount);
        doubleSums = DeviceMemory.Allocate<double>(device, accelerator, slotCount * widths.Doubles);
        integerSums = DeviceMemory.Allocate<long>(device, accelerator, slotCount * widths.Integers);
    }

    /// <summary>Subsamples per launch.</summary>
    internal int SubsamplesPerLaunch { get; }

    /// <summary>Launches so far.</summary>
    internal int Launches { get; private set; }

    /// <summary>Times the subsamples' rows went to the device (once per subsampled input and launch).</summary>
    internal int RowUploads => upload.RowUploads;

    /// <summary>Poisson passes drawn again because their total exceeded n, over the session.</summary>
    internal int PoissonRedraws { get; private set; }

    /// <summary>Extra ranges of uniform units drawn because a cell was rejected, over the session.</summary>
    internal int UnitRetries { get; private set; }

    /// <summary>
    /// The bootstraps of subsamples <paramref name="firstSubsample"/>, <paramref name="firstSubsample"/> + 1, ... whose
    /// row indices are <paramref name="subsamples"/> (at most <see cref="SubsamplesPerLaunch"/>): bootstrap <c>k</c> of
    /// subsample <c>j</c> goes to <c>estimates[j][k * dimension ..]</c>.
    /// </summary>
    internal void Bootstraps(int firstSubsample, int[][] subsamples, double[][] estimates) =>
        Bootstraps(firstSubsample, 1, subsamples, estimates);

    /// <summary>
    /// The bootstraps of subsamples <paramref name="firstSubsample"/>, <paramref name="firstSubsample"/> +
    /// <paramref name="stride"/>, ... (a rank's share of a cluster run: every <paramref name="stride"/>-th subsample)
    /// whose row indices are <paramref name="subsamples"/>: bootstrap <c>k</c> of subsample <c>j</c> goes to
    /// <c>estimates[j][k * dimension ..]</c>, from subsample <c>j</c>'s streams as in a run of one process.
    /// </summary>
    internal void Bootstraps(int firstSubsample, int stride, int[][] subsamples, double[][] estimates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        int launch = subsamples.Length;
        if (launch == 0)
        {
            return;
        }

        if (launch > SubsamplesPerLaunch)
        {
            throw new ArgumentOutOfRangeException(nameof(subsamples), launch, $"At most {SubsamplesPerLaunch} subsamples fit one launch.");
        }

        int slotCount = launch * r;
        var doubleHost = new double[slotCount * widths.Doubles];
        var integerHost = new long[slotCount * widths.Integers];
        using (DeviceRuntime.Use(device))
        {
            upload.Begin(subsamples, b);
            DrawWeights(new BlbWeightsFrame(seed, n, b, r, firstSubsample, guideShift, first, stride), slotCount);
            var frame = new BlbDeviceFrame(n, b, r, widths.Doubles, widths.Integers, weights.View, doublePartials.View, integerPartials.View);
            form.Launch(device, accelerator, upload, frame, checked(slotCount * BlbDeviceFrame.LaneCount));
            if (widths.Doubles > 0)
            {
                var reduce = DeviceRuntime.GetKernel(device, "blb.reduce-lanes", typeof(double), static a =>
                    a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int>(BlbDeviceKernels.ReduceLanes<double>));
                reduce(doubleHost.Length, doublePartials.View, doubleSums.View, BlbDeviceFrame.LaneCount);
                doubleSums.View.SubView(0, doubleHost.Length).CopyToCPU(doubleHost);
            }

            if (widths.Integers > 0)
            {
                var reduce = DeviceRuntime.GetKernel(device, "blb.reduce-lanes", typeof(long), static a =>
                    a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<long>, ArrayView<long>, int>(BlbDeviceKernels.ReduceLanes<long>));
                reduce(integerHost.Length, integerPartials.View, integerSums.View, BlbDeviceFrame.LaneCount);
                integerSums.View.SubView(0, integerHost.Length).CopyToCPU(integerHost);
            }

            accelerator.Synchronize();
            Launches++;
        }

        // The host's part, per subsample: the rest of the estimator from each bootstrap's sums.
        Parallel.For(0, launch, j => form.Finish(
            n,
            doubleHost.AsSpan(j * r * widths.Doubles, r * widths.Doubles),
            integerHost.AsSpan(j * r * widths.Integers, r * widths.Integers),
            r,
            estimates[firstSubsample + (j * stride)].AsSpan(0, r * dimension)));
    }

    /// <summary>
    /// The weights of the launch's <paramref name="slotCount"/> bootstraps, each as the processor draws it from its
    /// stream: the Poisson counts (drawn again from the next outputs while their total exceeds n), then the units left
    /// over, each from the next output, a rejected output replaced by the one after the range.
    /// </summary>
    internal void DrawWeights(BlbWeightsFrame frame, int slotCount)
    {
        var poisson = DeviceRuntime.GetKernel(device, "blb.poisson-counts", typeof(int), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, BlbWeightsFrame, ArrayView<double>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<long>>(BlbDeviceKernels.PoissonCounts));
        var units = DeviceRuntime.GetKernel(device, "blb.uniform-units", typeof(int), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, BlbWeightsFrame, ArrayView<int>, ArrayView<int>, ArrayView<long>, ArrayView<long>, ArrayView<long>, ArrayView<int>, ArrayView<int>, int>(BlbDeviceKernels.UniformUnits));
        int lanes = BlbDeviceFrame.LaneCount;
        var list = new int[slotCount];
        for (int i = 0; i < list.Length; i++)
        {
            list[i] = i;
        }

        var passHost = new int[slotCount];
        var fromHost = new long[slotCount];
        var countHost = new long[slotCount];
        var fresh = new bool[slotCount];
        Array.Fill(fresh, true);
        slots.View.SubView(0, slotCount).CopyFromCPU(list);
        passes.View.SubView(0, slotCount).MemSetToZero();
        totals.View.SubView(0, slotCount).MemSetToZero();
        rejected.View.SubView(0, slotCount).MemSetToZero();
        poisson(slotCount * lanes, frame, cdf.View, guide.View, slots.View, passes.View, weights.View, totals.View);
        units(slotCount * lanes, frame, slots.View, passes.View, totals.View, from.View, count.View, rejected.View, weights.View, 1);
        while (true)
        {
            long[] totalHost = totals.View.SubView(0, slotCount).GetAsArray1D();
            int[] rejectedHost = rejected.View.SubView(0, slotCount).GetAsArray1D();
            var redraw = new List<int>();
            var more = new List<int>();
            for (int slot = 0; slot < slotCount; slot++)
            {
                if (totalHost[slot] > n)
                {
                    // The processor draws the Poisson counts again from the stream's next b outputs.
                    redraw.Add(slot);
                    passHost[slot]++;
                    totalHost[slot] = 0;
                    rejectedHost[slot] = 0;
                    fresh[slot] = true;
                    continue;
                }

                if (fresh[slot])
                {
                    fromHost[slot] = 0;
                    countHost[slot] = n - totalHost[slot];
                    fresh[slot] = false;
                }

                if (rejectedHost[slot] > 0)
                {
                    // As many units as were rejected, from the outputs after the range just drawn.
                    more.Add(slot);
                    fromHost[slot] += countHost[slot];
                    countHost[slot] = rejectedHost[slot];
                    rejectedHost[slot] = 0;
                }
            }

            if (redraw.Count == 0 && more.Count == 0)
            {
                return;
            }

            PoissonRedraws += redraw.Count;
            UnitRetries += more.Count;
            passes.View.SubView(0, slotCount).CopyFromCPU(passHost);
            totals.View.SubView(0, slotCount).CopyFromCPU(totalHost);
            rejected.View.SubView(0, slotCount).CopyFromCPU(rejectedHost);
            from.View.SubView(0, slotCount).CopyFromCPU(fromHost);
            count.View.SubView(0, slotCount).CopyFromCPU(countHost);
            if (redraw.Count > 0)
            {
                slots.View.SubView(0, redraw.Count).CopyFromCPU(redraw.ToArray());
                poisson(redraw.Count * lanes, frame, cdf.View, guide.View, slots.View, passes.View, weights.View, totals.View);
                units(redraw.Count * lanes, frame, slots.View, passes.View, totals.View, from.View, count.View, rejected.View, weights.View, 1);
            }

            if (more.Count > 0)
            {
                slots.View.SubView(0, more.Count).CopyFromCPU(more.ToArray());
                units(more.Count * lanes, frame, slots.View, passes.View, totals.View, from.View, count.View, rejected.View, weights.View, 0);
            }
        }
    }

    /// <summary>The weights of the last launch, slot after slot (for tests).</summary>
    internal int[] DownloadWeights(int slotCount)
    {
        using (DeviceRuntime.Use(device))
        {
            return weights.View.SubView(0, (long)slotCount * b).GetAsArray1D();
        }
    }

    public void Dispose()
    {
        using (DeviceRuntime.Use(device))
        {
            upload.Dispose();
            cdf.Dispose();
            guide.Dispose();
            weights.Dispose();
            slots.Dispose();
            passes.Dispose();
            totals.Dispose();
            from.Dispose();
            count.Dispose();
            rejected.Dispose();
            doublePartials.Dispose();
            integerPartials.Dispose();
            doubleSums.Dispose();
            integerSums.Dispose();
        }
    }

    /// <summary>How many subsamples one launch computes: as many as the memory budget holds, at least one, at most all.</summary>
    internal static int SubsamplesFor(ComputeDevice device, int b, int s, int r, BlbDeviceWidths widths, int bytesPerRow)
    {
        long budget = device.MemoryBytes > 0 ? (long)(device.MemoryBytes * MemoryShare) : HostMemoryBudget;
        long sums = (long)widths.Doubles + widths.Integers;
        long perSubsample = ((long)r * b * sizeof(int))
            + ((long)r * sums * BlbDeviceFrame.LaneCount * sizeof(double))
            + ((long)r * sums * sizeof(double))
            + ((long)b * Math.Max(bytesPerRow, 1))
            + ((long)r * 40);
        long fits = Math.Max(1, budget / Math.Max(perSubsample, 1));
        long threads = Math.Max(1, int.MaxValue / ((long)r * BlbDeviceFrame.LaneCount));
        return (int)Math.Min(Math.Min(fits, threads), s);
    }

    private MemoryBuffer1D<T, Stride1D.Dense> Upload<T>(ReadOnlySpan<T> values)
        where T : unmanaged
    {
        var buffer = DeviceMemory.Allocate<T>(device, accelerator, values.Length);
        ArrayView<T> view = buffer.View.SubView(0, values.Length);
        view.CopyFromCPU(values);
        return buffer;
    }
}
