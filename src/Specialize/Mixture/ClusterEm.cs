using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using Specialize.Devices;
using Specialize.Distributed;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>The steps of EM that <see cref="GaussianMixture"/> runs: on one process (<see cref="EmState"/>) or over the ranks of an MPI job (<see cref="ClusterEm"/>).</summary>
internal interface IEmSteps : IDisposable
{
    /// <summary>All rows (initialization reads them).</summary>
    GmmData Data { get; }

    /// <summary>The device this process's EM runs on.</summary>
    ComputeDevice Device { get; }

    /// <summary>The element type the heavy kernels compute in: <c>"float32"</c> or <c>"float64"</c>.</summary>
    string DataType { get; }

    /// <summary>The variant that ran for each kernel (and the device, under <see cref="GmmKernels.DeviceKey"/>).</summary>
    Dictionary<string, string> VariantsRun { get; }

    /// <summary>Loads row-major <c>N x M</c> responsibilities of all rows.</summary>
    void SetResponsibilities(double[] rowMajor);

    /// <summary>E-step; returns the mean log-likelihood over all rows.</summary>
    double EStep(GaussianMixture.Parameters p);

    /// <summary>M-step into <paramref name="p"/>.</summary>
    void MStep(GaussianMixture.Parameters p);

    /// <summary>Ends open variant races.</summary>
    void ConcludeSelection();
}

/// <summary>What the M-step needs from all rows besides the sums: the full covariances and the Gram matrix.</summary>
internal interface IEmRowStatistics
{
    /// <summary>Writes the full covariances (without regularization), from <c>p.Means</c> and the component weights, into <c>p.Covariances</c>.</summary>
    void Covariances(GaussianMixture.Parameters p, double[] componentWeights);

    /// <summary><c>X^T X</c> over all rows, <c>D x D</c>.</summary>
    double[] Gram { get; }
}

/// <summary>
/// EM with its rows sharded over the ranks of an MPI job. The rows are cut into pieces whose size depends only on
/// the number of rows (pieces of whole chunks, at least <see cref="MinPieceRows"/> rows, at most <see cref="MaxPieces"/>
/// pieces), never on the number of ranks; each
/// rank owns a contiguous run of pieces and keeps an <see cref="EmState"/> per piece, on the device and in the precision
/// the rank chose (<see cref="GmmDeviceSelection.Choose"/> on the rank's first piece; with several GPUs on a node, each
/// rank considers only GPU <c>LocalRank mod GPUs</c>), so every kernel variant, on the processor or a device, runs on a
/// piece as it would on any data, and a device's sums join the same reduction. Per iteration the ranks all-gather each piece's
/// log-likelihood sum and M-step sums (and, for full covariances, each piece's covariance sums from the kernel),
/// and every rank adds them in piece order and runs the same M-step: every rank holds the same parameters, and the
/// result does not depend on the number of ranks. It differs from the one-process fit (which adds chunk by chunk
/// over all rows) only in the rounding of those sums: the same iterations, the lower bound to about 1e-15 relative.
/// </summary>
internal sealed class ClusterEm : IEmSteps, IEmRowStatistics
{
    /// <summary>Most pieces the rows are cut into: the most ranks a fit can use, and the number of partial sums each iteration gathers.</summary>
    internal const int MaxPieces = 128;

    /// <summary>
    /// Fewest rows in a piece (16 kernel chunks): on smaller pieces the kernels' fixed costs per call and the variant
    /// trials on few rows cost more than the finer balance gains (measured: pieces of 1,536 rows took twice the time
    /// of pieces of 8,192 rows for N = 150,000, D = 19, M = 16 on two ranks).
    /// </summary>
    internal const int MinPieceRows = 16 * GmmKernels.ChunkBlocks * GmmData.BlockSize;

    private const string Operation = "GaussianMixture.Fit";

    private readonly ICommunicator cluster;
    private readonly int m;
    private readonly int d;
    private readonly int pieceRows;
    private readonly int pieceCount;
    private readonly int firstPiece;
    private readonly EmState[] pieces;
    private readonly EmState lead;
    private readonly CancellationToken cancellationToken;
    private double[]? sums;

