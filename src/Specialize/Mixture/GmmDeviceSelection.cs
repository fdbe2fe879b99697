using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;
using Specialize.Devices;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>
/// Picks the device an EM fit runs on. With one device allowed (<see cref="DeviceRuntime.Variable"/>, or a
/// machine without a GPU) that one; otherwise a measured trial, as for kernel variants: one EM iteration on the
/// trial prefix of the rows on each device, transfers included (the rows are uploaded again for every timed
/// run), so that small problems stay on the processor and large ones move to the GPU. The choice is remembered in
/// the tuning store under kernel <see cref="KernelName"/> and device <c>"any"</c>. In a job of several ranks on a
/// node with several GPUs, each rank considers only its own GPU (<see cref="OfRank"/>), so that the ranks spread
/// over the node's GPUs instead of all taking the first.
/// </summary>
internal static class GmmDeviceSelection
{
    /// <summary>The pseudo-kernel whose variants are the devices.</summary>
    internal const string KernelName = "gmm.em.device";

    /// <summary>For tests: the devices that compete instead of <see cref="DeviceRuntime.Candidates()"/>.</summary>
    internal static IReadOnlyList<ComputeDevice>? CandidatesOverride { get; set; }

    internal static ComputeDevice Choose(GmmData data, int m, CovarianceType type, bool singlePrecision, GaussianMixtureOptions options, TuningStore store)
    {
        var candidates = CandidatesOverride
            ?? (options.Device is { } setting ? DeviceRuntime.Candidates(setting) : DeviceRuntime.Candidates());
        if (Cluster.World is { Size: > 1 })
        {
            candidates = OfRank(candidates, Cluster.LocalRank);
        }

        ComputeDevice chosen;
        if (candidates.Count == 1)
        {
            chosen = candidates[0];
        }
        else
        {
            var registry = new VariantRegistry<Action>(KernelName);
            var trialData = data.Prefix(EmState.TrialRowsFor(data.Dimension, m));
            foreach (var device in candidates)
            {
                var d = device;
                registry.Register(d.Id, () => TrialIteration(d, trialData, m, type, singlePrecision, options, store), null, "any");
            }

            var key = new VariantKey("any", KernelName, singlePrecision ? "float32" : "float64", data.Dimension, m, VariantKey.RowBucketOf(data.Count));
            string id = VariantSelector.Select(registry, key, store, static run => run(), null, options.Logger).Key;
            chosen = candidates[0];
            foreach (var device in candidates)
            {
                if (device.Id == id)
                {
                    chosen = device;
                }
            }
        }

        options.Logger?.LogInformation(
            "Gaussian mixture EM (D = {Dimension}, M = {Components}, N = {Rows}) runs on {Device}, in {DataType}.",
            data.Dimension, m, data.Count, chosen, singlePrecision ? "float32" : "float64");
        return chosen;
    }

    /// <summary>
    /// The candidates of the rank with index <paramref name="localRank"/> among the ranks on its node: with several
    /// CUDA devices among <paramref name="candidates"/>, only CUDA device <c>localRank mod</c> their number stays
    /// (the processor stays too, when it competes); with one or none, the candidates are unchanged.
    /// </summary>
    internal static IReadOnlyList<ComputeDevice> OfRank(IReadOnlyList<ComputeDevice> candidates, int localRank)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(localRank);
        var gpus = new List<ComputeDevice>();
        foreach (var device in candidates)
        {
            if (device.Kind == DeviceKind.Cuda)
            {
                gpus.Add(device);
            }
        }

        if (gpus.Count <= 1)
        {
            return candidates;
        }

        var own = gpus[localRank % gpus.Count];
        var kept = new List<ComputeDevice>();
        foreach (var device in candidates)
        {
            if (device.Kind != DeviceKind.Cuda || ReferenceEquals(device, own))
            {
                kept.Add(device);
            }
        }

        return kept;
    }

    /// <summary>One M-step and E-step from even responsibilities on <paramref name="device"/>, the rows uploaded afresh.</summary>
    private static void TrialIteration(ComputeDevice device, GmmData data, int m, CovarianceType type, bool singlePrecision, GaussianMixtureOptions options, TuningStore store)
    {
        if (device.IsIlgpu)
        {
            ResidentData.Flush(device);
        }

        using var em = new EmState(data, m, type, options.Regularization, store, null, options, device, singlePrecision);
        var even = new double[data.Count * m];
        Array.Fill(even, 1.0 / m);
        var p = new GaussianMixture.Parameters(m, data.Dimension, type);
        em.SetResponsibilities(even);
        em.MStep(p);
        em.EStep(p);
    }
}
