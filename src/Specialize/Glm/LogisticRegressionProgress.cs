namespace Specialize.Glm;

/// <summary>Progress of a logistic-regression fit, reported after each Newton iteration.</summary>
/// <param name="Iteration">Newton iterations done, from 1 to <see cref="LogisticRegressionOptions.MaxIterations"/>.</param>
/// <param name="Objective">The objective divided by <c>C</c> times the number of rows (mean log-loss plus the scaled penalty) at the new coefficients.</param>
/// <param name="GradientMax">The largest absolute value of that objective's gradient at the coefficients the step started from.</param>
/// <param name="StepSize">The line search's step, 1 for a full Newton step.</param>
public readonly record struct LogisticRegressionProgress(int Iteration, double Objective, double GradientMax, double StepSize);
