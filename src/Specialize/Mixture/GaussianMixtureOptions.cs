using System;
using Specialize.Devices;
using Microsoft.Extensions.Logging;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>
/// Settings of a <see cref="GaussianMixture"/>, named after scikit-learn's <c>GaussianMixture</c>
/// parameters and with the same defaults. Properties are init-only, as in every Specialize options type.
/// Range checks run when a property is set; the shapes of the initial parameters are checked against the
/// data when the model is fitted.
/// </summary>
public sealed class GaussianMixtureOptions
{
    private readonly int components = 1;
    private readonly double tolerance = 1e-3;
    private readonly double regularization = 1e-6;
    private readonly int maxIterations = 100;
    private readonly int initializations = 1;
    private readonly CovarianceType covarianceType = CovarianceType.Full;
    private readonly GmmInit init = GmmInit.KMeans;
    private readonly int checkpointInterval = 10;
    private readonly string? checkpointPath;
    private readonly ComputePrecision precision = ComputePrecision.Auto;
    private readonly string? device;

    /// <summary>Number of mixture components <c>M</c> (<c>n_components</c>). At least 1. Default 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Components
    {
        get => components;
        init => components = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(Components), value, "Components must be at least 1.");
    }

    /// <summary>The form of each component's covariance (<c>covariance_type</c>). Default <see cref="CovarianceType.Full"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="Mixture.CovarianceType"/>.</exception>
    public CovarianceType CovarianceType
    {
        get => covarianceType;
        init => covarianceType = Enum.IsDefined(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(CovarianceType), value, "CovarianceType must be Full, Tied, Diagonal or Spherical.");
    }

    /// <summary>
    /// EM stops when the lower bound changes by less than this between two iterations (<c>tol</c>).
    /// Non-negative and finite. Default 1e-3.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double Tolerance
    {
        get => tolerance;
        init => tolerance = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Tolerance), value, "Tolerance must be a finite number >= 0.");
    }

    /// <summary>
    /// Added to the diagonal of every covariance so that it stays positive definite (<c>reg_covar</c>).
    /// Non-negative and finite. Default 1e-6.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative, NaN or infinite.</exception>
    public double Regularization
    {
        get => regularization;
        init => regularization = value >= 0 && double.IsFinite(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Regularization), value, "Regularization must be a finite number >= 0.");
    }

    /// <summary>Maximum number of EM iterations per initialization (<c>max_iter</c>). At least 1. Default 100.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxIterations
    {
        get => maxIterations;
        init => maxIterations = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(MaxIterations), value, "MaxIterations must be at least 1.");
    }

    /// <summary>Number of initializations; the one with the highest lower bound is kept (<c>n_init</c>). At least 1. Default 1.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int Initializations
    {
        get => initializations;
        init => initializations = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(Initializations), value, "Initializations must be at least 1.");
    }

    /// <summary>How the starting responsibilities are chosen (<c>init_params</c>). Default <see cref="GmmInit.KMeans"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="GmmInit"/>.</exception>
    public GmmInit Init
    {
        get => init;
        init => init = Enum.IsDefined(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Init), value, "Init must be KMeans, KMeansPlusPlus, Random or RandomFromData.");
    }

    /// <summary>Initial mixture weights, length <c>M</c>, non-negative and summing to 1 (<c>weights_init</c>); <see langword="null"/> to estimate them.</summary>
    public double[]? WeightsInit { get; init; }

    /// <summary>Initial means, <c>M x D</c> (<c>means_init</c>); <see langword="null"/> to estimate them.</summary>
    public double[,]? MeansInit { get; init; }

    /// <summary>
    /// Initial precision matrices (inverse covariances), shaped as scikit-learn's <c>precisions_init</c>:
    /// <see cref="CovarianceType.Full"/> <c>double[M, D, D]</c>, <see cref="CovarianceType.Tied"/> <c>double[D, D]</c>,
    /// <see cref="CovarianceType.Diagonal"/> <c>double[M, D]</c>, <see cref="CovarianceType.Spherical"/> <c>double[M]</c>;
    /// <see langword="null"/> to estimate them.
    /// </summary>
    public Array? PrecisionsInit { get; init; }

    /// <summary>
    /// Seed of the random choices made by the initialization (<c>random_state</c>); <see langword="null"/> (the
    /// default) for a fresh one each fit, as scikit-learn's <c>random_state=None</c>.
    /// </summary>
    public int? Seed { get; init; }

    /// <summary>
    /// When <see langword="true"/>, a second <see cref="GaussianMixture.Fit(double[,], System.IProgress{GmmProgress}?, System.Threading.CancellationToken)"/> starts from the
    /// parameters of the previous fit, with one initialization (<c>warm_start</c>). Default <see langword="false"/>.
    /// </summary>
    public bool WarmStart { get; init; }

    /// <summary>
    /// Name of a kernel variant to run instead of the selected one (for example <c>"V1"</c> or <c>"V4-B32"</c>,
    /// see <see cref="GmmKernels.VariantNames"/>); <see langword="null"/> to use the environment variable
    /// <c>SPECIALIZE_VARIANT</c> if set, and otherwise the variant selection. An unknown name makes
    /// <see cref="GaussianMixture.Fit(double[,], System.IProgress{GmmProgress}?, System.Threading.CancellationToken)"/> throw an <see cref="ArgumentException"/>.
    /// </summary>
    public string? Variant { get; init; }

    /// <summary>
    /// A file the fit writes its state to every <see cref="CheckpointInterval"/> EM iterations, and resumes from when it
    /// exists: a fit that was stopped (a job out of time, a failed node) and is started again with the same data and
    /// options ends with the result an uninterrupted fit gives. The file is removed when the fit completes; a file
    /// written for other data or options makes the fit throw. Under MPI, rank 0 writes it. <see langword="null"/> (the
    /// default) for no checkpoints.
    /// </summary>
    /// <exception cref="ArgumentException">The value is empty or white space.</exception>
    public string? CheckpointPath
    {
        get => checkpointPath;
        init => checkpointPath = value is null || !string.IsNullOrWhiteSpace(value) ? value
            : throw new ArgumentException("CheckpointPath must be a file path, or null for no checkpoints.", nameof(CheckpointPath));
    }

    /// <summary>EM iterations between two checkpoints (see <see cref="CheckpointPath"/>). At least 1. Default 10.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int CheckpointInterval
    {
        get => checkpointInterval;
        init => checkpointInterval = value >= 1 ? value
            : throw new ArgumentOutOfRangeException(nameof(CheckpointInterval), value, "CheckpointInterval must be at least 1.");
    }

    /// <summary>
    /// The devices this model may run on, as <c>SPECIALIZE_DEVICE</c> (which it overrides): <c>"cpu"</c> (the C#
    /// kernels), <c>"ilgpu-cpu"</c> (the GPU kernels on ILGPU's CPU accelerator: slow, for tests), <c>"cuda"</c>
    /// (CUDA devices; the processor when there is none); <see langword="null"/> (the default) for the environment
    /// variable, and when that is unset too, the processor and every CUDA device compete.
    /// </summary>
    /// <exception cref="ArgumentException">The value is none of those.</exception>
    public string? Device
    {
        get => device;
        init => device = DeviceRuntime.CheckSetting(value, nameof(Device));
    }

    /// <summary>
    /// The floating-point type EM computes in. <see cref="ComputePrecision.Auto"/> (the default) computes
    /// <see langword="float"/> data in float32 and <see langword="double"/> data in float64;
    /// <see cref="ComputePrecision.Single"/> runs double data in float32 too, and <see cref="ComputePrecision.Double"/>
    /// float data in float64. In float32 the distances and covariance products are computed in float (twice the
    /// vector lanes on the processor); the log-sum-exp, the lower bound, the M-step's sums and the parameters stay
    /// in double. See docs/gmm.md for how far float32 results are from float64 ones.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a defined <see cref="ComputePrecision"/>.</exception>
    public ComputePrecision Precision
    {
        get => precision;
        init => precision = Enum.IsDefined(value) ? value
            : throw new ArgumentOutOfRangeException(nameof(Precision), value, "Precision must be Auto, Double or Single.");
    }

    /// <summary>Whether EM on <paramref name="data"/> computes in float32 under <see cref="Precision"/>.</summary>
    internal bool ComputesInSingle(GmmData data) =>
        Precision == ComputePrecision.Single || (Precision == ComputePrecision.Auto && data.SourceType == "float32");

    /// <summary>
    /// Where variant choices are remembered; <see langword="null"/> for <see cref="Variants.TuningStore.Default"/>.
    /// </summary>
    public TuningStore? TuningStore { get; init; }

    /// <summary>
    /// Receives the variant choices and the warnings: a fit that stopped at <see cref="MaxIterations"/> without
    /// converging (scikit-learn's <c>ConvergenceWarning</c>), and tuning files that could not be read or written.
    /// <see langword="null"/> for none.
    /// </summary>
    public ILogger? Logger { get; init; }
}
