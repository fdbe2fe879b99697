using System;
using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading;
using Specialize.Blb;
using Specialize.Devices;
using Specialize.Distributed;

namespace Specialize;

/// <summary>BLB over the ranks of an MPI job: subsamples are dealt to the ranks and only their results travel.</summary>
public static partial class BlbRuntime
{
    private const string ClusterOperation = "BLB";

    /// <summary>
    /// Runs BLB with the subsamples dealt to the ranks: subsample <c>j</c> of each wave to rank <c>j mod Size</c>, the
    /// full-data pass to the rank with one subsample fewer. Every rank can draw any subsample's rows and weights
    /// from its counter-based streams, so no data travels: each rank computes its subsamples exactly as one process
    /// would (same streams, same arithmetic), then the ranks all-gather each subsample's own estimate, bootstrap
    /// estimates and bootstrap count, and every rank reduces them in the same order. The result is the one-process
    /// result, bit for bit, on every rank and for any number of ranks. An adaptive run deals waves of subsamples and
    /// checks its stopping rule, subsample by subsample in order, after each wave, as one process does.
    /// With a GPU form, each rank chooses where its subsamples' bootstraps run as one process would (among its own GPU
    /// and the processor, on a node with several GPUs), and runs them there; their results join the same ordered
    /// reduction. A subsample's bootstrap estimates on a device do not depend on which rank computes it nor on how
    /// many subsamples a launch takes, so when every rank runs on the same kind of device the result is the
    /// one-process result on that device, bit for bit.
    /// </summary>
    private static RawResult ExecuteOnCluster<TEvaluator>(
        ICommunicator cluster,
        TEvaluator evaluator,
        IBlbDeviceForm? device,
        int n,
        int b,
        int bytesPerRow,
        int threads,
        BlbDataLayout layout,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken,
        Stopwatch stopwatch)
        where TEvaluator : IBlbEvaluator
    {
        using var busy = Cluster.Enter(cluster, ClusterOperation);

        // A vector-valued estimate's length is known only from a call: every rank makes the full-data pass first
        // (all throw alike on NaN). A scalar estimator's full-data pass is one rank's work item.
        double[]? estimate = evaluator.KnownDimension == 0 ? FullDataPass(evaluator, n) : null;
        int dimension = estimate?.Length ?? evaluator.KnownDimension;
        ComputeDevice computeDevice = device is null
            ? DeviceRuntime.Cpu
            : ChooseDeviceOnCluster(cluster, evaluator, device, n, b, dimension, bytesPerRow, layout, threads, options, cancellationToken);
        if (computeDevice.IsIlgpu)
        {
            layout = BlbDataLayout.LoadIn;
        }

        var run = new RunState(n, b, options.Subsamples, options.Bootstraps, dimension, layout, options, reduceBootstraps, progress, cancellationToken);
        int used = run.ComputeOnCluster(evaluator, threads, cluster, fullData: estimate is null, device, computeDevice, bytesPerRow);
        estimate ??= CheckFullData(run.FullData!);
        return Finish(run.Reduce(used, estimate, average), layout, threads, computeDevice, b, stopwatch);
    }

    /// <summary>
    /// This rank's device for its bootstraps (<see cref="ChooseDevice"/>, a trial included where one is measured),
    /// chosen as this rank's local work of one step, so that a failure or a cancellation on any rank is every rank's.
    /// </summary>
    private static ComputeDevice ChooseDeviceOnCluster<TEvaluator>(ICommunicator cluster, TEvaluator evaluator, IBlbDeviceForm device, int n, int b, int dimension, int bytesPerRow, BlbDataLayout layout, int threads, BlbOptions options, CancellationToken cancellationToken)
        where TEvaluator : IBlbEvaluator
    {
        ComputeDevice chosen = DeviceRuntime.Cpu;
        ClusterExchange.Run(
            cluster,
            ClusterOperation,
            () =>
            {
                using (Cluster.RunLocally())
                {
                    chosen = ChooseDevice(evaluator, device, n, b, dimension, bytesPerRow, layout, threads, options);
                }

                return [];
            },
            cancellationToken);
        return chosen;
    }

    /// <summary>Subsamples <c>First</c>, <c>First + Stride</c>, ... (<c>Count</c> of them): a range of one process, or one rank's share of it.</summary>
    private readonly record struct SubsampleSet(int First, int Stride, int Count)
    {
        public int this[int t] => First + (t * Stride);

        public static SubsampleSet Range(int start, int end) => new(start, 1, end - start);

        /// <summary>Rank <paramref name="rank"/>'s subsamples of <c>[start, end)</c> when subsample <c>j</c> goes to rank <c>j mod ranks</c>.</summary>
        public static SubsampleSet Dealt(int start, int end, int rank, int ranks)
        {
            int first = start + ((rank - (start % ranks) + ranks) % ranks);
            return new SubsampleSet(first, ranks, first < end ? ((end - first - 1) / ranks) + 1 : 0);
        }
    }

