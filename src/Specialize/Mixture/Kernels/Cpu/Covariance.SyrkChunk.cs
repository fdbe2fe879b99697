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

// CPU covariance variants Syrk-Chunk and Syrk-Chunk-512: the Syrk tiles accumulated over several blocks per pass.
public static partial class GmmKernels
{
    // ---- covariance: Syrk-Chunk ------------------------------------------------------------------

    /// <summary>
    /// <c>Syrk</c> with each 4 x 4 tile accumulated over several blocks instead of one, as a true
    /// symmetric rank-k update: the centered rows of a pass of 2 or 4 blocks are scaled by the square root
    /// of the responsibilities (<c>r (x - mu)(x - mu)^T = s s^T</c> with <c>s = sqrt(r) (x - mu)</c>), so one
    /// buffer is written per pass instead of two, the 16 register accumulators of a tile are reduced a
    /// quarter or an eighth as often, and only the tiles on and above the diagonal are computed. With
    /// <typeparamref name="T"/> float (float32 EM: <c>Syrk-Chunk-F32</c>, <c>Syrk-Chunk-512-F32</c>) the scaled rows
    /// are formed from the float rows and multiplied in float lanes, twice as many per vector, and each pass's
    /// tile sums are added into the double partial sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void CovarianceSyrkChunk<T>(GmmKernelInput input, bool wide)
        where T : unmanaged
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
            () => (Scaled: new T[de * passRows], Root: new T[passRows]),
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
                        if (typeof(T) == typeof(float))
                        {
                            var single = Unsafe.As<float[]>(scaled);
                            ScaledPassSingle(input, k, first, count, passRows, Unsafe.As<float[]>(scratch.Root), single);
                            if (wide)
                            {
                                ChunkTiles<Tile512F, float, Vector512<float>>(single, de, passRows, count * B, acc);
                            }
                            else
                            {
                                ChunkTiles<Tile256F, float, Vector256<float>>(single, de, passRows, count * B, acc);
                            }

                            continue;
                        }

                        var x = input.Data.BlockedArray;
                        var root = Unsafe.As<double[]>(scratch.Root);
                        var doubles = Unsafe.As<double[]>(scaled);
                        for (int c = 0; c < count; c++)
                        {
                            TensorPrimitives.Sqrt(r.AsSpan(((first + c) * m + k) * B, B), root.AsSpan(c * B, B));
                        }

                        for (int i = 0; i < d; i++)
                        {
                            var mi = Vector256.Create(mu[k * d + i]);
                            ref double si = ref doubles[i * passRows];
                            for (int c = 0; c < count; c++)
                            {
                                ref double xi = ref x[((first + c) * d + i) * B];
                                nuint o = (nuint)(c * B);
                                for (nuint v = 0; v < B; v += 4)
                                {
                                    ((Vector256.LoadUnsafe(ref xi, v) - mi) * Vector256.LoadUnsafe(ref root[0], o + v)).StoreUnsafe(ref si, o + v);
                                }
                            }
                        }

                        if (wide)
                        {
                            ChunkTiles<Tile512, double, Vector512<double>>(doubles, de, passRows, count * B, acc);
                        }
                        else
                        {
                            ChunkTiles<Tile256, double, Vector256<double>>(doubles, de, passRows, count * B, acc);
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
    /// The float32 form of a pass's scaled rows: <c>sqrt(r)</c> taken in double and rounded to float, then
    /// <c>(x - mu) sqrt(r)</c> from the float rows, in float.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ScaledPassSingle(GmmKernelInput input, int k, int first, int count, int passRows, float[] root, float[] scaled)
    {
        int d = input.Data.Dimension, m = input.Components;
        var x = input.Data.BlockedSingleArray;
        var r = input.ResponsibilityArray;
        ref float rootRef = ref root[0];
        for (int c = 0; c < count; c++)
        {
            ref double rc = ref r[((first + c) * m + k) * B];
            nuint o = (nuint)(c * B);
            for (nuint v = 0; v < B; v += 8)
            {
                var narrow = Vector256.Narrow(Vector256.Sqrt(Vector256.LoadUnsafe(ref rc, v)), Vector256.Sqrt(Vector256.LoadUnsafe(ref rc, v + 4)));
                narrow.StoreUnsafe(ref rootRef, o + v);
            }
        }

        for (int i = 0; i < d; i++)
        {
            var mi = Vector256.Create((float)input.MeanArray[k * d + i]);
            ref float si = ref scaled[i * passRows];
            for (int c = 0; c < count; c++)
            {
                ref float xi = ref x[((first + c) * d + i) * B];
                nuint o = (nuint)(c * B);
                for (nuint v = 0; v < B; v += 8)
                {
                    ((Vector256.LoadUnsafe(ref xi, v) - mi) * Vector256.LoadUnsafe(ref rootRef, o + v)).StoreUnsafe(ref si, o + v);
                }
            }
        }
    }

    /// <summary>
    /// For every 4 x 4 tile on or above the diagonal: acc[tile] += s_i . s_j over the first
    /// <paramref name="rows"/> values of each feature of <paramref name="scaled"/> (features
    /// <paramref name="stride"/> apart); of a diagonal tile only the upper triangle. On 256- or 512-bit
    /// vectors (<typeparamref name="TLanes"/>), whose lanes are added down to four for the sums.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ChunkTiles<TLanes, T, TVector>(T[] scaled, int de, int stride, int rows, Span<double> acc)
        where TLanes : struct, ITileLanes<T, TVector>
        where T : unmanaged
        where TVector : struct
    {
        ref T sRef = ref MemoryMarshal.GetArrayDataReference(scaled);
        ref T dRef = ref sRef;
        ref double aRef = ref MemoryMarshal.GetReference(acc);
        int tile = 0;
        for (int i = 0; i < de; i += 4)
        {
            ref T s0 = ref Unsafe.Add(ref sRef, i * stride);
            ref T s1 = ref Unsafe.Add(ref s0, stride);
            ref T s2 = ref Unsafe.Add(ref s1, stride);
            ref T s3 = ref Unsafe.Add(ref s2, stride);
            for (int j = i; j < de; j += 4, tile++)
            {
                ref T e0r = ref Unsafe.Add(ref dRef, j * stride);
                ref T e1r = ref Unsafe.Add(ref e0r, stride);
                ref T e2r = ref Unsafe.Add(ref e1r, stride);
                ref T e3r = ref Unsafe.Add(ref e2r, stride);
                if (j == i)
                {
                    // A diagonal tile: its upper triangle (10 sums) is all that is read.
                    Diagonal<TLanes, T, TVector>(ref s0, ref s1, ref s2, ref s3, rows, ref Unsafe.Add(ref aRef, tile * 16));
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


    /// <summary>The upper triangle of a diagonal 4 x 4 tile of <see cref="ChunkTiles{TLanes, T, TVector}"/>: acc[a, b] += s_a . s_b for a &lt;= b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Diagonal<TLanes, T, TVector>(ref T s0, ref T s1, ref T s2, ref T s3, int rows, ref double acc)
        where TLanes : struct, ITileLanes<T, TVector>
        where T : unmanaged
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
}
