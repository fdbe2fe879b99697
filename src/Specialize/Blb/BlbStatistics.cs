using System;

namespace Specialize.Blb;

/// <summary>
/// The built-in reductions. Each sums sequentially in index order, so results depend neither on the
/// number of threads nor on the machine's vector width.
/// </summary>
internal static class BlbStatistics
{
    /// <summary>Arithmetic mean; NaN for no values.</summary>
    public static double Mean(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
        }
        return sum / values.Length;
    }

    /// <summary>Sample standard deviation with denominator <c>count - 1</c>; NaN for fewer than two values.</summary>
    public static double StandardDeviation(ReadOnlySpan<double> values)
    {
        if (values.Length < 2)
        {
            return double.NaN;
        }
        double mean = Mean(values);
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            double d = values[i] - mean;
            sum += d * d;
        }
        return Math.Sqrt(sum / (values.Length - 1));
    }

    /// <summary>
    /// Quantile <paramref name="p"/> of ascending <paramref name="sorted"/> values: the <c>(p(m+1/3)+1/3)</c>-th
    /// order statistic of <c>m</c> values, interpolated linearly and clamped to the extremes (Hyndman–Fan
    /// type 8, approximately median-unbiased whatever the distribution). The common <c>p(m-1)+1</c> rule
    /// (type 7) pulls tail quantiles of a few dozen bootstrap estimates inward, and intervals built on it
    /// under-cover.
    /// </summary>
    public static double Quantile(ReadOnlySpan<double> sorted, double p)
    {
        double h = (sorted.Length + 1.0 / 3.0) * p + 1.0 / 3.0 - 1.0;
        if (h <= 0)
        {
            return sorted[0];
        }
        int low = (int)Math.Floor(h);
        if (low >= sorted.Length - 1)
        {
            return sorted[^1];
        }
        double fraction = h - low;
        return sorted[low] + fraction * (sorted[low + 1] - sorted[low]);
    }

    /// <summary>
    /// Kleiner et al.'s convergence rule: the last value of <paramref name="history"/> is within
    /// <paramref name="tolerance"/> (relative) of each of the <paramref name="window"/> values before it.
    /// </summary>
    public static bool HasSettled(ReadOnlySpan<double> history, int window, double tolerance)
    {
        if (history.Length <= window)
        {
            return false;
        }
        double last = history[^1];
        if (!double.IsFinite(last))
        {
            return false;
        }
        double bound = tolerance * Math.Abs(last);
        for (int i = history.Length - 1 - window; i < history.Length - 1; i++)
        {
            if (!(Math.Abs(history[i] - last) <= bound))
            {
                return false;
            }
        }
        return true;
    }
}
