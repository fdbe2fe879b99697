using System;
using System.IO;
using System.Runtime.InteropServices;
using Specialize.Distributed;

namespace Specialize.Mixture;

/// <summary>
/// The state of a fit between two EM iterations, written every <see cref="GaussianMixtureOptions.CheckpointInterval"/>
/// iterations to <see cref="GaussianMixtureOptions.CheckpointPath"/>, so that a fit that was stopped (a job that ran out
/// of time, a node that failed) resumes where it left off and ends with the result an uninterrupted fit gives: the
/// parameters, lower bound and iteration of the current initialization and the best one so far, bit for bit. The file
/// also identifies the problem (the data's size and a hash of its values, the options that change the result, float32
/// or float64 computation), and a fit never resumes from a file written for another. The device is not part of it: a
/// fit resumed on another device (a job restarted on other nodes) ends with that device's rounding from there on. Under MPI only rank 0 reads and writes it; the ranks agree on
/// what it holds and on any error.
/// </summary>
/// <remarks>
/// Format (little-endian): the tag <c>specialize-gmm-checkpoint/1</c>, the problem, then the state; written to a
/// temporary file that is then moved over the old one, so that a reader never sees half a file.
/// </remarks>
internal sealed class GmmCheckpoint
{
    private const string Tag = "specialize-gmm-checkpoint/1";
    private const string Operation = "GaussianMixture checkpoint";

    public GmmCheckpoint(int run, int iteration, double lowerBound, double change, GaussianMixture.Parameters current, double maxLowerBound, GaussianMixture.Parameters? best, int bestIterations, int bestRun, double lastChange, bool converged)
    {
        Run = run;
        Iteration = iteration;
        LowerBound = lowerBound;
        Change = change;
        Current = current;
        MaxLowerBound = maxLowerBound;
        Best = best;
        BestIterations = bestIterations;
        BestRun = bestRun;
        LastChange = lastChange;
        Converged = converged;
    }

    /// <summary>The initialization running (0-based).</summary>
    public int Run { get; }

    /// <summary>The last EM iteration done in <see cref="Run"/> (1-based).</summary>
    public int Iteration { get; }

    public double LowerBound { get; }

    public double Change { get; }

    public GaussianMixture.Parameters Current { get; }

    public double MaxLowerBound { get; }

    public GaussianMixture.Parameters? Best { get; }

    public int BestIterations { get; }

    public int BestRun { get; }

    public double LastChange { get; }

    public bool Converged { get; }

    /// <summary>The checkpoint to resume from, or <see langword="null"/> when the options name no file or the file does not exist.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, or was written for another problem (under MPI: inside a <see cref="ClusterException"/>).</exception>
    public static GmmCheckpoint? Load(GaussianMixtureOptions options, GmmData data, int runs, bool initialize)
    {
        if (options.CheckpointPath is not string path)
        {
            return null;
        }

        byte[] bytes = OnRoot(() => File.Exists(path) ? File.ReadAllBytes(path) : []);
        if (bytes.Length == 0)
        {
            return null;
        }

        var reader = new ByteReader(bytes);
        try
        {
            if (ClusterCodec<string>.Instance.Read(ref reader) != Tag)
            {
                throw new InvalidDataException($"The file {path} (CheckpointPath) is not a Gaussian-mixture checkpoint.");
            }

            byte[] problem = Problem(options, data, runs, initialize);
            if (!reader.ReadBytes(problem.Length).SequenceEqual(problem))
            {
                throw new InvalidDataException(
                    $"The checkpoint {path} (CheckpointPath) was written by a fit of other data or other options; delete it, or name another file, to start this fit afresh.");
            }

            int m = options.Components, d = data.Dimension;
            var state = new GmmCheckpoint(
                reader.ReadLength(),
                reader.ReadLength(),
                ReadDouble(ref reader),
                ReadDouble(ref reader),
                ReadParameters(ref reader, m, d, options.CovarianceType)!,
                ReadDouble(ref reader),
                ReadParameters(ref reader, m, d, options.CovarianceType),
                reader.ReadLength(),
                reader.ReadLength(),
                ReadDouble(ref reader),
                reader.ReadLength() != 0);
            reader.EnsureEnd();
            return state;
        }
        catch (ClusterException e)
        {
            throw new InvalidDataException($"The checkpoint {path} (CheckpointPath) is truncated or damaged: {e.Message}", e);
        }
    }

