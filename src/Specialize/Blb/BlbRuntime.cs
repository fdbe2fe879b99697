using System;
using System.Diagnostics;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Specialize.Blb;
using Specialize.Devices;
using Specialize.Distributed;
using Specialize.Sampling;

namespace Specialize;

/// <summary>
/// The Bag of Little Bootstraps driver (Kleiner, Talwalkar, Sarkar &amp; Jordan 2014) that generated
/// <c>[BlbEstimator]</c> code calls. It draws subsamples and multinomial weights from counter-based random
/// streams, calls the weighted estimator in parallel, and reduces bootstraps and subsamples in a fixed
/// order, so the result depends only on the data, the options and the seed.
/// </summary>
/// <remarks>
/// <para>For subsample <c>j</c> (0-based): its <c>b</c> distinct rows come from stream <c>(j, row draw)</c>
/// (Floyd's algorithm, then sorted); bootstrap <c>k</c>'s weights come from stream <c>(j, k)</c> as one exact
/// Multinomial(n; 1/b, ..., 1/b) draw (Poisson counts from a per-run table completed by uniform units, or a
/// chain of conditional binomials where the table does not apply).</para>
/// <para>The subsample's own estimate, the centre of its percentile distances, is the estimator on the
/// subsample with balanced integer weights: row <c>i</c> gets <c>floor((i+1)n/b) - floor(in/b)</c>, i.e.
/// <c>n/b</c> rounded so that the weights sum to <c>n</c> exactly.</para>
/// <para>Subsampled inputs travel in the state as arrays or <see cref="ReadOnlyMemory{T}"/> (a span cannot
/// cross threads); pass-through arguments travel beside them. Every subsampled input must have <c>n</c> rows.</para>
/// </remarks>
/// <example>
/// The shape of generated code for <c>double Estimate(ReadOnlySpan&lt;Email&gt; emails, [NoSubsample] Model[] models)</c>:
/// <code>
/// public static BlbResult Run(ReadOnlySpan&lt;Email&gt; emails, Model[] models, BlbOptions? options = null,
///     IProgress&lt;BlbProgress&gt;? progress = null, CancellationToken cancellationToken = default)
/// {
///     return BlbRuntime.Run(emails.Length, Unsafe.SizeOf&lt;Email&gt;(), (Emails: emails.ToArray(), Models: models),
///         static (sample, state) =&gt; EstimateWeighted(sample, state.Emails, state.Models),
///         null, null, options, progress, cancellationToken);
/// }
///
/// private static double EstimateWeighted(BlbSample sample, Email[] emailsData, Model[] models)
/// {
///     ReadOnlySpan&lt;int&gt; weights = sample.Weights;
///     double errors = 0;
///     if (sample.Layout == BlbDataLayout.LoadIn)
///     {
///         ReadOnlySpan&lt;Email&gt; emails = sample.Gather(0, (ReadOnlySpan&lt;Email&gt;)emailsData);
///         for (int i = 0; i &lt; emails.Length; i++)
///         {
///             int w = weights[i];
///             if (w == 0) continue;
///             Email e = emails[i];
///             int choice = Classify(e, models);
///             if (choice != e.Tag) errors += w * 1;
///         }
///     }
///     else
///     {
///         ReadOnlySpan&lt;int&gt; rows = sample.Indices;
///         for (int i = 0; i &lt; rows.Length; i++)
///         {
///             int w = weights[i];
///             if (w == 0) continue;
///             Email e = emailsData[rows[i]];
///             int choice = Classify(e, models);
///             if (choice != e.Tag) errors += w * 1;
///         }
///     }
///     return errors / sample.N;
/// }
/// </code>
/// The generator writes the loop twice in this way, reading the rows through <see cref="BlbRows{T}.Source"/> and
/// <see cref="BlbRows{T}.Map"/> of <see cref="BlbSample.Rows{T}"/>, so that no read branches on the layout.
/// </example>
public static partial class BlbRuntime
{
    /// <summary>Runs BLB for a scalar estimator.</summary>
    /// <typeparam name="TState">What the estimator reads besides the sample (subsampled inputs as arrays or memory, pass-through arguments).</typeparam>
    /// <param name="n">Number of rows of the subsampled data (all subsampled inputs share it); at least 2.</param>
    /// <param name="bytesPerRow">Bytes one row of all subsampled inputs takes when copied (sum of <c>Unsafe.SizeOf&lt;T&gt;()</c>); feeds the load-in cache model. Non-negative.</param>
    /// <param name="state">Passed to every <paramref name="estimator"/> call; read concurrently from several threads.</param>
    /// <param name="estimator">The estimator in weighted form; called concurrently, so it must not write shared state.</param>
    /// <param name="reduceBootstraps">Reduces one subsample's bootstrap estimates to a quality measure; <see langword="null"/> for the sample standard deviation.</param>
    /// <param name="average">Reduces the per-subsample quality measures; <see langword="null"/> for the arithmetic mean.</param>
    /// <param name="options">Run parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told after each finished subsample; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between bootstraps with an <see cref="OperationCanceledException"/>.</param>
    /// <returns>The quality assessment and what the runtime decided.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2, <paramref name="bytesPerRow"/> is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The estimator returns NaN on the full data (the data contains NaN or the estimator is undefined on it).</exception>
    public static BlbResult Run<TState>(
        int n,
        int bytesPerRow,
        TState state,
        WeightedEstimator<TState> estimator,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken) =>
        Run(n, bytesPerRow, state, estimator, null, reduceBootstraps, average, options, progress, cancellationToken);

