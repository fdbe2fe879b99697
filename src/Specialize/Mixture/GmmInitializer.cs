using System;
using System.Threading.Tasks;

namespace Specialize.Mixture;

/// <summary>The starting responsibilities of EM (scikit-learn's <c>_initialize_parameters</c>), row-major <c>N x M</c>.</summary>
internal static class GmmInitializer
{
    internal static double[] Responsibilities(GmmData data, int m, GmmInit init, Random random)
    {
        int n = data.Count;
        var resp = new double[n * m];
        switch (init)
        {
            case GmmInit.KMeans:
            {
                var labels = KMeans(data, m, random);
                for (int i = 0; i < n; i++)
                {
                    resp[i * m + labels[i]] = 1;
                }

                break;
            }

            case GmmInit.KMeansPlusPlus:
            {
                var indices = KMeansPlusPlus(data, m, random, out _);
                for (int k = 0; k < m; k++)
                {
                    resp[indices[k] * m + k] = 1;
                }

                break;
            }

            case GmmInit.Random:
                for (int i = 0; i < n; i++)
                {
                    double s = 0;
                    for (int k = 0; k < m; k++)
                    {
                        double v = random.NextDouble();
                        resp[i * m + k] = v;
                        s += v;
                    }

                    for (int k = 0; k < m; k++)
                    {
                        resp[i * m + k] /= s;
                    }
                }

                break;

            default:
            {
                // Distinct rows by a partial Fisher-Yates shuffle.
                var order = new int[n];
                for (int i = 0; i < n; i++)
                {
                    order[i] = i;
                }

                for (int k = 0; k < m; k++)
                {
                    int j = k + random.Next(n - k);
                    (order[k], order[j]) = (order[j], order[k]);
                    resp[order[k] * m + k] = 1;
                }

                break;
            }
        }

        return resp;
    }

    /// <summary>Greedy k-means++ seeding (2 + log k candidates per step); returns the chosen row indices.</summary>
    internal static int[] KMeansPlusPlus(GmmData data, int m, Random random, out double[] centers)
    {
        int n = data.Count, d = data.Dimension;
        var x = data.RowArray;
        centers = new double[m * d];
        var indices = new int[m];
        int trials = 2 + (int)Math.Log(m);
        var closest = new double[n];
        var candidateDist = new double[trials * n];
        var candidates = new int[trials];

        int first = random.Next(n);
        indices[0] = first;
        Array.Copy(x, first * d, centers, 0, d);
        double potential = 0;
        for (int i = 0; i < n; i++)
        {
            closest[i] = SquaredDistance(x, i * d, x, first * d, d);
            potential += closest[i];
        }

        for (int c = 1; c < m; c++)
        {
            for (int t = 0; t < trials; t++)
            {
                double target = random.NextDouble() * potential;
                double cumulative = 0;
                int pick = n - 1;
                for (int i = 0; i < n; i++)
                {
                    cumulative += closest[i];
                    if (cumulative > target)
                    {
                        pick = i;
                        break;
                    }
                }

                candidates[t] = pick;
            }

            int best = -1;
            double bestPotential = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                double pot = 0;
                int cand = candidates[t];
                for (int i = 0; i < n; i++)
                {
                    double v = Math.Min(closest[i], SquaredDistance(x, i * d, x, cand * d, d));
                    candidateDist[t * n + i] = v;
                    pot += v;
                }

                if (pot < bestPotential)
                {
                    bestPotential = pot;
                    best = t;
                }
            }

            potential = bestPotential;
            Array.Copy(candidateDist, best * n, closest, 0, n);
            indices[c] = candidates[best];
            Array.Copy(x, candidates[best] * d, centers, c * d, d);
        }

        return indices;
    }

    /// <summary>Lloyd's k-means from k-means++ seeds; returns each row's cluster.</summary>
    internal static int[] KMeans(GmmData data, int m, Random random, int maxIterations = 300, double relativeTolerance = 1e-4)
    {
        int n = data.Count, d = data.Dimension;
        var x = data.RowArray;
        KMeansPlusPlus(data, m, random, out var centers);

        // Tolerance on the squared center shift, relative to the mean feature variance (as scikit-learn).
        double meanVariance = 0;
        for (int i = 0; i < d; i++)
        {
            double mean = 0, sq = 0;
            for (int r = 0; r < n; r++)
            {
                mean += x[r * d + i];
            }

            mean /= n;
            for (int r = 0; r < n; r++)
            {
                double t = x[r * d + i] - mean;
                sq += t * t;
            }

            meanVariance += sq / n;
        }

        double tolerance = meanVariance / d * relativeTolerance;
        var labels = new int[n];
        var distances = new double[n];
        var sums = new double[m * d];
        var counts = new int[m];
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            int changed = 0;
            Parallel.For(
                0,
                (n + 1023) / 1024,
                () => 0,
                (chunk, _, local) =>
                {
                    int end = Math.Min(n, (chunk + 1) * 1024);
                    for (int r = chunk * 1024; r < end; r++)
                    {
                        int best = 0;
                        double bestDistance = double.PositiveInfinity;
                        for (int k = 0; k < m; k++)
                        {
                            double dist = SquaredDistance(x, r * d, centers, k * d, d);
                            if (dist < bestDistance)
                            {
                                bestDistance = dist;
                                best = k;
                            }
                        }

                        if (labels[r] != best || iteration == 0)
                        {
                            local++;
                        }

                        labels[r] = best;
                        distances[r] = bestDistance;
                    }

                    return local;
                },
                local => System.Threading.Interlocked.Add(ref changed, local));

            if (changed == 0 && iteration > 0)
            {
                break;
            }

            Array.Clear(sums);
            Array.Clear(counts);
            for (int r = 0; r < n; r++)
            {
                int k = labels[r];
                counts[k]++;
                for (int i = 0; i < d; i++)
                {
                    sums[k * d + i] += x[r * d + i];
                }
            }

            for (int k = 0; k < m; k++)
            {
                if (counts[k] == 0)
                {
                    // An empty cluster takes the row farthest from its center.
                    int far = 0;
                    for (int r = 1; r < n; r++)
                    {
                        if (distances[r] > distances[far])
                        {
                            far = r;
                        }
                    }

                    distances[far] = 0;
                    counts[k] = 1;
                    Array.Copy(x, far * d, sums, k * d, d);
                }
            }

            double shift = 0;
            for (int k = 0; k < m; k++)
            {
                for (int i = 0; i < d; i++)
                {
                    double c = sums[k * d + i] / counts[k];
                    double t = c - centers[k * d + i];
                    shift += t * t;
                    centers[k * d + i] = c;
                }
            }

            if (shift <= tolerance)
            {
                // Final assignment to the moved centers.
                for (int r = 0; r < n; r++)
                {
                    int best = 0;
                    double bestDistance = double.PositiveInfinity;
                    for (int k = 0; k < m; k++)
                    {
                        double dist = SquaredDistance(x, r * d, centers, k * d, d);
                        if (dist < bestDistance)
                        {
                            bestDistance = dist;
                            best = k;
                        }
                    }

                    labels[r] = best;
                }

                break;
            }
        }

        return labels;
    }

    private static double SquaredDistance(double[] a, int aOffset, double[] b, int bOffset, int d)
    {
        double s = 0;
        for (int i = 0; i < d; i++)
        {
            double t = a[aOffset + i] - b[bOffset + i];
            s += t * t;
        }

        return s;
    }
}
