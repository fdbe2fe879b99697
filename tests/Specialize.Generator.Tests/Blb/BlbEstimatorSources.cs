namespace Specialize.Generator.Tests.Blb;

/// <summary>Estimators as a user writes them, shared by the snapshot and the rewrite-oracle tests.</summary>
internal static class BlbEstimatorSources
{
    public const string Mean = """
        using System;
        using Specialize;

        namespace Demo;

        [BlbEstimator]
        public static partial class Mean
        {
            public static double Estimate(ReadOnlySpan<double> values)
            {
                double sum = 0;
                foreach (double v in values)
                {
                    sum += v;
                }

                return sum / values.Length;
            }
        }
        """;

    public const string ErrorRate = """
        using System;
        using Specialize;

        namespace Demo;

        public readonly record struct Email(double Length, double Links, int Tag);

        public sealed class Model
        {
            public Model(double bias, double length, double links)
            {
                Bias = bias;
                Length = length;
                Links = links;
            }

            public double Bias { get; }

            public double Length { get; }

            public double Links { get; }
        }

        [BlbEstimator(Subsamples = 10, Bootstraps = 50, Gamma = 0.6)]
        public static partial class ErrorRate
        {
            public static double Estimate(ReadOnlySpan<Email> emails, [NoSubsample] Model[] models)
            {
                double errors = 0;
                int seen = 0;
                foreach (var e in emails)
                {
                    int choice = Classify(e, models);
                    if (choice != e.Tag)
                    {
                        errors += 1;
                    }
                    else if (choice == 0)
                    {
                        continue;
                    }

                    seen++;
                }

                return (errors + 0.5 * seen) / emails.Length;
            }

            [Pure]
            public static int Classify(Email e, Model[] models)
            {
                int best = 0;
                double bestScore = double.NegativeInfinity;
                for (int k = 0; k < models.Length; k++)
                {
                    double score = models[k].Bias + (models[k].Length * e.Length) + (models[k].Links * e.Links);
                    if (score > bestScore)
                    {
                        bestScore = score;
                        best = k;
                    }
                }

                return best;
            }
        }
        """;

    public const string Ratio = """
        using System;
        using Specialize;

        namespace Demo;

        [BlbEstimator]
        public static partial class Ratio
        {
            public static double Estimate(ReadOnlySpan<double> numerator, double[] denominator)
            {
                double top = 0;
                double bottom = 0;
                foreach (double y in numerator)
                {
                    top += y;
                }

                foreach (double x in denominator)
                {
                    bottom -= -x;
                }

                return top / bottom;
            }

            public static double ReduceBootstraps(ReadOnlySpan<double> estimates)
            {
                double min = double.PositiveInfinity;
                double max = double.NegativeInfinity;
                foreach (double e in estimates)
                {
                    min = Math.Min(min, e);
                    max = Math.Max(max, e);
                }

                return max - min;
            }
        }
        """;

    public const string Residual = """
        using System;
        using System.Numerics.Tensors;
        using Specialize;

        namespace Demo;

        [BlbEstimator]
        public static partial class Residual
        {
            // Each row is [target, feature 1, ..., feature d]; the mean squared residual of a fixed linear model.
            public static double Estimate(double[][] rows, [NoSubsample] double[] coefficients)
            {
                double sse = 0;
                foreach (double[] row in rows)
                {
                    double predicted = TensorPrimitives.Dot(row.AsSpan(1), coefficients);
                    double error = row[0] - predicted;
                    sse += error * error;
                }

                return sse / rows.Length;
            }
        }
        """;

    public const string Centroid = """
        using System;
        using Specialize;

        namespace Demo;

        public readonly record struct Point(double X, double Y);

        [BlbEstimator]
        public static partial class Centroid
        {
            public static double[] Estimate(ReadOnlySpan<Point> points)
            {
                var sum = new double[2];
                int count = 0;
                foreach (Point p in points)
                {
                    sum[0] += p.X;
                    sum[1] += p.Y;
                    count++;
                }

                return new[] { sum[0] / count, sum[1] / count };
            }
        }
        """;