    private ClusterEm(ICommunicator cluster, GmmData data, int m, CovarianceType type, double regularization, TuningStore store, string? forced, GaussianMixtureOptions options, bool singlePrecision, CancellationToken cancellationToken)
    {
        this.cluster = cluster;
        this.cancellationToken = cancellationToken;
        this.m = m;
        d = data.Dimension;
        Data = data;
        (pieceRows, pieceCount) = Pieces(data.Count);
        (firstPiece, int endPiece) = Owned(pieceCount, cluster.Rank, cluster.Size);
        GmmData[] rows = Shards(data, pieceRows, firstPiece, endPiece);

        // The device is chosen on this rank's pieces (all of at most pieceRows rows), which are what it runs on; a rank
        // without pieces computes nothing.
        Device = rows.Length > 0 ? GmmDeviceSelection.Choose(rows[0], m, type, singlePrecision, options, store) : DeviceRuntime.Cpu;
        pieces = new EmState[rows.Length];
        try
        {
            for (int i = 0; i < rows.Length; i++)
            {
                pieces[i] = new EmState(rows[i], m, type, regularization, store, forced, options, Device, singlePrecision);
            }

            // The M-step itself (the same on every rank) needs no rows and runs no kernel: one block on the processor holds it.
            lead = new EmState(data.Prefix(GmmData.BlockSize), m, type, regularization, store, forced, options);
        }
        catch
        {
            Dispose();
            throw;
        }

        DataType = EmState.DataTypeOf(Device, type, singlePrecision);
    }

    public GmmData Data { get; }

    public ComputeDevice Device { get; }

    public string DataType { get; }

    public Dictionary<string, string> VariantsRun => pieces.Length > 0 ? pieces[0].VariantsRun : lead.VariantsRun;

    /// <summary>Frees the pieces' device buffers (their rows stay resident for the next fit on them).</summary>
    public void Dispose()
    {
        foreach (EmState? piece in pieces)
        {
            piece?.Dispose();
        }

        lead?.Dispose();
    }

    /// <summary>The Gram matrix of all rows, computed once per fit on every rank exactly as one process computes it (every rank holds all rows).</summary>
    double[] IEmRowStatistics.Gram => Data.Gram;

    /// <summary>
    /// A sharded EM where the fit runs under MPI with more than one rank (outside another distributed operation's
    /// local part); otherwise <see langword="null"/>. Every step checks <paramref name="cancellationToken"/> and the
    /// ranks agree: a cancellation on any rank cancels the step on every rank.
    /// </summary>
    public static ClusterEm? TryCreate(GmmData data, int m, CovarianceType type, double regularization, TuningStore store, string? forced, GaussianMixtureOptions options, bool singlePrecision, CancellationToken cancellationToken) =>
        Cluster.Distributed is { } cluster ? new ClusterEm(cluster, data, m, type, regularization, store, forced, options, singlePrecision, cancellationToken) : null;

    /// <summary>
    /// This rank's pieces of <paramref name="data"/> as data of their own, each cut and converted once per data and kept
    /// with it (by piece: the pieces depend only on the rows), so that several fits on one <see cref="GmmData"/> (a
    /// search over the number of components) convert it once, as one process does, and find the pieces still resident
    /// on a device.
    /// </summary>
    private static GmmData[] Shards(GmmData data, int pieceRows, int firstPiece, int endPiece)
    {
        var kept = s_shards.GetOrCreateValue(data);
        lock (kept)
        {
            var pieces = new GmmData[endPiece - firstPiece];
            for (int g = firstPiece; g < endPiece; g++)
            {
                if (!kept.TryGetValue(g, out GmmData? piece))
                {
                    int first = g * pieceRows;
                    piece = data.Slice(first, Math.Min(pieceRows, data.Count - first));
                    kept[g] = piece;
                }

                pieces[g - firstPiece] = piece;
            }

            return pieces;
        }
    }

    /// <summary>The pieces cut from each <see cref="GmmData"/>, by piece index.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<GmmData, Dictionary<int, GmmData>> s_shards = [];

    /// <summary>Rows per piece (a multiple of a kernel chunk) and the number of pieces, for <paramref name="rows"/> rows.</summary>
    internal static (int Rows, int Count) Pieces(int rows)
    {
        const int chunkRows = GmmKernels.ChunkBlocks * GmmData.BlockSize;
        int chunks = (rows + chunkRows - 1) / chunkRows;
        int perPiece = Math.Max(MinPieceRows / chunkRows, (chunks + MaxPieces - 1) / MaxPieces);
        int pieceRows = perPiece * chunkRows;
        return (pieceRows, (rows + pieceRows - 1) / pieceRows);
    }

