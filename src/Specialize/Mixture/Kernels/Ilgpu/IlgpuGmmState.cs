using System;
using System.Numerics;
using ILGPU;
using ILGPU.Runtime;
using Specialize.Devices;

namespace Specialize.Mixture;

/// <summary>
/// EM's buffers on one ILGPU device for one fit: the rows (resident across fits, see <see cref="ResidentData"/>),
/// the responsibilities and the distances stay on the device; per iteration only the parameters go up and the
/// sums come down (M + M D numbers, the blocks' log-likelihoods, and the covariances). The small per-component
/// work (Cholesky factors, log-determinants) stays on the host.
/// </summary>
internal abstract class GmmDeviceState : IDisposable
{
    protected GmmDeviceState(ComputeDevice device, GmmData data, int m)
    {
        Device = device;
        Data = data;
        Components = m;
    }

    internal ComputeDevice Device { get; }

    internal GmmData Data { get; }

    internal int Components { get; }

    /// <summary>The element type the kernels compute in: <c>"float32"</c> or <c>"float64"</c>.</summary>
    internal abstract string DataType { get; }

    /// <summary>Creates the buffers of a fit with <paramref name="m"/> components on <paramref name="device"/>, computing in float32 or float64.</summary>
    internal static GmmDeviceState Create(ComputeDevice device, GmmData data, int m, bool singlePrecision) => singlePrecision
        ? new IlgpuGmmState<float, DeviceFloat32>(device, data, m)
        : new IlgpuGmmState<double, DeviceFloat64>(device, data, m);

    /// <summary>Uploads responsibilities in the blocked layout (the initialization's).</summary>
    internal abstract void UploadResponsibilities(double[] blocked);

    /// <summary>Squared Mahalanobis distances on the device, from M x D means and M x D x D upper-triangular factors, by the general kernel or <paramref name="kernels"/>.</summary>
    internal abstract void Mahalanobis(double[] means, double[] precisionsCholesky, FixedMahalanobis? kernels = null);

    /// <summary>Diagonal distance terms on the device, from M x D means and M x D precisions.</summary>
    internal abstract void Diagonal(double[] means, double[] precisions);

    /// <summary>Copies the distances into <paramref name="destination"/> (blocked layout).</summary>
    internal abstract void DownloadDistances(double[] destination);

    /// <summary>Copies the responsibilities into <paramref name="destination"/> (blocked layout).</summary>
    internal abstract void DownloadResponsibilities(double[] destination);

    /// <summary>The E-step after the distances: responsibilities on the device; returns each block's log-likelihood.</summary>
    internal abstract double[] Normalize(double[] offsets, double constant);

    /// <summary>The M-step's sums: M responsibilities, M x D of r x, and with <paramref name="squares"/> M x D of r x^2.</summary>
    internal abstract double[] Sums(bool squares);

    /// <summary>Covariances (M x D x D, full symmetric, divided by <paramref name="weights"/>) by covariance variant <paramref name="variant"/> (<see cref="IlgpuCovarianceVariant.Fixed"/>: <paramref name="kernels"/>).</summary>
    internal abstract void Covariance(IlgpuCovarianceVariant variant, double[] means, double[] weights, double[] output, FixedCovariance? kernels = null);

    /// <summary>
    /// Logistic regression's fused pass over rows with an intercept column (one component): at coefficients
    /// <paramref name="w"/>, returns the log-loss sum then <c>X^T (mu - y)</c>, and leaves <c>mu (1 - mu)</c> on the
    /// device as the responsibilities for <see cref="Covariance"/>. The labels (blocked, padded) go up on the first call
    /// and stay for the state's lifetime.
    /// </summary>
    internal abstract double[] Logistic(double[] labels, double[] w);

    public abstract void Dispose();
}

/// <summary>The GPU covariance variants.</summary>
internal enum IlgpuCovarianceVariant
{
    V1,
    V2,
    V3,
    V4B32,
    V4B128,
    TiledShared,

    /// <summary>A kernel written for one dimension (<see cref="GmmDeviceKernels.RegisterCovariance"/>).</summary>
    Fixed,
}