    public const string PairSum = """
        using System;
        using System.Numerics;
        using Specialize;

        namespace Demo;

        public readonly record struct Pair(float A, float B);

        [BlbEstimator]
        public static partial class PairSum
        {
            // Vector2 cannot be multiplied by an int weight: the update is repeated weight times instead.
            public static double Estimate(Pair[] pairs)
            {
                Vector2 total = Vector2.Zero;
                foreach (Pair p in pairs)
                {
                    total += new Vector2(p.A, p.B);
                }

                return (total.X - total.Y) / pairs.Length;
            }
        }
        """;

    public const string LeastSquares = """
        using System;
        using Specialize;

        namespace Demo;

        public readonly record struct Observation(double[] X, double Y);

        [BlbEstimator]
        public static partial class LeastSquares
        {
            // Normal equations accumulated in arrays, then a Cholesky solve.
            public static double[] Estimate(ReadOnlySpan<Observation> rows, [NoSubsample] int d)
            {
                var xtx = new double[d * d];
                var xty = new double[d];
                foreach (Observation row in rows)
                {
                    double[] x = row.X;
                    for (int i = 0; i < d; i++)
                    {
                        xty[i] += x[i] * row.Y;
                        for (int j = 0; j < d; j++)
                        {
                            xtx[(i * d) + j] += x[i] * x[j];
                        }
                    }
                }

                if (d == 0)
                {
                    return new double[0];
                }

                for (int i = 0; i < d; i++)
                {
                    if (xtx[(i * d) + i] == 0)
                    {
                        return new double[d];
                    }
                }

                return Solve(xtx, xty, d);
            }

            [Pure]
            public static double[] Solve(double[] a, double[] b, int d)
            {
                var l = new double[d * d];
                for (int i = 0; i < d; i++)
                {
                    for (int j = 0; j <= i; j++)
                    {
                        double sum = a[(i * d) + j];
                        for (int k = 0; k < j; k++)
                        {
                            sum -= l[(i * d) + k] * l[(j * d) + k];
                        }

                        l[(i * d) + j] = i == j ? Math.Sqrt(sum) : sum / l[(j * d) + j];
                    }
                }

                var y = new double[d];
                for (int i = 0; i < d; i++)
                {
                    double sum = b[i];
                    for (int k = 0; k < i; k++)
                    {
                        sum -= l[(i * d) + k] * y[k];
                    }

                    y[i] = sum / l[(i * d) + i];
                }

                var beta = new double[d];
                for (int i = d - 1; i >= 0; i--)
                {
                    double sum = y[i];
                    for (int k = i + 1; k < d; k++)
                    {
                        sum -= l[(k * d) + i] * beta[k];
                    }

                    beta[i] = sum / l[(i * d) + i];
                }

                return beta;
            }
        }
        """;

    // Loops that deconstruct each row: rows of a tuple type (nested), of a record struct, and of a struct with its own
    // Deconstruct (which writes only its out parameters, so calling it once for a row drawn w times is the same).
    public const string Deconstructed = """
        using System;
        using Specialize;

        namespace Demo;

        public readonly record struct Sample(double Value, double Weight);

        public readonly struct Interval
        {
            public Interval(double lo, double hi)
            {
                Lo = lo;
                Hi = hi;
            }

            public double Lo { get; }

            public double Hi { get; }

            public void Deconstruct(out double lo, out double hi)
            {
                lo = Lo;
                hi = Hi;
            }
        }

        [BlbEstimator]
        public static partial class Deconstructed
        {
            public static double Estimate(ReadOnlySpan<(double X, (double Y, int Tag) More)> rows, Sample[] samples, Interval[] intervals)
            {
                double products = 0;
                int tagged = 0;
                double weighted = 0;
                double widths = 0;
                foreach (var (x, (y, tag)) in rows)
                {
                    products += x * y;
                    tagged += tag;
                }

                foreach ((double value, double weight) in samples)
                {
                    weighted += Math.Abs(value) * weight;
                }

                foreach (var (lo, hi) in intervals)
                {
                    widths += hi - lo;
                }

                return (products + tagged + weighted + widths) / rows.Length;
            }
        }
        """;

