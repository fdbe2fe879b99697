using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading;
using System.Threading.Tasks;
using Specialize.Devices;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>
/// The buffers and steps of EM on one <see cref="GmmData"/>: E-step (responsibilities and the lower
/// bound) and M-step (weights, means, covariances, precision Cholesky factors), following scikit-learn
/// 1.2's formulas. Row work is split into fixed chunks whose partial sums are added in chunk order, so
/// results do not depend on the number of threads. On an ILGPU device (<see cref="Device"/>) the rows, the
/// responsibilities and the distances stay on the device (<see cref="GmmDeviceState"/>) and only the sums
/// come back.
/// </summary>
internal sealed class EmState : IEmSteps, IEmRowStatistics, IDisposable
{
    private const int B = GmmData.BlockSize;
    private const int ChunkBlocks = GmmKernels.ChunkBlocks;
    private const double Epsilon = 2.220446049250313e-16;

    /// <summary>The smallest argument passed to exp in the E-step: exp(-708) is about 3.3e-308, still a normal double.</summary>
    private const double ExpFloor = -708;

    /// <summary>The same for float32 EM: exp(-87) is about 1.6e-38, near float's smallest normal; smaller responsibilities are 0.</summary>
    private const double SingleExpFloor = -87;

    private readonly int m;
    private readonly int d;
    private readonly CovarianceType type;
    private readonly double regularization;
    private readonly TuningStore store;
    private readonly string? forced;
    private readonly GaussianMixtureOptions options;
    private double[] resp;
    private double[] work;
    private readonly double[] nk;
    private readonly double[] blockSums;
    private readonly double[] partials;
    private readonly double[] offsets;
    private bool sumsValid;
    private int consumedBlocks;
    private VariantRace<GmmKernel>? covarianceRace;
    private VariantRace<GmmKernel>? mahalanobisRace;
    private readonly GmmDeviceState? deviceState;
    private double[]? deviceSums;

    internal EmState(GmmData data, int m, CovarianceType type, double regularization, TuningStore store, string? forced, GaussianMixtureOptions options)
        : this(data, m, type, regularization, store, forced, options, DeviceRuntime.Cpu, singlePrecision: false)
    {
    }

    internal EmState(GmmData data, int m, CovarianceType type, double regularization, TuningStore store, string? forced, GaussianMixtureOptions options, ComputeDevice device, bool singlePrecision)
    {
        Device = device;
        DataType = DataTypeOf(device, type, singlePrecision);
        deviceState = device.IsIlgpu ? GmmDeviceState.Create(device, data, m, singlePrecision) : null;
        VariantsRun[GmmKernels.DeviceKey] = device.Id;
        Data = data;
        this.m = m;
        d = data.Dimension;
        this.type = type;
        this.regularization = regularization;
        this.store = store;
        this.forced = forced;
        this.options = options;
        // On a device these live there; the host copies are made only when needed (initial responsibilities, prediction).
        resp = deviceState is null ? new double[data.BlockCount * m * B] : [];
        work = deviceState is null ? new double[data.BlockCount * m * B] : [];
        nk = new double[m];
        blockSums = new double[data.BlockCount];
        partials = new double[Chunks * SumsStride];
        offsets = new double[m];
    }

    public GmmData Data { get; }

    /// <summary>The device EM runs on.</summary>
    public ComputeDevice Device { get; }

    /// <summary>The element type the heavy kernels compute in: <c>"float32"</c> or <c>"float64"</c>.</summary>
    public string DataType { get; }

    /// <summary>Frees the device buffers of the fit (the rows stay resident for the next fit on them).</summary>
    public void Dispose() => deviceState?.Dispose();

    /// <summary>
    /// The element type EM of covariance type <paramref name="type"/> computes in on <paramref name="device"/>: on the
    /// processor float32 is the full and tied kernels'; diagonal and spherical (linear in D) stay in double there.
    /// </summary>
    internal static string DataTypeOf(ComputeDevice device, CovarianceType type, bool singlePrecision) =>
        singlePrecision && (device.IsIlgpu || type is CovarianceType.Full or CovarianceType.Tied) ? "float32" : "float64";

    public Dictionary<string, string> VariantsRun { get; } = [];

    private int Chunks => (Data.BlockCount + ChunkBlocks - 1) / ChunkBlocks;

    /// <summary>Per chunk: M sums of responsibilities, M x D sums of r x, and for diagonal and spherical M x D sums of r x^2.</summary>
    private int SumsStride => m + m * d * (type is CovarianceType.Diagonal or CovarianceType.Spherical ? 2 : 1);

