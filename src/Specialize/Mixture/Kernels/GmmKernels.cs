using System;
using System.Buffers;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>
/// The registered variants of the two full-covariance EM kernels: the M-step covariance accumulation
/// (<see cref="CovarianceKernelName"/>) and the E-step squared Mahalanobis distances
/// (<see cref="MahalanobisKernelName"/>). The covariance variants follow Cook et al.: <c>V1</c> (one work
/// item per component and cell, summing over all rows), <c>V2</c> (one per cell, all components),
/// <c>V3</c> (one per component, the whole matrix, looping over rows), <c>V4-B32</c> and <c>V4-B128</c>
/// (component x row-range partial matrices, then a reduction), plus <c>Syrk</c> (row chunks in parallel;
/// per chunk the centered rows scaled by the responsibilities, multiplied by the centered rows in 4 x 4
/// register tiles of vector FMAs) and <c>Syrk-Rows</c> (the same product with rows in row-major order:
/// a scaled value broadcast against a vector of columns, so accumulators are matrix rows and no horizontal
/// sums are needed), and where 512-bit vectors are accelerated <c>Syrk-512</c> (<c>Syrk</c> on
/// <see cref="Vector512{T}"/>), <c>Syrk-Chunk</c> and <c>Syrk-Chunk-512</c> (the <c>Syrk</c> tiles accumulated
/// over passes of several blocks, so their register accumulators are reduced far less often). The
/// Mahalanobis variants are <c>Rowwise</c>, <c>Blocked</c> (16 rows x 2 columns of <c>(x - mu) P</c> per
/// step), <c>Blocked-512</c> and <c>Tiled</c> (16 rows x 4 columns per step from a repacked triangle of
/// <c>P</c>, skipping the zero corner below the diagonal of each group of 4 columns), <c>Tiled-512</c>
/// (<c>Tiled</c> on 512-bit vectors, 32 rows x 4 columns) and <c>Tiled-512-Shift</c> (the same tiles on
/// the rows of x themselves, as <c>x P - mu P</c>, so the centered rows are not written per component;
/// blocks where that form could cancel beyond a relative 1e-11 are computed centered). The chunked
/// variants (<c>Blocked</c>, <c>Blocked-512</c> and the <c>Tiled</c> family) work in chunks of 8 blocks and, inside an EM fit, hand each chunk of
/// distances to the E-step's log-sum-exp and the M-step's sums on the thread that wrote it, while it is in
/// cache; for other variants (<c>Rowwise</c>, registered ones) the E-step makes that a second pass over all
/// rows, with the same result. More variants (for example code specialized to one dimension) can be
/// registered; every variant must compute the same result. The 256- and 512-bit forms of a variant are one
/// kernel written over a small interface of vector operations (<c>ITileLanes</c>), compiled for each width.
/// </summary>
/// <remarks>
/// Layout: this file registers every variant, in one place; each family of variants lives in a file of its
/// own under a folder per device (<c>Kernels/Cpu/Covariance.Syrk.cs</c>, <c>Kernels/Cpu/Mahalanobis.Tiled.cs</c>,
/// ...), so adding a variant touches its family's file and one line here.
/// </remarks>
public static partial class GmmKernels
{
    /// <summary>Name of the M-step covariance kernel.</summary>
    public const string CovarianceKernelName = "gmm.covariance.full";

    /// <summary>Name of the E-step squared-Mahalanobis-distance kernel.</summary>
    public const string MahalanobisKernelName = "gmm.mahalanobis.full";

    private const int B = GmmData.BlockSize;

    /// <summary>Blocks per chunk of the row-parallel variants (a fixed split, so results do not depend on the thread count).</summary>
    internal const int ChunkBlocks = 8;