    // The loop reads an accumulator (the branch on the running total): each bootstrap's pass depends on its own
    // sums so far, so the rows cannot be visited once for all bootstraps. (The total of absolute values is never
    // negative, so the weighted loop still equals the estimator on the resample.)
    public const string RunningTotal = """
        using System;
        using Specialize;

        namespace Demo;

        [BlbEstimator]
        public static partial class RunningTotal
        {
            public static double Estimate(ReadOnlySpan<double> values)
            {
                double total = 0;
                double squares = 0;
                foreach (double v in values)
                {
                    if (total >= 0)
                    {
                        squares += v * v;
                    }

                    total += Math.Abs(v);
                }

                return squares / values.Length;
            }
        }
        """;

    // String literals that span lines: a raw string (with trailing spaces and a line indented past its closing
    // quotes), a verbatim string (lines indented less than the method body, a line of spaces only) and an interpolated
    // verbatim string. The generated body moves the statements to a new indentation; the strings' values must not
    // change. Texts holds the values written with escapes, as the oracle. (Trailing spaces and the line of spaces
    // are spliced in, so that an editor that trims them cannot change this source.)
    public static readonly string MultiLineStrings = """"
        using System;
        using Specialize;

        namespace Demo;

        public static class Texts
        {
            public const string Header = "first line   \n  indented by two\n\nlast line";
            public const string Footer = "verbatim:   \n  two spaces in\n    \nno indentation";
            public const string Note = "count 3\n  of rows";
        }

        [BlbEstimator]
        public static partial class MultiLineStrings
        {
            public static double Estimate(ReadOnlySpan<double> values)
            {
                string header = """
                    first line{TRAIL}
                      indented by two

                    last line
                    """;
                double sum = 0;
                foreach (double v in values)
                {
                    sum += v;
                }

                string footer = @"verbatim:{TRAIL}
          two spaces in
        {BLANK}
        no indentation";
                int rows = 3;
                string note = $@"count {rows}
          of rows";
                bool same = header == Texts.Header && footer == Texts.Footer && note == Texts.Note;
                return same ? sum / values.Length : -1;
            }
        }
        """"
        .Replace("{TRAIL}", "   ", System.StringComparison.Ordinal)
        .Replace("{BLANK}", "    ", System.StringComparison.Ordinal);

    // A least-squares slope over rows of a struct: four scalar sums, declared in one statement, on the device; the slope
    // from them on the host.
    public const string Slope = """
        using System;
        using Specialize;

        namespace Demo;

        public struct Pair
        {
            public double X;
            public double Y;

            public Pair(double x, double y)
            {
                X = x;
                Y = y;
            }
        }

        [BlbEstimator]
        public static partial class Slope
        {
            public static double Estimate(ReadOnlySpan<Pair> pairs)
            {
                double sx = 0, sy = 0, sxx = 0, sxy = 0;
                foreach (Pair p in pairs)
                {
                    sx += p.X;
                    sy += p.Y;
                    sxx += p.X * p.X;
                    sxy += p.X * p.Y;
                }

                double n = pairs.Length;
                return ((n * sxy) - (sx * sy)) / ((n * sxx) - (sx * sx));
            }
        }
        """;

