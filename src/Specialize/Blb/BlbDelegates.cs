using System;

namespace Specialize;

/// <summary>
/// An estimator in weighted form: computes the estimate on one weighted subsample, where row
/// <c>sample.Indices[i]</c> of the full data counts <c>sample.Weights[i]</c> times and the weights sum to <c>sample.N</c>.
/// </summary>
/// <typeparam name="TState">Everything the estimator reads besides the sample: the subsampled inputs (as arrays or memory) and pass-through arguments.</typeparam>
/// <param name="sample">The weighted subsample.</param>
/// <param name="state">The state given to <c>BlbRuntime.Run</c>.</param>
/// <returns>The estimate.</returns>
public delegate double WeightedEstimator<TState>(BlbSample sample, TState state);

/// <summary>
/// A vector-valued estimator in weighted form (regression coefficients, ...); see <see cref="WeightedEstimator{TState}"/>.
/// Every call must return an array of the same length.
/// </summary>
/// <typeparam name="TState">Everything the estimator reads besides the sample.</typeparam>
/// <param name="sample">The weighted subsample.</param>
/// <param name="state">The state given to <c>BlbRuntime.RunVector</c>.</param>
/// <returns>The estimate, one value per coordinate. The runtime copies it and does not keep the array.</returns>
public delegate double[] WeightedVectorEstimator<TState>(BlbSample sample, TState state);

/// <summary>Reduces a sequence of values to one: bootstrap estimates to a quality measure, or subsample quality measures to the result.</summary>
/// <param name="values">The values; the callee must not keep the span.</param>
/// <returns>The reduced value.</returns>
public delegate double BlbReducer(ReadOnlySpan<double> values);

/// <summary>
/// An estimator in batched weighted form: the estimates of <paramref name="count"/> bootstraps of one subsample
/// from one pass over its rows. Row <c>i</c> of the subsample (read through <paramref name="sample"/>, whose own
/// weights are not used) counts <c>weights[i * count + k]</c> times in bootstrap <c>k</c>; the estimate of
/// bootstrap <c>k</c> goes to <c>results[k]</c> and equals the <see cref="WeightedEstimator{TState}"/> on that
/// bootstrap's weights.
/// </summary>
/// <typeparam name="TState">Everything the estimator reads besides the sample.</typeparam>
/// <param name="sample">The subsample's rows.</param>
/// <param name="weights">The weights, row by row: <c>sample.Count * count</c> values.</param>
/// <param name="count">Number of bootstraps; at least 1.</param>
/// <param name="state">The state given to <see cref="BlbRuntime.Run{TState}(int, int, TState, WeightedEstimator{TState}, WeightedBatchEstimator{TState}?, BlbReducer?, BlbReducer?, BlbOptions?, IProgress{BlbProgress}?, System.Threading.CancellationToken)"/>.</param>
/// <param name="results">Receives one estimate per bootstrap.</param>
public delegate void WeightedBatchEstimator<TState>(BlbSample sample, ReadOnlySpan<int> weights, int count, TState state, Span<double> results);

/// <summary>
/// A vector-valued estimator in batched weighted form; see <see cref="WeightedBatchEstimator{TState}"/>.
/// <c>results[k]</c> receives bootstrap <c>k</c>'s estimate, an array of the same length on every call.
/// </summary>
/// <typeparam name="TState">Everything the estimator reads besides the sample.</typeparam>
/// <param name="sample">The subsample's rows.</param>
/// <param name="weights">The weights, row by row: <c>sample.Count * count</c> values.</param>
/// <param name="count">Number of bootstraps; at least 1.</param>
/// <param name="state">The state given to the runtime.</param>
/// <param name="results">Receives one estimate per bootstrap; the runtime copies them and does not keep the arrays.</param>
public delegate void WeightedVectorBatchEstimator<TState>(BlbSample sample, ReadOnlySpan<int> weights, int count, TState state, Span<double[]> results);