    /// <summary>Loads row-major <c>N x M</c> responsibilities into the blocked layout.</summary>
    public void SetResponsibilities(double[] rowMajor)
    {
        sumsValid = false;
        if (resp.Length == 0)
        {
            resp = new double[Data.BlockCount * m * B];
        }

        Array.Clear(resp);
        for (int n = 0; n < Data.Count; n++)
        {
            int blk = n / B, b = n % B;
            for (int k = 0; k < m; k++)
            {
                resp[(blk * m + k) * B + b] = rowMajor[n * m + k];
            }
        }

        deviceState?.UploadResponsibilities(resp);
    }

    /// <summary>
    /// Whether the E-step hands each chunk of Mahalanobis distances to the log-sum-exp and the M-step's
    /// sums while the chunk is still in cache (the chunked Mahalanobis variants support it, once the
    /// variant race is decided), instead of a separate pass over all rows. Both give the same numbers.
    /// </summary>
    internal bool Fused { get; init; } = true;

    /// <summary>E-step: responsibilities from the parameters; returns the mean log-likelihood (the lower bound).</summary>
    public double EStep(GaussianMixture.Parameters p)
    {
        if (deviceState is not null)
        {
            return DeviceEStep(p, deviceState);
        }

        Array.Clear(partials);
        consumedBlocks = 0;
        LogDensityTerms(p, Fused ? FinishChunk : null);
        if (consumedBlocks == 0)
        {
            Parallel.For(0, Chunks, chunk => FinishChunk(chunk * ChunkBlocks, Math.Min(Data.BlockCount, (chunk + 1) * ChunkBlocks)));
        }
        else if (consumedBlocks != Data.BlockCount)
        {
            throw new InvalidOperationException($"The Mahalanobis kernel handed over {consumedBlocks} of {Data.BlockCount} blocks.");
        }

        sumsValid = true;

        double total = 0;
        foreach (double v in blockSums)
        {
            total += v;
        }

        LogLikelihoodSum = total;
        return total / Data.Count;
    }

    /// <summary>The sum of the rows' log-likelihoods in the last E-step (blocks added in order), before it is divided by the number of rows.</summary>
    internal double LogLikelihoodSum { get; private set; }

    /// <summary>
    /// The E-step on an ILGPU device: distances, responsibilities and the M-step's sums there; the blocks'
    /// log-likelihoods come back and are added in block order, as on the processor.
    /// </summary>
    private double DeviceEStep(GaussianMixture.Parameters p, GmmDeviceState state)
    {
        var offset = Offsets(p);
        DeviceDistances(p, state);
        var blocks = state.Normalize(offset, d * GmmMath.Log2Pi);
        deviceSums = state.Sums(Squares);
        sumsValid = true;
        double total = 0;
        foreach (double v in blocks)
        {
            total += v;
        }

        LogLikelihoodSum = total;
        return total / Data.Count;
    }

    /// <summary>The distance terms of every row and component, on the device.</summary>
    private void DeviceDistances(GaussianMixture.Parameters p, GmmDeviceState state)
    {
        var chol = p.PrecisionsCholesky;
        switch (type)
        {
            case CovarianceType.Full:
                RunMahalanobis(p.Means, chol, null);
                break;
            case CovarianceType.Tied:
                RunMahalanobis(p.Means, Replicated(chol), null);
                break;
            default:
            {
                // Diagonal: prec = chol^2 per feature; spherical: one per component, repeated over the features.
                var prec = new double[m * d];
                for (int c = 0; c < prec.Length; c++)
                {
                    double f = type == CovarianceType.Diagonal ? chol[c] : chol[c / d];
                    prec[c] = f * f;
                }

                state.Diagonal(p.Means, prec);
                break;
            }
        }
    }

    private bool Squares => type is CovarianceType.Diagonal or CovarianceType.Spherical;

    private double[] Replicated(double[] chol)
    {
        var replicated = new double[m * d * d];
        for (int k = 0; k < m; k++)
        {
            Array.Copy(chol, 0, replicated, k * d * d, d * d);
        }

        return replicated;
    }

