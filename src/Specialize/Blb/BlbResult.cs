using System;

namespace Specialize;

/// <summary>The outcome of a Bag of Little Bootstraps run of a scalar estimator.</summary>
/// <remarks>
/// <see cref="Estimate"/> is the answer; <see cref="StandardError"/>, <see cref="Lower"/> and <see cref="Upper"/> say
/// how far to trust it. <see cref="Quality"/> is the quality measure of the estimator's <c>ReduceBootstraps</c> and
/// <c>Average</c> methods, when it has them; without them it is the standard error again.
/// </remarks>
public sealed class BlbResult
{
    /// <summary>The estimator on the full data (every row with weight 1): the answer whose quality the run assesses.</summary>
    public double Estimate { get; init; }

    /// <summary>
    /// The standard error of <see cref="Estimate"/>: per subsample the sample standard deviation (denominator r - 1)
    /// of its bootstrap estimates, averaged over subsamples. Computed whatever reducers are given.
    /// </summary>
    public double StandardError { get; init; }

    /// <summary>
    /// The quality measure BLB assesses (Kleiner et al.'s xi): <c>Average</c> over subsamples of <c>ReduceBootstraps</c>
    /// of each subsample's bootstrap estimates, with the estimator's own reducers where it declares them. The built-in
    /// reducers are the sample standard deviation and the arithmetic mean, so without reducers this equals
    /// <see cref="StandardError"/>.
    /// </summary>
    public double Quality { get; init; }

    /// <summary>The former name of <see cref="Quality"/>.</summary>
    [Obsolete("Use Quality (what the reducers compute) or StandardError. Value will be removed in the next release.")]
    public double Value => Quality;

    /// <summary>
    /// Lower end of the confidence interval at <see cref="BlbOptions.ConfidenceLevel"/>: <see cref="Estimate"/>
    /// minus the average over subsamples of (the subsample's own estimate minus the lower percentile of its bootstrap estimates).
    /// The percentiles are at <c>(1 - ConfidenceLevel)/2</c> and <c>(1 + ConfidenceLevel)/2</c>, taken as approximately
    /// median-unbiased order statistics (Hyndman–Fan type 8); a subsample's own estimate is the estimator on that
    /// subsample with balanced weights (each row <c>n/b</c>, rounded so that they sum to <c>n</c>).
    /// </summary>
    public double Lower { get; init; }

    /// <summary>
    /// Upper end of the confidence interval: <see cref="Estimate"/> plus the average over subsamples of
    /// (the upper percentile of the subsample's bootstrap estimates minus the subsample's own estimate).
    /// </summary>
    public double Upper { get; init; }

    /// <summary>
    /// The average bootstrap estimate: per subsample the mean of its bootstrap estimates, averaged over subsamples.
    /// <see cref="BootstrapMean"/> minus <see cref="Estimate"/> estimates the estimator's bias.
    /// </summary>
    public double BootstrapMean { get; init; }

    /// <summary>The former name of <see cref="BootstrapMean"/>.</summary>
    [Obsolete("Use BootstrapMean. Mean will be removed in the next release.")]
    public double Mean => BootstrapMean;

    /// <summary>
    /// Per subsample, in subsample order, <c>ReduceBootstraps</c> of its bootstrap estimates (the standard deviation
    /// without reducers): the values <c>Average</c> reduces to <see cref="Quality"/>.
    /// </summary>
    public double[] SubsampleQualities { get; init; } = [];

    /// <summary>The former name of <see cref="SubsampleQualities"/>.</summary>
    [Obsolete("Use SubsampleQualities. SubsampleValues will be removed in the next release.")]
    public double[] SubsampleValues => SubsampleQualities;

    /// <summary>Number of rows of the full data, <c>n</c>.</summary>
    public int N { get; init; }

    /// <summary>Rows per subsample, <c>b = ceil(n^Gamma)</c>.</summary>
    public int SubsampleSize { get; init; }

    /// <summary>Subsamples actually used (fewer than <see cref="BlbOptions.Subsamples"/> when the adaptive rule stopped early).</summary>
    public int Subsamples { get; init; }

    /// <summary>Bootstraps actually used per used subsample, in subsample order.</summary>
    public int[] Bootstraps { get; init; } = [];

    /// <summary>How subsample rows reached the estimator (never <see cref="BlbDataLayout.Auto"/>).</summary>
    public BlbDataLayout Layout { get; init; }

    /// <summary>Most threads the run used.</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Where the bootstraps ran: <c>"cpu"</c> (the processor), <c>"ilgpu-cpu"</c> (ILGPU's CPU accelerator) or
    /// <c>"cuda:N"</c> (the N-th CUDA device), as <c>ComputeDevice.Id</c> names them. The full-data estimate, the
    /// subsamples' draws and their own estimates are computed on the processor either way.
    /// </summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The outcome of a Bag of Little Bootstraps run of a vector-valued estimator: every quantity per coordinate.</summary>
/// <remarks>The members mean what those of <see cref="BlbResult"/> mean, per coordinate.</remarks>
public sealed class BlbVectorResult
{
    /// <summary>The estimator on the full data, as <see cref="BlbResult.Estimate"/>.</summary>
    public double[] Estimate { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.StandardError"/>.</summary>
    public double[] StandardError { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.Quality"/>: the reducers' result, the standard error without reducers.</summary>
    public double[] Quality { get; init; } = [];

    /// <summary>The former name of <see cref="Quality"/>.</summary>
    [Obsolete("Use Quality (what the reducers compute) or StandardError. Value will be removed in the next release.")]
    public double[] Value => Quality;

    /// <summary>Per coordinate, as <see cref="BlbResult.Lower"/>.</summary>
    public double[] Lower { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.Upper"/>.</summary>
    public double[] Upper { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.BootstrapMean"/>.</summary>
    public double[] BootstrapMean { get; init; } = [];

    /// <summary>The former name of <see cref="BootstrapMean"/>.</summary>
    [Obsolete("Use BootstrapMean. Mean will be removed in the next release.")]
    public double[] Mean => BootstrapMean;

    /// <summary>Per used subsample (outer index) and coordinate (inner index), as <see cref="BlbResult.SubsampleQualities"/>.</summary>
    public double[][] SubsampleQualities { get; init; } = [];

    /// <summary>The former name of <see cref="SubsampleQualities"/>.</summary>
    [Obsolete("Use SubsampleQualities. SubsampleValues will be removed in the next release.")]
    public double[][] SubsampleValues => SubsampleQualities;

    /// <summary>Number of coordinates of the estimate.</summary>
    public int Dimension { get; init; }

    /// <summary>Number of rows of the full data, <c>n</c>.</summary>
    public int N { get; init; }

    /// <summary>Rows per subsample, <c>b = ceil(n^Gamma)</c>.</summary>
    public int SubsampleSize { get; init; }

    /// <summary>Subsamples actually used.</summary>
    public int Subsamples { get; init; }

    /// <summary>Bootstraps actually used per used subsample.</summary>
    public int[] Bootstraps { get; init; } = [];

    /// <summary>How subsample rows reached the estimator (never <see cref="BlbDataLayout.Auto"/>).</summary>
    public BlbDataLayout Layout { get; init; }

    /// <summary>Most threads the run used.</summary>
    public int Threads { get; init; }

    /// <summary>Where the bootstraps ran, as <see cref="BlbResult.Device"/>.</summary>
    public string Device { get; init; } = "cpu";

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }
}
