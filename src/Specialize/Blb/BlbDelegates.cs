using System;

namespace Specialize;

/// <summary>
/// An estimator in weighted form: computes the estimate on one weighted subsample, where row
/// <c>sample.Indices[i]</c> of the full data counts <c>sample.Weights[i]</c> times and the weights sum to <c>sample.N</c>.
/// </summary>
/// <typeparam name="TState">Everything the estimator reads besides the sample: the subsampled inputs (as arrays or memory) and pass-through arguments.</typeparam>
/// <param name="sample">The weighted subsample.</param>
/// <param name="state">The state given to <see cref="BlbRuntime.Run{TState}"/>.</param>
/// <returns>The estimate.</returns>
public delegate double WeightedEstimator<TState>(BlbSample sample, TState state);

/// <summary>
/// A vector-valued estimator in weighted form (regression coefficients, ...); see <see cref="WeightedEstimator{TState}"/>.
/// Every call must return an array of the same length.
/// </summary>
/// <typeparam name="TState">Everything the estimator reads besides the sample.</typeparam>
/// <param name="sample">The weighted subsample.</param>
/// <param name="state">The state given to <see cref="BlbRuntime.RunVector{TState}"/>.</param>
/// <returns>The estimate, one value per coordinate. The runtime copies it and does not keep the array.</returns>
public delegate double[] WeightedVectorEstimator<TState>(BlbSample sample, TState state);

/// <summary>Reduces a sequence of values to one: bootstrap estimates to a quality measure, or subsample quality measures to the result.</summary>
/// <param name="values">The values; the callee must not keep the span.</param>
/// <returns>The reduced value.</returns>
public delegate double BlbReducer(ReadOnlySpan<double> values);