    /// <summary>
    /// The E-step after the distances of one chunk (blocks <c>[first, end)</c>, <paramref name="first"/> a
    /// multiple of <see cref="ChunkBlocks"/>): log-probabilities, responsibilities, each block's
    /// log-likelihood and the chunk's sums for the M-step, block by block in order.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FinishChunk(int first, int end)
    {
        if (first % ChunkBlocks != 0 || end > Math.Min(Data.BlockCount, first + ChunkBlocks))
        {
            throw new InvalidOperationException($"Blocks [{first}, {end}) are not one chunk of {ChunkBlocks}.");
        }

        Span<double> scratch = stackalloc double[B];
        var part = partials.AsSpan(first / ChunkBlocks * SumsStride, SumsStride);
        for (int blk = first; blk < end; blk++)
        {
            Normalize(blk, scratch);

            // The M-step's sums, while this block's responsibilities are in cache.
            AccumulateSums(blk, part);
        }

        Interlocked.Add(ref consumedBlocks, end - first);
    }

    /// <summary>
    /// For the rows of one block: the distance terms in the work buffer become log(w_k) + log N(x | mu_k,
    /// Sigma_k) (kept there), then log-sum-exp over the components gives the responsibilities and the
    /// block's log-likelihood sum. One pass per vector of rows, all components at once; the arithmetic
    /// and its order are those of the separate steps (exp, log and reciprocal as in TensorPrimitives).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Normalize(int blk, Span<double> scratch)
    {
        // exp(wlp - max) with the argument clamped at ExpFloor: TensorPrimitives.Exp (and Vector256.Exp)
        // take a slow scalar path for arguments whose result is subnormal or zero, and in a well-separated
        // mixture most (row, component) pairs are that far from the row's best component. Those
        // responsibilities (below 1e-307, far beneath the rounding of a sum that is at least 1) are set to 0.
        // A vector of rows whose arguments are all at the floor gets exp(floor) without computing it (what
        // the exp would give): in float32 EM, with its higher floor, that skips most exps of a separated mixture.
        var floor = Vector256.Create(DataType == "float32" ? SingleExpFloor : ExpFloor);
        var atFloor = Vector256.Exp(floor);
        var constant = Vector256.Create(d * GmmMath.Log2Pi);
        var half = Vector256.Create(-0.5);
        ref double w0 = ref work[blk * m * B];
        ref double r0 = ref resp[blk * m * B];
        ref double o0 = ref offsets[0];
        ref double lse = ref MemoryMarshal.GetReference(scratch);
        for (nuint v = 0; v < B; v += 4)
        {
            var max = Vector256.Create(double.NegativeInfinity);
            for (int k = 0; k < m; k++)
            {
                nuint at = (nuint)(k * B) + v;
                var w = (half * (constant + Vector256.LoadUnsafe(ref w0, at))) + Vector256.Create(Unsafe.Add(ref o0, k));
                w.StoreUnsafe(ref w0, at);
                max = k == 0 ? w : Vector256.Max(max, w);
            }

            var sum = Vector256<double>.Zero;
            for (int k = 0; k < m; k++)
            {
                nuint at = (nuint)(k * B) + v;
                var argument = Vector256.LoadUnsafe(ref w0, at) - max;
                var e = Vector256.LessThanOrEqualAll(argument, floor) ? atFloor : Vector256.Exp(Vector256.Max(argument, floor));
                e.StoreUnsafe(ref r0, at);
                sum += e;
            }

            // resp = exp(wlp - max) / sum = exp(wlp - logsumexp)
            var inv = Vector256<double>.One / sum;
            for (int k = 0; k < m; k++)
            {
                nuint at = (nuint)(k * B) + v;
                var kept = Vector256.GreaterThan(Vector256.LoadUnsafe(ref w0, at) - max, floor);
                Vector256.ConditionalSelect(kept, Vector256.LoadUnsafe(ref r0, at) * inv, Vector256<double>.Zero).StoreUnsafe(ref r0, at);
            }

            (Vector256.Log(sum) + max).StoreUnsafe(ref lse, v); // each row's log-likelihood
        }

        int rows = Data.RowsInBlock(blk);
        if (rows < B)
        {
            for (int k = 0; k < m; k++)
            {
                resp.AsSpan((blk * m + k) * B + rows, B - rows).Clear();
            }
        }

        double total = 0;
        for (int b = 0; b < rows; b++)
        {
            total += scratch[b];
        }

        blockSums[blk] = total;
    }

