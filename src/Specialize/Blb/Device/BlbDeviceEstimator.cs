using System;
using ILGPU;
using ILGPU.Runtime;
using Specialize.Blb;
using Specialize.Devices;

namespace Specialize;

/// <summary>
/// The host's part of an estimator's GPU form: the rest of <c>Estimate</c> for <paramref name="count"/> bootstraps, from
/// the sums the kernel computed (bootstrap <c>k</c>'s double sums at <c>[k * DoubleWidth, (k + 1) * DoubleWidth)</c> of
/// <paramref name="doubleSums"/>, its integer sums likewise).
/// </summary>
/// <typeparam name="TState">What the estimator reads besides the rows.</typeparam>
/// <param name="n">Number of rows of the data.</param>
/// <param name="doubleSums">The sums of double accumulators, bootstrap after bootstrap.</param>
/// <param name="integerSums">The sums of int and long accumulators, bootstrap after bootstrap.</param>
/// <param name="count">Number of bootstraps.</param>
/// <param name="state">The run's state.</param>
/// <param name="results">Receives each bootstrap's estimate.</param>
public delegate void BlbDeviceFinish<TState>(int n, ReadOnlySpan<double> doubleSums, ReadOnlySpan<long> integerSums, int count, TState state, Span<double> results);

/// <summary>The host's part of a vector-valued estimator's GPU form (see <see cref="BlbDeviceFinish{TState}"/>).</summary>
/// <typeparam name="TState">What the estimator reads besides the rows.</typeparam>
/// <param name="n">Number of rows of the data.</param>
/// <param name="doubleSums">The sums of double accumulators, bootstrap after bootstrap.</param>
/// <param name="integerSums">The sums of int and long accumulators, bootstrap after bootstrap.</param>
/// <param name="count">Number of bootstraps.</param>
/// <param name="state">The run's state.</param>
/// <param name="results">Receives each bootstrap's estimate.</param>
public delegate void BlbDeviceVectorFinish<TState>(int n, ReadOnlySpan<double> doubleSums, ReadOnlySpan<long> integerSums, int count, TState state, Span<double[]> results);

/// <summary>How many sums an estimator's kernel writes per bootstrap: one per scalar accumulator, the length of each array accumulator.</summary>
/// <param name="Doubles">Sums of <see langword="double"/> accumulators.</param>
/// <param name="Integers">Sums of <see langword="int"/> and <see langword="long"/> accumulators (kept in 64 bits).</param>
public readonly record struct BlbDeviceWidths(int Doubles, int Integers)
{
    /// <summary>
    /// Throws when the sums handed to an estimator's host part do not have the shape its accumulators give them.
    /// Generated code calls this once the widths are known.
    /// </summary>
    /// <param name="doubleSums">Length of the double sums.</param>
    /// <param name="integerSums">Length of the integer sums.</param>
    /// <param name="count">Number of bootstraps; at least 1.</param>
    /// <param name="doubleWidth">Double sums per bootstrap.</param>
    /// <param name="integerWidth">Integer sums per bootstrap.</param>
    /// <param name="results">Length of the results; at least <paramref name="count"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1.</exception>
    /// <exception cref="ArgumentException">The sums or the results are shorter than <paramref name="count"/> bootstraps need.</exception>
    public static void ThrowIfInvalid(int doubleSums, int integerSums, int count, int doubleWidth, int integerWidth, int results)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (doubleSums < (long)count * doubleWidth)
        {
            throw new ArgumentException($"{count} bootstraps need {(long)count * doubleWidth} double sums ({doubleWidth} each); there are {doubleSums}.", nameof(doubleSums));
        }

        if (integerSums < (long)count * integerWidth)
        {
            throw new ArgumentException($"{count} bootstraps need {(long)count * integerWidth} integer sums ({integerWidth} each); there are {integerSums}.", nameof(integerSums));
        }

        if (results < count)
        {
            throw new ArgumentException($"There must be room for {count} results; there is room for {results}.", nameof(results));
        }
    }
}

/// <summary>
/// An estimator's GPU form, as generated code hands it to <see cref="BlbRuntime"/>: an ILGPU kernel that computes the
/// accumulators' sums of bootstraps, what it reads, and the host's part that finishes each bootstrap from its sums.
/// Made by <see cref="BlbDeviceEstimator.Create{TState, TInputs}"/>.
/// </summary>
/// <typeparam name="TState">What the estimator reads besides the rows: the run's state.</typeparam>
public abstract class BlbDeviceEstimator<TState>
{
    private protected BlbDeviceEstimator(Delegate kernel)
    {
        Kernel = kernel;
    }

    /// <summary>The kernel, which names the estimator in the tuning store and the kernel cache.</summary>
    internal Delegate Kernel { get; }

    /// <summary>Whether the estimator returns a vector.</summary>
    internal abstract bool IsVector { get; }

    /// <summary>The sums' widths for this run.</summary>
    internal abstract BlbDeviceWidths Widths(int n, TState state);

    /// <summary>Launches the kernel with <paramref name="threads"/> threads on the device of <paramref name="upload"/>.</summary>
    internal abstract void Launch(ComputeDevice device, Accelerator accelerator, BlbDeviceUpload upload, TState state, BlbDeviceFrame frame, int threads);

