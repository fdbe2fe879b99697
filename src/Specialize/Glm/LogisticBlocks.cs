using System;
using System.Collections.Generic;
using System.Linq;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using Specialize.Devices;
using Specialize.Distributed;
using Specialize.Mixture;
using Specialize.Variants;

namespace Specialize.Glm;

/// <summary>
/// The rows of a logistic regression cut into pieces of whole blocks, and the per-piece partial sums Newton's method
/// needs: the log-loss and the gradient <c>X^T (mu - y)</c> (one fused pass over a piece's blocks), and the Hessian
/// <c>X^T S X</c> with <c>S = diag(mu (1 - mu))</c> (the GMM's SYRK covariance kernel, one component with mean 0 and the
/// weights <c>S</c> as its responsibilities). The design matrix carries the intercept as a last column of ones. On an
/// ILGPU device both run there (<see cref="IlgpuLogisticKernels"/>, then the GMM's ILGPU covariance kernel reading the
/// curvatures the fused pass left on the device).
/// </summary>
/// <remarks>
/// <para>The pieces depend only on the number of rows (<see cref="ClusterEm.Pieces"/>: at most 128, of at least 8,192
/// rows), never on the number of ranks or threads, and the partial sums of the pieces are added in piece order. One
/// process computes every piece; under MPI each rank computes its contiguous run of pieces (<see cref="ClusterEm.Owned"/>)
/// and the ranks all-gather the partials, so every rank adds the same numbers in the same order as one process: the
/// coefficients are the one-process coefficients bit for bit, for any number of ranks.</para>
/// <para>The Hessian runs one fixed SYRK variant (<c>Syrk-Chunk-512</c> where 512-bit vectors are accelerated, otherwise
/// <c>Syrk-Chunk</c>) rather than the variant the tuning store selects for mixtures: each variant rounds differently, and a
/// fit must not depend on what a store happened to learn.</para>
/// </remarks>
internal sealed class LogisticBlocks : IDisposable
{
    private const int B = GmmData.BlockSize;
    private const string Operation = "LogisticRegression.Fit";

    private readonly ICommunicator? cluster;
    private readonly int pieceCount;
    private readonly GmmData[] pieces;
    private readonly double[][] labels;
    private readonly double[][] curvature;
    private readonly GmmKernel syrk;
    private readonly GmmDeviceState?[] deviceStates;
    private readonly CancellationToken cancellationToken;

    private LogisticBlocks(ICommunicator? cluster, int rows, int columns, GmmData[] pieces, double[][] labels, ComputeDevice device, CancellationToken cancellationToken)
    {
        this.cluster = cluster;
        Device = device;
        deviceStates = new GmmDeviceState?[pieces.Length];
        this.pieces = pieces;
        this.labels = labels;
        this.cancellationToken = cancellationToken;
        Rows = rows;
        Columns = columns;
        pieceCount = ClusterEm.Pieces(rows).Count;
        curvature = new double[pieces.Length][];
        for (int i = 0; i < pieces.Length; i++)
        {
            // On a device the curvatures are computed and kept there.
            curvature[i] = device.IsIlgpu ? [] : new double[pieces[i].BlockCount * B];
        }

        string name = SyrkVariant;
        if (!GmmKernels.Covariance.TryGet(name, VariantRegistry<GmmKernel>.CpuDevices, out syrk))
        {
            throw new InvalidOperationException($"The covariance kernel variant {name} is not registered.");
        }
    }

    /// <summary>The SYRK variant the Hessian runs.</summary>
    internal static string SyrkVariant => System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? "Syrk-Chunk-512" : "Syrk-Chunk";

    /// <summary>Number of rows <c>N</c> (over all ranks).</summary>
    public int Rows { get; }

    /// <summary>Columns of the design matrix: the features, then the intercept's column of ones.</summary>
    public int Columns { get; }

    /// <summary>The device the fused pass and the Hessian run on: the processor, or an ILGPU device.</summary>
    public ComputeDevice Device { get; }

    /// <summary>Number of ranks the rows are sharded over (1 for one process).</summary>
    public int Ranks => cluster?.Size ?? 1;

