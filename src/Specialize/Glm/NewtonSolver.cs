using System;
using System.Numerics.Tensors;

namespace Specialize.Glm;

/// <summary>
/// Newton's method with a backtracking line search on the objective scikit-learn's <c>newton-cholesky</c> solver
/// minimizes, <c>f(w) = (1/N) sum_i logloss_i + ||w_features||^2 / (2 C N)</c> (the intercept, the last coefficient, not
/// penalized), with its stopping rule: after a step, the largest absolute gradient and half the squared Newton
/// decrement of that step are both at most the tolerance. The sums over rows come from <see cref="LogisticBlocks"/>;
/// everything else is <c>(D + 1)</c>-sized and local.
/// </summary>
internal sealed class NewtonSolver(LogisticBlocks blocks, double c, double tolerance, int maxIterations, IProgress<LogisticRegressionProgress>? progress)
{
    /// <summary>The Armijo constant of the sufficient decrease (scikit-learn's <c>sigma</c>).</summary>
    private const double Armijo = 1e-4;

    /// <summary>Halvings of the step before the line search gives up (scikit-learn's 21 trials).</summary>
    private const int LineSearchTrials = 21;

    /// <summary>Sixteen times the float64 machine epsilon: changes of the objective below this, relative, are rounding.</summary>
    private const double TinyRelative = 16 * 2.220446049250313e-16;

    private readonly int columns = blocks.Columns;
    private readonly double scale = 1.0 / blocks.Rows;
    private readonly double penalty = 1.0 / (c * blocks.Rows);

    public int Iterations { get; private set; }

    public bool Converged { get; private set; }

    public double[] Solve()
    {
        var w = new double[columns];
        (double f, double[] g) = Objective(w);
        for (int iteration = 1; iteration <= maxIterations; iteration++)
        {
            double[] h = Hessian();
            double[] step = Cholesky.Solve(h, g, columns);
            TensorPrimitives.Negate(step, step);
            double slope = TensorPrimitives.Dot(g, step); // g . p = -p^T H p, negative
            double gradientMax = TensorPrimitives.MaxMagnitude(g);

            // Backtracking from the full step, as scikit-learn's line search: a sufficient decrease, or, where the
            // objective no longer changes beyond its rounding, a smaller gradient.
            double t = 1;
            double[]? accepted = null;
            double fNew = f;
            double[] gNew = g;
            double previousAbsGradient = -1;
            var trial = new double[columns];
            for (int k = 0; k < LineSearchTrials; k++)
            {
                for (int i = 0; i < columns; i++)
                {
                    trial[i] = w[i] + (t * step[i]);
                }

                (fNew, gNew) = Objective(trial);
                if (fNew <= f + (t * Armijo * slope))
                {
                    accepted = trial;
                    break;
                }

                if (Math.Abs(fNew - f) <= Math.Abs(f) * TinyRelative)
                {
                    previousAbsGradient = previousAbsGradient < 0 ? TensorPrimitives.SumOfMagnitudes(g) : previousAbsGradient;
                    if (TensorPrimitives.SumOfMagnitudes(gNew) < previousAbsGradient)
                    {
                        accepted = trial;
                        break;
                    }
                }

                t /= 2;
            }

            if (accepted is null)
            {
                // No decrease along the Newton direction: the coefficients are as good as the rounding of the sums allows.
                Iterations = iteration;
                return w;
            }

            w = accepted;
            f = fNew;
            g = gNew;
            Iterations = iteration;
            progress?.Report(new LogisticRegressionProgress(iteration, f, gradientMax, t));
            if (TensorPrimitives.MaxMagnitude(g) <= tolerance && 0.5 * -slope <= tolerance)
            {
                Converged = true;
                break;
            }
        }

        return w;
    }

    /// <summary>The objective and its gradient at <paramref name="w"/> (the rows' weights for the next Hessian are kept).</summary>
    private (double Value, double[] Gradient) Objective(double[] w)
    {
        (double lossSum, double[] gradient) = blocks.Evaluate(w);
        double squares = 0;
        for (int i = 0; i < columns - 1; i++)
        {
            squares += w[i] * w[i];
        }

        for (int i = 0; i < columns; i++)
        {
            gradient[i] = (gradient[i] * scale) + (i < columns - 1 ? penalty * w[i] : 0.0);
        }

        return ((lossSum * scale) + (0.5 * penalty * squares), gradient);
    }

    /// <summary>The full <c>(D + 1) x (D + 1)</c> Hessian of the objective at the last evaluated point.</summary>
    private double[] Hessian()
    {
        double[] triangle = blocks.Hessian();
        var h = new double[columns * columns];
        for (int i = 0, q = 0; i < columns; i++)
        {
            for (int j = i; j < columns; j++)
            {
                double v = triangle[q++] * scale;
                h[(i * columns) + j] = v;
                h[(j * columns) + i] = v;
            }

            if (i < columns - 1)
            {
                h[(i * columns) + i] += penalty;
            }
        }

        return h;
    }
}