    /// <summary>
    /// Runs BLB for a scalar estimator that also has a batched form: the bootstraps are computed in batches, one pass
    /// over a subsample's rows for several bootstraps (an adaptive run computes up to 16 ahead of its stopping rule
    /// and leaves those past the stopping point unused). The result is the same,
    /// bit for bit, as with <paramref name="estimator"/> alone when the batched form adds the same terms in the same
    /// row order, which generated code does.
    /// </summary>
    /// <typeparam name="TState">What the estimator reads besides the sample.</typeparam>
    /// <param name="n">Number of rows of the subsampled data; at least 2.</param>
    /// <param name="bytesPerRow">Bytes one row of all subsampled inputs takes when copied; non-negative.</param>
    /// <param name="state">Passed to every estimator call; read concurrently from several threads.</param>
    /// <param name="estimator">The estimator in weighted form: the full-data pass, each subsample's own estimate, adaptive runs.</param>
    /// <param name="batch">The estimator in batched weighted form, or <see langword="null"/> to call <paramref name="estimator"/> per bootstrap.</param>
    /// <param name="reduceBootstraps">Reduces one subsample's bootstrap estimates; <see langword="null"/> for the sample standard deviation.</param>
    /// <param name="average">Reduces the per-subsample quality measures; <see langword="null"/> for the arithmetic mean.</param>
    /// <param name="options">Run parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told after each finished subsample; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between bootstraps or batches.</param>
    /// <returns>The quality assessment and what the runtime decided.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2, <paramref name="bytesPerRow"/> is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The estimator returns NaN on the full data.</exception>
    public static BlbResult Run<TState>(
        int n,
        int bytesPerRow,
        TState state,
        WeightedEstimator<TState> estimator,
        WeightedBatchEstimator<TState>? batch,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken) =>
        Run(n, bytesPerRow, state, estimator, batch, null, reduceBootstraps, average, options, progress, cancellationToken);

    /// <summary>
    /// Runs BLB for a scalar estimator that may also have a batched form and a GPU form. With a GPU form, the runtime
    /// runs the bootstraps on a GPU when one is allowed (<see cref="BlbOptions.Device"/>, <c>SPECIALIZE_DEVICE</c>) and
    /// faster for the problem (a measured trial, remembered in the tuning store); the full-data pass, the subsamples'
    /// draws and their own estimates stay on the processor. The weights are the same bit for bit on every device; the
    /// sums of a bootstrap may be added in another order. <see cref="BlbResult.Device"/> says where the bootstraps ran.
    /// </summary>
    /// <typeparam name="TState">What the estimator reads besides the sample.</typeparam>
    /// <param name="n">Number of rows of the subsampled data; at least 2.</param>
    /// <param name="bytesPerRow">Bytes one row of all subsampled inputs takes when copied; non-negative.</param>
    /// <param name="state">Passed to every estimator call; read concurrently from several threads.</param>
    /// <param name="estimator">The estimator in weighted form.</param>
    /// <param name="batch">The estimator in batched weighted form, or <see langword="null"/>.</param>
    /// <param name="device">The estimator's GPU form, or <see langword="null"/> to run on the processor only.</param>
    /// <param name="reduceBootstraps">Reduces one subsample's bootstrap estimates; <see langword="null"/> for the sample standard deviation.</param>
    /// <param name="average">Reduces the per-subsample quality measures; <see langword="null"/> for the arithmetic mean.</param>
    /// <param name="options">Run parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told after each finished subsample; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between bootstraps, batches or launches.</param>
    /// <returns>The quality assessment and what the runtime decided.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2, <paramref name="bytesPerRow"/> is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The estimator returns NaN on the full data, or <c>SPECIALIZE_DEVICE</c> names no device.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="device"/> is the form of a vector-valued estimator.</exception>
    public static BlbResult Run<TState>(
        int n,
        int bytesPerRow,
        TState state,
        WeightedEstimator<TState> estimator,
        WeightedBatchEstimator<TState>? batch,
        BlbDeviceEstimator<TState>? device,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        RawResult raw = Execute(new ScalarEvaluator<TState>(estimator, batch, state), Bind(device, state, vector: false), n, bytesPerRow, reduceBootstraps, average, options, progress, cancellationToken);
        var subsampleQualities = new double[raw.Subsamples];
        for (int j = 0; j < subsampleQualities.Length; j++)
        {
            subsampleQualities[j] = raw.SubsampleQualities[j][0];
        }
        return new BlbResult
        {
            Estimate = raw.Estimate[0],
            StandardError = raw.StandardError[0],
            Quality = raw.Quality[0],
            Lower = raw.Lower[0],
            Upper = raw.Upper[0],
            BootstrapMean = raw.BootstrapMean[0],
            SubsampleQualities = subsampleQualities,
            N = n,
            SubsampleSize = raw.SubsampleSize,
            Subsamples = raw.Subsamples,
            Bootstraps = raw.Bootstraps,
            Layout = raw.Layout,
            Threads = raw.Threads,
            Device = raw.Device,
            Elapsed = raw.Elapsed,
        };
    }

    /// <summary>Runs BLB for a vector-valued estimator; every quantity is reduced per coordinate.</summary>
    /// <typeparam name="TState">What the estimator reads besides the sample.</typeparam>
    /// <param name="n">Number of rows of the subsampled data; at least 2.</param>
    /// <param name="bytesPerRow">Bytes one row of all subsampled inputs takes when copied; non-negative.</param>
    /// <param name="state">Passed to every <paramref name="estimator"/> call.</param>
    /// <param name="estimator">The estimator in weighted form; every call must return the same number of coordinates.</param>
    /// <param name="reduceBootstraps">Per coordinate, reduces one subsample's bootstrap estimates; <see langword="null"/> for the sample standard deviation.</param>
    /// <param name="average">Per coordinate, reduces the per-subsample values; <see langword="null"/> for the arithmetic mean.</param>
    /// <param name="options">Run parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told after each finished subsample; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between bootstraps.</param>
    /// <returns>The per-coordinate quality assessment.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2, <paramref name="bytesPerRow"/> is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The estimator returns NaN on the full data.</exception>
    /// <exception cref="InvalidOperationException">The estimator returned <see langword="null"/>, an empty array, or arrays of different lengths.</exception>
    public static BlbVectorResult RunVector<TState>(
        int n,
        int bytesPerRow,
        TState state,
        WeightedVectorEstimator<TState> estimator,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken) =>
        RunVector(n, bytesPerRow, state, estimator, null, reduceBootstraps, average, options, progress, cancellationToken);