    // Least squares over rows of a struct with an indexer: the normal equations in array accumulators of constant
    // length (on the device), solved per bootstrap by a pure method with arrays of its own (on the host).
    public const string NormalEquations = """
        using System;
        using Specialize;

        namespace Demo;

        public readonly record struct Observation3(double X0, double X1, double X2, double Y)
        {
            public double this[int i] => i switch { 0 => X0, 1 => X1, _ => X2 };
        }

        [BlbEstimator]
        public static partial class NormalEquations
        {
            private const int D = 3;

            public static double[] Estimate(ReadOnlySpan<Observation3> rows)
            {
                var xtx = new double[D * D];
                var xty = new double[D];
                foreach (Observation3 row in rows)
                {
                    for (int i = 0; i < D; i++)
                    {
                        double xi = row[i];
                        xty[i] += xi * row.Y;
                        for (int j = 0; j < D; j++)
                        {
                            xtx[(i * D) + j] += xi * row[j];
                        }
                    }
                }

                return Solve(xtx, xty);
            }

            [Pure]
            public static double[] Solve(double[] a, double[] b)
            {
                var l = new double[D * D];
                for (int i = 0; i < D; i++)
                {
                    for (int j = 0; j <= i; j++)
                    {
                        double sum = a[(i * D) + j];
                        for (int k = 0; k < j; k++)
                        {
                            sum -= l[(i * D) + k] * l[(j * D) + k];
                        }

                        l[(i * D) + j] = i == j ? Math.Sqrt(sum) : sum / l[(j * D) + j];
                    }
                }

                var y = new double[D];
                for (int i = 0; i < D; i++)
                {
                    double sum = b[i];
                    for (int k = 0; k < i; k++)
                    {
                        sum -= l[(i * D) + k] * y[k];
                    }

                    y[i] = sum / l[(i * D) + i];
                }

                var beta = new double[D];
                for (int i = D - 1; i >= 0; i--)
                {
                    double sum = y[i];
                    for (int k = i + 1; k < D; k++)
                    {
                        sum -= l[(k * D) + i] * beta[k];
                    }

                    beta[i] = sum / l[(i * D) + i];
                }

                return beta;
            }
        }
        """;

    // What the GPU form lowers, together: [NoSubsample] arrays, a span and values, a prefix local, array accumulators
    // of double and long with lengths from parameters and constants, int and double scalars, a struct's properties
    // and method, an enum, a switch, a while loop, a static helper, conditionals and Math functions.
    public const string DeviceFeatures = """
        using System;
        using Specialize;

        namespace Demo;

        public enum Kind
        {
            Low,
            High,
        }

        public readonly struct Reading
        {
            public Reading(double value, int group, Kind kind)
            {
                Value = value;
                Group = group;
                Kind = kind;
            }

            public double Value { get; }

            public int Group { get; }

            public Kind Kind { get; }

            public double Scaled(double factor) => Value * factor;
        }

        [BlbEstimator(Subsamples = 3, Bootstraps = 20)]
        public static partial class DeviceFeatures
        {
            public static double[] Estimate(ReadOnlySpan<Reading> readings, [NoSubsample] double[] weights, [NoSubsample] ReadOnlySpan<double> offsets, [NoSubsample] int groups, [NoSubsample] double scale)
            {
                int slots = weights.Length;
                var totals = new double[slots];
                var counts = new long[2];
                int high = 0;
                double logs = 0;
                foreach (Reading r in readings)
                {
                    int g = r.Group % groups;
                    double x = Clamp01(Math.Abs(Math.Sin(r.Scaled(scale))) + offsets[g % offsets.Length]);
                    switch (r.Kind)
                    {
                        case Kind.High:
                            high++;
                            break;
                        default:
                            counts[0] += 1;
                            break;
                    }

                    double term = 0;
                    int k = 0;
                    while (k < g)
                    {
                        term += Math.Pow(x, k + 1) * 0.5;
                        k++;
                    }

                    totals[g % slots] += weights[g % slots] * (term + x);
                    counts[1] += g > 1 ? 2 : 1;
                    logs += Math.Log(1 + Math.Max(x, 0.0)) + Math.Sqrt(Math.Exp(-x * x)) + Math.Tanh(x) + (double.IsNaN(x) ? 1 : 0);
                }

                var result = new double[slots + 3];
                for (int i = 0; i < slots; i++)
                {
                    result[i] = totals[i] / readings.Length;
                }

                result[slots] = (double)high / readings.Length;
                result[slots + 1] = (counts[0] + counts[1]) / (double)readings.Length;
                result[slots + 2] = logs / readings.Length;
                return result;
            }

            private static double Clamp01(double x) => x < 0 ? 0 : x > 1 ? 1 : x;
        }
        """;
}
