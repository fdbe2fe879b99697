using System;
using System.Collections.Generic;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Specialize.Blb;
using Specialize.Devices;
using Specialize.Sampling;
using Specialize.Variants;

namespace Specialize;

/// <summary>The device path of a run: where the bootstraps run, and running them on an ILGPU device.</summary>
public static partial class BlbRuntime
{
    /// <summary>The pseudo-kernel whose variants are the devices a run's bootstraps can run on (per estimator: the kernel's name follows).</summary>
    internal const string DeviceKernelName = "blb.bootstraps";

    /// <summary>
    /// Below this many row visits (subsamples x bootstraps x rows per subsample) a run stays on the processor
    /// without measuring: a GPU's launches and copies cost more than such a run.
    /// </summary>
    internal const long SmallWork = 1L << 22;

    /// <summary>For tests: the devices that compete instead of <see cref="DeviceRuntime.Candidates()"/>.</summary>
    internal static IReadOnlyList<ComputeDevice>? DeviceCandidatesOverride { get; set; }

    private static IBlbDeviceForm? Bind<TState>(BlbDeviceEstimator<TState>? device, TState state, bool vector)
    {
        if (device is null)
        {
            return null;
        }

        if (device.IsVector != vector)
        {
            throw new InvalidOperationException($"The GPU form is that of a {(device.IsVector ? "vector-valued" : "scalar")} estimator; this run is of a {(vector ? "vector-valued" : "scalar")} one.");
        }

        return new BoundDeviceForm<TState>(device, state);
    }

