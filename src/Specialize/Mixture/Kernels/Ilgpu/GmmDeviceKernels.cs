using System;
using ILGPU;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>
/// Registers GPU kernels written for one dimension (code <c>[GmmTrain]</c> generates, with D a constant so that
/// their loops unroll and their shared memory is sized at compile time) as variants of the EM kernels for ILGPU
/// devices: they compete with the general GPU variants in the same selection. Each kernel is given for float and
/// for double, and is compiled by ILGPU on first use for each device.
/// </summary>
public static class GmmDeviceKernels
{
    /// <summary>
    /// Registers a squared-Mahalanobis-distance kernel: one thread per (row, component), indexed as the output
    /// <c>[(blk * M + k) * BlockSize + b]</c>, reading the blocked rows, the means, the upper-triangular precision
    /// factors (<c>M x D x D</c>) and the dimension and component count.
    /// </summary>
    /// <param name="name">The variant's name, for example <c>"ILGPU-Fixed-D19"</c>.</param>
    /// <param name="dimension">The dimension it is written for; it is a candidate for that dimension only.</param>
    /// <param name="single">The kernel in float.</param>
    /// <param name="double">The kernel in double.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or white space.</exception>
    /// <exception cref="ArgumentNullException">A kernel is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    public static void RegisterMahalanobis(
        string name,
        int dimension,
        Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> single,
        Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int> @double)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentNullException.ThrowIfNull(single);
        ArgumentNullException.ThrowIfNull(@double);
        var kernels = new FixedMahalanobis(name, dimension, single, @double);
        GmmKernels.Mahalanobis.Register(name, input => IlgpuVariants.Mahalanobis(input, kernels), key => key.Dimension == dimension, VariantRegistry<GmmKernel>.IlgpuDevices);
    }

    /// <summary>
    /// Registers a covariance kernel, explicitly grouped: one group per (component, chunk of
    /// <see cref="ChunkBlocks"/> blocks of rows), writing the chunk's packed upper triangle of
    /// <c>sum r (x - mu)(x - mu)^T</c> to <c>partials[(k * chunks + chunk) * P + c]</c>; its parameters are the
    /// blocked rows, the responsibilities, the means, the cell pairs <c>(i, j)</c>, the partials, then D, M, P, the
    /// number of blocks and of chunks. The runtime adds the chunks in order and divides by the weights.
    /// </summary>
    /// <param name="name">The variant's name, for example <c>"ILGPU-Fixed-D19"</c>.</param>
    /// <param name="dimension">The dimension it is written for; it is a candidate for that dimension only.</param>
    /// <param name="single">The kernel in float.</param>
    /// <param name="double">The kernel in double.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or white space.</exception>
    /// <exception cref="ArgumentNullException">A kernel is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    public static void RegisterCovariance(
        string name,
        int dimension,
        Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int, int> single,
        Action<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, int, int, int, int, int> @double)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        ArgumentNullException.ThrowIfNull(single);
        ArgumentNullException.ThrowIfNull(@double);
        var kernels = new FixedCovariance(name, dimension, single, @double);
        GmmKernels.Covariance.Register(name, input => IlgpuVariants.Covariance(input, kernels), key => key.Dimension == dimension, VariantRegistry<GmmKernel>.IlgpuDevices);
    }

    /// <summary>Blocks of rows per group of a registered covariance kernel.</summary>
    public const int ChunkBlocks = IlgpuCovarianceTiled.ChunkBlocks;
}

/// <summary>A Mahalanobis kernel for one dimension, in float and double.</summary>
internal sealed record FixedMahalanobis(
    string Name,
    int Dimension,
    Action<Index1D, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, int> Single,
    Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int> Double);

/// <summary>A covariance kernel for one dimension, in float and double.</summary>
internal sealed record FixedCovariance(
    string Name,
    int Dimension,
    Action<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<int>, ArrayView<float>, int, int, int, int, int> Single,
    Action<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>, int, int, int, int, int> Double);
