using System;
using Specialize.Mixture;

namespace Specialize;

/// <summary>
/// Marks a <see langword="static"/> <see langword="partial"/> method that trains a Gaussian mixture on
/// rows of a fixed-shape struct. The generator supplies the body with the dimension, the covariance
/// type and the element type fixed at compile time, and registers the specialized kernels as extra
/// variants with the runtime's variant selection. Beside the declared method it adds an overload that also
/// takes an <see cref="IProgress{T}"/> of <see cref="GmmProgress"/> and a <see cref="System.Threading.CancellationToken"/>,
/// as <see cref="GaussianMixture.Fit(GmmData, IProgress{GmmProgress}?, System.Threading.CancellationToken)"/> does
/// (unless the type declares that overload itself).
/// </summary>
/// <example>
/// <code>
/// [GmmTrain(Components = 16)]
/// public static partial GaussianMixture TrainSpeakers(ReadOnlySpan&lt;Mfcc19&gt; frames);
///
/// // Generated beside it:
/// // public static GaussianMixture TrainSpeakers(ReadOnlySpan&lt;Mfcc19&gt; frames,
/// //     IProgress&lt;GmmProgress&gt;? progress = null, CancellationToken cancellationToken = default);
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class GmmTrainAttribute : Attribute
{
    /// <summary>Number of mixture components <c>M</c>. Must be at least 1. Default 1.</summary>
    public int Components { get; set; } = 1;

    /// <summary>The form of each component's covariance matrix. Default <see cref="Mixture.CovarianceType.Full"/>.</summary>
    public CovarianceType CovarianceType { get; set; } = CovarianceType.Full;

    /// <summary>Convergence tolerance on the change of the mean log-likelihood bound. Default 1e-3.</summary>
    public double Tolerance { get; set; } = 1e-3;

    /// <summary>Non-negative value added to the diagonal of every covariance. Default 1e-6.</summary>
    public double Regularization { get; set; } = 1e-6;

    /// <summary>Maximum number of EM iterations. Default 100.</summary>
    public int MaxIterations { get; set; } = 100;

    /// <summary>
    /// Seed of the random choices made by the initialization. When set, every call starts from the same
    /// initialization and returns the same model for the same rows; when not set, each call draws a fresh seed.
    /// </summary>
    public int Seed { get; set; }
}