    /// <summary>
    /// Runs BLB for a vector-valued estimator that also has a batched form (see
    /// <see cref="Run{TState}(int, int, TState, WeightedEstimator{TState}, WeightedBatchEstimator{TState}?, BlbReducer?, BlbReducer?, BlbOptions?, IProgress{BlbProgress}?, CancellationToken)"/>);
    /// every quantity is reduced per coordinate.
    /// </summary>
    /// <typeparam name="TState">What the estimator reads besides the sample.</typeparam>
    /// <param name="n">Number of rows of the subsampled data; at least 2.</param>
    /// <param name="bytesPerRow">Bytes one row of all subsampled inputs takes when copied; non-negative.</param>
    /// <param name="state">Passed to every estimator call.</param>
    /// <param name="estimator">The estimator in weighted form; every call must return the same number of coordinates.</param>
    /// <param name="batch">The estimator in batched weighted form, or <see langword="null"/> to call <paramref name="estimator"/> per bootstrap.</param>
    /// <param name="reduceBootstraps">Per coordinate, reduces one subsample's bootstrap estimates; <see langword="null"/> for the sample standard deviation.</param>
    /// <param name="average">Per coordinate, reduces the per-subsample values; <see langword="null"/> for the arithmetic mean.</param>
    /// <param name="options">Run parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told after each finished subsample; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between bootstraps or batches.</param>
    /// <returns>The per-coordinate quality assessment.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2, <paramref name="bytesPerRow"/> is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The estimator returns NaN on the full data.</exception>
    /// <exception cref="InvalidOperationException">An estimate was <see langword="null"/>, empty, or of another length than on the full data.</exception>
    public static BlbVectorResult RunVector<TState>(
        int n,
        int bytesPerRow,
        TState state,
        WeightedVectorEstimator<TState> estimator,
        WeightedVectorBatchEstimator<TState>? batch,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken) =>
        RunVector(n, bytesPerRow, state, estimator, batch, null, reduceBootstraps, average, options, progress, cancellationToken);

    /// <summary>
    /// Runs BLB for a vector-valued estimator that may also have a batched form and a GPU form (see
    /// <see cref="Run{TState}(int, int, TState, WeightedEstimator{TState}, WeightedBatchEstimator{TState}?, BlbDeviceEstimator{TState}?, BlbReducer?, BlbReducer?, BlbOptions?, IProgress{BlbProgress}?, CancellationToken)"/>);
    /// every quantity is reduced per coordinate.
    /// </summary>
    /// <typeparam name="TState">What the estimator reads besides the sample.</typeparam>
    /// <param name="n">Number of rows of the subsampled data; at least 2.</param>
    /// <param name="bytesPerRow">Bytes one row of all subsampled inputs takes when copied; non-negative.</param>
    /// <param name="state">Passed to every estimator call.</param>
    /// <param name="estimator">The estimator in weighted form; every call must return the same number of coordinates.</param>
    /// <param name="batch">The estimator in batched weighted form, or <see langword="null"/>.</param>
    /// <param name="device">The estimator's GPU form, or <see langword="null"/> to run on the processor only.</param>
    /// <param name="reduceBootstraps">Per coordinate, reduces one subsample's bootstrap estimates; <see langword="null"/> for the sample standard deviation.</param>
    /// <param name="average">Per coordinate, reduces the per-subsample values; <see langword="null"/> for the arithmetic mean.</param>
    /// <param name="options">Run parameters; <see langword="null"/> for the defaults.</param>
    /// <param name="progress">Told after each finished subsample; may be <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops the run between bootstraps, batches or launches.</param>
    /// <returns>The per-coordinate quality assessment.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="estimator"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is below 2, <paramref name="bytesPerRow"/> is negative, or an option is out of range.</exception>
    /// <exception cref="ArgumentException">The estimator returns NaN on the full data, or <c>SPECIALIZE_DEVICE</c> names no device.</exception>
    /// <exception cref="InvalidOperationException">An estimate was <see langword="null"/>, empty, or of another length than on the full data; or <paramref name="device"/> is the form of a scalar estimator.</exception>
    public static BlbVectorResult RunVector<TState>(
        int n,
        int bytesPerRow,
        TState state,
        WeightedVectorEstimator<TState> estimator,
        WeightedVectorBatchEstimator<TState>? batch,
        BlbDeviceEstimator<TState>? device,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(estimator);
        RawResult raw = Execute(new VectorEvaluator<TState>(estimator, batch, state), Bind(device, state, vector: true), n, bytesPerRow, reduceBootstraps, average, options, progress, cancellationToken);
        return new BlbVectorResult
        {
            Estimate = raw.Estimate,
            StandardError = raw.StandardError,
            Quality = raw.Quality,
            Lower = raw.Lower,
            Upper = raw.Upper,
            BootstrapMean = raw.BootstrapMean,
            SubsampleQualities = raw.SubsampleQualities,
            Dimension = raw.Estimate.Length,
            N = n,
            SubsampleSize = raw.SubsampleSize,
            Subsamples = raw.Subsamples,
            Bootstraps = raw.Bootstraps,
            Layout = raw.Layout,
            Threads = raw.Threads,
            Device = raw.Device,
            Elapsed = raw.Elapsed,
        };
    }

    /// <summary>
    /// Throws when a subsampled numeric input contains NaN, naming the user's parameter. Generated code calls
    /// this for each floating-point subsampled input before <c>Run</c>, so that the exception names
    /// the argument rather than the estimator's NaN result.
    /// </summary>
    /// <typeparam name="T">A numeric row type (<see cref="double"/>, <see cref="float"/>, <see cref="Half"/>, ...).</typeparam>
    /// <param name="values">The input.</param>
    /// <param name="paramName">The user's parameter name, reported as <see cref="ArgumentException.ParamName"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="values"/> contains NaN.</exception>
    public static void ThrowIfAnyNaN<T>(ReadOnlySpan<T> values, string paramName)
        where T : INumberBase<T>
    {
        if (TensorPrimitives.IsNaNAny(values))
        {
            int index = 0;
            while (!T.IsNaN(values[index]))
            {
                index++;
            }
            throw new ArgumentException($"The data contains NaN (first at row {index}); the estimator would propagate it into every bootstrap estimate.", paramName);
        }
    }

    /// <summary>
    /// Throws when a co-iterated subsampled input does not have as many rows as the first one. Generated code
    /// calls this for the second and later subsampled inputs before <c>Run</c>.
    /// </summary>
    /// <param name="n">Rows of the first subsampled input.</param>
    /// <param name="length">Rows of this input.</param>
    /// <param name="paramName">The user's parameter name of this input.</param>
    /// <exception cref="ArgumentException"><paramref name="length"/> differs from <paramref name="n"/>.</exception>
    public static void ThrowIfLengthDiffers(int n, int length, string paramName)
    {
        if (length != n)
        {
            throw new ArgumentException($"Co-iterated subsampled inputs must have the same number of rows: expected {n}, got {length}.", paramName);
        }
    }