    /// <summary>
    /// The pieces of the rows this process computes: all of them, or under MPI (more than one rank, outside another
    /// distributed operation's local part) this rank's. The rows and labels are checked by the caller.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static LogisticBlocks Create<T>(T[,] x, int[] y, string? device, CancellationToken cancellationToken)
        where T : unmanaged, INumberBase<T>
    {
        // The first device the setting allows other than the processor, else the processor.
        ComputeDevice chosen = device is null ? DeviceRuntime.Cpu : DeviceRuntime.Candidates(device).FirstOrDefault(static c => c.IsIlgpu) ?? DeviceRuntime.Cpu;
        var family = new object();
        int n = x.GetLength(0), d = x.GetLength(1), columns = d + 1;
        ICommunicator? cluster = Cluster.Distributed;
        (int pieceRows, int count) = ClusterEm.Pieces(n);
        (int first, int end) = cluster is null ? (0, count) : ClusterEm.Owned(count, cluster.Rank, cluster.Size);
        var pieces = new GmmData[end - first];
        var labels = new double[end - first][];
        ref T origin = ref Unsafe.As<byte, T>(ref MemoryMarshal.GetArrayDataReference(x));
        for (int g = first; g < end; g++)
        {
            int start = g * pieceRows, rows = Math.Min(pieceRows, n - start);
            var values = new double[rows * columns];
            var target = new double[((rows + B - 1) / B) * B];
            for (int r = 0; r < rows; r++)
            {
                ReadOnlySpan<T> source = MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref origin, (nint)(start + r) * d), d);
                Span<double> row = values.AsSpan(r * columns, columns);
                for (int i = 0; i < d; i++)
                {
                    row[i] = double.CreateTruncating(source[i]);
                }

                row[d] = 1.0;
                target[r] = y[start + r];
            }