    /// <summary>
    /// Where a run's bootstraps run. Only the processor when no ILGPU device is allowed (<see cref="BlbOptions.Device"/>,
    /// else <c>SPECIALIZE_DEVICE</c>), for adaptive runs (the stopping rule looks at the bootstraps one at a time) and
    /// where the weights do not come from the Poisson table (n below 10); the one device allowed when there is one;
    /// otherwise the processor for small runs, and for the others the faster device in a measured trial (the draw and
    /// the bootstraps of one subsample, on the processor's threads or on the device, the rows' copy included), kept in
    /// the tuning store per estimator, number of coordinates, bootstraps and bucket of n. A rank of a job of several
    /// considers only its own GPU on a node with several (<see cref="Mixture.GmmDeviceSelection.OfRank"/>).
    /// </summary>
    private static ComputeDevice ChooseDevice<TEvaluator>(TEvaluator evaluator, IBlbDeviceForm form, int n, int b, int dimension, int bytesPerRow, BlbDataLayout layout, int threads, BlbOptions options)
        where TEvaluator : IBlbEvaluator
    {
        IReadOnlyList<ComputeDevice> candidates = DeviceCandidatesOverride
            ?? (options.Device is { } setting ? DeviceRuntime.Candidates(setting) : DeviceRuntime.Candidates());
        if (Cluster.World is { Size: > 1 })
        {
            // Ranks sharing a node with several GPUs each take their own, as GMM's do.
            candidates = Mixture.GmmDeviceSelection.OfRank(candidates, Cluster.LocalRank);
        }

        bool anyIlgpu = false;
        foreach (ComputeDevice candidate in candidates)
        {
            anyIlgpu |= candidate.IsIlgpu;
        }

        if (!anyIlgpu || options.Adaptive || !new UniformMultinomial(n, b).UsesPoissonTable)
        {
            return DeviceRuntime.Cpu;
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        if ((long)options.Subsamples * options.Bootstraps * b < SmallWork && Contains(candidates, DeviceRuntime.Cpu))
        {
            return DeviceRuntime.Cpu;
        }

        var registry = new VariantRegistry<Action>(DeviceKernelName);
        foreach (ComputeDevice candidate in candidates)
        {
            ComputeDevice device = candidate;
            registry.Register(device.Id, () => TrialSubsample(evaluator, form, device, n, b, dimension, bytesPerRow, layout, threads, options), null, "any");
        }

        string estimator = form.Kernel.DeclaringType?.FullName + "." + form.Kernel.Name;
        var key = new VariantKey("any", DeviceKernelName + ":" + estimator, "float64", dimension, options.Bootstraps, VariantKey.RowBucketOf(n));
        string chosen = VariantSelector.Select(registry, key, options.TuningStore ?? TuningStore.Default, static trial => trial()).Key;
        foreach (ComputeDevice candidate in candidates)
        {
            if (candidate.Id == chosen)
            {
                return candidate;
            }
        }

        return DeviceRuntime.Cpu;
    }

    private static bool Contains(IReadOnlyList<ComputeDevice> devices, ComputeDevice device)
    {
        foreach (ComputeDevice candidate in devices)
        {
            if (candidate.Id == device.Id)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One trial of a device: subsample 0 drawn and its bootstraps computed there, as a run of one subsample would.</summary>
    private static void TrialSubsample<TEvaluator>(TEvaluator evaluator, IBlbDeviceForm form, ComputeDevice device, int n, int b, int dimension, int bytesPerRow, BlbDataLayout layout, int threads, BlbOptions options)
        where TEvaluator : IBlbEvaluator
    {
        var trial = new RunState(n, b, 1, options.Bootstraps, dimension, device.IsIlgpu ? BlbDataLayout.LoadIn : layout, options, null, null, CancellationToken.None);
        if (device.IsIlgpu)
        {
            trial.ComputeOnDevice(evaluator, form, device, bytesPerRow, threads, fullData: false);
        }
        else
        {
            trial.ComputeAll(evaluator, threads, fullData: false);
        }
    }

    private sealed partial class RunState
    {
        /// <summary>
        /// Every subsample with its bootstraps on <paramref name="device"/> (see the overload with a <see cref="SubsampleSet"/>).
        /// Returns the number of subsamples computed.
        /// </summary>
        public int ComputeOnDevice<TEvaluator>(TEvaluator evaluator, IBlbDeviceForm form, ComputeDevice device, int bytesPerRow, int threads, bool fullData)
            where TEvaluator : IBlbEvaluator
        {
            ComputeOnDevice(evaluator, form, device, bytesPerRow, threads, fullData, SubsampleSet.Range(0, _s));
            return _s;
        }

        /// <summary>
        /// The subsamples of <paramref name="set"/> (all of a run's, or a rank's share of a cluster run) with their
        /// bootstraps on <paramref name="device"/>: the subsamples' draws and own estimates on the host's threads (and the
        /// full-data pass beside them, where asked), then the bootstraps launch by launch on the device
        /// (<see cref="BlbDeviceSession"/>), each launch's subsamples reported done as it finishes.
        /// </summary>
        public void ComputeOnDevice<TEvaluator>(TEvaluator evaluator, IBlbDeviceForm form, ComputeDevice device, int bytesPerRow, int threads, bool fullData, SubsampleSet set)
            where TEvaluator : IBlbEvaluator
        {
            if (set.Count == 0)
            {
                // A rank of a cluster run can have no subsample, only the full-data pass.
                FullData = fullData ? FullDataEstimate(evaluator, _n) : FullData;
                return;
            }

            using var session = new BlbDeviceSession(device, form, _n, _b, set.Count, _r, _d, bytesPerRow, _options.StreamKey, _multinomial);
            Task? full = fullData ? Task.Run(() => FullData = FullDataEstimate(evaluator, _n)) : null;
            var rows = new BlbSubsample?[set.Count];
            bool adopted = set[0] == 0 && _firstRows is not null;
            rows[0] = adopted ? _firstRows : null;
            try
            {
                Parallel.For(
                    adopted ? 1 : 0,
                    set.Count,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads), CancellationToken = _cancellationToken },
                    () => BlbWorkspace.Rent(_b),
                    (t, _, workspace) =>
                    {
                        BlbSubsample subsample = BlbSubsample.Rent(_b);
                        DrawSubsample(evaluator, set[t], subsample, workspace);
                        rows[t] = subsample;
                        return workspace;
                    },
                    BlbWorkspace.Return);
                for (int start = 0; start < set.Count && !_cancellationToken.IsCancellationRequested; start += session.SubsamplesPerLaunch)
                {
                    int count = Math.Min(session.SubsamplesPerLaunch, set.Count - start);
                    var indices = new int[count][];
                    for (int t = 0; t < count; t++)
                    {
                        indices[t] = rows[start + t]!.Indices;
                    }

                    session.Bootstraps(set[start], set.Stride, indices, _estimates);
                    for (int t = start; t < start + count; t++)
                    {
                        _bootstrapsUsed[set[t]] = _r;
                        ReportDone();
                    }
                }

                full?.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_cancellationToken.IsCancellationRequested)
            {
                Observe(full);
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                Observe(full);
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
                throw;
            }
            catch
            {
                Observe(full);
                throw;
            }
            finally
            {
                foreach (BlbSubsample? subsample in rows)
                {
                    if (subsample is not null)
                    {
                        BlbSubsample.Return(subsample);
                    }
                }
            }
        }

        /// <summary>A full-data pass left behind by a failure or a cancellation: its own failure, if any, is not reported again.</summary>
        private static void Observe(Task? task) =>
            task?.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }
}
