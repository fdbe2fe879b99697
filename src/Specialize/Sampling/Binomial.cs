using System;

namespace Specialize.Sampling;

/// <summary>
/// Exact binomial and equal-probability multinomial sampling.
/// </summary>
/// <remarks>
/// Binomial(n, p): inversion (BINV, Kachitvichyanukul &amp; Schmeiser 1988) when <c>n*min(p,1-p) &lt; 10</c>,
/// otherwise transformed rejection with squeeze (BTRS, Hörmann 1993). Both are exact: the only
/// approximation is floating point. The multinomial with equal cell probabilities is drawn as a
/// chain of conditional binomials, so the counts always sum to the number of trials.
/// </remarks>
internal static class Binomial
{
    private const int LogFactorialTableSize = 256;
    private static readonly double[] s_logFactorial = BuildLogFactorialTable();

    /// <summary>Draws one Binomial(<paramref name="n"/>, <paramref name="p"/>) variate.</summary>
    public static int Sample(ref CounterRandom random, int n, double p)
    {
        if (n <= 0 || p <= 0.0)
        {
            return 0;
        }
        if (p >= 1.0)
        {
            return n;
        }
        if (p > 0.5)
        {
            return n - Sample(ref random, n, 1.0 - p);
        }
        return n * p < 10.0 ? Inversion(ref random, n, p) : TransformedRejection(ref random, n, p);
    }

    /// <summary>
    /// Fills <paramref name="counts"/> with one Multinomial(<paramref name="trials"/>; 1/k, ..., 1/k) draw,
    /// k = <paramref name="counts"/>.Length. The counts sum to <paramref name="trials"/> exactly.
    /// </summary>
    public static void SampleUniformMultinomial(ref CounterRandom random, int trials, Span<int> counts)
    {
        int remaining = trials;
        int cells = counts.Length;
        for (int i = 0; i < cells - 1; i++)
        {
            int draw = remaining == 0 ? 0 : Sample(ref random, remaining, 1.0 / (cells - i));
            counts[i] = draw;
            remaining -= draw;
        }
        counts[cells - 1] = remaining;
    }

    /// <summary>ln(k!) for k &gt;= 0: a table below 256, Stirling's series above (error below 1e-15).</summary>
    public static double LogFactorial(int k)
    {
        if (k < LogFactorialTableSize)
        {
            return s_logFactorial[k];
        }
        double x = k + 1.0;
        double inv = 1.0 / x;
        double inv2 = inv * inv;
        // ln Γ(x) = (x - 1/2) ln x - x + ln(2π)/2 + 1/(12x) - 1/(360x^3) + 1/(1260x^5) - ...
        return (x - 0.5) * Math.Log(x) - x + 0.91893853320467274178
            + inv * (1.0 / 12.0 - inv2 * (1.0 / 360.0 - inv2 * (1.0 / 1260.0 - inv2 / 1680.0)));
    }

    private static int Inversion(ref CounterRandom random, int n, double p)
    {
        double q = 1.0 - p;
        double s = p / q;
        double a = (n + 1) * s;
        double r0 = Math.Pow(q, n);
        while (true)
        {
            double r = r0;
            double u = random.NextDouble();
            int x = 0;
            while (u > r)
            {
                u -= r;
                x++;
                if (x > n)
                {
                    break;
                }
                r *= a / x - s;
            }
            if (x <= n)
            {
                return x;
            }
        }
    }

    private static int TransformedRejection(ref CounterRandom random, int n, double p)
    {
        double q = 1.0 - p;
        double spq = Math.Sqrt(n * p * q);
        double b = 1.15 + 2.53 * spq;
        double a = -0.0873 + 0.0248 * b + 0.01 * p;
        double c = n * p + 0.5;
        double vr = 0.92 - 4.2 / b;
        double twoA = 2.0 * a;

        // Most draws end at the squeeze; the constants of the exact test are computed on first need.
        double alpha = 0, lpq = 0, h = 0;
        int m = 0;
        bool exactTestReady = false;
        while (true)
        {
            double u = random.NextDouble() - 0.5;
            double v = random.NextOpenDouble();
            double us = 0.5 - Math.Abs(u);
            double kd = Math.Floor((twoA / us + b) * u + c);
            if (kd < 0 || kd > n)
            {
                continue;
            }
            int k = (int)kd;
            if (us >= 0.07 && v <= vr)
            {
                return k;
            }
            if (!exactTestReady)
            {
                alpha = (2.83 + 5.1 / b) * spq;
                lpq = Math.Log(p / q);
                m = (int)Math.Floor((n + 1) * p);
                h = LogFactorial(m) + LogFactorial(n - m);
                exactTestReady = true;
            }
            v = Math.Log(v * alpha / (a / (us * us) + b));
            if (v <= h - LogFactorial(k) - LogFactorial(n - k) + (k - m) * lpq)
            {
                return k;
            }
        }
    }

    private static double[] BuildLogFactorialTable()
    {
        var table = new double[LogFactorialTableSize];
        for (int k = 2; k < table.Length; k++)
        {
            table[k] = table[k - 1] + Math.Log(k);
        }
        return table;
    }
}