    static GmmKernels()
    {
        // C# variants (Kernels/Cpu), each for float64 or float32 EM (VariantKey.DataType).
        Covariance = new VariantRegistry<GmmKernel>(CovarianceKernelName);
        Covariance.Register("V1", CovarianceV1, Double);
        Covariance.Register("V2", CovarianceV2, Double);
        Covariance.Register("V3", CovarianceV3, Double);
        Covariance.Register("V4-B32", static input => CovarianceV4(input, 32), Double);
        Covariance.Register("V4-B128", static input => CovarianceV4(input, 128), Double);
        Covariance.Register("Syrk", CovarianceSyrk, Double);
        Covariance.Register("Syrk-Rows", CovarianceSyrkRows, Double);
        Covariance.Register("Syrk-512", static input => CovarianceSyrk(input, wide: true), static key => Double(key) && Wide);
        Covariance.Register("Syrk-Chunk", static input => CovarianceSyrkChunk<double>(input, wide: false), Double);
        Covariance.Register("Syrk-Chunk-512", static input => CovarianceSyrkChunk<double>(input, wide: true), static key => Double(key) && Wide);
        Covariance.Register("Syrk-Chunk-F32", static input => CovarianceSyrkChunk<float>(input, wide: false), Single);
        Covariance.Register("Syrk-Chunk-512-F32", static input => CovarianceSyrkChunk<float>(input, wide: true), static key => Single(key) && Wide);

        Mahalanobis = new VariantRegistry<GmmKernel>(MahalanobisKernelName);
        Mahalanobis.Register("Rowwise", MahalanobisRowwise, Double);
        Mahalanobis.Register("Blocked", MahalanobisBlocked<Tile256, Vector256<double>>, Double);
        Mahalanobis.Register("Blocked-512", MahalanobisBlocked<Tile512, Vector512<double>>, static key => Double(key) && Wide);
        Mahalanobis.Register("Tiled", MahalanobisTiled, static key => Double(key) && Wide); // 25 live vectors: needs the 32 registers of AVX-512
        Mahalanobis.Register("Tiled-512", static input => MahalanobisTiled512(input, shifted: false), static key => Double(key) && Wide);
        Mahalanobis.Register("Tiled-512-Shift", static input => MahalanobisTiled512(input, shifted: true), static key => Double(key) && Wide);
        Mahalanobis.Register("Tiled-F32", MahalanobisTiledSingle<Tile256F, Vector256<float>>, Single);
        Mahalanobis.Register("Tiled-512-F32", MahalanobisTiledSingle<Tile512F, Vector512<float>>, static key => Single(key) && Wide);

        // GPU variants (Kernels/Ilgpu): the same kernels, on CUDA devices and ILGPU's CPU accelerator.
        const string Gpu = VariantRegistry<GmmKernel>.IlgpuDevices;
        Covariance.Register("ILGPU-V1", static input => IlgpuVariants.Covariance(input, IlgpuCovarianceVariant.V1), null, Gpu);
        Covariance.Register("ILGPU-V2", static input => IlgpuVariants.Covariance(input, IlgpuCovarianceVariant.V2), null, Gpu);
        Covariance.Register("ILGPU-V3", static input => IlgpuVariants.Covariance(input, IlgpuCovarianceVariant.V3), null, Gpu);
        Covariance.Register("ILGPU-V4-B32", static input => IlgpuVariants.Covariance(input, IlgpuCovarianceVariant.V4B32), null, Gpu);
        Covariance.Register("ILGPU-V4-B128", static input => IlgpuVariants.Covariance(input, IlgpuCovarianceVariant.V4B128), null, Gpu);
        Covariance.Register("ILGPU-Tiled-Shared", static input => IlgpuVariants.Covariance(input, IlgpuCovarianceVariant.TiledShared), static key => TiledSharedFits(key), Gpu);
        Mahalanobis.Register("ILGPU-Rowwise", IlgpuVariants.Mahalanobis, null, Gpu);
    }

    /// <summary>The name under which <see cref="GaussianMixture.KernelVariants"/> reports the device a fit ran on.</summary>
    public const string DeviceKey = "device";

    /// <summary>Whether 512-bit vectors are accelerated (the wide variants).</summary>
    private static bool Wide => Vector512.IsHardwareAccelerated;

    /// <summary>Whether the problem is float64 EM (the C# variants computing in double).</summary>
    private static bool Double(VariantKey key) => key.DataType != "float32";

    /// <summary>Whether the problem is float32 EM (the C# variants computing in float lanes).</summary>
    private static bool Single(VariantKey key) => key.DataType == "float32";

    /// <summary>Whether <c>ILGPU-Tiled-Shared</c>'s two tiles and the cells fit in 48 KiB of shared memory.</summary>
    private static bool TiledSharedFits(VariantKey key) =>
        IlgpuCovarianceTiled.SharedElements(key.Dimension) * (key.DataType == "float32" ? sizeof(float) : sizeof(double)) <= 48 * 1024;

    /// <summary>The variants of the M-step covariance accumulation.</summary>
    public static VariantRegistry<GmmKernel> Covariance { get; }

    /// <summary>The variants of the E-step squared Mahalanobis distances.</summary>
    public static VariantRegistry<GmmKernel> Mahalanobis { get; }

    /// <summary>The names of every registered variant of every kernel.</summary>
    public static IReadOnlyList<string> VariantNames
    {
        get
        {
            var names = new List<string>(Covariance.Names);
            names.AddRange(Mahalanobis.Names);
            return names;
        }
    }
}
