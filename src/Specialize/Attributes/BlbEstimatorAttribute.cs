using System;

namespace Specialize;

/// <summary>
/// Marks a <see langword="static"/> <see langword="partial"/> class whose <c>Estimate</c> method is an
/// estimator to be assessed with the Bag of Little Bootstraps (Kleiner et al.). The generator rewrites
/// loops over subsampled data into weighted loops and adds a typed <c>Run</c> entry point.
/// </summary>
/// <remarks>
/// BLB draws <see cref="Subsamples"/> subsamples of size <c>b = ceil(n^</c><see cref="Gamma"/><c>)</c>
/// without replacement; for each it draws <see cref="Bootstraps"/> multinomial weight vectors summing
/// to <c>n</c>, applies the estimator to the weighted subsample, reduces the estimates to a quality
/// measure, and averages that measure over subsamples. Every value here can be overridden per run.
/// </remarks>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class BlbEstimatorAttribute : Attribute
{
    /// <summary>Number of subsamples <c>s</c>. Default 25.</summary>
    public int Subsamples { get; set; } = 25;

    /// <summary>Number of bootstrap resamples <c>r</c> per subsample. Default 100.</summary>
    public int Bootstraps { get; set; } = 100;

    /// <summary>Subsample size exponent: <c>b = ceil(n^Gamma)</c>, in (0, 1]. Default 0.7.</summary>
    public double Gamma { get; set; } = 0.7;
}
