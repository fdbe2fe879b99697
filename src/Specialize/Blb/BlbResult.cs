using System;

namespace Specialize;

/// <summary>The outcome of a Bag of Little Bootstraps run of a scalar estimator.</summary>
public sealed class BlbResult
{
    /// <summary>
    /// The user's reducers' result: <c>Average</c> over subsamples of <c>ReduceBootstraps</c> of each subsample's
    /// bootstrap estimates. Without reducers this is <see cref="StandardError"/>.
    /// </summary>
    public double Value { get; init; }

    /// <summary>
    /// The standard error of the estimator: per subsample the sample standard deviation (denominator r - 1)
    /// of its bootstrap estimates, averaged over subsamples. Computed whatever reducers are given.
    /// </summary>
    public double StandardError { get; init; }

    /// <summary>The estimator on the full data (every row with weight 1).</summary>
    public double Estimate { get; init; }

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

    /// <summary>Average over subsamples of the mean of their bootstrap estimates.</summary>
    public double Mean { get; init; }

    /// <summary>Per subsample, <c>ReduceBootstraps</c> of its bootstrap estimates (the standard deviation without reducers), in subsample order.</summary>
    public double[] SubsampleValues { get; init; } = [];

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

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }
}

/// <summary>The outcome of a Bag of Little Bootstraps run of a vector-valued estimator: every quantity per coordinate.</summary>
public sealed class BlbVectorResult
{
    /// <summary>Per coordinate, as <see cref="BlbResult.Value"/>.</summary>
    public double[] Value { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.StandardError"/>.</summary>
    public double[] StandardError { get; init; } = [];

    /// <summary>The estimator on the full data.</summary>
    public double[] Estimate { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.Lower"/>.</summary>
    public double[] Lower { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.Upper"/>.</summary>
    public double[] Upper { get; init; } = [];

    /// <summary>Per coordinate, as <see cref="BlbResult.Mean"/>.</summary>
    public double[] Mean { get; init; } = [];

    /// <summary>Per used subsample (outer index) and coordinate (inner index), as <see cref="BlbResult.SubsampleValues"/>.</summary>
    public double[][] SubsampleValues { get; init; } = [];

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

    /// <summary>Wall-clock time of the run.</summary>
    public TimeSpan Elapsed { get; init; }
}
