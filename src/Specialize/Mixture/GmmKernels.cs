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
public static class GmmKernels
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
        Covariance = new VariantRegistry<GmmKernel>(CovarianceKernelName);
        Covariance.Register("V1", CovarianceV1);
        Covariance.Register("V2", CovarianceV2);
        Covariance.Register("V3", CovarianceV3);
        Covariance.Register("V4-B32", static input => CovarianceV4(input, 32));
        Covariance.Register("V4-B128", static input => CovarianceV4(input, 128));
        Covariance.Register("Syrk", CovarianceSyrk);
        Covariance.Register("Syrk-Rows", CovarianceSyrkRows);
        Covariance.Register("Syrk-512", static input => CovarianceSyrk(input, wide: true), static _ => Vector512.IsHardwareAccelerated);
        Covariance.Register("Syrk-Chunk", static input => CovarianceSyrkChunk(input, wide: false));
        Covariance.Register("Syrk-Chunk-512", static input => CovarianceSyrkChunk(input, wide: true), static _ => Vector512.IsHardwareAccelerated);

        Mahalanobis = new VariantRegistry<GmmKernel>(MahalanobisKernelName);
        Mahalanobis.Register("Rowwise", MahalanobisRowwise);
        Mahalanobis.Register("Blocked", MahalanobisBlocked<Tile256, Vector256<double>>);
        Mahalanobis.Register("Blocked-512", MahalanobisBlocked<Tile512, Vector512<double>>, static _ => Vector512.IsHardwareAccelerated);
        Mahalanobis.Register("Tiled", MahalanobisTiled, static _ => Vector512.IsHardwareAccelerated); // 25 live vectors: needs the 32 registers of AVX-512
        Mahalanobis.Register("Tiled-512", static input => MahalanobisTiled512(input, shifted: false), static _ => Vector512.IsHardwareAccelerated);
        Mahalanobis.Register("Tiled-512-Shift", static input => MahalanobisTiled512(input, shifted: true), static _ => Vector512.IsHardwareAccelerated);
    }

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

    // ---- covariance: V1 -------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV1(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        var (pi, pj) = Pairs(d);
        Parallel.For(0, m * p, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (cell) =>
        {
            int k = cell / p, i = pi[cell % p], j = pj[cell % p];
            double s = CellSum(input, k, i, j, 0, input.Data.BlockCount);
            Store(input, k, i, j, s);
        });
    }

    // ---- covariance: V2 -------------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV2(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        var (pi, pj) = Pairs(d);
        Parallel.For(0, p, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (cell) =>
        {
            int i = pi[cell], j = pj[cell];
            var acc = new Vector256<double>[m];
            var x = input.Data.BlockedArray;
            var r = input.ResponsibilityArray;
            var mu = input.MeanArray;
            for (int blk = 0; blk < input.Data.BlockCount; blk++)
            {
                var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
                var xj = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + j) * B, B));
                for (int k = 0; k < m; k++)
                {
                    var rk = MemoryMarshal.Cast<double, Vector256<double>>(r.AsSpan((blk * m + k) * B, B));
                    var mi = Vector256.Create(mu[k * d + i]);
                    var mj = Vector256.Create(mu[k * d + j]);
                    var a = acc[k];
                    for (int v = 0; v < rk.Length; v++)
                    {
                        a = Vector256.FusedMultiplyAdd(rk[v] * (xi[v] - mi), xj[v] - mj, a);
                    }

                    acc[k] = a;
                }
            }

            for (int k = 0; k < m; k++)
            {
                Store(input, k, i, j, Vector256.Sum(acc[k]));
            }
        });
    }

    // ---- covariance: V3 and V4 ------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV3(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        Parallel.For(0, m, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (k) =>
        {
            var partial = new double[p];
            AccumulateMatrix(input, k, 0, input.Data.BlockCount, partial);
            StoreMatrix(input, k, partial);
        });
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceV4(GmmKernelInput input, int pieces)
    {
        int d = input.Data.Dimension, m = input.Components, p = d * (d + 1) / 2;
        int blocks = input.Data.BlockCount;
        pieces = Math.Min(pieces, blocks);
        var partials = new double[m * pieces * p];
        Parallel.For(0, m * pieces, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (item) =>
        {
            int k = item / pieces, piece = item % pieces;
            int start = (int)((long)piece * blocks / pieces), end = (int)((long)(piece + 1) * blocks / pieces);
            AccumulateMatrix(input, k, start, end, partials.AsSpan(item * p, p));
        });

        var sum = new double[p];
        for (int k = 0; k < m; k++)
        {
            Array.Clear(sum);
            for (int piece = 0; piece < pieces; piece++)
            {
                var part = partials.AsSpan((k * pieces + piece) * p, p);
                for (int c = 0; c < p; c++)
                {
                    sum[c] += part[c];
                }
            }

            StoreMatrix(input, k, sum);
        }
    }

    /// <summary>Upper triangle (packed by rows) of sum r (x - mu)(x - mu)^T for component k over blocks [start, end).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AccumulateMatrix(GmmKernelInput input, int k, int start, int end, Span<double> packed)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray.AsSpan(k * d, d);
        var diff = new double[d * B];
        var scaled = new double[d * B];
        packed.Clear();
        for (int blk = start; blk < end; blk++)
        {
            var rk = r.AsSpan((blk * m + k) * B, B);
            for (int i = 0; i < d; i++)
            {
                var xi = x.AsSpan((blk * d + i) * B, B);
                var di = diff.AsSpan(i * B, B);
                var si = scaled.AsSpan(i * B, B);
                for (int b = 0; b < B; b++)
                {
                    di[b] = xi[b] - mu[i];
                    si[b] = rk[b] * di[b];
                }
            }

            int c = 0;
            for (int i = 0; i < d; i++)
            {
                var si = MemoryMarshal.Cast<double, Vector256<double>>(scaled.AsSpan(i * B, B));
                for (int j = i; j < d; j++)
                {
                    var dj = MemoryMarshal.Cast<double, Vector256<double>>(diff.AsSpan(j * B, B));
                    var a0 = Vector256<double>.Zero;
                    var a1 = Vector256<double>.Zero;
                    for (int v = 0; v < si.Length; v += 2)
                    {
                        a0 = Vector256.FusedMultiplyAdd(si[v], dj[v], a0);
                        a1 = Vector256.FusedMultiplyAdd(si[v + 1], dj[v + 1], a1);
                    }

                    packed[c++] += Vector256.Sum(a0 + a1);
                }
            }
        }
    }

    // ---- covariance: Syrk -----------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrk(GmmKernelInput input) => CovarianceSyrk(input, wide: false);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrk(GmmKernelInput input, bool wide)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3; // a multiple of 4, so that 4 x 4 tiles cover the matrix
        int dd = de * de;
        var partials = new double[chunks * m * dd];
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray;
        Parallel.For(
            0,
            chunks,
            () => (Diff: new double[de * B], Scaled: new double[de * B]),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, scratch) =>
            {
                var diff = scratch.Diff;
                var scaled = scratch.Scaled;
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                for (int k = 0; k < m; k++)
                {
                    var acc = partials.AsSpan((chunk * m + k) * dd, dd);
                    for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                    {
                        var rk = MemoryMarshal.Cast<double, Vector256<double>>(r.AsSpan((blk * m + k) * B, B));
                        for (int i = 0; i < d; i++)
                        {
                            var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
                            var di = MemoryMarshal.Cast<double, Vector256<double>>(diff.AsSpan(i * B, B));
                            var si = MemoryMarshal.Cast<double, Vector256<double>>(scaled.AsSpan(i * B, B));
                            var mi = Vector256.Create(mu[k * d + i]);
                            for (int v = 0; v < di.Length; v++)
                            {
                                var t = xi[v] - mi;
                                di[v] = t;
                                si[v] = rk[v] * t;
                            }
                        }

                        if (wide)
                        {
                            SyrkTiles<Tile512, Vector512<double>>(diff, scaled, de, acc);
                        }
                        else
                        {
                            SyrkTiles<Tile256, Vector256<double>>(diff, scaled, de, acc);
                        }
                    }
                }

                return scratch;
            },
            static _ => { });

        var sum = new double[dd];
        var packed = new double[d * (d + 1) / 2];
        for (int k = 0; k < m; k++)
        {
            Array.Clear(sum);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                var part = partials.AsSpan((chunk * m + k) * dd, dd);
                for (int c = 0; c < dd; c++)
                {
                    sum[c] += part[c];
                }
            }

            int q = 0;
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    packed[q++] = sum[i * de + j];
                }
            }

            StoreMatrix(input, k, packed);
        }
    }

    /// <summary>
    /// acc[i, j] += scaled_i . diff_j over one block, for the 4 x 4 tiles on and above the diagonal
    /// (16 accumulators: 8 loads feed 16 FMAs), on 256- or 512-bit vectors (<typeparamref name="TLanes"/>),
    /// whose lanes are added down to four for the sums. Padding features are zero in both buffers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SyrkTiles<TLanes, TVector>(double[] diff, double[] scaled, int de, Span<double> acc)
        where TLanes : struct, ITileLanes<TVector>
        where TVector : struct
    {
        nuint lanes = (nuint)TLanes.Count;
        ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
        ref double sRef = ref MemoryMarshal.GetArrayDataReference(scaled);
        if (acc.Length < de * de)
        {
            throw new ArgumentException($"The accumulator needs {de * de} entries; it has {acc.Length}.", nameof(acc));
        }
        ref double aRef = ref MemoryMarshal.GetReference(acc);
        for (int i = 0; i < de; i += 4)
        {
            for (int j = i; j < de; j += 4)
            {
                var a00 = TLanes.Zero; var a01 = TLanes.Zero; var a02 = TLanes.Zero; var a03 = TLanes.Zero;
                var a10 = TLanes.Zero; var a11 = TLanes.Zero; var a12 = TLanes.Zero; var a13 = TLanes.Zero;
                var a20 = TLanes.Zero; var a21 = TLanes.Zero; var a22 = TLanes.Zero; var a23 = TLanes.Zero;
                var a30 = TLanes.Zero; var a31 = TLanes.Zero; var a32 = TLanes.Zero; var a33 = TLanes.Zero;
                for (nuint b = 0; b < B; b += lanes)
                {
                    var e0 = TLanes.Load(ref dRef, (nuint)(j * B) + b);
                    var e1 = TLanes.Load(ref dRef, (nuint)((j + 1) * B) + b);
                    var e2 = TLanes.Load(ref dRef, (nuint)((j + 2) * B) + b);
                    var e3 = TLanes.Load(ref dRef, (nuint)((j + 3) * B) + b);
                    var s = TLanes.Load(ref sRef, (nuint)(i * B) + b);
                    a00 = TLanes.MultiplyAdd(s, e0, a00); a01 = TLanes.MultiplyAdd(s, e1, a01);
                    a02 = TLanes.MultiplyAdd(s, e2, a02); a03 = TLanes.MultiplyAdd(s, e3, a03);
                    s = TLanes.Load(ref sRef, (nuint)((i + 1) * B) + b);
                    a10 = TLanes.MultiplyAdd(s, e0, a10); a11 = TLanes.MultiplyAdd(s, e1, a11);
                    a12 = TLanes.MultiplyAdd(s, e2, a12); a13 = TLanes.MultiplyAdd(s, e3, a13);
                    s = TLanes.Load(ref sRef, (nuint)((i + 2) * B) + b);
                    a20 = TLanes.MultiplyAdd(s, e0, a20); a21 = TLanes.MultiplyAdd(s, e1, a21);
                    a22 = TLanes.MultiplyAdd(s, e2, a22); a23 = TLanes.MultiplyAdd(s, e3, a23);
                    s = TLanes.Load(ref sRef, (nuint)((i + 3) * B) + b);
                    a30 = TLanes.MultiplyAdd(s, e0, a30); a31 = TLanes.MultiplyAdd(s, e1, a31);
                    a32 = TLanes.MultiplyAdd(s, e2, a32); a33 = TLanes.MultiplyAdd(s, e3, a33);
                }

                ref double row0 = ref Unsafe.Add(ref aRef, (i * de) + j);
                AddSums(ref row0, TLanes.Fold(a00), TLanes.Fold(a01), TLanes.Fold(a02), TLanes.Fold(a03));
                AddSums(ref Unsafe.Add(ref row0, de), TLanes.Fold(a10), TLanes.Fold(a11), TLanes.Fold(a12), TLanes.Fold(a13));
                AddSums(ref Unsafe.Add(ref row0, 2 * de), TLanes.Fold(a20), TLanes.Fold(a21), TLanes.Fold(a22), TLanes.Fold(a23));
                AddSums(ref Unsafe.Add(ref row0, 3 * de), TLanes.Fold(a30), TLanes.Fold(a31), TLanes.Fold(a32), TLanes.Fold(a33));
            }
        }
    }

    /// <summary>target[0..4] += (sum a, sum b, sum c, sum d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSums(ref double target, Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
    {
        if (!Avx.IsSupported)
        {
            target += Vector256.Sum(a);
            Unsafe.Add(ref target, 1) += Vector256.Sum(b);
            Unsafe.Add(ref target, 2) += Vector256.Sum(c);
            Unsafe.Add(ref target, 3) += Vector256.Sum(d);
            return;
        }

        var ab = Avx.HorizontalAdd(a, b); // a0+a1, b0+b1, a2+a3, b2+b3
        var cd = Avx.HorizontalAdd(c, d);
        var sums = Avx.Permute2x128(ab, cd, 0x20) + Avx.Permute2x128(ab, cd, 0x31);
        (Vector256.LoadUnsafe(ref target) + sums).StoreUnsafe(ref target);
    }

    // ---- covariance: Syrk-Chunk ------------------------------------------------------------------

    /// <summary>
    /// <c>Syrk</c> with each 4 x 4 tile accumulated over several blocks instead of one, as a true
    /// symmetric rank-k update: the centered rows of a pass of 2 or 4 blocks are scaled by the square root
    /// of the responsibilities (<c>r (x - mu)(x - mu)^T = s s^T</c> with <c>s = sqrt(r) (x - mu)</c>), so one
    /// buffer is written per pass instead of two, the 16 register accumulators of a tile are reduced a
    /// quarter or an eighth as often, and only the tiles on and above the diagonal are computed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrkChunk(GmmKernelInput input, bool wide)
    {
        // Chunks of 32 blocks: a quarter of the partial sums of the other row-parallel variants to
        // allocate and add up, still dozens of chunks for the threads at N = 150000.
        const int ChunkSize = 4 * ChunkBlocks;
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkSize - 1) / ChunkSize;
        int de = (d + 3) & ~3;
        int tiles = de / 4 * (de / 4 + 1) / 2;
        int tileStride = tiles * 16; // a chunk's sums for one component: 16 per tile, tile rows of 4
        // Rented, not allocated: 2.3 MB at N = 150000, D = 19, M = 16, every iteration. Each chunk clears its own part.
        var partials = ArrayPool<double>.Shared.Rent(chunks * m * tileStride);
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray;

        // Rows per pass of the tile loops: the scaled rows of a pass (de x Rows values) stay in the
        // level-2 cache while every tile streams through them (measured with separate centered and
        // scaled buffers: 256 rows for 512-bit vectors and 128 for 256-bit ones; a whole chunk of 512
        // rows was a third slower).
        int passBlocks = wide ? 4 : 2;
        int passRows = passBlocks * B;
        Parallel.For(
            0,
            chunks,
            () => (Scaled: new double[de * passRows], Root: new double[passRows]),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, scratch) =>
            {
                var scaled = scratch.Scaled;
                int chunkEnd = Math.Min(blocks, (chunk + 1) * ChunkSize);
                for (int k = 0; k < m; k++)
                {
                    var acc = partials.AsSpan((chunk * m + k) * tileStride, tileStride);
                    acc.Clear();
                    for (int first = chunk * ChunkSize; first < chunkEnd; first += passBlocks)
                    {
                        int count = Math.Min(chunkEnd, first + passBlocks) - first;
                        for (int c = 0; c < count; c++)
                        {
                            TensorPrimitives.Sqrt(r.AsSpan(((first + c) * m + k) * B, B), scratch.Root.AsSpan(c * B, B));
                        }

                        ref double root = ref scratch.Root[0];
                        for (int i = 0; i < d; i++)
                        {
                            var mi = Vector256.Create(mu[k * d + i]);
                            ref double si = ref scaled[i * passRows];
                            for (int c = 0; c < count; c++)
                            {
                                ref double xi = ref x[((first + c) * d + i) * B];
                                nuint o = (nuint)(c * B);
                                for (nuint v = 0; v < B; v += 4)
                                {
                                    ((Vector256.LoadUnsafe(ref xi, v) - mi) * Vector256.LoadUnsafe(ref root, o + v)).StoreUnsafe(ref si, o + v);
                                }
                            }
                        }

                        if (wide)
                        {
                            ChunkTiles<Tile512, Vector512<double>>(scaled, de, passRows, count * B, acc);
                        }
                        else
                        {
                            ChunkTiles<Tile256, Vector256<double>>(scaled, de, passRows, count * B, acc);
                        }
                    }
                }

                return scratch;
            },
            static _ => { });

        var sum = new double[tileStride];
        var packed = new double[d * (d + 1) / 2];
        for (int k = 0; k < m; k++)
        {
            Array.Clear(sum);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                TensorPrimitives.Add(sum, partials.AsSpan((chunk * m + k) * tileStride, tileStride), sum);
            }

            // Tiles are numbered row by row over the upper triangle of the 4 x 4 tile grid.
            int q = 0;
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    int ti = i / 4, tj = j / 4, nt = de / 4;
                    int tile = (ti * nt) - (ti * (ti - 1) / 2) + (tj - ti);
                    packed[q++] = sum[(tile * 16) + ((i % 4) * 4) + (j % 4)];
                }
            }

            StoreMatrix(input, k, packed);
        }

        ArrayPool<double>.Shared.Return(partials);
    }

    /// <summary>
    /// For every 4 x 4 tile on or above the diagonal: acc[tile] += s_i . s_j over the first
    /// <paramref name="rows"/> values of each feature of <paramref name="scaled"/> (features
    /// <paramref name="stride"/> apart); of a diagonal tile only the upper triangle. On 256- or 512-bit
    /// vectors (<typeparamref name="TLanes"/>), whose lanes are added down to four for the sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChunkTiles<TLanes, TVector>(double[] scaled, int de, int stride, int rows, Span<double> acc)
        where TLanes : struct, ITileLanes<TVector>
        where TVector : struct
    {
        ref double sRef = ref MemoryMarshal.GetArrayDataReference(scaled);
        ref double dRef = ref sRef;
        ref double aRef = ref MemoryMarshal.GetReference(acc);
        int tile = 0;
        for (int i = 0; i < de; i += 4)
        {
            ref double s0 = ref Unsafe.Add(ref sRef, i * stride);
            ref double s1 = ref Unsafe.Add(ref s0, stride);
            ref double s2 = ref Unsafe.Add(ref s1, stride);
            ref double s3 = ref Unsafe.Add(ref s2, stride);
            for (int j = i; j < de; j += 4, tile++)
            {
                ref double e0r = ref Unsafe.Add(ref dRef, j * stride);
                ref double e1r = ref Unsafe.Add(ref e0r, stride);
                ref double e2r = ref Unsafe.Add(ref e1r, stride);
                ref double e3r = ref Unsafe.Add(ref e2r, stride);
                if (j == i)
                {
                    // A diagonal tile: its upper triangle (10 sums) is all that is read.
                    Diagonal<TLanes, TVector>(ref s0, ref s1, ref s2, ref s3, rows, ref Unsafe.Add(ref aRef, tile * 16));
                    continue;
                }

                var a00 = TLanes.Zero; var a01 = TLanes.Zero; var a02 = TLanes.Zero; var a03 = TLanes.Zero;
                var a10 = TLanes.Zero; var a11 = TLanes.Zero; var a12 = TLanes.Zero; var a13 = TLanes.Zero;
                var a20 = TLanes.Zero; var a21 = TLanes.Zero; var a22 = TLanes.Zero; var a23 = TLanes.Zero;
                var a30 = TLanes.Zero; var a31 = TLanes.Zero; var a32 = TLanes.Zero; var a33 = TLanes.Zero;
                for (nuint b = 0; b < (nuint)rows; b += (nuint)TLanes.Count)
                {
                    var e0 = TLanes.Load(ref e0r, b);
                    var e1 = TLanes.Load(ref e1r, b);
                    var e2 = TLanes.Load(ref e2r, b);
                    var e3 = TLanes.Load(ref e3r, b);
                    var s = TLanes.Load(ref s0, b);
                    a00 = TLanes.MultiplyAdd(s, e0, a00); a01 = TLanes.MultiplyAdd(s, e1, a01);
                    a02 = TLanes.MultiplyAdd(s, e2, a02); a03 = TLanes.MultiplyAdd(s, e3, a03);
                    s = TLanes.Load(ref s1, b);
                    a10 = TLanes.MultiplyAdd(s, e0, a10); a11 = TLanes.MultiplyAdd(s, e1, a11);
                    a12 = TLanes.MultiplyAdd(s, e2, a12); a13 = TLanes.MultiplyAdd(s, e3, a13);
                    s = TLanes.Load(ref s2, b);
                    a20 = TLanes.MultiplyAdd(s, e0, a20); a21 = TLanes.MultiplyAdd(s, e1, a21);
                    a22 = TLanes.MultiplyAdd(s, e2, a22); a23 = TLanes.MultiplyAdd(s, e3, a23);
                    s = TLanes.Load(ref s3, b);
                    a30 = TLanes.MultiplyAdd(s, e0, a30); a31 = TLanes.MultiplyAdd(s, e1, a31);
                    a32 = TLanes.MultiplyAdd(s, e2, a32); a33 = TLanes.MultiplyAdd(s, e3, a33);
                }

                ref double t = ref Unsafe.Add(ref aRef, tile * 16);
                AddSums(ref t, TLanes.Fold(a00), TLanes.Fold(a01), TLanes.Fold(a02), TLanes.Fold(a03));
                AddSums(ref Unsafe.Add(ref t, 4), TLanes.Fold(a10), TLanes.Fold(a11), TLanes.Fold(a12), TLanes.Fold(a13));
                AddSums(ref Unsafe.Add(ref t, 8), TLanes.Fold(a20), TLanes.Fold(a21), TLanes.Fold(a22), TLanes.Fold(a23));
                AddSums(ref Unsafe.Add(ref t, 12), TLanes.Fold(a30), TLanes.Fold(a31), TLanes.Fold(a32), TLanes.Fold(a33));
            }
        }
    }


    /// <summary>The upper triangle of a diagonal 4 x 4 tile of <see cref="ChunkTiles{TLanes, TVector}"/>: acc[a, b] += s_a . s_b for a &lt;= b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diagonal<TLanes, TVector>(ref double s0, ref double s1, ref double s2, ref double s3, int rows, ref double acc)
        where TLanes : struct, ITileLanes<TVector>
        where TVector : struct
    {
        var a00 = TLanes.Zero; var a01 = TLanes.Zero; var a02 = TLanes.Zero; var a03 = TLanes.Zero;
        var a11 = TLanes.Zero; var a12 = TLanes.Zero; var a13 = TLanes.Zero;
        var a22 = TLanes.Zero; var a23 = TLanes.Zero;
        var a33 = TLanes.Zero;
        for (nuint b = 0; b < (nuint)rows; b += (nuint)TLanes.Count)
        {
            var e0 = TLanes.Load(ref s0, b);
            var e1 = TLanes.Load(ref s1, b);
            var e2 = TLanes.Load(ref s2, b);
            var e3 = TLanes.Load(ref s3, b);
            a00 = TLanes.MultiplyAdd(e0, e0, a00); a01 = TLanes.MultiplyAdd(e0, e1, a01);
            a02 = TLanes.MultiplyAdd(e0, e2, a02); a03 = TLanes.MultiplyAdd(e0, e3, a03);
            a11 = TLanes.MultiplyAdd(e1, e1, a11); a12 = TLanes.MultiplyAdd(e1, e2, a12); a13 = TLanes.MultiplyAdd(e1, e3, a13);
            a22 = TLanes.MultiplyAdd(e2, e2, a22); a23 = TLanes.MultiplyAdd(e2, e3, a23);
            a33 = TLanes.MultiplyAdd(e3, e3, a33);
        }

        // Below-diagonal sums of the tile are left at zero; nothing reads them.
        var zero = Vector256<double>.Zero;
        AddSums(ref acc, TLanes.Fold(a00), TLanes.Fold(a01), TLanes.Fold(a02), TLanes.Fold(a03));
        AddSums(ref Unsafe.Add(ref acc, 4), zero, TLanes.Fold(a11), TLanes.Fold(a12), TLanes.Fold(a13));
        AddSums(ref Unsafe.Add(ref acc, 8), zero, zero, TLanes.Fold(a22), TLanes.Fold(a23));
        AddSums(ref Unsafe.Add(ref acc, 12), zero, zero, zero, TLanes.Fold(a33));
    }

    // ---- covariance: Syrk-Rows -------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrkRows(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int width = Vector256<double>.Count;
        int de = (d + width - 1) / width * width; // row stride, padded with zero columns
        int rowSize = d * de;
        var partials = new double[chunks * m * rowSize];
        var rows = input.Data.RowArray;
        var r = input.ResponsibilityArray;
        var mu = input.MeanArray;
        Parallel.For(
            0,
            chunks,
            () => (Diff: new double[B * de], Scaled: new double[(B * de) + 1]), // + 1: the odd last row's partner reads one past
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, scratch) =>
            {
                var diff = scratch.Diff;
                var scaled = scratch.Scaled;
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                for (int k = 0; k < m; k++)
                {
                    var acc = partials.AsSpan((chunk * m + k) * rowSize, rowSize);
                    var muK = mu.AsSpan(k * d, d);
                    for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                    {
                        int count = input.Data.RowsInBlock(blk);
                        var rk = r.AsSpan((blk * m + k) * B, B);
                        for (int b = 0; b < count; b++)
                        {
                            var row = rows.AsSpan((blk * B + b) * d, d);
                            var dRow = diff.AsSpan(b * de, d);
                            var sRow = scaled.AsSpan(b * de, d);
                            TensorPrimitives.Subtract(row, muK, dRow);
                            TensorPrimitives.Multiply(dRow, rk[b], sRow);
                        }

                        RowTiles(diff, scaled, count, d, de, acc);
                    }
                }

                return scratch;
            },
            static _ => { });

        var packed = new double[d * (d + 1) / 2];
        for (int k = 0; k < m; k++)
        {
            int q = 0;
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    double sum = 0;
                    for (int chunk = 0; chunk < chunks; chunk++)
                    {
                        sum += partials[(chunk * m + k) * rowSize + i * de + j];
                    }

                    packed[q++] = sum;
                }
            }

            StoreMatrix(input, k, packed);
        }
    }

    /// <summary>
    /// acc[i, j..] += sum_b scaled[b, i] * diff[b, j..] for j from the vector holding column i onwards:
    /// two rows of the result at a time, up to four vectors of columns per pass.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowTiles(double[] diff, double[] scaled, int count, int d, int de, Span<double> acc)
    {
        const int W = 4; // Vector256<double>.Count
        ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
        ref double sRef = ref MemoryMarshal.GetArrayDataReference(scaled);
        ref double aRef = ref MemoryMarshal.GetReference(acc);
        for (int i = 0; i < d; i += 2)
        {
            bool pair = i + 1 < d;
            for (int j = i / W * W; j < de; j += 4 * W)
            {
                int vectors = Math.Min(4, (de - j) / W);
                var a0 = Vector256<double>.Zero; var a1 = Vector256<double>.Zero; var a2 = Vector256<double>.Zero; var a3 = Vector256<double>.Zero;
                var c0 = Vector256<double>.Zero; var c1 = Vector256<double>.Zero; var c2 = Vector256<double>.Zero; var c3 = Vector256<double>.Zero;
                if (vectors == 4)
                {
                    for (int b = 0; b < count; b++)
                    {
                        nuint o = (nuint)(b * de + j);
                        var e0 = Vector256.LoadUnsafe(ref dRef, o);
                        var e1 = Vector256.LoadUnsafe(ref dRef, o + 4);
                        var e2 = Vector256.LoadUnsafe(ref dRef, o + 8);
                        var e3 = Vector256.LoadUnsafe(ref dRef, o + 12);
                        var s0 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i));
                        var s1 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i + 1)); // padding column when i + 1 == d
                        a0 = Vector256.FusedMultiplyAdd(s0, e0, a0); a1 = Vector256.FusedMultiplyAdd(s0, e1, a1);
                        a2 = Vector256.FusedMultiplyAdd(s0, e2, a2); a3 = Vector256.FusedMultiplyAdd(s0, e3, a3);
                        c0 = Vector256.FusedMultiplyAdd(s1, e0, c0); c1 = Vector256.FusedMultiplyAdd(s1, e1, c1);
                        c2 = Vector256.FusedMultiplyAdd(s1, e2, c2); c3 = Vector256.FusedMultiplyAdd(s1, e3, c3);
                    }
                }
                else
                {
                    for (int b = 0; b < count; b++)
                    {
                        nuint o = (nuint)(b * de + j);
                        var s0 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i));
                        var s1 = Vector256.Create(Unsafe.Add(ref sRef, b * de + i + 1));
                        var e0 = Vector256.LoadUnsafe(ref dRef, o);
                        a0 = Vector256.FusedMultiplyAdd(s0, e0, a0);
                        c0 = Vector256.FusedMultiplyAdd(s1, e0, c0);
                        if (vectors > 1)
                        {
                            var e1 = Vector256.LoadUnsafe(ref dRef, o + 4);
                            a1 = Vector256.FusedMultiplyAdd(s0, e1, a1);
                            c1 = Vector256.FusedMultiplyAdd(s1, e1, c1);
                        }

                        if (vectors > 2)
                        {
                            var e2 = Vector256.LoadUnsafe(ref dRef, o + 8);
                            a2 = Vector256.FusedMultiplyAdd(s0, e2, a2);
                            c2 = Vector256.FusedMultiplyAdd(s1, e2, c2);
                        }
                    }
                }

                AddTo(ref aRef, i * de + j, vectors, a0, a1, a2, a3);
                if (pair)
                {
                    AddTo(ref aRef, (i + 1) * de + j, vectors, c0, c1, c2, c3);
                }
            }
        }
    }

    private static void AddTo(ref double target, int offset, int vectors, Vector256<double> v0, Vector256<double> v1, Vector256<double> v2, Vector256<double> v3)
    {
        nuint o = (nuint)offset;
        (Vector256.LoadUnsafe(ref target, o) + v0).StoreUnsafe(ref target, o);
        if (vectors > 1)
        {
            (Vector256.LoadUnsafe(ref target, o + 4) + v1).StoreUnsafe(ref target, o + 4);
        }

        if (vectors > 2)
        {
            (Vector256.LoadUnsafe(ref target, o + 8) + v2).StoreUnsafe(ref target, o + 8);
        }

        if (vectors > 3)
        {
            (Vector256.LoadUnsafe(ref target, o + 12) + v3).StoreUnsafe(ref target, o + 12);
        }
    }

    // ---- covariance helpers ---------------------------------------------------------------------

    private static double CellSum(GmmKernelInput input, int k, int i, int j, int start, int end)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedArray;
        var r = input.ResponsibilityArray;
        var mi = Vector256.Create(input.MeanArray[k * d + i]);
        var mj = Vector256.Create(input.MeanArray[k * d + j]);
        var acc = Vector256<double>.Zero;
        for (int blk = start; blk < end; blk++)
        {
            var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
            var xj = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + j) * B, B));
            var rk = MemoryMarshal.Cast<double, Vector256<double>>(r.AsSpan((blk * m + k) * B, B));
            for (int v = 0; v < rk.Length; v++)
            {
                acc = Vector256.FusedMultiplyAdd(rk[v] * (xi[v] - mi), xj[v] - mj, acc);
            }
        }

        return Vector256.Sum(acc);
    }

    private static (int[] I, int[] J) Pairs(int d)
    {
        int p = d * (d + 1) / 2;
        var pi = new int[p];
        var pj = new int[p];
        int c = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                pi[c] = i;
                pj[c] = j;
                c++;
            }
        }

        return (pi, pj);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(GmmKernelInput input, int k, int i, int j, double sum)
    {
        int d = input.Data.Dimension;
        double v = sum / input.WeightArray[k];
        input.OutputArray[(k * d + i) * d + j] = v;
        input.OutputArray[(k * d + j) * d + i] = v;
    }

    private static void StoreMatrix(GmmKernelInput input, int k, ReadOnlySpan<double> packed)
    {
        int d = input.Data.Dimension, c = 0;
        for (int i = 0; i < d; i++)
        {
            for (int j = i; j < d; j++)
            {
                Store(input, k, i, j, packed[c++]);
            }
        }
    }

    // ---- Mahalanobis: Rowwise -------------------------------------------------------------------

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisRowwise(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedArray;
        var mu = input.MeanArray;
        var u = input.PrecisionArray;
        var output = input.OutputArray;
        Parallel.For(0, input.Data.BlockCount, [MethodImpl(MethodImplOptions.AggressiveOptimization)] (blk) =>
        {
            Span<double> row = d <= 256 ? stackalloc double[d] : new double[d];
            for (int b = 0; b < B; b++)
            {
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        row[i] = x[(blk * d + i) * B + b] - mu[k * d + i];
                    }

                    double s = 0;
                    int baseIndex = k * d * d;
                    for (int j = 0; j < d; j++)
                    {
                        double y = 0;
                        for (int i = 0; i <= j; i++)
                        {
                            y += row[i] * u[baseIndex + i * d + j];
                        }

                        s += y * y;
                    }

                    output[(blk * m + k) * B + b] = s;
                }
            }
        });
    }

    // ---- Mahalanobis: Tiled ---------------------------------------------------------------------

    /// <summary>
    /// Register tiles of 16 rows x 4 columns of <c>(x - mu) P</c>: per step of the inner loop, four
    /// vectors of centered rows and four broadcast precision factors feed 16 FMAs. The factors are
    /// repacked once per call in the order the loop reads them (for column group <c>g</c>, rows
    /// <c>0 .. 4g + 3</c> of columns <c>4g .. 4g + 3</c>, zero below the diagonal and in padding), so the
    /// triangle of <c>P</c> is skipped except at the corner of each group.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisTiled(GmmKernelInput input)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3;
        int groups = de / 4;
        int packedSize = 8 * groups * (groups + 1); // sum over g of (4g + 4) rows x 4 columns
        var packed = PackTriangles(input.PrecisionArray, d, m, groups, packedSize);

        var x = input.Data.BlockedArray;
        var mu = input.MeanArray;
        var output = input.OutputArray;
        var zeros = new double[de]; // the columns start at zero: the rows are centered
        Parallel.For(
            0,
            chunks,
            () => new double[de * B], // padding features stay zero
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, diff) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
                ref double start = ref MemoryMarshal.GetArrayDataReference(zeros);
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    for (int k = 0; k < m; k++)
                    {
                        for (int i = 0; i < d; i++)
                        {
                            var xi = MemoryMarshal.Cast<double, Vector256<double>>(x.AsSpan((blk * d + i) * B, B));
                            var di = MemoryMarshal.Cast<double, Vector256<double>>(diff.AsSpan(i * B, B));
                            var mi = Vector256.Create(mu[k * d + i]);
                            for (int v = 0; v < di.Length; v++)
                            {
                                di[v] = xi[v] - mi;
                            }
                        }

                        ref double pk = ref packed[k * packedSize];
                        ref double dst = ref output[(blk * m + k) * B];
                        for (int c = 0; c < B; c += 16)
                        {
                            TiledRows<Tile256, Vector256<double>>(ref Unsafe.Add(ref dRef, c), ref pk, ref start, groups, d, ref Unsafe.Add(ref dst, c));
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);

                return diff;
            },
            static _ => { });
    }

    /// <summary>
    /// The precision factors repacked in the order <see cref="TiledRows{TLanes, TVector}"/>
    /// read them: per component and column group <c>g</c>, rows <c>0 .. 4g + 3</c> of columns
    /// <c>4g .. 4g + 3</c>, zero below the diagonal and in padding.
    /// </summary>
    private static double[] PackTriangles(double[] u, int d, int m, int groups, int packedSize)
    {
        var packed = new double[m * packedSize];
        for (int k = 0; k < m; k++)
        {
            int q = k * packedSize;
            for (int g = 0; g < groups; g++)
            {
                for (int i = 0; i < 4 * g + 4; i++)
                {
                    for (int c = 0; c < 4; c++)
                    {
                        int j = (4 * g) + c;
                        packed[q++] = i < d && j < d && i <= j ? u[((k * d) + i) * d + j] : 0;
                    }
                }
            }
        }

        return packed;
    }

    // ---- Mahalanobis: Blocked, Blocked-512 ------------------------------------------------------

    /// <summary>
    /// Per block of <see cref="B"/> rows and component: the rows centered once, then for each pair of columns
    /// <c>j, j + 1</c> of <c>(x - mu) U</c> the loads of rows <c>0 .. j</c> shared by both columns, four vectors
    /// of rows at a time: 16 rows per pass on 256-bit vectors (<c>Blocked</c>), 32 on 512-bit (<c>Blocked-512</c>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisBlocked<TLanes, TVector>(GmmKernelInput input)
        where TLanes : struct, ITileLanes<TVector>
        where TVector : struct
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        var x = input.Data.BlockedArray;
        var mu = input.MeanArray;
        var u = input.PrecisionArray;
        var output = input.OutputArray;
        Parallel.For(
            0,
            chunks,
            () => new double[d * B],
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, diff) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);
                nuint lanes = (nuint)TLanes.Count; // a constant once the kernel is compiled for its width
                ref double dRef = ref MemoryMarshal.GetArrayDataReference(diff);
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    for (int k = 0; k < m; k++)
                    {
                        for (int i = 0; i < d; i++)
                        {
                            ref double xi = ref MemoryMarshal.GetReference(x.AsSpan((blk * d + i) * B, B));
                            ref double di = ref MemoryMarshal.GetReference(diff.AsSpan(i * B, B));
                            var mi = TLanes.Broadcast(mu[k * d + i]);
                            for (nuint v = 0; v < B; v += lanes)
                            {
                                TLanes.Store(TLanes.Subtract(TLanes.Load(ref xi, v), mi), ref di, v);
                            }
                        }

                        var uk = u.AsSpan(k * d * d, d * d);
                        for (int c = 0; c < B; c += 4 * TLanes.Count)
                        {
                            var q0 = TLanes.Zero;
                            var q1 = TLanes.Zero;
                            var q2 = TLanes.Zero;
                            var q3 = TLanes.Zero;
                            int j = 0;
                            for (; j + 1 < d; j += 2)
                            {
                                // Columns j and j + 1 of (x - mu) U share the loads of rows 0..j.
                                var y0 = TLanes.Zero; var y1 = TLanes.Zero;
                                var y2 = TLanes.Zero; var y3 = TLanes.Zero;
                                var z0 = TLanes.Zero; var z1 = TLanes.Zero;
                                var z2 = TLanes.Zero; var z3 = TLanes.Zero;
                                for (int i = 0; i <= j; i++)
                                {
                                    var w = TLanes.Broadcast(uk[i * d + j]);
                                    var w2 = TLanes.Broadcast(uk[i * d + j + 1]);
                                    nuint o = (nuint)(i * B + c);
                                    var v0 = TLanes.Load(ref dRef, o);
                                    var v1 = TLanes.Load(ref dRef, o + lanes);
                                    var v2 = TLanes.Load(ref dRef, o + (2 * lanes));
                                    var v3 = TLanes.Load(ref dRef, o + (3 * lanes));
                                    y0 = TLanes.MultiplyAdd(v0, w, y0); z0 = TLanes.MultiplyAdd(v0, w2, z0);
                                    y1 = TLanes.MultiplyAdd(v1, w, y1); z1 = TLanes.MultiplyAdd(v1, w2, z1);
                                    y2 = TLanes.MultiplyAdd(v2, w, y2); z2 = TLanes.MultiplyAdd(v2, w2, z2);
                                    y3 = TLanes.MultiplyAdd(v3, w, y3); z3 = TLanes.MultiplyAdd(v3, w2, z3);
                                }

                                {
                                    var w2 = TLanes.Broadcast(uk[(j + 1) * d + j + 1]);
                                    nuint o = (nuint)((j + 1) * B + c);
                                    z0 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o), w2, z0);
                                    z1 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + lanes), w2, z1);
                                    z2 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (2 * lanes)), w2, z2);
                                    z3 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (3 * lanes)), w2, z3);
                                }

                                q0 = TLanes.MultiplyAdd(y0, y0, q0); q0 = TLanes.MultiplyAdd(z0, z0, q0);
                                q1 = TLanes.MultiplyAdd(y1, y1, q1); q1 = TLanes.MultiplyAdd(z1, z1, q1);
                                q2 = TLanes.MultiplyAdd(y2, y2, q2); q2 = TLanes.MultiplyAdd(z2, z2, q2);
                                q3 = TLanes.MultiplyAdd(y3, y3, q3); q3 = TLanes.MultiplyAdd(z3, z3, q3);
                            }

                            if (j < d)
                            {
                                var y0 = TLanes.Zero; var y1 = TLanes.Zero;
                                var y2 = TLanes.Zero; var y3 = TLanes.Zero;
                                for (int i = 0; i <= j; i++)
                                {
                                    var w = TLanes.Broadcast(uk[i * d + j]);
                                    nuint o = (nuint)(i * B + c);
                                    y0 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o), w, y0);
                                    y1 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + lanes), w, y1);
                                    y2 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (2 * lanes)), w, y2);
                                    y3 = TLanes.MultiplyAdd(TLanes.Load(ref dRef, o + (3 * lanes)), w, y3);
                                }

                                q0 = TLanes.MultiplyAdd(y0, y0, q0);
                                q1 = TLanes.MultiplyAdd(y1, y1, q1);
                                q2 = TLanes.MultiplyAdd(y2, y2, q2);
                                q3 = TLanes.MultiplyAdd(y3, y3, q3);
                            }

                            ref double dst = ref MemoryMarshal.GetReference(output.AsSpan((blk * m + k) * B + c, 4 * TLanes.Count));
                            TLanes.Store(q0, ref dst, 0);
                            TLanes.Store(q1, ref dst, lanes);
                            TLanes.Store(q2, ref dst, 2 * lanes);
                            TLanes.Store(q3, ref dst, 3 * lanes);
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);

                return diff;
            },
            static _ => { });
    }

    // ---- Mahalanobis: Tiled-512 -----------------------------------------------------------------

    /// <summary>Relative error in a distance that the shifted form of <c>Tiled-512-Shift</c> may be bounded by; blocks it cannot promise this for are computed centered.</summary>
    private const double ShiftTolerance = 1e-11;

    /// <summary>
    /// <c>Tiled</c> on 512-bit vectors: 32 rows x 4 columns of <c>(x - mu) P</c> per step of the inner loop.
    /// With <paramref name="shifted"/> the centered rows are not materialized: the columns are formed as
    /// <c>x P - mu P</c> (the form scikit-learn uses), with <c>mu P</c> computed once per call. That form
    /// cancels when the rows lie far from the origin compared with their distance from the mean, so per
    /// block and component a rounding-error bound (from the block's largest |x|, the column sums of |P| and
    /// of |mu| |P|) is checked against the smallest distance of the block; where it does not promise a
    /// relative error of <see cref="ShiftTolerance"/>, that block is computed again from the centered rows.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void MahalanobisTiled512(GmmKernelInput input, bool shifted)
    {
        int d = input.Data.Dimension, m = input.Components;
        int blocks = input.Data.BlockCount;
        int chunks = (blocks + ChunkBlocks - 1) / ChunkBlocks;
        int de = (d + 3) & ~3;
        int groups = de / 4;
        int packedSize = 8 * groups * (groups + 1);
        var u = input.PrecisionArray;
        var packed = PackTriangles(u, d, m, groups, packedSize);
        var mu = input.MeanArray;
        var start = new double[(m + 1) * de]; // -(mu P) per component when shifted, then zeros for the centered form
        var colAbs = new double[m]; // max over j of sum_i |P_ij|
        var colMu = new double[m]; // max over j of sum_i |mu_i| |P_ij|
        if (shifted)
        {
            for (int k = 0; k < m; k++)
            {
                for (int j = 0; j < d; j++)
                {
                    double c = 0, a = 0, am = 0;
                    for (int i = 0; i <= j; i++)
                    {
                        double pij = u[((k * d) + i) * d + j];
                        c += mu[k * d + i] * pij;
                        a += Math.Abs(pij);
                        am += Math.Abs(mu[k * d + i] * pij);
                    }

                    start[k * de + j] = -c;
                    colAbs[k] = Math.Max(colAbs[k], a);
                    colMu[k] = Math.Max(colMu[k], am);
                }
            }
        }

        // Each of the d + 1 roundings of a column's sum (and of mu P) is at most 2^-53 relative to the
        // sum of the magnitudes of its terms; the error of a row's d columns, as a vector, is at most
        // errorScale (A |P| + |mu| |P|) in norm, A the block's largest |x|.
        double errorScale = Math.Sqrt(d) * 2 * (d + 2) * Math.ScaleB(1.0, -53);
        var x = input.Data.BlockedArray;
        var output = input.OutputArray;
        Parallel.For(
            0,
            chunks,
            () => GC.AllocateArray<double>(d * B + 8, pinned: true),
            [MethodImpl(MethodImplOptions.AggressiveOptimization)] (chunk, _, diff) =>
            {
                int end = Math.Min(blocks, (chunk + 1) * ChunkBlocks);

                // The centered rows start on a 64-byte boundary (the buffer is pinned), so no 512-bit load of them splits a cache line.
                ref double aligned = ref Unsafe.Add(
                    ref MemoryMarshal.GetArrayDataReference(diff),
                    (int)((64 - (Marshal.UnsafeAddrOfPinnedArrayElement(diff, 0) & 63)) & 63) / sizeof(double));
                ref double zeros = ref start[m * de];
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    ref double xb = ref x[blk * d * B];
                    double largest = 0;
                    if (shifted)
                    {
                        var mx = Vector512<double>.Zero;
                        for (nuint v = 0; v < (nuint)(d * B); v += 8)
                        {
                            mx = Vector512.Max(mx, Vector512.Abs(Vector512.LoadUnsafe(ref xb, v)));
                        }

                        var h = Vector256.Max(mx.GetLower(), mx.GetUpper());
                        largest = Math.Max(Math.Max(h[0], h[1]), Math.Max(h[2], h[3]));
                    }

                    for (int k = 0; k < m; k++)
                    {
                        ref double pk = ref packed[k * packedSize];
                        ref double dst = ref output[(blk * m + k) * B];
                        if (shifted)
                        {
                            ref double sk = ref start[k * de];
                            for (int c = 0; c < B; c += 32)
                            {
                                TiledRows<Tile512, Vector512<double>>(ref Unsafe.Add(ref xb, c), ref pk, ref sk, groups, d, ref Unsafe.Add(ref dst, c));
                            }

                            var low = Vector512.Min(
                                Vector512.Min(Vector512.LoadUnsafe(ref dst), Vector512.LoadUnsafe(ref dst, 8)),
                                Vector512.Min(Vector512.LoadUnsafe(ref dst, 16), Vector512.LoadUnsafe(ref dst, 24)));
                            low = Vector512.Min(low, Vector512.Min(
                                Vector512.Min(Vector512.LoadUnsafe(ref dst, 32), Vector512.LoadUnsafe(ref dst, 40)),
                                Vector512.Min(Vector512.LoadUnsafe(ref dst, 48), Vector512.LoadUnsafe(ref dst, 56))));
                            var l4 = Vector256.Min(low.GetLower(), low.GetUpper());
                            double smallest = Math.Min(Math.Min(l4[0], l4[1]), Math.Min(l4[2], l4[3]));
                            double e = errorScale * ((largest * colAbs[k]) + colMu[k]);
                            if ((2 * e * Math.Sqrt(Math.Max(smallest, 0))) + (e * e) <= ShiftTolerance * smallest)
                            {
                                continue;
                            }
                        }

                        for (int i = 0; i < d; i++)
                        {
                            ref double xi = ref Unsafe.Add(ref xb, i * B);
                            ref double di = ref Unsafe.Add(ref aligned, i * B);
                            var mi = Vector512.Create(mu[k * d + i]);
                            for (nuint v = 0; v < B; v += 8)
                            {
                                (Vector512.LoadUnsafe(ref xi, v) - mi).StoreUnsafe(ref di, v);
                            }
                        }

                        for (int c = 0; c < B; c += 32)
                        {
                            TiledRows<Tile512, Vector512<double>>(ref Unsafe.Add(ref aligned, c), ref pk, ref zeros, groups, d, ref Unsafe.Add(ref dst, c));
                        }
                    }
                }

                input.ChunkWritten?.Invoke(chunk * ChunkBlocks, end);

                return diff;
            },
            static _ => { });
    }

    /// <summary>
    /// Squared norms of 4 vectors of rows (16 rows on 256-bit vectors, 32 on 512-bit) of <c>(x - mu) P</c> from
    /// <paramref name="rows"/> (feature-major, <see cref="B"/> apart): the centered rows, or the rows of x
    /// themselves when <paramref name="start"/> holds <c>-(mu P)</c>; otherwise it holds zeros. Of each group's
    /// last four rows of <c>P</c> (the corner on the diagonal) only the entries on and above the diagonal are
    /// multiplied, and corner rows past <paramref name="d"/> (padding) not at all: for D = 19, 836 vector FMAs
    /// per 4 vectors of rows instead of 960. Sixteen accumulators; every load and broadcast feeds four multiply-adds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)] // optimized from the first call even where it is not inlined, so trials time the code that will run
    private static void TiledRows<TLanes, TVector>(ref double rows, ref double packed, ref double start, int groups, int d, ref double output)
        where TLanes : struct, ITileLanes<TVector>
        where TVector : struct
    {
        nuint lanes = (nuint)TLanes.Count;
        var q0 = TLanes.Zero; var q1 = TLanes.Zero;
        var q2 = TLanes.Zero; var q3 = TLanes.Zero;
        ref double p = ref packed;
        for (int g = 0; g < groups; g++)
        {
            // Each column starts at its start value (0, or -(mu P)_j when rows is x itself).
            ref double s = ref Unsafe.Add(ref start, 4 * g);
            var y00 = TLanes.Broadcast(s); var y01 = TLanes.Broadcast(Unsafe.Add(ref s, 1));
            var y02 = TLanes.Broadcast(Unsafe.Add(ref s, 2)); var y03 = TLanes.Broadcast(Unsafe.Add(ref s, 3));
            var y10 = y00; var y11 = y01; var y12 = y02; var y13 = y03;
            var y20 = y00; var y21 = y01; var y22 = y02; var y23 = y03;
            var y30 = y00; var y31 = y01; var y32 = y02; var y33 = y03;
            // Rows 0 .. 4g of P's column group: every row above the corner, and the corner's first row, have all
            // four columns.
            int full = 4 * g;
            for (int i = 0; i <= full; i++)
            {
                // yRC: the R-th vector of rows (lanes rows each), column 4g + C.
                nuint o = (nuint)(i * B);
                var v0 = TLanes.Load(ref rows, o);
                var v1 = TLanes.Load(ref rows, o + lanes);
                var v2 = TLanes.Load(ref rows, o + (2 * lanes));
                var v3 = TLanes.Load(ref rows, o + (3 * lanes));
                var w = TLanes.Broadcast(p);
                y00 = TLanes.MultiplyAdd(v0, w, y00); y10 = TLanes.MultiplyAdd(v1, w, y10);
                y20 = TLanes.MultiplyAdd(v2, w, y20); y30 = TLanes.MultiplyAdd(v3, w, y30);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 1));
                y01 = TLanes.MultiplyAdd(v0, w, y01); y11 = TLanes.MultiplyAdd(v1, w, y11);
                y21 = TLanes.MultiplyAdd(v2, w, y21); y31 = TLanes.MultiplyAdd(v3, w, y31);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 2));
                y02 = TLanes.MultiplyAdd(v0, w, y02); y12 = TLanes.MultiplyAdd(v1, w, y12);
                y22 = TLanes.MultiplyAdd(v2, w, y22); y32 = TLanes.MultiplyAdd(v3, w, y32);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 3));
                y03 = TLanes.MultiplyAdd(v0, w, y03); y13 = TLanes.MultiplyAdd(v1, w, y13);
                y23 = TLanes.MultiplyAdd(v2, w, y23); y33 = TLanes.MultiplyAdd(v3, w, y33);
                p = ref Unsafe.Add(ref p, 4);
            }

            // The rest of the corner: row full + c of P is zero left of column c, and rows from d on are padding.
            int corner = Math.Min(4, d - full);
            nuint oc = (nuint)(full * B);
            if (corner > 1)
            {
                oc += B;
                var v0 = TLanes.Load(ref rows, oc);
                var v1 = TLanes.Load(ref rows, oc + lanes);
                var v2 = TLanes.Load(ref rows, oc + (2 * lanes));
                var v3 = TLanes.Load(ref rows, oc + (3 * lanes));
                var w = TLanes.Broadcast(Unsafe.Add(ref p, 1));
                y01 = TLanes.MultiplyAdd(v0, w, y01); y11 = TLanes.MultiplyAdd(v1, w, y11);
                y21 = TLanes.MultiplyAdd(v2, w, y21); y31 = TLanes.MultiplyAdd(v3, w, y31);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 2));
                y02 = TLanes.MultiplyAdd(v0, w, y02); y12 = TLanes.MultiplyAdd(v1, w, y12);
                y22 = TLanes.MultiplyAdd(v2, w, y22); y32 = TLanes.MultiplyAdd(v3, w, y32);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 3));
                y03 = TLanes.MultiplyAdd(v0, w, y03); y13 = TLanes.MultiplyAdd(v1, w, y13);
                y23 = TLanes.MultiplyAdd(v2, w, y23); y33 = TLanes.MultiplyAdd(v3, w, y33);
            }

            if (corner > 2)
            {
                oc += B;
                var v0 = TLanes.Load(ref rows, oc);
                var v1 = TLanes.Load(ref rows, oc + lanes);
                var v2 = TLanes.Load(ref rows, oc + (2 * lanes));
                var v3 = TLanes.Load(ref rows, oc + (3 * lanes));
                var w = TLanes.Broadcast(Unsafe.Add(ref p, 6));
                y02 = TLanes.MultiplyAdd(v0, w, y02); y12 = TLanes.MultiplyAdd(v1, w, y12);
                y22 = TLanes.MultiplyAdd(v2, w, y22); y32 = TLanes.MultiplyAdd(v3, w, y32);
                w = TLanes.Broadcast(Unsafe.Add(ref p, 7));
                y03 = TLanes.MultiplyAdd(v0, w, y03); y13 = TLanes.MultiplyAdd(v1, w, y13);
                y23 = TLanes.MultiplyAdd(v2, w, y23); y33 = TLanes.MultiplyAdd(v3, w, y33);
            }

            if (corner > 3)
            {
                oc += B;
                var w = TLanes.Broadcast(Unsafe.Add(ref p, 11));
                y03 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc), w, y03);
                y13 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc + lanes), w, y13);
                y23 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc + (2 * lanes)), w, y23);
                y33 = TLanes.MultiplyAdd(TLanes.Load(ref rows, oc + (3 * lanes)), w, y33);
            }

            p = ref Unsafe.Add(ref p, 12);

            q0 = TLanes.MultiplyAdd(y00, y00, q0); q0 = TLanes.MultiplyAdd(y01, y01, q0);
            q0 = TLanes.MultiplyAdd(y02, y02, q0); q0 = TLanes.MultiplyAdd(y03, y03, q0);
            q1 = TLanes.MultiplyAdd(y10, y10, q1); q1 = TLanes.MultiplyAdd(y11, y11, q1);
            q1 = TLanes.MultiplyAdd(y12, y12, q1); q1 = TLanes.MultiplyAdd(y13, y13, q1);
            q2 = TLanes.MultiplyAdd(y20, y20, q2); q2 = TLanes.MultiplyAdd(y21, y21, q2);
            q2 = TLanes.MultiplyAdd(y22, y22, q2); q2 = TLanes.MultiplyAdd(y23, y23, q2);
            q3 = TLanes.MultiplyAdd(y30, y30, q3); q3 = TLanes.MultiplyAdd(y31, y31, q3);
            q3 = TLanes.MultiplyAdd(y32, y32, q3); q3 = TLanes.MultiplyAdd(y33, y33, q3);
        }

        TLanes.Store(q0, ref output, 0);
        TLanes.Store(q1, ref output, lanes);
        TLanes.Store(q2, ref output, 2 * lanes);
        TLanes.Store(q3, ref output, 3 * lanes);
    }

    /// <summary>The vector operations of the kernels written once for both widths (<see cref="TiledRows{TLanes, TVector}"/>, <see cref="ChunkTiles{TLanes, TVector}"/>, <see cref="SyrkTiles{TLanes, TVector}"/>, <see cref="MahalanobisBlocked{TLanes, TVector}"/>), one implementation per width.</summary>
    /// <typeparam name="TVector">The vector of doubles.</typeparam>
    private interface ITileLanes<TVector>
        where TVector : struct
    {
        /// <summary>Gets the number of doubles per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Gets the vector of zeros.</summary>
        static abstract TVector Zero { get; }

        /// <summary>Reads a vector at <paramref name="offset"/> doubles from <paramref name="source"/>.</summary>
        static abstract TVector Load(ref double source, nuint offset);

        /// <summary>A vector with <paramref name="value"/> in every lane.</summary>
        static abstract TVector Broadcast(double value);

        /// <summary><c>a - b</c>.</summary>
        static abstract TVector Subtract(TVector a, TVector b);

        /// <summary><c>a * b + addend</c>, rounded once.</summary>
        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

        /// <summary>The lanes added down to four (a 512-bit vector's two halves added; a 256-bit vector as it is).</summary>
        static abstract Vector256<double> Fold(TVector value);

        /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> doubles from <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref double destination, nuint offset);
    }

    /// <summary>256-bit vectors: 4 rows each.</summary>
    private readonly struct Tile256 : ITileLanes<Vector256<double>>
    {
        public static int Count => Vector256<double>.Count;

        public static Vector256<double> Zero => Vector256<double>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Broadcast(double value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> addend) => Vector256.FusedMultiplyAdd(a, b, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fold(Vector256<double> value) => value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>512-bit vectors: 8 rows each.</summary>
    private readonly struct Tile512 : ITileLanes<Vector512<double>>
    {
        public static int Count => Vector512<double>.Count;

        public static Vector512<double> Zero => Vector512<double>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Broadcast(double value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> addend) => Vector512.FusedMultiplyAdd(a, b, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fold(Vector512<double> value) => value.GetLower() + value.GetUpper();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }
}
