using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.Extensions.Logging;
using Specialize.Devices;
using Specialize.Variants;

namespace Specialize.Mixture;

/// <summary>
/// A Gaussian mixture fitted by expectation-maximization, with the semantics of scikit-learn 1.2's
/// <c>GaussianMixture</c>: each iteration is an E-step, an M-step, then the lower bound (the mean
/// log-likelihood from that E-step) is compared with the previous one, and EM has converged when it
/// changes by less than <see cref="GaussianMixtureOptions.Tolerance"/>; the best of
/// <see cref="GaussianMixtureOptions.Initializations"/> runs is kept. The full-covariance kernels run as the
/// variant chosen for the problem (see <see cref="GmmKernels"/> and <see cref="KernelVariants"/>).
/// </summary>
/// <remarks>Not thread-safe: fit and use one instance from one thread at a time.</remarks>
public sealed class GaussianMixture
{

    private readonly GaussianMixtureOptions options;
    private Parameters? fitted;
    private Dictionary<string, string> kernelVariants = [];
    private ComputeDevice fittedDevice = DeviceRuntime.Cpu;
    private bool fittedSingle;

    /// <summary>Creates an unfitted model.</summary>
    /// <param name="options">The settings; see <see cref="GaussianMixtureOptions"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is <see langword="null"/>.</exception>
    public GaussianMixture(GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.options = options;
    }

    /// <summary>The settings this model was created with.</summary>
    public GaussianMixtureOptions Options => options;

    /// <summary>Whether a <c>Fit</c> has completed.</summary>
    public bool IsFitted => fitted is not null;

    /// <summary>Mixture weights, length <c>M</c> (<c>weights_</c>).</summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[] Weights => (double[])Fitted.Weights.Clone();

    /// <summary>Component means, <c>M x D</c> (<c>means_</c>).</summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[,] Means
    {
        get
        {
            var p = Fitted;
            var result = new double[p.M, p.D];
            for (int k = 0; k < p.M; k++)
            {
                for (int i = 0; i < p.D; i++)
                {
                    result[k, i] = p.Means[k * p.D + i];
                }
            }

            return result;
        }
    }

    /// <summary>
    /// Component covariances as full matrices, <c>M x D x D</c>, whatever the covariance type
    /// (tied: the shared matrix repeated; diagonal and spherical: diagonal matrices).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[,,] Covariances => Fitted.ToFull(Fitted.Covariances);

    /// <summary>
    /// Cholesky factors of the precision matrices as full matrices, <c>M x D x D</c>: upper triangular
    /// <c>P</c> with precision <c>P P^T</c> (scikit-learn's <c>precisions_cholesky_</c> expanded to full form).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    public double[,,] PrecisionsCholesky => Fitted.ToFull(Fitted.PrecisionsCholesky);

    /// <summary>
    /// Whether EM converged in the last fit (<c>converged_</c>): as in scikit-learn, in at least one of the
    /// <see cref="GaussianMixtureOptions.Initializations"/>. When it did not, every initialization stopped at
    /// <see cref="GaussianMixtureOptions.MaxIterations"/> with the lower bound still changing by
    /// <see cref="GaussianMixtureOptions.Tolerance"/> or more, and the fit warned through
    /// <see cref="GaussianMixtureOptions.Logger"/> (scikit-learn's <c>ConvergenceWarning</c>).
    /// </summary>
    public bool Converged { get; private set; }

    /// <summary>
    /// Number of EM iterations the best initialization ran in the last fit (<c>n_iter_</c>); equal to
    /// <see cref="GaussianMixtureOptions.MaxIterations"/> when it did not converge.
    /// </summary>
    public int Iterations { get; private set; }

    /// <summary>Lower bound (mean log-likelihood) of the best initialization (<c>lower_bound_</c>).</summary>
    public double LowerBound { get; private set; } = double.NegativeInfinity;