    /// <summary>Pieces <c>[first, end)</c> of rank <paramref name="rank"/>: contiguous, as even as whole pieces allow.</summary>
    internal static (int First, int End) Owned(int count, int rank, int ranks) =>
        ((int)((long)count * rank / ranks), (int)((long)count * (rank + 1) / ranks));

    public void SetResponsibilities(double[] rowMajor)
    {
        sums = null;
        for (int i = 0; i < pieces.Length; i++)
        {
            int first = (firstPiece + i) * pieceRows;
            pieces[i].SetResponsibilities(rowMajor.AsSpan(first * m, pieces[i].Data.Count * m).ToArray());
        }
    }

    public double EStep(GaussianMixture.Parameters p)
    {
        double[] all = Gather(
            piece =>
            {
                piece.EStep(p);
                double[] statistics = piece.Statistics();
                var packed = new double[1 + statistics.Length];
                packed[0] = piece.LogLikelihoodSum;
                statistics.CopyTo(packed, 1);
                return packed;
            });
        int width = all.Length / pieceCount;
        double total = 0;
        var added = new double[width - 1];
        for (int g = 0; g < pieceCount; g++)
        {
            total += all[g * width];
            for (int c = 0; c < added.Length; c++)
            {
                added[c] += all[(g * width) + 1 + c];
            }
        }

        sums = added;
        return total / Data.Count;
    }

    public void MStep(GaussianMixture.Parameters p)
    {
        double[] statistics = sums ?? SumOverPieces(static piece => piece.Statistics(), -1);
        sums = null;
        lead.Maximize(p, statistics, this);
    }

    public void ConcludeSelection()
    {
        foreach (EmState piece in pieces)
        {
            piece.ConcludeSelection();
        }
    }

    void IEmRowStatistics.Covariances(GaussianMixture.Parameters p, double[] componentWeights)
    {
        // Each piece's kernel output is symmetric: the upper triangles travel, and the sum is mirrored.
        int triangle = d * (d + 1) / 2;
        double[] added = SumOverPieces(
            piece =>
            {
                var full = new double[m * d * d];
                piece.Covariances(p, componentWeights, full);
                var packed = new double[m * triangle];
                for (int k = 0, at = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = i; j < d; j++)
                        {
                            packed[at++] = full[((k * d) + i) * d + j];
                        }
                    }
                }

                return packed;
            },
            m * triangle);
        for (int k = 0, at = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                for (int j = i; j < d; j++)
                {
                    double v = added[at++];
                    p.Covariances[((k * d) + i) * d + j] = v;
                    p.Covariances[((k * d) + j) * d + i] = v;
                }
            }
        }
    }

    /// <summary>Every piece's values (this rank's from <paramref name="perPiece"/>), added in piece order on every rank.</summary>
    private double[] SumOverPieces(Func<EmState, double[]> perPiece, int width)
    {
        double[] all = Gather(perPiece);
        width = width < 0 ? all.Length / pieceCount : width;
        if (all.Length != width * pieceCount)
        {
            throw new ClusterException($"{Operation}: gathered {all.Length} values from {pieceCount} pieces, expected {width} per piece.");
        }

        var added = new double[width];
        for (int g = 0; g < pieceCount; g++)
        {
            for (int c = 0; c < width; c++)
            {
                added[c] += all[(g * width) + c];
            }
        }

        return added;
    }

    /// <summary>This rank's pieces' values, then every piece's in piece order (the ranks own contiguous runs of pieces in rank order).</summary>
    private double[] Gather(Func<EmState, double[]> perPiece)
    {
        using var busy = Cluster.Enter(cluster, Operation);
        byte[][] parts = ClusterExchange.Run(cluster, Operation, () =>
        {
            var values = new List<double>();
            using (Cluster.RunLocally())
            {
                foreach (EmState piece in pieces)
                {
                    values.AddRange(perPiece(piece));
                }
            }

            return MemoryMarshal.AsBytes(CollectionsMarshal.AsSpan(values)).ToArray();
        }, cancellationToken);
        return ClusterExchange.Concatenate(parts);
    }
}
