namespace Specialize.Mixture;

/// <summary>Progress of a Gaussian-mixture fit, reported after each EM iteration.</summary>
/// <param name="Initialization">The initialization running, from 1 to <see cref="GaussianMixtureOptions.Initializations"/> (1 for a warm start).</param>
/// <param name="Iteration">EM iterations done in this initialization, from 1 to <see cref="GaussianMixtureOptions.MaxIterations"/>.</param>
/// <param name="LowerBound">The lower bound (mean log-likelihood) from this iteration's E-step.</param>
/// <param name="Change">
/// <paramref name="LowerBound"/> minus the previous iteration's; EM has converged once its absolute value is below
/// <see cref="GaussianMixtureOptions.Tolerance"/>. Positive infinity at the first iteration of an initialization,
/// which has no previous bound (with <see cref="GaussianMixtureOptions.WarmStart"/>, the previous fit's bound is the previous one).
/// </param>
public readonly record struct GmmProgress(int Initialization, int Iteration, double LowerBound, double Change);