    /// <summary>
    /// The variant that ran for each kernel in the last fit, by kernel name (see <see cref="GmmKernels"/>), and under
    /// <see cref="GmmKernels.DeviceKey"/> the device the fit ran on (as <see cref="Device"/>).
    /// </summary>
    public IReadOnlyDictionary<string, string> KernelVariants => kernelVariants;

    /// <summary>
    /// The device the last fit ran on, and prediction runs on: <c>"cpu"</c> (the C# kernels), <c>"ilgpu-cpu"</c>
    /// (ILGPU's CPU accelerator) or <c>"cuda:N"</c>; see <see cref="DeviceRuntime"/>. <c>"cpu"</c> before a fit.
    /// </summary>
    public string Device => fittedDevice.Id;

    /// <summary>The floating-point type the last fit computed in: <c>"float64"</c> or <c>"float32"</c>.</summary>
    public string ComputeType { get; private set; } = "float64";

    private Parameters Fitted => fitted ?? throw new InvalidOperationException(
        "This GaussianMixture is not fitted yet; call Fit before using the model.");

    /// <summary>Fits the model to the rows of <paramref name="x"/>.</summary>
    /// <param name="x">The data, <c>N x D</c>, finite, with at least <see cref="GaussianMixtureOptions.Components"/> rows.</param>
    /// <param name="progress">Told after every EM iteration; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the fit before the next initialization or EM iteration, leaving the model as it was.</param>
    /// <returns>This model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The data or an initial parameter is invalid, or the forced variant is unknown.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the model is unchanged.</exception>
    public GaussianMixture Fit(double[,] x, IProgress<GmmProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(GmmData.FromMatrix(x), nameof(x), progress, cancellationToken);

    /// <summary>
    /// Fits the model to single-precision rows, computed in float32 (the distance and covariance kernels in float, the
    /// log-sum-exp, sums and parameters in double) unless <see cref="GaussianMixtureOptions.Precision"/> says
    /// <see cref="ComputePrecision.Double"/>.
    /// </summary>
    /// <param name="x">The data, <c>N x D</c>, finite, with at least <see cref="GaussianMixtureOptions.Components"/> rows.</param>
    /// <param name="progress">Told after every EM iteration; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the fit before the next initialization or EM iteration, leaving the model as it was.</param>
    /// <returns>This model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The data or an initial parameter is invalid, or the forced variant is unknown.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the model is unchanged.</exception>
    public GaussianMixture Fit(float[,] x, IProgress<GmmProgress>? progress = null, CancellationToken cancellationToken = default) =>
        FitCore(GmmData.FromMatrix(x), nameof(x), progress, cancellationToken);

    /// <summary>
    /// Fits the model to data converted once by <see cref="GmmData"/>; fitting several models to the same
    /// <see cref="GmmData"/> reuses the conversion.
    /// </summary>
    /// <param name="data">The data, with at least <see cref="GaussianMixtureOptions.Components"/> rows.</param>
    /// <param name="progress">Told after every EM iteration; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the fit before the next initialization or EM iteration, leaving the model as it was.</param>
    /// <returns>This model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">There are too few rows, an initial parameter is invalid, or the forced variant is unknown.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled; the model is unchanged.</exception>
    public GaussianMixture Fit(GmmData data, IProgress<GmmProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        return FitCore(data, nameof(data), progress, cancellationToken);
    }

    // Everything is checked, and the fit computed into locals, before the model changes: bad input or a cancellation
    // leaves it as it was.
    private GaussianMixture FitCore(GmmData data, string paramName, IProgress<GmmProgress>? progress, CancellationToken cancellationToken)
    {
        int m = options.Components, d = data.Dimension;
        if (data.Count < m)
        {
            throw new ArgumentException(
                $"Expected at least as many rows as Components ({m}), got {data.Count}.", paramName);
        }

        var inits = ValidateInits(d);
        string? forced = ResolveForcedVariant();
        var store = options.TuningStore ?? TuningStore.Default;
        store.Logger ??= options.Logger;
        bool single = options.ComputesInSingle(data);

        // Under MPI the rows are sharded over the ranks (ClusterEm: each rank's pieces on the device it chose), which agree
        // on a cancellation in each step, so that no rank waits for one that stopped; otherwise EM runs on this process's
        // chosen device and checks the token here.
        var cluster = ClusterEm.TryCreate(data, m, options.CovarianceType, options.Regularization, store, forced, options, single, cancellationToken);
        CancellationToken stop = cluster is null ? cancellationToken : CancellationToken.None;
        stop.ThrowIfCancellationRequested();
        using IEmSteps em = (IEmSteps?)cluster ?? new EmState(
            data, m, options.CovarianceType, options.Regularization, store, forced, options, GmmDeviceSelection.Choose(data, m, options.CovarianceType, single, options, store), single);
        var device = em.Device;

        bool doInit = !(options.WarmStart && fitted is not null && fitted.D == d && fitted.M == m);
        int runs = doInit ? options.Initializations : 1;
        var random = options.Seed is int seed ? new Random(seed) : new Random();

        // A checkpointed fit resumes where its checkpoint left off (GmmCheckpoint.cs).
        GmmCheckpoint? resume = GmmCheckpoint.Load(options, data, runs, doInit);
        double maxLowerBound = resume?.MaxLowerBound ?? double.NegativeInfinity;
        Parameters? best = resume?.Best;
        int bestIterations = resume?.BestIterations ?? 0, bestRun = resume?.BestRun ?? 0;
        double lastChange = resume?.LastChange ?? double.NaN;
        bool converged = resume?.Converged ?? false;
        for (int run = resume?.Run ?? 0; run < runs; run++)
        {
            stop.ThrowIfCancellationRequested();
            Parameters current;
            double lowerBound;
            int first = 1;
            double change = double.NaN;
            if (resume is not null && run == resume.Run)
            {
                // The initializations still to come draw from the random state after this one's.
                for (int replay = 0; doInit && run + 1 < runs && replay <= run; replay++)
                {
                    Initialize(em, inits, random);
                }

                (current, lowerBound, change, first) = (resume.Current, resume.LowerBound, resume.Change, resume.Iteration + 1);
            }
            else if (doInit)
            {
                current = Initialize(em, inits, random);
                lowerBound = double.NegativeInfinity;
            }
            else
            {
                current = fitted!.Clone();
                lowerBound = LowerBound;
            }

            int iteration = 0;
            for (iteration = first; iteration <= options.MaxIterations; iteration++)
            {
                stop.ThrowIfCancellationRequested();
                double previous = lowerBound;
                lowerBound = em.EStep(current);
                em.MStep(current);
                change = lowerBound - previous;
                progress?.Report(new GmmProgress(run + 1, iteration, lowerBound, change));
                if (Math.Abs(change) < options.Tolerance)
                {
                    converged = true;
                    break;
                }

                if (options.CheckpointPath is not null && iteration % options.CheckpointInterval == 0)
                {
                    GmmCheckpoint.Save(options, data, runs, doInit, new GmmCheckpoint(run, iteration, lowerBound, change, current, maxLowerBound, best, bestIterations, bestRun, lastChange, converged));
                }
            }

            if (iteration > options.MaxIterations)
            {
                iteration = options.MaxIterations;
            }

            if (lowerBound > maxLowerBound || maxLowerBound == double.NegativeInfinity)
            {
                maxLowerBound = lowerBound;
                best = current;
                bestIterations = iteration;
                bestRun = run + 1;
                lastChange = change;
            }
        }

        em.ConcludeSelection();
        GmmCheckpoint.Remove(options);
        fitted = best!;
        Converged = converged;
        Iterations = bestIterations;
        LowerBound = maxLowerBound;
        kernelVariants = em.VariantsRun;
        fittedDevice = device;
        fittedSingle = single;
        ComputeType = em.DataType;
        if (!converged)
        {
            // scikit-learn's ConvergenceWarning: the model is usable, but EM was still moving when it stopped.
            options.Logger?.LogWarning(
                "Gaussian mixture EM did not converge: initialization {Initialization} of {Initializations} stopped after MaxIterations = {MaxIterations} iterations " +
                "with the lower bound still changing by {Change:G3} per iteration (Tolerance = {Tolerance}). Increase MaxIterations or Tolerance, try other initial parameters, or check for degenerate data.",
                bestRun, runs, options.MaxIterations, lastChange, options.Tolerance);
        }

        return this;
    }

    /// <summary>The most likely component of each row (<c>predict</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>The component index of each row.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public int[] Predict(double[,] x) => PredictCore(Input(x));

    /// <summary>The most likely component of each single-precision row (<c>predict</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>The component index of each row.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public int[] Predict(float[,] x) => PredictCore(Input(x));

    /// <summary>The most likely component of each row of converted data (<c>predict</c>).</summary>
    /// <param name="data">Rows with as many columns as the fitted data.</param>
    /// <returns>The component index of each row.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong number of columns.</exception>
    public int[] Predict(GmmData data) => PredictCore(Input(data));

    /// <summary>Posterior probability of each component for each row, <c>N x M</c> (<c>predict_proba</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>The responsibilities.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double[,] PredictProbabilities(double[,] x) => ProbabilitiesCore(Input(x));

    /// <summary>Posterior probability of each component for each single-precision row, <c>N x M</c> (<c>predict_proba</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>The responsibilities.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double[,] PredictProbabilities(float[,] x) => ProbabilitiesCore(Input(x));

    /// <summary>Posterior probability of each component for each row of converted data, <c>N x M</c> (<c>predict_proba</c>).</summary>
    /// <param name="data">Rows with as many columns as the fitted data.</param>
    /// <returns>The responsibilities.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong number of columns.</exception>
    public double[,] PredictProbabilities(GmmData data) => ProbabilitiesCore(Input(data));

    /// <summary>Log-likelihood of each row under the mixture (<c>score_samples</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>One log density per row.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double[] ScoreSamples(double[,] x) => ScoreSamplesCore(Input(x));

    /// <summary>Log-likelihood of each single-precision row under the mixture (<c>score_samples</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>One log density per row.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double[] ScoreSamples(float[,] x) => ScoreSamplesCore(Input(x));

    /// <summary>Log-likelihood of each row of converted data under the mixture (<c>score_samples</c>).</summary>
    /// <param name="data">Rows with as many columns as the fitted data.</param>
    /// <returns>One log density per row.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong number of columns.</exception>
    public double[] ScoreSamples(GmmData data) => ScoreSamplesCore(Input(data));

    /// <summary>Mean log-likelihood of the rows (<c>score</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>The mean of <see cref="ScoreSamples(double[,])"/>.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double Score(double[,] x) => ScoreCore(Input(x));

    /// <summary>Mean log-likelihood of single-precision rows (<c>score</c>).</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns>The mean of <see cref="ScoreSamples(float[,])"/>.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double Score(float[,] x) => ScoreCore(Input(x));

    /// <summary>Mean log-likelihood of the rows of converted data (<c>score</c>).</summary>
    /// <param name="data">Rows with as many columns as the fitted data.</param>
    /// <returns>The mean of <see cref="ScoreSamples(GmmData)"/>.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong number of columns.</exception>
    public double Score(GmmData data) => ScoreCore(Input(data));

    /// <summary>Bayesian information criterion on <paramref name="x"/> (<c>bic</c>); lower is better.</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns><c>-2 * Score(x) * N + p * ln N</c> with <c>p</c> free parameters.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double Bic(double[,] x) => BicCore(Input(x));

    /// <summary>Bayesian information criterion on single-precision rows (<c>bic</c>); lower is better.</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns><c>-2 * Score(x) * N + p * ln N</c> with <c>p</c> free parameters.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double Bic(float[,] x) => BicCore(Input(x));

    /// <summary>Bayesian information criterion on converted data (<c>bic</c>); lower is better.</summary>
    /// <param name="data">Rows with as many columns as the fitted data.</param>
    /// <returns><c>-2 * Score(data) * N + p * ln N</c> with <c>p</c> free parameters.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong number of columns.</exception>
    public double Bic(GmmData data) => BicCore(Input(data));

    /// <summary>Akaike information criterion on <paramref name="x"/> (<c>aic</c>); lower is better.</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns><c>-2 * Score(x) * N + 2 p</c> with <c>p</c> free parameters.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double Aic(double[,] x) => AicCore(Input(x));

    /// <summary>Akaike information criterion on single-precision rows (<c>aic</c>); lower is better.</summary>
    /// <param name="x">Rows with as many columns as the fitted data.</param>
    /// <returns><c>-2 * Score(x) * N + 2 p</c> with <c>p</c> free parameters.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> has the wrong number of columns or non-finite values.</exception>
    public double Aic(float[,] x) => AicCore(Input(x));

    /// <summary>Akaike information criterion on converted data (<c>aic</c>); lower is better.</summary>
    /// <param name="data">Rows with as many columns as the fitted data.</param>
    /// <returns><c>-2 * Score(data) * N + 2 p</c> with <c>p</c> free parameters.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="data"/> has the wrong number of columns.</exception>
    public double Aic(GmmData data) => AicCore(Input(data));

    private int[] PredictCore(GmmData data)
    {
        double[] wlp = WeightedLogProbabilities(data);
        int m = Fitted.M;
        var labels = new int[data.Count];
        for (int n = 0; n < data.Count; n++)
        {
            int blk = n / GmmData.BlockSize, b = n % GmmData.BlockSize, best = 0;
            double bestValue = double.NegativeInfinity;
            for (int k = 0; k < m; k++)
            {
                double v = wlp[(blk * m + k) * GmmData.BlockSize + b];
                if (v > bestValue)
                {
                    bestValue = v;
                    best = k;
                }
            }

            labels[n] = best;
        }

        return labels;
    }

    private double[,] ProbabilitiesCore(GmmData data)
    {
        double[] wlp = WeightedLogProbabilities(data);
        int m = Fitted.M;
        var result = new double[data.Count, m];
        for (int n = 0; n < data.Count; n++)
        {
            int blk = n / GmmData.BlockSize, b = n % GmmData.BlockSize;
            double norm = LogSumExp(wlp, blk, b, m);
            for (int k = 0; k < m; k++)
            {
                result[n, k] = Math.Exp(wlp[(blk * m + k) * GmmData.BlockSize + b] - norm);
            }
        }

        return result;
    }

    private double[] ScoreSamplesCore(GmmData data)
    {
        double[] wlp = WeightedLogProbabilities(data);
        int m = Fitted.M;
        var result = new double[data.Count];
        for (int n = 0; n < data.Count; n++)
        {
            result[n] = LogSumExp(wlp, n / GmmData.BlockSize, n % GmmData.BlockSize, m);
        }

        return result;
    }

    private double ScoreCore(GmmData data)
    {
        double sum = 0;
        foreach (double v in ScoreSamplesCore(data))
        {
            sum += v;
        }

        return sum / data.Count;
    }

    private double BicCore(GmmData data) => -2 * ScoreCore(data) * data.Count + FreeParameters() * Math.Log(data.Count);

    private double AicCore(GmmData data) => -2 * ScoreCore(data) * data.Count + 2 * FreeParameters();

    /// <summary>
    /// Draws rows from the fitted mixture (<c>sample</c>): the count per component is multinomial in the
    /// weights, and rows are grouped by component in component order.
    /// </summary>
    /// <param name="count">Number of rows, at least 1.</param>
    /// <param name="seed">Seed of the draw; <see langword="null"/> for a fresh one.</param>
    /// <returns>The rows and the component each was drawn from.</returns>
    /// <exception cref="InvalidOperationException">The model is not fitted.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    public (double[,] X, int[] Labels) Sample(int count, int? seed = null)
    {
        var p = Fitted;
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var random = seed is int s ? new Random(s) : new Random();
        int m = p.M, d = p.D;
        var perComponent = new int[m];
        for (int r = 0; r < count; r++)
        {
            double u = random.NextDouble(), c = 0;
            int k = 0;
            for (; k < m - 1; k++)
            {
                c += p.Weights[k];
                if (u < c)
                {
                    break;
                }
            }

            perComponent[k]++;
        }

        var cov = p.ToFull(p.Covariances);
        var x = new double[count, d];
        var labels = new int[count];
        var lower = new double[d * d];
        var matrix = new double[d * d];
        var z = new double[d];
        int row = 0;
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                for (int j = 0; j < d; j++)
                {
                    matrix[i * d + j] = cov[k, i, j];
                }
            }

            if (!GmmMath.TryCholesky(matrix, lower, d))
            {
                throw new InvalidOperationException($"The covariance of component {k} is not positive definite.");
            }

            for (int r = 0; r < perComponent[k]; r++, row++)
            {
                for (int i = 0; i < d; i++)
                {
                    z[i] = StandardNormal(random);
                }

                for (int i = 0; i < d; i++)
                {
                    double v = p.Means[k * d + i];
                    for (int j = 0; j <= i; j++)
                    {
                        v += lower[i * d + j] * z[j];
                    }

                    x[row, i] = v;
                }

                labels[row] = k;
            }
        }

