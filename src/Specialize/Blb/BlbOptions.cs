using System;
using Specialize.Devices;
using Specialize.Variants;

namespace Specialize;

/// <summary>Parameters of a Bag of Little Bootstraps run.</summary>
/// <remarks>
/// Properties are init-only, as in every Specialize options type: an options object does not change once
/// built, so it can be shared by runs on several threads. Values are checked when a run starts
/// (<see cref="Validate"/>). The defaults are those of Kleiner et al. and of <see cref="BlbEstimatorAttribute"/>.
/// </remarks>
public sealed class BlbOptions
{
    /// <summary>The key of the random streams when <see cref="Seed"/> is <see langword="null"/>.</summary>
    internal const ulong DefaultStreamKey = 0x5EED_B1B0_2014_0001UL;

    /// <summary>Number of subsamples <c>s</c> (the maximum when <see cref="Adaptive"/> is set). At least 1. Default 25.</summary>
    public int Subsamples { get; init; } = 25;

    /// <summary>Number of bootstrap resamples <c>r</c> per subsample (the maximum when <see cref="Adaptive"/> is set). At least 1. Default 100.</summary>
    public int Bootstraps { get; init; } = 100;

    /// <summary>Subsample size exponent: <c>b = ceil(n^Gamma)</c>, in (0, 1]. Default 0.7.</summary>
    public double Gamma { get; init; } = 0.7;

    /// <summary>
    /// Seed of the counter-based random streams. The result depends only on the data, the options and
    /// this seed, never on the number of threads. Default <see langword="null"/>: a fixed stream, not a
    /// random one, so that runs are reproducible without a seed.
    /// </summary>
    /// <remarks>
    /// In version 0.1 seeds were <see langword="ulong"/>: a seed <c>k &gt;= 0</c> draws the same numbers as the
    /// <see langword="ulong"/> seed <c>k</c> did, a negative seed <c>k</c> those of <c>2^64 + k</c>, and
    /// <see langword="null"/> those of the former default seed; other 64-bit seeds have no equivalent.
    /// </remarks>
    public int? Seed { get; init; }

    /// <summary>Coverage of the confidence interval <see cref="BlbResult.Lower"/>..<see cref="BlbResult.Upper"/>, in (0, 1). Default 0.95.</summary>
    public double ConfidenceLevel { get; init; } = 0.95;

    /// <summary>Most threads the run uses; -1 (the default) means <see cref="Environment.ProcessorCount"/>. Otherwise at least 1.</summary>
    public int MaxDegreeOfParallelism { get; init; } = -1;

    /// <summary>
    /// Stop adding bootstraps to a subsample, and subsamples to the run, once the running quality estimate
    /// has settled (Kleiner et al., section 5): a sequence stops at step <c>t</c> when each of its previous
    /// <see cref="AdaptiveBootstrapWindow"/> (bootstraps) or <see cref="AdaptiveSubsampleWindow"/> (subsamples)
    /// values differs from the value at <c>t</c> by at most <see cref="AdaptiveTolerance"/> relative to it.
    /// <see cref="Subsamples"/> and <see cref="Bootstraps"/> are then upper bounds. Default <see langword="false"/>.
    /// </summary>
    public bool Adaptive { get; init; }

    /// <summary>Relative tolerance of the adaptive stopping rule, in (0, 1). Default 0.05.</summary>
    public double AdaptiveTolerance { get; init; } = 0.05;

    /// <summary>Window of the adaptive rule over bootstraps, at least 1. Default 20.</summary>
    public int AdaptiveBootstrapWindow { get; init; } = 20;

    /// <summary>Window of the adaptive rule over subsamples, at least 1. Default 3.</summary>
    public int AdaptiveSubsampleWindow { get; init; } = 3;

    /// <summary>Forces load-in or indirection; <see cref="BlbDataLayout.Auto"/> (the default) lets the runtime decide.</summary>
    public BlbDataLayout DataLayout { get; init; } = BlbDataLayout.Auto;

    /// <summary>
    /// The devices an estimator with a GPU form may run its bootstraps on, as <c>SPECIALIZE_DEVICE</c> (which it
    /// overrides): <c>"cpu"</c> (the processor), <c>"ilgpu-cpu"</c> (the GPU kernel on ILGPU's CPU accelerator: slow, for
    /// tests), <c>"cuda"</c> (CUDA devices; the processor when there is none); <see langword="null"/> (the default) for
    /// the environment variable, and when that is unset too, the processor and every CUDA device compete.
    /// <see cref="BlbResult.Device"/> says where they ran.
    /// </summary>
    /// <exception cref="ArgumentException">The value is none of those.</exception>
    public string? Device
    {
        get => device;
        init => device = DeviceRuntime.CheckSetting(value, nameof(Device));
    }

    /// <summary>Where the choice between the processor and a GPU is remembered; <see langword="null"/> for <see cref="Variants.TuningStore.Default"/>.</summary>
    public TuningStore? TuningStore { get; init; }

    private readonly string? device;

    /// <summary>The subsample size <c>b = min(n, ceil(n^Gamma))</c> for <paramref name="n"/> rows.</summary>
    /// <param name="n">Number of rows of the full data, at least 1.</param>
    /// <returns>The subsample size.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is less than 1.</exception>
    public int SubsampleSize(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        double b = Math.Ceiling(Math.Pow(n, Gamma) - 1e-9);
        return b >= n ? n : (int)b;
    }

    /// <summary>Checks every value and throws for the first one out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A property is out of its documented range; the exception's parameter name is the property's.</exception>
    public void Validate()
    {
        if (Subsamples < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Subsamples), Subsamples, "Subsamples must be at least 1.");
        }
        if (Bootstraps < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Bootstraps), Bootstraps, "Bootstraps must be at least 1.");
        }
        if (!(Gamma > 0.0 && Gamma <= 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "Gamma must be in (0, 1]: the subsample size is ceil(n^Gamma).");
        }
        if (!(ConfidenceLevel > 0.0 && ConfidenceLevel < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(ConfidenceLevel), ConfidenceLevel, "ConfidenceLevel must be in (0, 1).");
        }
        if (MaxDegreeOfParallelism != -1 && MaxDegreeOfParallelism < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "MaxDegreeOfParallelism must be -1 (all processors) or at least 1.");
        }
        if (!(AdaptiveTolerance > 0.0 && AdaptiveTolerance < 1.0))
        {
            throw new ArgumentOutOfRangeException(nameof(AdaptiveTolerance), AdaptiveTolerance, "AdaptiveTolerance must be in (0, 1).");
        }
        if (AdaptiveBootstrapWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AdaptiveBootstrapWindow), AdaptiveBootstrapWindow, "AdaptiveBootstrapWindow must be at least 1.");
        }
        if (AdaptiveSubsampleWindow < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(AdaptiveSubsampleWindow), AdaptiveSubsampleWindow, "AdaptiveSubsampleWindow must be at least 1.");
        }
        if (DataLayout is not (BlbDataLayout.Auto or BlbDataLayout.LoadIn or BlbDataLayout.Indirection))
        {
            throw new ArgumentOutOfRangeException(nameof(DataLayout), DataLayout, "DataLayout must be Auto, LoadIn or Indirection.");
        }
    }

    /// <summary>The key of the random streams: the seed's 64-bit two's complement, or <see cref="DefaultStreamKey"/> without a seed.</summary>
    internal ulong StreamKey => Seed is int seed ? unchecked((ulong)(long)seed) : DefaultStreamKey;

    internal int EffectiveDegreeOfParallelism => MaxDegreeOfParallelism == -1 ? Environment.ProcessorCount : MaxDegreeOfParallelism;
}