    /// <summary>Adds one block's sum of responsibilities, of r x and (diagonal, spherical) of r x^2 per component to <paramref name="part"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void AccumulateSums(int blk, Span<double> part)
    {
        bool squares = type is CovarianceType.Diagonal or CovarianceType.Spherical;
        int md = m * d;
        var x = Data.BlockedArray;
        ref double rRef = ref resp[blk * m * B];
        ref double xRef = ref x[blk * d * B];
        ref double pRef = ref MemoryMarshal.GetReference(part);
        for (int k = 0; k < m; k++)
        {
            ref double rk = ref Unsafe.Add(ref rRef, k * B);
            var rs = Vector256<double>.Zero;
            for (nuint v = 0; v < B; v += 4)
            {
                rs += Vector256.LoadUnsafe(ref rk, v);
            }

            part[k] += Vector256.Sum(rs);
        }

        // sum_b r[k, b] x[i, b] in 4 x 4 tiles of (component, feature), 16 vector accumulators each.
        int k4 = m & ~3, i4 = d & ~3;
        for (int k = 0; k < k4; k += 4)
        {
            ref double r0 = ref Unsafe.Add(ref rRef, k * B);
            for (int i = 0; i < i4; i += 4)
            {
                ref double x0 = ref Unsafe.Add(ref xRef, i * B);
                var a00 = Vector256<double>.Zero; var a01 = Vector256<double>.Zero; var a02 = Vector256<double>.Zero; var a03 = Vector256<double>.Zero;
                var a10 = Vector256<double>.Zero; var a11 = Vector256<double>.Zero; var a12 = Vector256<double>.Zero; var a13 = Vector256<double>.Zero;
                var a20 = Vector256<double>.Zero; var a21 = Vector256<double>.Zero; var a22 = Vector256<double>.Zero; var a23 = Vector256<double>.Zero;
                var a30 = Vector256<double>.Zero; var a31 = Vector256<double>.Zero; var a32 = Vector256<double>.Zero; var a33 = Vector256<double>.Zero;
                for (nuint v = 0; v < B; v += 4)
                {
                    var e0 = Vector256.LoadUnsafe(ref x0, v);
                    var e1 = Vector256.LoadUnsafe(ref x0, v + B);
                    var e2 = Vector256.LoadUnsafe(ref x0, v + (2 * B));
                    var e3 = Vector256.LoadUnsafe(ref x0, v + (3 * B));
                    var w = Vector256.LoadUnsafe(ref r0, v);
                    a00 = Vector256.FusedMultiplyAdd(w, e0, a00); a01 = Vector256.FusedMultiplyAdd(w, e1, a01);
                    a02 = Vector256.FusedMultiplyAdd(w, e2, a02); a03 = Vector256.FusedMultiplyAdd(w, e3, a03);
                    w = Vector256.LoadUnsafe(ref r0, v + B);
                    a10 = Vector256.FusedMultiplyAdd(w, e0, a10); a11 = Vector256.FusedMultiplyAdd(w, e1, a11);
                    a12 = Vector256.FusedMultiplyAdd(w, e2, a12); a13 = Vector256.FusedMultiplyAdd(w, e3, a13);
                    w = Vector256.LoadUnsafe(ref r0, v + (2 * B));
                    a20 = Vector256.FusedMultiplyAdd(w, e0, a20); a21 = Vector256.FusedMultiplyAdd(w, e1, a21);
                    a22 = Vector256.FusedMultiplyAdd(w, e2, a22); a23 = Vector256.FusedMultiplyAdd(w, e3, a23);
                    w = Vector256.LoadUnsafe(ref r0, v + (3 * B));
                    a30 = Vector256.FusedMultiplyAdd(w, e0, a30); a31 = Vector256.FusedMultiplyAdd(w, e1, a31);
                    a32 = Vector256.FusedMultiplyAdd(w, e2, a32); a33 = Vector256.FusedMultiplyAdd(w, e3, a33);
                }

                ref double t = ref Unsafe.Add(ref pRef, m + (k * d) + i);
                AddSums(ref t, a00, a01, a02, a03);
                AddSums(ref Unsafe.Add(ref t, d), a10, a11, a12, a13);
                AddSums(ref Unsafe.Add(ref t, 2 * d), a20, a21, a22, a23);
                AddSums(ref Unsafe.Add(ref t, 3 * d), a30, a31, a32, a33);
            }
        }

        // The components and features the tiles left over.
        for (int k = 0; k < m; k++)
        {
            ref double rk = ref Unsafe.Add(ref rRef, k * B);
            for (int i = k < k4 ? i4 : 0; i < d; i++)
            {
                ref double xi = ref Unsafe.Add(ref xRef, i * B);
                var a0 = Vector256<double>.Zero;
                var a1 = Vector256<double>.Zero;
                for (nuint v = 0; v < B; v += 8)
                {
                    a0 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rk, v), Vector256.LoadUnsafe(ref xi, v), a0);
                    a1 = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rk, v + 4), Vector256.LoadUnsafe(ref xi, v + 4), a1);
                }

                part[m + k * d + i] += Vector256.Sum(a0 + a1);
            }
        }

        if (squares)
        {
            for (int k = 0; k < m; k++)
            {
                ref double rk = ref Unsafe.Add(ref rRef, k * B);
                for (int i = 0; i < d; i++)
                {
                    ref double xi = ref Unsafe.Add(ref xRef, i * B);
                    var q = Vector256<double>.Zero;
                    for (nuint v = 0; v < B; v += 4)
                    {
                        var xv = Vector256.LoadUnsafe(ref xi, v);
                        q = Vector256.FusedMultiplyAdd(Vector256.LoadUnsafe(ref rk, v) * xv, xv, q);
                    }

                    part[m + md + k * d + i] += Vector256.Sum(q);
                }
            }
        }
    }

    /// <summary>target[0..4] += (sum a, sum b, sum c, sum d).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddSums(ref double target, Vector256<double> a, Vector256<double> b, Vector256<double> c, Vector256<double> d)
    {
        if (Avx.IsSupported)
        {
            var ab = Avx.HorizontalAdd(a, b); // a0+a1, b0+b1, a2+a3, b2+b3
            var cd = Avx.HorizontalAdd(c, d);
            var sums = Avx.Permute2x128(ab, cd, 0x20) + Avx.Permute2x128(ab, cd, 0x31);
            (Vector256.LoadUnsafe(ref target) + sums).StoreUnsafe(ref target);
            return;
        }

        target += Vector256.Sum(a);
        Unsafe.Add(ref target, 1) += Vector256.Sum(b);
        Unsafe.Add(ref target, 2) += Vector256.Sum(c);
        Unsafe.Add(ref target, 3) += Vector256.Sum(d);
    }

    /// <summary>
    /// log(w_k) + log N(x | mu_k, Sigma_k) for every row and component, blocked layout
    /// <c>[(blk * M + k) * BlockSize + b]</c>. The returned buffer is reused by the next call.
    /// </summary>
    internal double[] WeightedLogProbabilities(GaussianMixture.Parameters p)
    {
        double[] offset;
        if (deviceState is not null)
        {
            offset = Offsets(p);
            DeviceDistances(p, deviceState);
            if (work.Length == 0)
            {
                work = new double[Data.BlockCount * m * B];
            }

            deviceState.DownloadDistances(work);
        }
        else
        {
            offset = LogDensityTerms(p, chunkWritten: null);
        }

        Parallel.For(0, Data.BlockCount, blk => FinishLogProbabilities(offset, blk));
        return work;
    }

    /// <summary>
    /// Fills the work buffer with each row's distance term (squared Mahalanobis distance, or scikit-learn's
    /// expanded form for diagonal and spherical) and returns log(w_k) + log det(P_k) per component (a
    /// buffer reused by the next call), which is set before the distances are computed, so that
    /// <paramref name="chunkWritten"/> may read it.
    /// </summary>
    private double[] LogDensityTerms(GaussianMixture.Parameters p, Action<int, int>? chunkWritten)
    {
        var offset = Offsets(p);
        var chol = p.PrecisionsCholesky;
        switch (type)
        {
            case CovarianceType.Full:
                RunMahalanobis(p.Means, chol, chunkWritten);
                break;
            case CovarianceType.Tied:
                RunMahalanobis(p.Means, Replicated(chol), chunkWritten);
                break;
            case CovarianceType.Diagonal:
                DiagonalLogProb(p);
                break;
            default:
                SphericalLogProb(p);
                break;
        }

        return offset;
    }

    /// <summary>log(w_k) + log det(P_k) per component, in a buffer reused by the next call.</summary>
    private double[] Offsets(GaussianMixture.Parameters p)
    {
        var offset = offsets;
        var chol = p.PrecisionsCholesky;
        for (int k = 0; k < m; k++)
        {
            double logDet = type switch
            {
                CovarianceType.Full => SumLogDiagonal(chol, k * d * d),
                CovarianceType.Tied => SumLogDiagonal(chol, 0),
                CovarianceType.Diagonal => SumLog(chol, k * d, d),
                _ => d * Math.Log(chol[k]),
            };
            offset[k] = logDet + Math.Log(p.Weights[k]);
        }

        return offset;
    }

    /// <summary>Turns one block's distance terms into log(w_k) + log N(x | mu_k, Sigma_k), in place.</summary>
    private void FinishLogProbabilities(double[] offset, int blk)
    {
        double constant = d * GmmMath.Log2Pi;
        for (int k = 0; k < m; k++)
        {
            var row = work.AsSpan((blk * m + k) * B, B);
            double o = offset[k];
            for (int b = 0; b < B; b++)
            {
                row[b] = -0.5 * (constant + row[b]) + o;
            }
        }
    }

    /// <summary>M-step: parameters from the responsibilities, written into <paramref name="p"/>.</summary>
    public void MStep(GaussianMixture.Parameters p) => Maximize(p, Statistics(), this);

    /// <summary>
    /// The M-step's sums over this data's rows (those of the last E-step, or computed from the responsibilities),
    /// per chunk added in chunk order: M sums of responsibilities, M x D sums of r x, and for diagonal and spherical
    /// M x D sums of r x^2.
    /// </summary>
    internal double[] Statistics()
    {
        double[] sums = deviceState is not null
            ? sumsValid ? deviceSums! : deviceState.Sums(Squares)
            : HostSums(Chunks, SumsStride);
        sumsValid = false;
        return sums;
    }

    /// <summary>The M-step's sums from the chunks' partial sums (computed now unless the E-step left them), added in chunk order.</summary>
    private double[] HostSums(int chunks, int stride)
    {
        if (!sumsValid)
        {
            Array.Clear(partials);
            Parallel.For(0, chunks, chunk =>
            {
                var part = partials.AsSpan(chunk * stride, stride);
                int end = Math.Min(Data.BlockCount, (chunk + 1) * ChunkBlocks);
                for (int blk = chunk * ChunkBlocks; blk < end; blk++)
                {
                    AccumulateSums(blk, part);
                }
            });
        }

        var sums = new double[stride];
        for (int chunk = 0; chunk < chunks; chunk++)
        {
            var part = partials.AsSpan(chunk * stride, stride);
            for (int c = 0; c < stride; c++)
            {
                sums[c] += part[c];
            }
        }

        return sums;
    }

    /// <summary>
    /// M-step from the sums of <see cref="Statistics"/> (of this data, or added over the shards of a cluster run);
    /// the full covariances and the Gram matrix come from <paramref name="rows"/>, which has all the rows.
    /// </summary>
    internal void Maximize(GaussianMixture.Parameters p, double[] sums, IEmRowStatistics rows)
    {
        int md = m * d;
        double total = 0;
        for (int k = 0; k < m; k++)
        {
            nk[k] = sums[k] + 10 * Epsilon;
            total += nk[k];
        }

        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                p.Means[k * d + i] = sums[m + k * d + i] / nk[k];
            }
        }

        switch (type)
        {
            case CovarianceType.Full:
                rows.Covariances(p, nk);
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        p.Covariances[(k * d + i) * d + i] += regularization;
                    }

                    GmmMath.PrecisionCholeskyOfCovariance(p.Covariances.AsSpan(k * d * d, d * d), p.PrecisionsCholesky.AsSpan(k * d * d, d * d), d);
                }

                break;
            case CovarianceType.Tied:
            {
                var gram = rows.Gram;
                for (int i = 0; i < d; i++)
                {
                    for (int j = 0; j < d; j++)
                    {
                        double s = 0;
                        for (int k = 0; k < m; k++)
                        {
                            s += nk[k] * p.Means[k * d + i] * p.Means[k * d + j];
                        }

                        p.Covariances[i * d + j] = (gram[i * d + j] - s) / total;
                    }

                    p.Covariances[i * d + i] += regularization;
                }

                GmmMath.PrecisionCholeskyOfCovariance(p.Covariances, p.PrecisionsCholesky, d);
                break;
            }

            default:
            {
                for (int k = 0; k < m; k++)
                {
                    double mean = 0;
                    for (int i = 0; i < d; i++)
                    {
                        double mu = p.Means[k * d + i];
                        double avgX2 = sums[m + md + k * d + i] / nk[k];
                        double avgXMeans = mu * sums[m + k * d + i] / nk[k];
                        double v = avgX2 - 2 * avgXMeans + mu * mu + regularization;
                        if (type == CovarianceType.Diagonal)
                        {
                            p.Covariances[k * d + i] = v;
                        }

                        mean += v;
                    }

                    if (type == CovarianceType.Spherical)
                    {
                        p.Covariances[k] = mean / d;
                    }
                }

                foreach (double v in p.Covariances)
                {
                    if (!(v > 0))
                    {
                        throw new InvalidOperationException(
                            "Fitting the mixture model failed because some components have ill-defined empirical covariance " +
                            "(for instance caused by singleton or collapsed samples). Try to decrease the number of components, " +
                            "or increase Regularization.");
                    }
                }

                for (int c = 0; c < p.Covariances.Length; c++)
                {
                    p.PrecisionsCholesky[c] = 1.0 / Math.Sqrt(p.Covariances[c]);
                }

                break;
            }
        }

        double weightSum = 0;
        for (int k = 0; k < m; k++)
        {
            weightSum += nk[k];
        }

        for (int k = 0; k < m; k++)
        {
            p.Weights[k] = nk[k] / weightSum;
        }
    }

    /// <summary>The full covariances' kernel on this data's rows, divided by <paramref name="componentWeights"/>, into <paramref name="output"/> (<c>M x D x D</c>).</summary>
    internal void Covariances(GaussianMixture.Parameters p, double[] componentWeights, double[] output) => RunCovariance(p, componentWeights, output);

    void IEmRowStatistics.Covariances(GaussianMixture.Parameters p, double[] componentWeights) => RunCovariance(p, componentWeights, p.Covariances);

    double[] IEmRowStatistics.Gram => Data.Gram;

    private void RunCovariance(GaussianMixture.Parameters p, double[] componentWeights, double[] output)
    {
        var input = new GmmKernelInput(Data, m, resp, p.Means, componentWeights, p.PrecisionsCholesky, output) { DeviceState = deviceState };
        if (covarianceRace is null && deviceState is not null)
        {
            // On a device the trial runs on all the rows, which are resident there (a prefix would be other data).
            covarianceRace = VariantSelector.SelectOrRace(
                GmmKernels.Covariance, Key(GmmKernels.CovarianceKernelName), store, k => k(input), partialTrial: false, forced, options.Logger);
        }

        if (covarianceRace is null)
        {
            var trialData = Data.Prefix(TrialRowsFor(d, m));
            var trialInput = new GmmKernelInput(trialData, m, resp, p.Means, componentWeights, p.PrecisionsCholesky, output);
            covarianceRace = VariantSelector.SelectOrRace(
                GmmKernels.Covariance, Key(GmmKernels.CovarianceKernelName), store, k => k(trialInput), !ReferenceEquals(trialData, Data), forced, options.Logger);
        }

        Run(covarianceRace, input, GmmKernels.CovarianceKernelName);
    }

    private void RunMahalanobis(double[] means, double[] precisionsCholesky, Action<int, int>? chunkWritten)
    {
        if (mahalanobisRace is null && deviceState is not null)
        {
            var deviceInput = new GmmKernelInput(Data, m, resp, means, nk, precisionsCholesky, work) { DeviceState = deviceState };
            mahalanobisRace = VariantSelector.SelectOrRace(
                GmmKernels.Mahalanobis, Key(GmmKernels.MahalanobisKernelName), store, k => k(deviceInput), partialTrial: false, forced, options.Logger);
        }

        if (mahalanobisRace is null)
        {
            var trialData = Data.Prefix(TrialRowsFor(d, m));
            var trialInput = new GmmKernelInput(trialData, m, resp, means, nk, precisionsCholesky, work);
            mahalanobisRace = VariantSelector.SelectOrRace(
                GmmKernels.Mahalanobis, Key(GmmKernels.MahalanobisKernelName), store, k => k(trialInput), !ReferenceEquals(trialData, Data), forced, options.Logger);
        }

        // While the race is open its candidates are timed on the distances alone.
        var input = new GmmKernelInput(Data, m, resp, means, nk, precisionsCholesky, work)
        {
            ChunkWritten = mahalanobisRace.IsDecided ? chunkWritten : null,
            DeviceState = deviceState,
        };
        Run(mahalanobisRace, input, GmmKernels.MahalanobisKernelName);
    }

    /// <summary>Ends open variant races (the fit ran out of iterations first) and reports their winners.</summary>
    public void ConcludeSelection()
    {
        foreach (var (race, kernel) in new[] { (covarianceRace, GmmKernels.CovarianceKernelName), (mahalanobisRace, GmmKernels.MahalanobisKernelName) })
        {
            if (race is not null && !race.IsDecided)
            {
                race.Conclude();
                VariantsRun[kernel] = race.Current.Key;
            }
        }
    }

    /// <summary>Runs the race's current variant; while the race is open, its time on the full problem is reported.</summary>
    private void Run(VariantRace<GmmKernel> race, GmmKernelInput input, string kernel)
    {
        var current = race.Current;
        if (race.IsDecided)
        {
            current.Value(input);
        }
        else
        {
            long start = Stopwatch.GetTimestamp();
            current.Value(input);
            race.Report(Stopwatch.GetElapsedTime(start).TotalSeconds);
        }

        VariantsRun[kernel] = race.IsDecided ? race.Current.Key : current.Key;
    }

    /// <summary>
    /// Most rows a variant trial runs on: enough to rank the variants (each block of rows costs the same),
    /// few enough that measuring a slow variant on a large problem stays cheap. On larger problems the
    /// trial's close finishers then race on the first real iterations (cache effects on all rows can
    /// reorder them), and the winner is kept per N bucket.
    /// </summary>
    internal const int TrialRows = 16_384;

    /// <summary>Fewest rows a variant trial runs on (unless the data has fewer): below this, parallel variants have too little work per thread to be ranked.</summary>
    internal const int MinTrialRows = 2_048;

    /// <summary>
    /// Work of one trial call, in rows x covariance cells x components, that the trial prefix is sized
    /// to: every candidate runs a few times, so with costly rows (large D and M) a trial on 16,384 rows
    /// would cost tens of EM iterations; a shorter prefix keeps it to a few, and the race on the real
    /// calls settles what the shorter prefix cannot.
    /// </summary>
    internal const long TrialWork = 1L << 25;

    /// <summary>Rows the variant trial runs on for dimension <paramref name="dimension"/> and <paramref name="components"/> components (see <see cref="TrialWork"/>).</summary>
    internal static int TrialRowsFor(int dimension, int components)
    {
        long perRow = (long)dimension * (dimension + 1) / 2 * components;
        return (int)Math.Clamp(TrialWork / Math.Max(perRow, 1), MinTrialRows, TrialRows);
    }

    private VariantKey Key(string kernel) => new(Device.Id, kernel, DataType, d, m, VariantKey.RowBucketOf(Data.Count));

    private double SumLogDiagonal(double[] chol, int offset)
    {
        double s = 0;
        for (int i = 0; i < d; i++)
        {
            s += Math.Log(chol[offset + i * d + i]);
        }

        return s;
    }

    private static double SumLog(double[] values, int offset, int count)
    {
        double s = 0;
        for (int i = 0; i < count; i++)
        {
            s += Math.Log(values[offset + i]);
        }

        return s;
    }

    private void DiagonalLogProb(GaussianMixture.Parameters p)
    {
        // scikit-learn: sum(mu^2 * prec) - 2 x . (mu * prec) + x^2 . prec, with prec = chol^2.
        var prec = new double[m * d];
        var meanPrec = new double[m * d];
        var t1 = new double[m];
        for (int c = 0; c < m * d; c++)
        {
            prec[c] = p.PrecisionsCholesky[c] * p.PrecisionsCholesky[c];
            meanPrec[c] = p.Means[c] * prec[c];
            t1[c / d] += p.Means[c] * p.Means[c] * prec[c];
        }

        var x = Data.BlockedArray;
        Parallel.For(0, Data.BlockCount, blk =>
        {
            for (int k = 0; k < m; k++)
            {
                var o = work.AsSpan((blk * m + k) * B, B);
                for (int b = 0; b < B; b++)
                {
                    double cross = 0, square = 0;
                    for (int i = 0; i < d; i++)
                    {
                        double xi = x[(blk * d + i) * B + b];
                        cross += xi * meanPrec[k * d + i];
                        square += xi * xi * prec[k * d + i];
                    }

                    o[b] = t1[k] - 2 * cross + square;
                }
            }
        });
    }

    private void SphericalLogProb(GaussianMixture.Parameters p)
    {
        // scikit-learn: sum(mu^2) * prec - 2 (x . mu) * prec + |x|^2 * prec, with prec = chol^2.
        var prec = new double[m];
        var t1 = new double[m];
        for (int k = 0; k < m; k++)
        {
            prec[k] = p.PrecisionsCholesky[k] * p.PrecisionsCholesky[k];
            double s = 0;
            for (int i = 0; i < d; i++)
            {
                s += p.Means[k * d + i] * p.Means[k * d + i];
            }

            t1[k] = s * prec[k];
        }

        var x = Data.BlockedArray;
        var means = p.Means;
        Parallel.For(0, Data.BlockCount, blk =>
        {
            for (int b = 0; b < B; b++)
            {
                double norm = 0;
                for (int i = 0; i < d; i++)
                {
                    double xi = x[(blk * d + i) * B + b];
                    norm += xi * xi;
                }

                for (int k = 0; k < m; k++)
                {
                    double dot = 0;
                    for (int i = 0; i < d; i++)
                    {
                        dot += x[(blk * d + i) * B + b] * means[k * d + i];
                    }

                    work[(blk * m + k) * B + b] = t1[k] - 2 * dot * prec[k] + norm * prec[k];
                }
            }
        });
    }
}