    /// <summary>Finishes <paramref name="count"/> bootstraps from their sums into <paramref name="destination"/> (<c>count * dimension</c> values).</summary>
    internal abstract void Finish(int n, ReadOnlySpan<double> doubleSums, ReadOnlySpan<long> integerSums, int count, TState state, Span<double> destination);
}

/// <summary>Makes <see cref="BlbDeviceEstimator{TState}"/>s; generated code calls it once per estimator.</summary>
public static class BlbDeviceEstimator
{
    /// <summary>The GPU form of a scalar estimator.</summary>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TInputs">What the kernel reads besides the weights: views of the rows and of <c>[NoSubsample]</c> arrays, and values.</typeparam>
    /// <param name="kernel">The kernel: a static method, thread <c>index</c> being lane <see cref="BlbDeviceFrame.Lane"/> of slot <see cref="BlbDeviceFrame.Slot"/>.</param>
    /// <param name="inputs">Makes the kernel's inputs for the subsamples of a launch from the state, through the upload's views.</param>
    /// <param name="widths">The sums' widths for a run of <c>n</c> rows.</param>
    /// <param name="finish">The host's part.</param>
    /// <returns>The GPU form.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="kernel"/> is not a static method.</exception>
    public static BlbDeviceEstimator<TState> Create<TState, TInputs>(
        Action<Index1D, BlbDeviceFrame, TInputs> kernel,
        Func<BlbDeviceUpload, TState, TInputs> inputs,
        Func<int, TState, BlbDeviceWidths> widths,
        BlbDeviceFinish<TState> finish)
        where TInputs : struct
    {
        CheckKernel(kernel, inputs, widths);
        ArgumentNullException.ThrowIfNull(finish);
        return new Form<TState, TInputs>(kernel, inputs, widths, finish, null);
    }

    /// <summary>The GPU form of a vector-valued estimator.</summary>
    /// <typeparam name="TState">The run's state.</typeparam>
    /// <typeparam name="TInputs">What the kernel reads besides the weights.</typeparam>
    /// <param name="kernel">The kernel.</param>
    /// <param name="inputs">Makes the kernel's inputs for the subsamples of a launch.</param>
    /// <param name="widths">The sums' widths for a run of <c>n</c> rows.</param>
    /// <param name="finish">The host's part.</param>
    /// <returns>The GPU form.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="kernel"/> is not a static method.</exception>
    public static BlbDeviceEstimator<TState> CreateVector<TState, TInputs>(
        Action<Index1D, BlbDeviceFrame, TInputs> kernel,
        Func<BlbDeviceUpload, TState, TInputs> inputs,
        Func<int, TState, BlbDeviceWidths> widths,
        BlbDeviceVectorFinish<TState> finish)
        where TInputs : struct
    {
        CheckKernel(kernel, inputs, widths);
        ArgumentNullException.ThrowIfNull(finish);
        return new Form<TState, TInputs>(kernel, inputs, widths, null, finish);
    }

    private static void CheckKernel(Delegate kernel, Delegate inputs, Delegate widths)
    {
        ArgumentNullException.ThrowIfNull(kernel);
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(widths);
        if (!kernel.Method.IsStatic || kernel.Target is not null)
        {
            throw new ArgumentException("A kernel must be a static method: ILGPU compiles its body for the device.", nameof(kernel));
        }
    }

    private sealed class Form<TState, TInputs>(
        Action<Index1D, BlbDeviceFrame, TInputs> kernel,
        Func<BlbDeviceUpload, TState, TInputs> inputs,
        Func<int, TState, BlbDeviceWidths> widths,
        BlbDeviceFinish<TState>? scalar,
        BlbDeviceVectorFinish<TState>? vector) : BlbDeviceEstimator<TState>(kernel)
        where TInputs : struct
    {
        internal override bool IsVector => vector is not null;

        internal override BlbDeviceWidths Widths(int n, TState state)
        {
            BlbDeviceWidths result = widths(n, state);
            if (result.Doubles < 0 || result.Integers < 0)
            {
                throw new InvalidOperationException($"The estimator's accumulators have a negative length: {result.Doubles} double and {result.Integers} integer sums per bootstrap.");
            }

            return result;
        }

        internal override void Launch(ComputeDevice device, Accelerator accelerator, BlbDeviceUpload upload, TState state, BlbDeviceFrame frame, int threads)
        {
            var launch = DeviceRuntime.GetKernel(device, kernel.Method, typeof(TInputs), a => a.LoadAutoGroupedStreamKernel(kernel));
            launch(threads, frame, inputs(upload, state));
        }

        internal override void Finish(int n, ReadOnlySpan<double> doubleSums, ReadOnlySpan<long> integerSums, int count, TState state, Span<double> destination)
        {
            if (scalar is not null)
            {
                scalar(n, doubleSums, integerSums, count, state, destination.Slice(0, count));
                return;
            }

            int d = destination.Length / count;
            var values = new double[count][];
            vector!(n, doubleSums, integerSums, count, state, values);
            for (int k = 0; k < count; k++)
            {
                BlbRuntime.StoreVector(values[k], destination.Slice(k * d, d));
            }
        }
    }
}