    private static RawResult Execute<TEvaluator>(
        TEvaluator evaluator,
        IBlbDeviceForm? device,
        int n,
        int bytesPerRow,
        BlbReducer? reduceBootstraps,
        BlbReducer? average,
        BlbOptions? options,
        IProgress<BlbProgress>? progress,
        CancellationToken cancellationToken)
        where TEvaluator : IBlbEvaluator
    {
        options ??= new BlbOptions();
        options.Validate();
        if (n < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "BLB needs at least 2 rows of subsampled data: with fewer the subsample size b = ceil(n^Gamma) is below 2.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(bytesPerRow);

        // Under MPI the subsamples are dealt to the ranks (BlbRuntime.Cluster.cs), and a cancellation on any rank is
        // agreed on by all of them there, so that none waits for a rank that stopped.
        ICommunicator? cluster = Cluster.Distributed;
        if (cluster is null)
        {
            cancellationToken.ThrowIfCancellationRequested();
        }

        var stopwatch = Stopwatch.StartNew();
        int b = options.SubsampleSize(n);
        if (b < 2)
        {
            throw new ArgumentOutOfRangeException(nameof(BlbOptions.Gamma), options.Gamma, $"The subsample size b = ceil(n^Gamma) is {b} for n = {n}; it must be at least 2, so Gamma must be larger.");
        }
        int s = options.Subsamples;
        int r = options.Bootstraps;
        // A rank's default threads are its share of the node.
        int threads = Math.Max(1, cluster is not null && options.MaxDegreeOfParallelism == -1 ? Cluster.LocalThreads : options.EffectiveDegreeOfParallelism);
        BlbDataLayout layout = options.DataLayout != BlbDataLayout.Auto
            ? options.DataLayout
            : BlbLayoutModel.Choose(b, bytesPerRow, r, threads);
        if (cluster is not null)
        {
            return ExecuteOnCluster(cluster, evaluator, device, n, b, bytesPerRow, threads, layout, reduceBootstraps, average, options, progress, cancellationToken, stopwatch);
        }

        // The full-data pass: every row once with weight 1. Where the bootstraps run in pieces on several threads, it
        // is one more work item among them; the run's arrays are sized by the estimate's length, which a scalar
        // estimator knows beforehand and a vector-valued one tells by subsample 0's own estimate (b rows, computed
        // first, and kept: the run needs it anyway). Otherwise the full-data pass runs first.
        bool fullDataInParallel = threads > 1 && !options.Adaptive;
        double[]? estimate = fullDataInParallel ? null : FullDataPass(evaluator, n);
        RunState.FirstSubsample? first = fullDataInParallel && evaluator.KnownDimension == 0
            ? RunState.DrawFirst(evaluator, n, b, options.StreamKey, layout)
            : null;
        int dimension = estimate?.Length ?? first?.Own.Length ?? evaluator.KnownDimension;
        // Where the bootstraps run: the processor, or a GPU the estimator's GPU form allows (a GPU run reads the rows
        // gathered per subsample, load-in).
        ComputeDevice computeDevice = device is null ? DeviceRuntime.Cpu : ChooseDevice(evaluator, device, n, b, dimension, bytesPerRow, layout, threads, options);
        if (computeDevice.IsIlgpu)
        {
            layout = BlbDataLayout.LoadIn;
        }
        var run = new RunState(n, b, s, r, dimension, layout, options, reduceBootstraps, progress, cancellationToken);
        if (first is not null)
        {
            run.Adopt(first);
        }
        int used = computeDevice.IsIlgpu
            ? run.ComputeOnDevice(evaluator, device!, computeDevice, bytesPerRow, threads, fullDataInParallel)
            : run.ComputeAll(evaluator, threads, fullDataInParallel);
        cancellationToken.ThrowIfCancellationRequested();
        estimate ??= CheckFullData(run.FullData!);
        if (estimate.Length != dimension)
        {
            throw new InvalidOperationException($"The vector-valued estimator must return the same number of values on every call: {dimension} on subsample 0, {estimate.Length} on the full data.");
        }
        return Finish(run.Reduce(used, estimate, average), layout, threads, computeDevice, b, stopwatch);
    }

    /// <summary>The reduced result with what the run decided: layout, threads, the device of the bootstraps, subsample size, time.</summary>
    private static RawResult Finish(RawResult raw, BlbDataLayout layout, int threads, ComputeDevice computeDevice, int b, Stopwatch stopwatch)
    {
        raw.Layout = layout;
        raw.Threads = threads;
        raw.Device = computeDevice.Id;
        raw.SubsampleSize = b;
        raw.Elapsed = stopwatch.Elapsed;
        return raw;
    }

    /// <summary>The estimator on all <paramref name="n"/> rows with weight 1; throws when it is NaN.</summary>
    private static double[] FullDataPass<TEvaluator>(TEvaluator evaluator, int n)
        where TEvaluator : IBlbEvaluator =>
        CheckFullData(FullDataEstimate(evaluator, n));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double[] FullDataEstimate<TEvaluator>(TEvaluator evaluator, int n)
        where TEvaluator : IBlbEvaluator
    {
        FullDataRows rows = FullDataRows.Get(n);
        return evaluator.EvaluateFirst(new BlbSample(rows.Indices.AsSpan(0, n), rows.Ones.AsSpan(0, n), n, BlbDataLayout.LoadIn, null));
    }

    private static double[] CheckFullData(double[] estimate)
    {
        for (int c = 0; c < estimate.Length; c++)
        {
            if (double.IsNaN(estimate[c]))
            {
                throw new ArgumentException("The estimator returns NaN on the full data: the data contains NaN, or the estimator is undefined on it.", "data");
            }
        }
        return estimate;
    }

    /// <summary>
    /// The indices 0, 1, ... and the weights 1, 1, ... of the full-data pass, kept between runs (weakly, so that the
    /// collector may take them back) instead of allocating and filling two arrays of n integers per run. Never
    /// written after they are filled, so concurrent runs share them.
    /// </summary>
    private sealed class FullDataRows
    {
        private static readonly WeakReference<FullDataRows?> s_last = new(null);

        private FullDataRows(int n)
        {
            Indices = new int[n];
            Ones = new int[n];
            for (int i = 0; i < n; i++)
            {
                Indices[i] = i;
            }
            Ones.AsSpan().Fill(1);
        }

        public int[] Indices { get; }

        public int[] Ones { get; }

        public static FullDataRows Get(int n)
        {
            if (s_last.TryGetTarget(out FullDataRows? rows) && rows is not null && rows.Indices.Length >= n)
            {
                return rows;
            }
            rows = new FullDataRows(n);
            s_last.SetTarget(rows);
            return rows;
        }
    }

    internal interface IBlbEvaluator
    {
        /// <summary>Length of every estimate where it is known before the first call (1 for a scalar estimator); 0 otherwise.</summary>
        int KnownDimension { get; }

        bool HasBatch { get; }

        double[] EvaluateFirst(BlbSample sample);

        void Evaluate(BlbSample sample, Span<double> destination);

        /// <summary>Bootstraps <c>k</c> in [0, count) with weights <c>weights[row * count + k]</c>; estimate k at <c>destination[k * d ..]</c>.</summary>
        void EvaluateBatch(BlbSample sample, ReadOnlySpan<int> weights, int count, Span<double> destination);
    }

    private readonly struct ScalarEvaluator<TState>(WeightedEstimator<TState> estimator, WeightedBatchEstimator<TState>? batch, TState state) : IBlbEvaluator
    {
        public int KnownDimension => 1;

        public bool HasBatch => batch is not null;

        public double[] EvaluateFirst(BlbSample sample) => [estimator(sample, state)];

        public void Evaluate(BlbSample sample, Span<double> destination) => destination[0] = estimator(sample, state);

        public void EvaluateBatch(BlbSample sample, ReadOnlySpan<int> weights, int count, Span<double> destination) =>
            batch!(sample, weights, count, state, destination.Slice(0, count));
    }

    private readonly struct VectorEvaluator<TState>(WeightedVectorEstimator<TState> estimator, WeightedVectorBatchEstimator<TState>? batch, TState state) : IBlbEvaluator
    {
        public int KnownDimension => 0;

        public bool HasBatch => batch is not null;

        public double[] EvaluateFirst(BlbSample sample)
        {
            double[]? value = estimator(sample, state);
            if (value is null || value.Length == 0)
            {
                throw new InvalidOperationException("The vector-valued estimator must return a non-empty array.");
            }
            return (double[])value.Clone();
        }

        public void Evaluate(BlbSample sample, Span<double> destination)
        {
            double[]? value = estimator(sample, state);
            StoreVector(value, destination);
        }

        public void EvaluateBatch(BlbSample sample, ReadOnlySpan<int> weights, int count, Span<double> destination)
        {
            int d = destination.Length / count;
            var values = new double[count][];
            batch!(sample, weights, count, state, values);
            for (int k = 0; k < count; k++)
            {
                StoreVector(values[k], destination.Slice(k * d, d));
            }
        }
    }

    /// <summary>Copies one estimate of a vector-valued estimator, which must have the length of the full-data estimate.</summary>
    internal static void StoreVector(double[]? value, Span<double> destination)
    {
        if (value is null || value.Length != destination.Length)
        {
            throw new InvalidOperationException($"The vector-valued estimator must return {destination.Length} values on every call, as on the full data; it returned {value?.Length ?? 0}.");
        }
        value.CopyTo(destination);
    }

    private sealed class RawResult
    {
        public double[] Quality = [];
        public double[] StandardError = [];
        public double[] Estimate = [];
        public double[] Lower = [];
        public double[] Upper = [];
        public double[] BootstrapMean = [];
        public double[][] SubsampleQualities = [];
        public int[] Bootstraps = [];
        public int Subsamples;
        public int SubsampleSize;
        public BlbDataLayout Layout;
        public int Threads;
        public string Device = DeviceRuntime.Cpu.Id;
        public TimeSpan Elapsed;
    }

    /// <summary>Everything one run computes; arrays are indexed by subsample so workers never share a slot.</summary>
    private sealed partial class RunState
    {
        /// <summary>Most bootstraps in one batched call: their accumulators of a row stay within a few cache lines per term.</summary>
        private const int MaxBatch = 64;

        /// <summary>Bootstraps an adaptive run computes ahead with a batched estimator: at most this many less one are wasted per subsample.</summary>
        private const int AdaptiveBatch = 16;

        private readonly int _n;
        private readonly int _b;
        private readonly int _s;
        private readonly int _r;
        private readonly int _d;
        private readonly BlbDataLayout _layout;
        private readonly BlbOptions _options;
        private readonly BlbReducer? _reduceBootstraps;
        private readonly IProgress<BlbProgress>? _progress;
        private readonly CancellationToken _cancellationToken;
        private readonly int[] _balancedWeights;
        private readonly UniformMultinomial _multinomial;

        // [subsample][bootstrap * d + coordinate]
        private readonly double[][] _estimates;
        // [subsample][coordinate]
        private readonly double[][] _own;
        private readonly int[] _bootstrapsUsed;
        private int _done;

        public RunState(int n, int b, int s, int r, int d, BlbDataLayout layout, BlbOptions options, BlbReducer? reduceBootstraps, IProgress<BlbProgress>? progress, CancellationToken cancellationToken)
        {
            _n = n;
            _b = b;
            _s = s;
            _r = r;
            _d = d;
            _layout = layout;
            _options = options;
            _reduceBootstraps = reduceBootstraps;
            _progress = progress;
            _cancellationToken = cancellationToken;
            _estimates = new double[s][];
            _own = new double[s][];
            _bootstrapsUsed = new int[s];
            _balancedWeights = BalancedWeights(n, b);
            _multinomial = new UniformMultinomial(n, b);
        }

        /// <summary>Subsample 0, drawn before the run (see <see cref="DrawFirst"/>); its draw item is then skipped.</summary>
        private BlbSubsample? _firstRows;

        /// <summary>The full-data estimate, where <see cref="ComputeAll"/> was asked to compute it among the bootstraps.</summary>
        public double[]? FullData { get; private set; }

        /// <summary>Subsample 0's rows and own estimate, drawn before the run to learn a vector-valued estimate's length.</summary>
        internal sealed record FirstSubsample(BlbSubsample Rows, double[] Own);

        /// <summary>
        /// Draws subsample 0 and computes its own estimate exactly as its draw item would (same stream, same weights,
        /// same layout), so that a run that adopts it gives the same bits as one that draws it in the queue.
        /// </summary>
        public static FirstSubsample DrawFirst<TEvaluator>(TEvaluator evaluator, int n, int b, ulong seed, BlbDataLayout layout)
            where TEvaluator : IBlbEvaluator
        {
            BlbWorkspace workspace = BlbWorkspace.Rent(b);
            try
            {
                BlbSubsample rows = BlbSubsample.Rent(b);
                var random = new CounterRandom(seed, CounterRandom.StreamId(0, -1));
                workspace.DrawSubsample(ref random, n, rows.Indices);
                double[] own = evaluator.EvaluateFirst(new BlbSample(rows.Indices, BalancedWeights(n, b), n, layout, rows));
                return new FirstSubsample(rows, own);
            }
            finally
            {
                BlbWorkspace.Return(workspace);
            }
        }

        /// <summary>Takes subsample 0 from <see cref="DrawFirst"/>: its slots are filled and the queue does not draw it again.</summary>
        public void Adopt(FirstSubsample first)
        {
            _estimates[0] = new double[_r * _d];
            _own[0] = first.Own;
            _firstRows = first.Rows;
        }

        /// <summary>The weights of a subsample's own estimate: n spread over its b rows as evenly as whole numbers allow.</summary>
        private static int[] BalancedWeights(int n, int b)
        {
            // weights[i] = floor((i + 1) n / b) - floor(i n / b), kept as a running quotient and remainder
            // instead of two 64-bit divisions per row.
            var weights = new int[b];
            int quotient = n / b;
            long step = n % b, remainder = 0;
            for (int i = 0; i < b; i++)
            {
                remainder += step;
                int weight = quotient;
                if (remainder >= b)
                {
                    remainder -= b;
                    weight++;
                }
                weights[i] = weight;
            }
            return weights;
        }

        /// <summary>
        /// Computes subsamples in waves and returns how many are used (all, or the adaptive stopping point). With
        /// <paramref name="fullData"/>, the full-data pass is one of the first wave's work items (<see cref="FullData"/>);
        /// only a run in pieces on several threads is asked to.
        /// </summary>
        public int ComputeAll<TEvaluator>(TEvaluator evaluator, int threads, bool fullData)
            where TEvaluator : IBlbEvaluator
        {
            int wave = _options.Adaptive ? Math.Max(threads, _options.AdaptiveSubsampleWindow + 1) : _s;
            var history = new double[_s * _d];
            for (int start = 0; start < _s; start += wave)
            {
                int end = Math.Min(_s, start + wave);
                ComputeWave(evaluator, SubsampleSet.Range(start, end), threads, fullData && start == 0);
                if (_cancellationToken.IsCancellationRequested)
                {
                    return end;
                }
                if (_options.Adaptive && StopWithin(history, start, end) is int used and > 0)
                {
                    return used;
                }
            }
            return _s;
        }

        /// <summary>
        /// Where an adaptive run stops within the wave <c>[start, end)</c>: the number of subsamples used, or -1 to go
        /// on. The rule is checked subsample by subsample in order, so the stopping point does not depend on the wave
        /// size (nor on how a wave was dealt to ranks).
        /// </summary>
        private int StopWithin(double[] history, int start, int end)
        {
            for (int t = start; t < end; t++)
            {
                AppendSubsampleQuality(history, t);
                if (SettledPerCoordinate(history, t + 1, _options.AdaptiveSubsampleWindow))
                {
                    return t + 1;
                }
            }
            return -1;
        }

        private void ComputeWave<TEvaluator>(TEvaluator evaluator, SubsampleSet wave, int threads, bool fullData)
            where TEvaluator : IBlbEvaluator
        {
            if (threads == 1)
            {
                BlbWorkspace workspace = BlbWorkspace.Rent(_b);
                BlbSubsample subsample = BlbSubsample.Rent(_b);
                try
                {
                    for (int t = 0; t < wave.Count && !_cancellationToken.IsCancellationRequested; t++)
                    {
                        ComputeSubsample(evaluator, wave[t], workspace, subsample);
                    }
                }
                finally
                {
                    BlbWorkspace.Return(workspace);
                    BlbSubsample.Return(subsample);
                }
                return;
            }
            var parallelOptions = new ParallelOptions { MaxDegreeOfParallelism = threads };
            try
            {
                if (_options.Adaptive)
                {
                    // The stopping rule runs over a subsample's bootstraps in order: one subsample per work item.
                    Parallel.For(
                        0,
                        wave.Count,
                        parallelOptions,
                        () => (BlbWorkspace.Rent(_b), BlbSubsample.Rent(_b)),
                        (t, loop, scratch) =>
                        {
                            if (_cancellationToken.IsCancellationRequested)
                            {
                                loop.Stop();
                                return scratch;
                            }
                            ComputeSubsample(evaluator, wave[t], scratch.Item1, scratch.Item2);
                            return scratch;
                        },
                        static scratch =>
                        {
                            BlbWorkspace.Return(scratch.Item1);
                            BlbSubsample.Return(scratch.Item2);
                        });
                }
                else
                {
                    ComputeWaveInPieces(evaluator, wave, threads, parallelOptions, fullData);
                }
            }
            catch (AggregateException e) when (e.InnerExceptions.Count > 0)
            {
                ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
            }
        }

        /// <summary>
        /// Everything a wave computes, as one queue of work items that the threads take in order from one counter,
        /// with no barrier between kinds of work: the full-data pass (where asked) first; each subsample's draw (its
        /// rows and its own estimate) a few subsamples ahead of its bootstraps; its bootstraps in pieces. Pieces
        /// shrink towards the end of the queue (guided self-scheduling: about a quarter of each thread's share of
        /// what is left, at most the base size), so that the threads finish together: the last items are a bootstrap
        /// or two. A piece whose subsample another thread is still drawing waits for it; the look-ahead makes that rare.
        /// Every item writes its own slots, so the order in which threads take them does not change any result.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ComputeWaveInPieces<TEvaluator>(TEvaluator evaluator, SubsampleSet wave, int threads, ParallelOptions parallelOptions, bool fullData)
            where TEvaluator : IBlbEvaluator
        {
            int count = wave.Count;
            if (count == 0)
            {
                // A rank of a cluster run can have no subsample in a wave, only the full-data pass.
                FullData = fullData ? FullDataEstimate(evaluator, _n) : FullData;
                return;
            }
            BlbSubsample? adopted = wave[0] == 0 ? _firstRows : null;
            WorkItem[] items = PlanWave(count, threads, fullData, adopted is not null);
            // A subsample's rows (and under load-in their copies), published by its draw item once its own estimate
            // and bootstrap slots exist; kept for the next subsample once its last piece is done.
            var subsamples = new BlbSubsample?[count];
            subsamples[0] = adopted;
            var remaining = new int[count];
            Array.Fill(remaining, _r);
            int next = -1;
            int failed = 0;
            Parallel.For(
                0,
                threads,
                parallelOptions,
                [MethodImpl(MethodImplOptions.AggressiveOptimization)] (_) =>
                {
                    BlbWorkspace workspace = BlbWorkspace.Rent(_b);
                    try
                    {
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < items.Length)
                        {
                            if (_cancellationToken.IsCancellationRequested || Volatile.Read(ref failed) != 0)
                            {
                                return;
                            }
                            WorkItem item = items[i];
                            int t = item.Subsample;
                            switch (item.Kind)
                            {
                                case WorkKind.FullData:
                                    FullData = FullDataEstimate(evaluator, _n);
                                    break;
                                case WorkKind.Draw:
                                    BlbSubsample rows = BlbSubsample.Rent(_b);
                                    DrawSubsample(evaluator, wave[t], rows, workspace);
                                    Volatile.Write(ref subsamples[t], rows);
                                    break;
                                default:
                                    BlbSubsample? drawn = Volatile.Read(ref subsamples[t]);
                                    var spin = default(SpinWait);
                                    while (drawn is null)
                                    {
                                        if (_cancellationToken.IsCancellationRequested || Volatile.Read(ref failed) != 0)
                                        {
                                            return;
                                        }
                                        spin.SpinOnce();
                                        drawn = Volatile.Read(ref subsamples[t]);
                                    }
                                    if (!Bootstraps(evaluator, wave[t], item.First, item.Last, drawn, workspace))
                                    {
                                        return;
                                    }
                                    if (Interlocked.Add(ref remaining[t], item.First - item.Last) == 0)
                                    {
                                        _bootstrapsUsed[wave[t]] = _r;
                                        BlbSubsample.Return(drawn);
                                        ReportDone();
                                    }
                                    break;
                            }
                        }
                    }
                    catch (Exception) when (MarkFailed(ref failed))
                    {
                        // Not reached: the filter only tells the other threads to stop waiting and taking items.
                    }
                    finally
                    {
                        BlbWorkspace.Return(workspace);
                    }
                });
        }

        private static bool MarkFailed(ref int failed)
        {
            Volatile.Write(ref failed, 1);
            return false;
        }

        /// <summary>The work items of a wave of <paramref name="count"/> subsamples, in the order threads take them.</summary>
        private WorkItem[] PlanWave(int count, int threads, bool fullData, bool firstDrawn)
        {
            // The base piece: at least 16 items per thread over the wave, as batched estimators want long pieces.
            int pieces = Math.Min(_r, Math.Max(1, ((16 * threads) + count - 1) / count));
            int baseSize = (_r + pieces - 1) / pieces;
            int lookahead = Math.Min(count, threads);
            var items = new System.Collections.Generic.List<WorkItem>((count * (pieces + 1)) + 64);
            if (fullData)
            {
                items.Add(new WorkItem(WorkKind.FullData, -1, 0, 0));
            }
            for (int t = firstDrawn ? 1 : 0; t < lookahead; t++)
            {
                items.Add(new WorkItem(WorkKind.Draw, t, 0, 0));
            }
            long left = (long)count * _r;
            long share = 4L * threads;
            for (int t = 0; t < count; t++)
            {
                if (t + lookahead < count)
                {
                    items.Add(new WorkItem(WorkKind.Draw, t + lookahead, 0, 0));
                }
                for (int first = 0; first < _r;)
                {
                    int size = (int)Math.Min(Math.Clamp((left + share - 1) / share, 1, baseSize), _r - first);
                    items.Add(new WorkItem(WorkKind.Bootstraps, t, first, first + size));
                    first += size;
                    left -= size;
                }
            }
            return items.ToArray();
        }

        private enum WorkKind : byte
        {
            FullData,
            Draw,
            Bootstraps,
        }

        /// <summary>One work item: the full-data pass, subsample <c>Subsample</c>'s draw, or its bootstraps <c>[First, Last)</c>.</summary>
        private readonly record struct WorkItem(WorkKind Kind, int Subsample, int First, int Last);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void DrawSubsample<TEvaluator>(TEvaluator evaluator, int j, BlbSubsample subsample, BlbWorkspace workspace)
            where TEvaluator : IBlbEvaluator
        {
            var random = new CounterRandom(_options.StreamKey, CounterRandom.StreamId(j, -1));
            workspace.DrawSubsample(ref random, _n, subsample.Indices);
            _estimates[j] = new double[_r * _d];
            _own[j] = new double[_d];
            evaluator.Evaluate(new BlbSample(subsample.Indices, _balancedWeights, _n, _layout, subsample), _own[j]);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ComputeSubsample<TEvaluator>(TEvaluator evaluator, int j, BlbWorkspace workspace, BlbSubsample subsample)
            where TEvaluator : IBlbEvaluator
        {
            subsample.Forget();
            DrawSubsample(evaluator, j, subsample, workspace);
            int window = _options.AdaptiveBootstrapWindow;
            double[]? history = _options.Adaptive ? new double[_r * _d] : null;
            double[] scratch = workspace.Estimates(_r);
            int k = 0;
            if (history is null)
            {
                // A fixed number of bootstraps: all of them at once, in batches where the estimator has a batched form.
                if (Bootstraps(evaluator, j, 0, _r, subsample, workspace))
                {
                    k = _r;
                }
                else
                {
                    return;
                }
            }
            // Adaptive: the stopping rule looks at the estimates one bootstrap at a time, in order. A batched estimator
            // computes them a batch ahead; estimates past the stopping point are left unused, so the result is the
            // same as one bootstrap at a time.
            int computed = k;
            while (k < _r)
            {
                if (_cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                if (k == computed)
                {
                    computed = evaluator.HasBatch ? Math.Min(_r, k + AdaptiveBatch) : k + 1;
                    if (!Bootstraps(evaluator, j, k, computed, subsample, workspace))
                    {
                        return;
                    }
                }
                k++;
                if (history is not null)
                {
                    for (int c = 0; c < _d; c++)
                    {
                        history[(k - 1) * _d + c] = ReduceBootstrapsCoordinate(j, k, c, scratch);
                    }
                    if (k >= 2 && SettledPerCoordinate(history, k, window))
                    {
                        break;
                    }
                }
            }
            _bootstrapsUsed[j] = k;
            ReportDone();
        }

        /// <summary>
        /// Bootstraps <paramref name="first"/> to <paramref name="last"/> (exclusive) of subsample <paramref name="j"/>;
        /// false when cancelled. With a batched estimator, batches of at most <see cref="MaxBatch"/> bootstraps share
        /// one pass over the rows; each bootstrap's weights come from its own stream either way, and each bootstrap's
        /// sums run over the rows in the same order, so where a batch starts does not change any result.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private bool Bootstraps<TEvaluator>(TEvaluator evaluator, int j, int first, int last, BlbSubsample subsample, BlbWorkspace workspace)
            where TEvaluator : IBlbEvaluator
        {
            if (!evaluator.HasBatch)
            {
                for (int k = first; k < last; k++)
                {
                    if (_cancellationToken.IsCancellationRequested)
                    {
                        return false;
                    }
                    Bootstrap(evaluator, j, k, subsample, workspace);
                }
                return true;
            }
            for (int from = first; from < last; from += MaxBatch)
            {
                if (_cancellationToken.IsCancellationRequested)
                {
                    return false;
                }
                int count = Math.Min(MaxBatch, last - from);
                Span<int> batch = workspace.BatchWeights(_b * count);
                int[] weights = workspace.Weights;
                for (int k = 0; k < count; k++)
                {
                    var random = new CounterRandom(_options.StreamKey, CounterRandom.StreamId(j, from + k));
                    _multinomial.Sample(ref random, weights);
                    for (int i = 0; i < weights.Length; i++)
                    {
                        batch[(i * count) + k] = weights[i];
                    }
                }
                evaluator.EvaluateBatch(
                    new BlbSample(subsample.Indices, _balancedWeights, _n, _layout, subsample),
                    batch,
                    count,
                    _estimates[j].AsSpan(from * _d, count * _d));
            }
            return true;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Bootstrap<TEvaluator>(TEvaluator evaluator, int j, int k, BlbSubsample subsample, BlbWorkspace workspace)
            where TEvaluator : IBlbEvaluator
        {
            var random = new CounterRandom(_options.StreamKey, CounterRandom.StreamId(j, k));
            _multinomial.Sample(ref random, workspace.Weights);
            evaluator.Evaluate(
                new BlbSample(subsample.Indices, workspace.Weights, _n, _layout, subsample),
                _estimates[j].AsSpan(k * _d, _d));
        }

        private void ReportDone()
        {
            int done = Interlocked.Increment(ref _done);
            _progress?.Report(new BlbProgress(done, _s));
        }

        private double ReduceBootstrapsCoordinate(int j, int count, int c, double[] scratch)
        {
            Span<double> values = scratch.AsSpan(0, count);
            double[] estimates = _estimates[j];
            for (int k = 0; k < count; k++)
            {
                values[k] = estimates[k * _d + c];
            }
            return _reduceBootstraps is null ? BlbStatistics.StandardDeviation(values) : _reduceBootstraps(values);
        }

        private void AppendSubsampleQuality(double[] history, int t)
        {
            // Quality after t + 1 subsamples: the running mean of their per-subsample values, per coordinate.
            var scratch = new double[_r];
            for (int c = 0; c < _d; c++)
            {
                double sum = 0;
                for (int j = 0; j <= t; j++)
                {
                    sum += ReduceBootstrapsCoordinate(j, _bootstrapsUsed[j], c, scratch);
                }
                history[t * _d + c] = sum / (t + 1);
            }
        }

        private bool SettledPerCoordinate(double[] history, int steps, int window)
        {
            if (steps <= window)
            {
                return false;
            }
            var column = new double[window + 1];
            for (int c = 0; c < _d; c++)
            {
                for (int i = 0; i <= window; i++)
                {
                    column[i] = history[(steps - 1 - window + i) * _d + c];
                }
                if (!BlbStatistics.HasSettled(column, window, _options.AdaptiveTolerance))
                {
                    return false;
                }
            }
            return true;
        }

        public RawResult Reduce(int used, double[] estimate, BlbReducer? average)
        {
            double alpha = 1.0 - _options.ConfidenceLevel;
            var result = new RawResult
            {
                Quality = new double[_d],
                StandardError = new double[_d],
                Estimate = estimate,
                Lower = new double[_d],
                Upper = new double[_d],
                BootstrapMean = new double[_d],
                SubsampleQualities = new double[used][],
                Bootstraps = _bootstrapsUsed.AsSpan(0, used).ToArray(),
                Subsamples = used,
            };
            var scratch = new double[_r];
            var perSubsample = new double[used];
            var sd = new double[used];
            var means = new double[used];
            var below = new double[used];
            var above = new double[used];
            for (int j = 0; j < used; j++)
            {
                result.SubsampleQualities[j] = new double[_d];
            }
            for (int c = 0; c < _d; c++)
            {
                for (int j = 0; j < used; j++)
                {
                    int count = _bootstrapsUsed[j];
                    perSubsample[j] = ReduceBootstrapsCoordinate(j, count, c, scratch);
                    Span<double> values = scratch.AsSpan(0, count);
                    sd[j] = BlbStatistics.StandardDeviation(values);
                    means[j] = BlbStatistics.Mean(values);
                    values.Sort();
                    double own = _own[j][c];
                    below[j] = own - BlbStatistics.Quantile(values, alpha / 2);
                    above[j] = BlbStatistics.Quantile(values, 1 - alpha / 2) - own;
                    result.SubsampleQualities[j][c] = perSubsample[j];
                }
                result.Quality[c] = average is null ? BlbStatistics.Mean(perSubsample) : average(perSubsample);
                result.StandardError[c] = BlbStatistics.Mean(sd);
                result.BootstrapMean[c] = BlbStatistics.Mean(means);
                result.Lower[c] = estimate[c] - BlbStatistics.Mean(below);
                result.Upper[c] = estimate[c] + BlbStatistics.Mean(above);
            }
            return result;
        }
    }
}