/// <inheritdoc cref="GmmDeviceState"/>
internal sealed class IlgpuGmmState<T, TReal> : GmmDeviceState
    where T : unmanaged, INumber<T>
    where TReal : struct, IDeviceReal<T>
{
    private const int B = GmmData.BlockSize;
    private const int ChunkBlocks = GmmKernels.ChunkBlocks;

    private readonly Accelerator accelerator;
    private readonly int d;
    private readonly int groupSize;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> resp;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> distances;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> means;
    private readonly MemoryBuffer1D<T, Stride1D.Dense> factors;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> offsets;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> rowLikelihood;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> blockSums;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> pairs;
    private MemoryBuffer1D<double, Stride1D.Dense>? partials;
    private MemoryBuffer1D<double, Stride1D.Dense>? sums;
    private MemoryBuffer1D<double, Stride1D.Dense>? packed;
    private MemoryBuffer1D<T, Stride1D.Dense>? elementPartials;
    private MemoryBuffer1D<double, Stride1D.Dense>? labels;
    private MemoryBuffer1D<double, Stride1D.Dense>? coefficients;
    private MemoryBuffer1D<double, Stride1D.Dense>? residuals;
    private MemoryBuffer1D<double, Stride1D.Dense>? blockPartials;
    private MemoryBuffer1D<double, Stride1D.Dense>? logisticSums;

    internal IlgpuGmmState(ComputeDevice device, GmmData data, int m)
        : base(device, data, m)
    {
        using var scope = DeviceRuntime.Use(device);
        accelerator = DeviceRuntime.GetAccelerator(device);
        d = data.Dimension;
        groupSize = DeviceRuntime.GroupSize(accelerator);
        long cells = (long)data.BlockCount * m * B;
        resp = DeviceMemory.Allocate<T>(device, accelerator, cells);
        distances = DeviceMemory.Allocate<T>(device, accelerator, cells);
        means = DeviceMemory.Allocate<T>(device, accelerator, m * d);
        factors = DeviceMemory.Allocate<T>(device, accelerator, (long)m * d * d);
        offsets = DeviceMemory.Allocate<double>(device, accelerator, m);
        rowLikelihood = DeviceMemory.Allocate<double>(device, accelerator, (long)data.BlockCount * B);
        blockSums = DeviceMemory.Allocate<double>(device, accelerator, data.BlockCount);
        int p = d * (d + 1) / 2;
        var cellPairs = new int[2 * p];
        for (int i = 0, c = 0; i < d; i++)
        {
            for (int j = i; j < d; j++, c++)
            {
                cellPairs[2 * c] = i;
                cellPairs[(2 * c) + 1] = j;
            }
        }

        pairs = DeviceMemory.Allocate<int>(device, accelerator, cellPairs.Length);
        pairs.CopyFromCPU(cellPairs);
    }

    internal override string DataType => TReal.Name;

    private ArrayView<T> X => ResidentData.Get(Device, accelerator, Data, TReal.FromDouble);

    internal override void UploadResponsibilities(double[] blocked)
    {
        using var scope = DeviceRuntime.Use(Device);
        resp.CopyFromCPU(Convert(blocked));
    }

    internal override void Mahalanobis(double[] meanValues, double[] precisionsCholesky, FixedMahalanobis? kernels = null)
    {
        using var scope = DeviceRuntime.Use(Device);
        means.CopyFromCPU(Convert(meanValues));
        factors.CopyFromCPU(Convert(precisionsCholesky));
        var kernel = kernels is null
            ? DeviceRuntime.GetKernel(Device, "gmm.mahalanobis", typeof(T), static a =>
                a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>(IlgpuEStepKernels.Mahalanobis))
            : DeviceRuntime.GetKernel(Device, typeof(T) == typeof(float) ? kernels.Single.Method : kernels.Double.Method, typeof(T), a =>
                a.LoadAutoGroupedStreamKernel(typeof(T) == typeof(float)
                    ? (Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>)(object)kernels.Single
                    : (Action<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>)(object)kernels.Double));
        kernel((int)distances.Length, X, means.View, factors.View, distances.View, d, Components);
    }

    internal override void Diagonal(double[] meanValues, double[] precisions)
    {
        using var scope = DeviceRuntime.Use(Device);
        means.CopyFromCPU(Convert(meanValues));
        factors.View.SubView(0, precisions.Length).CopyFromCPU(Convert(precisions));
        var kernel = DeviceRuntime.GetKernel(Device, "gmm.diagonal", typeof(T), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<T>, int, int>(IlgpuEStepKernels.Diagonal));
        kernel((int)distances.Length, X, means.View, factors.View, distances.View, d, Components);
    }

    internal override void DownloadDistances(double[] destination)
    {
        using var scope = DeviceRuntime.Use(Device);
        Widen(distances, destination);
    }

    internal override void DownloadResponsibilities(double[] destination)
    {
        using var scope = DeviceRuntime.Use(Device);
        Widen(resp, destination);
    }

    internal override double[] Normalize(double[] offsetValues, double constant)
    {
        using var scope = DeviceRuntime.Use(Device);
        offsets.CopyFromCPU(offsetValues);
        var normalize = DeviceRuntime.GetKernel(Device, "gmm.normalize", typeof(T), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<double>, ArrayView<double>, int, double, int>(IlgpuEStepKernels.Normalize<T, TReal>));
        var blockKernel = DeviceRuntime.GetKernel(Device, "gmm.block-sums", typeof(double), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>>(IlgpuEStepKernels.BlockSums));
        normalize((int)rowLikelihood.Length, distances.View, resp.View, offsets.View, rowLikelihood.View, Components, constant, Data.Count);
        blockKernel(Data.BlockCount, rowLikelihood.View, blockSums.View);
        return blockSums.GetAsArray1D();
    }

    internal override double[] Sums(bool squares)
    {
        using var scope = DeviceRuntime.Use(Device);
        int m = Components;
        int columns = m + (m * d * (squares ? 2 : 1));
        int chunks = (Data.BlockCount + ChunkBlocks - 1) / ChunkBlocks;
        partials = Ensure(partials, (long)chunks * columns);
        sums = Ensure(sums, columns);
        var chunkKernel = DeviceRuntime.GetKernel(Device, "gmm.chunk-sums", typeof(T), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<T>, ArrayView<double>, int, int, int, int, int>(IlgpuEStepKernels.ChunkSums<T, TReal>));
        var reduce = DeviceRuntime.GetKernel(Device, "gmm.reduce-chunks", typeof(double), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(IlgpuEStepKernels.ReduceChunks));
        chunkKernel(chunks * columns, X, resp.View, partials.View, d, m, Data.BlockCount, ChunkBlocks, columns);
        reduce(columns, partials.View, sums.View, columns, chunks);
        var result = new double[columns];
        sums.View.SubView(0, columns).CopyToCPU(result);
        return result;
    }

    internal override void Covariance(IlgpuCovarianceVariant variant, double[] meanValues, double[] weights, double[] output, FixedCovariance? kernels = null)
    {
        using var scope = DeviceRuntime.Use(Device);
        int m = Components, p = d * (d + 1) / 2, blocks = Data.BlockCount, rows = blocks * B;
        means.CopyFromCPU(Convert(meanValues));
        packed = Ensure(packed, (long)m * p);
        var x = X;
        int group = groupSize;
        switch (variant)
        {
            case IlgpuCovarianceVariant.V1:
                Cook(nameof(IlgpuCovarianceCook.V1), IlgpuCovarianceCook.V1<T, TReal>)(new KernelConfig(m * p, group), x, resp.View, means.View, pairs.View, packed.View, d, m, p, rows);
                break;
            case IlgpuCovarianceVariant.V2:
                Cook(nameof(IlgpuCovarianceCook.V2), IlgpuCovarianceCook.V2<T, TReal>)(new KernelConfig(p, group), x, resp.View, means.View, pairs.View, packed.View, d, m, p, rows);
                break;
            case IlgpuCovarianceVariant.V3:
                Cook(nameof(IlgpuCovarianceCook.V3), IlgpuCovarianceCook.V3<T, TReal>)(new KernelConfig(m, group), x, resp.View, means.View, pairs.View, packed.View, d, m, p, rows);
                break;
            case IlgpuCovarianceVariant.V4B32:
            case IlgpuCovarianceVariant.V4B128:
            {
                int pieces = Math.Min(variant == IlgpuCovarianceVariant.V4B32 ? 32 : 128, blocks);
                partials = Ensure(partials, (long)m * pieces * p);
                var v4 = DeviceRuntime.GetKernel(Device, "gmm.covariance.v4", typeof(T), static a =>
                    a.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<double>, int, int, int, int, int>(IlgpuCovarianceCook.V4<T, TReal>));
                v4(new KernelConfig(m * pieces, group), x, resp.View, means.View, pairs.View, partials.View, d, m, p, blocks, pieces);
                ReducePieces(p, pieces);
                break;
            }

            case IlgpuCovarianceVariant.Fixed:
            {
                int chunks = (blocks + IlgpuCovarianceTiled.ChunkBlocks - 1) / IlgpuCovarianceTiled.ChunkBlocks;
                var fixedKernel = kernels ?? throw new ArgumentNullException(nameof(kernels));
                elementPartials = EnsureElements(elementPartials, (long)m * chunks * p);
                var launch = DeviceRuntime.GetKernel(Device, typeof(T) == typeof(float) ? fixedKernel.Single.Method : fixedKernel.Double.Method, typeof(T), a =>
                    a.LoadStreamKernel(typeof(T) == typeof(float)
                        ? (Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, int, int, int, int, int>)(object)fixedKernel.Single
                        : (Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<T>, int, int, int, int, int>)(object)fixedKernel.Double));
                launch(new KernelConfig(m * chunks, group), x, resp.View, means.View, pairs.View, elementPartials.View, d, m, p, blocks, chunks);
                var reduce = DeviceRuntime.GetKernel(Device, "gmm.covariance.reduce-elements", typeof(T), static a =>
                    a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<double>, int, int>(IlgpuCovarianceTiled.ReducePieces<T, TReal>));
                reduce(m * p, elementPartials.View, packed.View, p, chunks);
                break;
            }

            default:
            {
                int chunks = (blocks + IlgpuCovarianceTiled.ChunkBlocks - 1) / IlgpuCovarianceTiled.ChunkBlocks;
                partials = Ensure(partials, (long)m * chunks * p);
                var tiled = DeviceRuntime.GetKernel(Device, "gmm.covariance.tiled-shared", typeof(T), static a =>
                    a.LoadStreamKernel<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<double>, int, int, int, int, int>(IlgpuCovarianceTiled.TiledShared<T, TReal>));
                var shared = SharedMemoryConfig.RequestDynamic<T>(IlgpuCovarianceTiled.SharedElements(d));
                tiled(new KernelConfig(m * chunks, group, shared), x, resp.View, means.View, pairs.View, partials.View, d, m, p, blocks, chunks);
                ReducePieces(p, chunks);
                break;
            }
        }

        var result = new double[m * p];
        packed.View.SubView(0, m * p).CopyToCPU(result);
        for (int k = 0; k < m; k++)
        {
            double weight = weights[k];
            for (int i = 0, c = 0; i < d; i++)
            {
                for (int j = i; j < d; j++, c++)
                {
                    double v = result[(k * p) + c] / weight;
                    output[(((k * d) + i) * d) + j] = v;
                    output[(((k * d) + j) * d) + i] = v;
                }
            }
        }
    }

    internal override double[] Logistic(double[] labelValues, double[] w)
    {
        using var scope = DeviceRuntime.Use(Device);
        int blocks = Data.BlockCount, rows = blocks * B, width = d + 1;
        if (labels is null)
        {
            labels = DeviceMemory.Allocate<double>(Device, accelerator, rows);
            labels.View.SubView(0, rows).CopyFromCPU(labelValues.AsSpan(0, rows).ToArray());
        }

        coefficients = Ensure(coefficients, d);
        residuals = Ensure(residuals, rows);
        blockPartials = Ensure(blockPartials, (long)blocks * width);
        logisticSums = Ensure(logisticSums, width);
        coefficients.View.SubView(0, d).CopyFromCPU(w);
        var rowKernel = DeviceRuntime.GetKernel(Device, "glm.logistic.rows", typeof(T), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<double>, ArrayView<double>, ArrayView<T>, ArrayView<double>, ArrayView<double>, int, int>(Glm.IlgpuLogisticKernels.Rows<T, TReal>));
        var blockKernel = DeviceRuntime.GetKernel(Device, "glm.logistic.block-sums", typeof(T), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<T>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(Glm.IlgpuLogisticKernels.BlockSums<T, TReal>));
        var reduce = DeviceRuntime.GetKernel(Device, "gmm.reduce-chunks", typeof(double), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(IlgpuEStepKernels.ReduceChunks));

        // The row losses go in the row-likelihood buffer; the curvatures in the responsibilities.
        rowKernel(rows, X, labels.View, coefficients.View, resp.View, rowLikelihood.View, residuals.View, d, Data.Count);
        blockKernel(blocks * width, X, rowLikelihood.View, residuals.View, blockPartials.View, d);
        reduce(width, blockPartials.View, logisticSums.View, width, blocks);
        var result = new double[width];
        logisticSums.View.SubView(0, width).CopyToCPU(result);
        return result;
    }

    public override void Dispose()
    {
        using var scope = DeviceRuntime.Use(Device);
        resp.Dispose();
        distances.Dispose();
        means.Dispose();
        factors.Dispose();
        offsets.Dispose();
        rowLikelihood.Dispose();
        blockSums.Dispose();
        pairs.Dispose();
        partials?.Dispose();
        sums?.Dispose();
        packed?.Dispose();
        elementPartials?.Dispose();
        labels?.Dispose();
        coefficients?.Dispose();
        residuals?.Dispose();
        blockPartials?.Dispose();
        logisticSums?.Dispose();
    }

    private MemoryBuffer1D<T, Stride1D.Dense> EnsureElements(MemoryBuffer1D<T, Stride1D.Dense>? buffer, long length)
    {
        if (buffer is not null && buffer.Length >= length)
        {
            return buffer;
        }

        buffer?.Dispose();
        return DeviceMemory.Allocate<T>(Device, accelerator, length);
    }

    private Action<KernelConfig, ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<double>, int, int, int, int> Cook(
        string name,
        Action<ArrayView<T>, ArrayView<T>, ArrayView<T>, ArrayView<int>, ArrayView<double>, int, int, int, int> kernel) =>
        DeviceRuntime.GetKernel(Device, "gmm.covariance." + name, typeof(T), a => a.LoadStreamKernel(kernel));

    private void ReducePieces(int p, int pieces)
    {
        var reduce = DeviceRuntime.GetKernel(Device, "gmm.covariance.reduce", typeof(double), static a =>
            a.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, int, int>(IlgpuCovarianceCook.ReducePieces));
        reduce(Components * p, partials!.View, packed!.View, p, pieces);
    }

    private MemoryBuffer1D<double, Stride1D.Dense> Ensure(MemoryBuffer1D<double, Stride1D.Dense>? buffer, long length)
    {
        if (buffer is not null && buffer.Length >= length)
        {
            return buffer;
        }

        buffer?.Dispose();
        return DeviceMemory.Allocate<double>(Device, accelerator, length);
    }

    private static T[] Convert(double[] values)
    {
        var result = new T[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            result[i] = TReal.FromDouble(values[i]);
        }

        return result;
    }

    private static void Widen(MemoryBuffer1D<T, Stride1D.Dense> source, double[] destination)
    {
        var values = source.GetAsArray1D();
        for (int i = 0; i < destination.Length && i < values.Length; i++)
        {
            destination[i] = TReal.ToDouble(values[i]);
        }
    }
}