    /// <summary>Writes <paramref name="state"/> to the options' checkpoint file (on rank 0 under MPI).</summary>
    public static void Save(GaussianMixtureOptions options, GmmData data, int runs, bool initialize, GmmCheckpoint state)
    {
        string path = options.CheckpointPath!;
        OnRoot(() =>
        {
            var writer = new ByteWriter();
            ClusterCodec<string>.Instance.Write(writer, Tag);
            writer.Write(Problem(options, data, runs, initialize));
            writer.WriteLength(state.Run);
            writer.WriteLength(state.Iteration);
            WriteDouble(writer, state.LowerBound);
            WriteDouble(writer, state.Change);
            WriteParameters(writer, state.Current);
            WriteDouble(writer, state.MaxLowerBound);
            WriteParameters(writer, state.Best);
            writer.WriteLength(state.BestIterations);
            writer.WriteLength(state.BestRun);
            WriteDouble(writer, state.LastChange);
            writer.WriteLength(state.Converged ? 1 : 0);
            string full = Path.GetFullPath(path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            string temporary = $"{full}.{Environment.ProcessId}.tmp";
            File.WriteAllBytes(temporary, writer.ToArray());
            File.Move(temporary, full, overwrite: true);
            return [];
        });
    }

    /// <summary>Removes the options' checkpoint file once the fit is complete (on rank 0 under MPI).</summary>
    public static void Remove(GaussianMixtureOptions options)
    {
        if (options.CheckpointPath is string path)
        {
            OnRoot(() =>
            {
                File.Delete(path);
                return [];
            });
        }
    }

    /// <summary>Runs <paramref name="work"/> on rank 0 only under MPI and returns its bytes on every rank (its exception too); otherwise runs it here.</summary>
    private static byte[] OnRoot(Func<byte[]> work)
    {
        if (Cluster.Distributed is not { } cluster)
        {
            return work();
        }

        using var busy = Cluster.Enter(cluster, Operation);
        return ClusterExchange.Run(cluster, Operation, () => cluster.Rank == 0 ? work() : [])[0];
    }

    /// <summary>What identifies the fit: the data's shape and values, and every option that changes the result (the precision EM computes in among them).</summary>
    private static byte[] Problem(GaussianMixtureOptions options, GmmData data, int runs, bool initialize)
    {
        var writer = new ByteWriter();
        writer.WriteLong(data.Count);
        writer.WriteLength(data.Dimension);
        writer.WriteLong((long)ClusterCodecs.Hash(MemoryMarshal.AsBytes(data.Rows)));
        writer.WriteLength(options.Components);
        writer.WriteLength((int)options.CovarianceType);
        writer.WriteLength((int)options.Init);
        writer.WriteLength(options.Seed is null ? 0 : 1);
        writer.WriteLength(options.Seed ?? 0);
        WriteDouble(writer, options.Tolerance);
        WriteDouble(writer, options.Regularization);
        writer.WriteLength(options.MaxIterations);
        writer.WriteLength(runs);
        writer.WriteLength(initialize ? 1 : 0);
        writer.WriteLength(options.ComputesInSingle(data) ? 1 : 0);
        return writer.ToArray();
    }

    private static void WriteDouble(ByteWriter writer, double value) => writer.WriteLong(BitConverter.DoubleToInt64Bits(value));

    private static double ReadDouble(ref ByteReader reader) => BitConverter.Int64BitsToDouble(reader.ReadLong());

    private static void WriteParameters(ByteWriter writer, GaussianMixture.Parameters? p)
    {
        writer.WriteLength(p is null ? 0 : 1);
        if (p is not null)
        {
            foreach (double[] values in new[] { p.Weights, p.Means, p.Covariances, p.PrecisionsCholesky })
            {
                writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            }
        }
    }

    private static GaussianMixture.Parameters? ReadParameters(ref ByteReader reader, int m, int d, CovarianceType type)
    {
        if (reader.ReadLength() == 0)
        {
            return null;
        }

        var p = new GaussianMixture.Parameters(m, d, type);
        foreach (double[] values in new[] { p.Weights, p.Means, p.Covariances, p.PrecisionsCholesky })
        {
            MemoryMarshal.Cast<byte, double>(reader.ReadBytes(values.Length * sizeof(double))).CopyTo(values);
        }

        return p;
    }
}