    private sealed partial class RunState
    {
        /// <summary>
        /// This rank's share of every wave, then every rank's results of the wave; returns how many subsamples are
        /// used, the same on every rank. With <paramref name="fullData"/>, one rank also makes the full-data pass
        /// (<see cref="FullData"/> is then set on every rank). Where <paramref name="device"/> is an ILGPU device, this
        /// rank's bootstraps run there through <paramref name="form"/>.
        /// </summary>
        public int ComputeOnCluster<TEvaluator>(TEvaluator evaluator, int threads, ICommunicator cluster, bool fullData, IBlbDeviceForm? form, ComputeDevice device, int bytesPerRow)
            where TEvaluator : IBlbEvaluator
        {
            int ranks = cluster.Size, rank = cluster.Rank;
            int fullDataRank = _s % ranks;
            int wave = _options.Adaptive ? Math.Max(ranks * threads, _options.AdaptiveSubsampleWindow + 1) : _s;
            var history = new double[_s * _d];
            for (int start = 0; start < _s; start += wave)
            {
                int end = Math.Min(_s, start + wave);
                SubsampleSet mine = SubsampleSet.Dealt(start, end, rank, ranks);
                bool fullHere = fullData && start == 0 && rank == fullDataRank;
                byte[][] results = ClusterExchange.Run(
                    cluster,
                    ClusterOperation,
                    () =>
                    {
                        using (Cluster.RunLocally())
                        {
                            // In pieces on several threads the full-data pass is one of the wave's items; otherwise it runs first.
                            bool inPieces = threads > 1 && !_options.Adaptive;
                            if (fullHere && !inPieces)
                            {
                                FullData = FullDataEstimate(evaluator, _n);
                            }

                            if (device.IsIlgpu)
                            {
                                ComputeOnDevice(evaluator, form!, device, bytesPerRow, threads, fullHere && inPieces, mine);
                            }
                            else
                            {
                                ComputeWave(evaluator, mine, threads, fullHere && inPieces);
                            }
                        }

                        _cancellationToken.ThrowIfCancellationRequested();
                        return Pack(mine, fullHere ? FullData : null);
                    },
                    _cancellationToken);
                for (int r = 0; r < ranks; r++)
                {
                    if (r != rank)
                    {
                        Unpack(results[r], SubsampleSet.Dealt(start, end, r, ranks));
                    }
                }

                if (_options.Adaptive && StopWithin(history, start, end) is int used and > 0)
                {
                    return used;
                }
            }

            return _s;
        }

        /// <summary>A flag and the full-data estimate where this rank made it; then per subsample its bootstrap count, own estimate and bootstrap estimates.</summary>
        private byte[] Pack(SubsampleSet mine, double[]? fullData)
        {
            var writer = new ByteWriter();
            writer.WriteLength(fullData is null ? 0 : 1);
            if (fullData is not null)
            {
                WriteDoubles(writer, fullData);
            }

            for (int t = 0; t < mine.Count; t++)
            {
                int j = mine[t];
                writer.WriteLength(_bootstrapsUsed[j]);
                WriteDoubles(writer, _own[j]);
                WriteDoubles(writer, _estimates[j].AsSpan(0, _bootstrapsUsed[j] * _d));
            }

            return writer.ToArray();
        }

        private void Unpack(byte[] bytes, SubsampleSet theirs)
        {
            var reader = new ByteReader(bytes);
            if (reader.ReadLength() != 0)
            {
                FullData = ReadDoubles(ref reader, _d);
            }

            for (int t = 0; t < theirs.Count; t++)
            {
                int j = theirs[t];
                int used = reader.ReadLength();
                if (used < 1 || used > _r)
                {
                    throw new ClusterException($"BLB: subsample {j} arrived with {used} bootstraps; expected 1 to {_r}.");
                }

                _bootstrapsUsed[j] = used;
                _own[j] = ReadDoubles(ref reader, _d);
                _estimates[j] = new double[_r * _d];
                ReadDoubles(ref reader, used * _d).CopyTo(_estimates[j], 0);
            }

            reader.EnsureEnd();
        }

        private static void WriteDoubles(ByteWriter writer, ReadOnlySpan<double> values) => writer.Write(MemoryMarshal.AsBytes(values));

        private static double[] ReadDoubles(ref ByteReader reader, int count) =>
            MemoryMarshal.Cast<byte, double>(reader.ReadBytes(count * sizeof(double))).ToArray();
    }
}