            pieces[g - first] = GmmData.Adopt(values, columns, family);
            labels[g - first] = target;
        }

        return new LogisticBlocks(cluster, n, columns, pieces, labels, chosen, cancellationToken);
    }

    /// <summary>
    /// The sum of the log-loss over all rows, and the gradient <c>X^T (mu - y)</c>, at <paramref name="w"/> (the last
    /// value the intercept); remembers each row's <c>mu (1 - mu)</c> for the next <see cref="Hessian"/>.
    /// </summary>
    public (double LossSum, double[] Gradient) Evaluate(double[] w)
    {
        double[] added = SumOverPieces(piece => EvaluatePiece(piece, w), 1 + Columns);
        return (added[0], added.AsSpan(1).ToArray());
    }

    /// <summary>The upper triangle, row by row, of <c>X^T S X</c> at the coefficients of the last <see cref="Evaluate"/>.</summary>
    public double[] Hessian() => SumOverPieces(HessianPiece, Columns * (Columns + 1) / 2);

    /// <summary>Frees the pieces' device buffers.</summary>
    public void Dispose()
    {
        foreach (GmmDeviceState? state in deviceStates)
        {
            state?.Dispose();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double[] EvaluatePiece(int piece, double[] w)
    {
        if (Device.IsIlgpu)
        {
            // The fused pass on the device: the curvatures stay there for the Hessian.
            return DeviceState(piece).Logistic(labels[piece], w);
        }

        GmmData data = pieces[piece];
        double[] y = labels[piece];
        double[] s = curvature[piece];
        double[] x = data.BlockedArray;
        int columns = Columns;
        var partial = new double[1 + columns];
        Span<double> eta = stackalloc double[B];
        Span<double> residual = stackalloc double[B];
        for (int blk = 0; blk < data.BlockCount; blk++)
        {
            int live = data.RowsInBlock(blk);
            int at = blk * B;
            eta.Clear();
            for (int i = 0; i < columns; i++)
            {
                MultiplyAdd(x.AsSpan(((blk * columns) + i) * B, B), w[i], eta);
            }

            double loss = 0;
            for (int b = 0; b < live; b++)
            {
                // With t = exp(-|z|): log(1 + e^z) = max(z, 0) + log1p(t), mu = 1 / (1 + t) or t / (1 + t), mu (1 - mu) = t / (1 + t)^2.
                double z = eta[b], label = y[at + b];
                double t = Math.Exp(-Math.Abs(z)), onePlus = 1.0 + t;
                loss += Math.Max(z, 0.0) + LogOnePlus(t) - (label * z);
                double mu = z >= 0 ? 1.0 / onePlus : t / onePlus;
                residual[b] = mu - label;
                s[at + b] = t / (onePlus * onePlus);
            }

            for (int b = live; b < B; b++)
            {
                residual[b] = 0;
                s[at + b] = 0;
            }

            partial[0] += loss;
            for (int i = 0; i < columns; i++)
            {
                partial[1 + i] += Dot(x.AsSpan(((blk * columns) + i) * B, B), residual);
            }
        }

        return partial;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private double[] HessianPiece(int piece)
    {
        int columns = Columns;
        var output = new double[columns * columns];
        if (Device.IsIlgpu)
        {
            // The piece's rows stay resident on the device for the fit (the pieces share a family), and the curvatures the
            // device's fused pass left there are the responsibilities the covariance kernel reads.
            GmmDeviceState state = DeviceState(piece);
            state.Covariance(IlgpuCovarianceVariant.V4B128, new double[columns], [1.0], output);
        }
        else
        {
            syrk(new GmmKernelInput(pieces[piece], 1, curvature[piece], new double[columns], [1.0], [], output));
        }
        var packed = new double[columns * (columns + 1) / 2];
        for (int i = 0, q = 0; i < columns; i++)
        {
            for (int j = i; j < columns; j++)
            {
                packed[q++] = output[(i * columns) + j];
            }
        }

        return packed;
    }

    /// <summary>The piece's buffers on the device, created on first use.</summary>
    private GmmDeviceState DeviceState(int piece) => deviceStates[piece] ??= GmmDeviceState.Create(Device, pieces[piece], 1, singlePrecision: false);

    // The block's two vector loops are written here rather than called in System.Numerics.Tensors, so that they are
    // compiled into EvaluatePiece, optimized from its first call: a library method starts unoptimized, and a rank
    // started with DOTNET_PROCESSOR_COUNT=1 waits ten times longer before the runtime recompiles it (measured: fits
    // under mpiexec -n 2 took 1.4 to 2.7 times as long as one process before this).

    /// <summary><c>eta += a * x</c> over one block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void MultiplyAdd(ReadOnlySpan<double> x, double a, Span<double> eta)
    {
        var factor = new Vector<double>(a);
        for (int b = 0; b < B; b += Vector<double>.Count)
        {
            Vector<double> sum = new Vector<double>(eta.Slice(b)) + (new Vector<double>(x.Slice(b)) * factor);
            sum.CopyTo(eta.Slice(b));
        }
    }

    /// <summary>The dot product of two blocks, in lanes, the lanes added in order.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> r)
    {
        Vector<double> sum = Vector<double>.Zero;
        for (int b = 0; b < B; b += Vector<double>.Count)
        {
            sum += new Vector<double>(x.Slice(b)) * new Vector<double>(r.Slice(b));
        }

        return Vector.Sum(sum);
    }

    /// <summary><c>log(1 + t)</c> for <c>0 &lt;= t &lt;= 1</c>, accurate for small <c>t</c>.</summary>
    internal static double LogOnePlus(double t)
    {
        double u = 1.0 + t;
        return u == 1.0 ? t : Math.Log(u) * t / (u - 1.0);
    }

    /// <summary>This process's pieces' values, computed in parallel, each piece into its own slot.</summary>
    private double[] Local(Func<int, double[]> perPiece, int width, CancellationToken token)
    {
        var local = new double[pieces.Length * width];
        token.ThrowIfCancellationRequested();
        Parallel.For(0, pieces.Length, new ParallelOptions { CancellationToken = token }, piece => perPiece(piece).CopyTo(local, piece * width));
        return local;
    }

    /// <summary>Every piece's <paramref name="width"/> values (this process's from <paramref name="perPiece"/>), added in piece order.</summary>
    private double[] SumOverPieces(Func<int, double[]> perPiece, int width)
    {
        double[] all;
        if (cluster is null)
        {
            all = Local(perPiece, width, cancellationToken);
        }
        else
        {
            // The local part runs inside the exchange, so that a failure or a cancellation on one rank reaches every rank.
            using var busy = Cluster.Enter(cluster, Operation);
            byte[][] parts = ClusterExchange.Run(
                cluster,
                Operation,
                () =>
                {
                    using (Cluster.RunLocally())
                    {
                        return MemoryMarshal.AsBytes(Local(perPiece, width, CancellationToken.None).AsSpan()).ToArray();
                    }
                },
                cancellationToken);
            all = ClusterExchange.Concatenate(parts);
        }

        if (all.Length != width * pieceCount)
        {
            throw new ClusterException($"{Operation}: gathered {all.Length} values from {pieceCount} pieces, expected {width} per piece.");
        }

        var added = new double[width];
        for (int g = 0; g < pieceCount; g++)
        {
            TensorPrimitives.Add(added, all.AsSpan(g * width, width), added);
        }

        return added;
    }
}