        return (x, labels);
    }

    private static double StandardNormal(Random random)
    {
        double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static double LogSumExp(double[] wlp, int blk, int b, int m)
    {
        double max = double.NegativeInfinity;
        for (int k = 0; k < m; k++)
        {
            max = Math.Max(max, wlp[(blk * m + k) * GmmData.BlockSize + b]);
        }

        if (double.IsNegativeInfinity(max))
        {
            return max;
        }

        double s = 0;
        for (int k = 0; k < m; k++)
        {
            s += Math.Exp(wlp[(blk * m + k) * GmmData.BlockSize + b] - max);
        }

        return Math.Log(s) + max;
    }

    private double FreeParameters()
    {
        var p = Fitted;
        long m = p.M, d = p.D;
        long covariance = options.CovarianceType switch
        {
            CovarianceType.Full => m * d * (d + 1) / 2,
            CovarianceType.Diagonal => m * d,
            CovarianceType.Tied => d * (d + 1) / 2,
            _ => m,
        };
        return covariance + m * d + m - 1;
    }

    // The model is checked first (unfitted is InvalidOperationException), then the argument: null, columns, values.
    private GmmData Input(double[,] x)
    {
        CheckColumns(x, nameof(x));
        return GmmData.FromMatrix(x);
    }

    private GmmData Input(float[,] x)
    {
        CheckColumns(x, nameof(x));
        return GmmData.FromMatrix(x);
    }

    private GmmData Input(GmmData data)
    {
        var p = Fitted;
        ArgumentNullException.ThrowIfNull(data);
        if (data.Dimension != p.D)
        {
            throw new ArgumentException(
                $"Expected {p.D} columns, as in the data the model was fitted on, got {data.Dimension}.", nameof(data));
        }

        return data;
    }

    private void CheckColumns(Array x, string paramName)
    {
        var p = Fitted;
        ArgumentNullException.ThrowIfNull(x, paramName);
        if (x.GetLength(1) != p.D)
        {
            throw new ArgumentException(
                $"Expected {p.D} columns, as in the data the model was fitted on, got {x.GetLength(1)}.", paramName);
        }
    }

    private double[] WeightedLogProbabilities(GmmData data)
    {
        // Prediction reuses the kernel variant the fit ran, so it never starts a trial of its own.
        string? variant = kernelVariants.TryGetValue(GmmKernels.MahalanobisKernelName, out string? fittedVariant)
            ? fittedVariant
            : ResolveForcedVariant();
        using var em = new EmState(data, Fitted.M, options.CovarianceType, options.Regularization, options.TuningStore ?? TuningStore.Default, variant, options, fittedDevice, fittedSingle);
        return em.WeightedLogProbabilities(Fitted);
    }

    private string? ResolveForcedVariant()
    {
        string? forced = options.Variant;
        string source = nameof(GaussianMixtureOptions.Variant);
        if (forced is null)
        {
            forced = Environment.GetEnvironmentVariable(VariantSelector.ForceVariable);
            source = VariantSelector.ForceVariable;
            if (string.IsNullOrWhiteSpace(forced))
            {
                return null;
            }
        }

        var known = GmmKernels.VariantNames;
        foreach (string name in known)
        {
            if (string.Equals(name, forced, StringComparison.OrdinalIgnoreCase))
            {
                return forced;
            }
        }

        throw new ArgumentException(
            $"Unknown variant '{forced}' (from {source}); known variants: {string.Join(", ", known)}.", source);
    }

    private Parameters Initialize(IEmSteps em, Inits inits, Random random)
    {
        var data = em.Data;
        int m = options.Components, d = data.Dimension;
        var p = new Parameters(m, d, options.CovarianceType);
        bool all = inits.Weights is not null && inits.Means is not null && inits.Precisions is not null;
        if (!all)
        {
            // scikit-learn: the M-step on the initial responsibilities gives whatever is not given.
            var resp = GmmInitializer.Responsibilities(data, m, options.Init, random);
            em.SetResponsibilities(resp);
            em.MStep(p);
        }

        if (inits.Weights is not null)
        {
            Array.Copy(inits.Weights, p.Weights, m);
        }

        if (inits.Means is not null)
        {
            Array.Copy(inits.Means, p.Means, m * d);
        }

        if (inits.Precisions is not null)
        {
            PrecisionsFromInit(inits.Precisions, p);
        }

        return p;
    }

    private void PrecisionsFromInit(double[] precisions, Parameters p)
    {
        int m = p.M, d = p.D;
        const string name = nameof(GaussianMixtureOptions.PrecisionsInit);
        switch (p.Type)
        {
            case CovarianceType.Full:
                for (int k = 0; k < m; k++)
                {
                    GmmMath.UpperFactorOfPrecision(precisions.AsSpan(k * d * d, d * d), p.PrecisionsCholesky.AsSpan(k * d * d, d * d), d, name);
                }

                break;
            case CovarianceType.Tied:
                GmmMath.UpperFactorOfPrecision(precisions, p.PrecisionsCholesky, d, name);
                break;
            default:
                for (int i = 0; i < precisions.Length; i++)
                {
                    p.PrecisionsCholesky[i] = Math.Sqrt(precisions[i]);
                }

                break;
        }
    }

    private Inits ValidateInits(int d)
    {
        int m = options.Components;
        double[]? weights = null, means = null, precisions = null;
        if (options.WeightsInit is { } w)
        {
            const string name = nameof(GaussianMixtureOptions.WeightsInit);
            if (w.Length != m)
            {
                throw new ArgumentException($"Expected {m} weights (Components), got {w.Length}.", name);
            }

            double sum = 0;
            foreach (double v in w)
            {
                if (!(v >= 0 && v <= 1))
                {
                    throw new ArgumentException($"Expected weights in [0, 1], got {v}.", name);
                }

                sum += v;
            }

            if (Math.Abs(1 - sum) > 1e-8)
            {
                throw new ArgumentException($"Expected weights that sum to 1, got a sum of {sum}.", name);
            }

            weights = (double[])w.Clone();
        }

        if (options.MeansInit is { } mu)
        {
            const string name = nameof(GaussianMixtureOptions.MeansInit);
            if (mu.GetLength(0) != m || mu.GetLength(1) != d)
            {
                throw new ArgumentException(
                    $"Expected means of shape {m} x {d} (Components x features), got {mu.GetLength(0)} x {mu.GetLength(1)}.", name);
            }

            means = new double[m * d];
            GmmData.MemoryMarshalCopy(mu, means);
            GmmData.CheckFinite(means, d, name);
        }

        if (options.PrecisionsInit is { } pr)
        {
            const string name = nameof(GaussianMixtureOptions.PrecisionsInit);
            (int[] shape, string text) = options.CovarianceType switch
            {
                CovarianceType.Full => (new[] { m, d, d }, $"double[{m}, {d}, {d}]"),
                CovarianceType.Tied => (new[] { d, d }, $"double[{d}, {d}]"),
                CovarianceType.Diagonal => (new[] { m, d }, $"double[{m}, {d}]"),
                _ => (new[] { m }, $"double[{m}]"),
            };
            bool ok = pr.GetType().GetElementType() == typeof(double) && pr.Rank == shape.Length;
            for (int r = 0; ok && r < shape.Length; r++)
            {
                ok = pr.GetLength(r) == shape[r];
            }

            if (!ok)
            {
                throw new ArgumentException(
                    $"Expected precisions of shape {text} for covariance type {options.CovarianceType}.", name);
            }

            precisions = new double[pr.Length];
            int c = 0;
            foreach (double v in pr)
            {
                precisions[c++] = v;
            }

            for (int i = 0; i < precisions.Length; i++)
            {
                if (!double.IsFinite(precisions[i])
                    || (options.CovarianceType is CovarianceType.Diagonal or CovarianceType.Spherical && precisions[i] <= 0))
                {
                    throw new ArgumentException($"Expected finite, positive precisions, got {precisions[i]}.", name);
                }
            }

            if (options.CovarianceType is CovarianceType.Full or CovarianceType.Tied)
            {
                int count = options.CovarianceType == CovarianceType.Full ? m : 1;
                for (int k = 0; k < count; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = 0; j < i; j++)
                        {
                            double a = precisions[(k * d + i) * d + j], b = precisions[(k * d + j) * d + i];
                            if (Math.Abs(a - b) > 1e-10 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b))))
                            {
                                throw new ArgumentException("Expected symmetric precision matrices.", name);
                            }
                        }
                    }
                }
            }
        }

        return new Inits(weights, means, precisions);
    }

    private readonly record struct Inits(double[]? Weights, double[]? Means, double[]? Precisions);

    /// <summary>Fitted parameters in scikit-learn's shapes, flattened row-major.</summary>
    internal sealed class Parameters
    {
        internal Parameters(int m, int d, CovarianceType type)
        {
            M = m;
            D = d;
            Type = type;
            Weights = new double[m];
            Means = new double[m * d];
            int size = type switch
            {
                CovarianceType.Full => m * d * d,
                CovarianceType.Tied => d * d,
                CovarianceType.Diagonal => m * d,
                _ => m,
            };
            Covariances = new double[size];
            PrecisionsCholesky = new double[size];
        }

        internal int M { get; }

        internal int D { get; }

        internal CovarianceType Type { get; }

        internal double[] Weights { get; }

        internal double[] Means { get; }

        internal double[] Covariances { get; }

        internal double[] PrecisionsCholesky { get; }

        internal Parameters Clone()
        {
            var c = new Parameters(M, D, Type);
            Weights.CopyTo(c.Weights, 0);
            Means.CopyTo(c.Means, 0);
            Covariances.CopyTo(c.Covariances, 0);
            PrecisionsCholesky.CopyTo(c.PrecisionsCholesky, 0);
            return c;
        }

        internal double[,,] ToFull(double[] values)
        {
            var result = new double[M, D, D];
            for (int k = 0; k < M; k++)
            {
                for (int i = 0; i < D; i++)
                {
                    switch (Type)
                    {
                        case CovarianceType.Full:
                            for (int j = 0; j < D; j++)
                            {
                                result[k, i, j] = values[(k * D + i) * D + j];
                            }

                            break;
                        case CovarianceType.Tied:
                            for (int j = 0; j < D; j++)
                            {
                                result[k, i, j] = values[i * D + j];
                            }

                            break;
                        case CovarianceType.Diagonal:
                            result[k, i, i] = values[k * D + i];
                            break;
                        default:
                            result[k, i, i] = values[k];
                            break;
                    }
                }
            }

            return result;
        }
    }
}
