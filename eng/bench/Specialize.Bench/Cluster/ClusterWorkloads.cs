using System.Diagnostics;
using System.Globalization;
using Specialize.Bench.Blb;
using Specialize.Distributed;
using Specialize.Mixture;

namespace Specialize.Bench.Cluster;

/// <summary>One record of the map workload: where a probe sits in the shared grid and how far it reaches.</summary>
public readonly record struct Probe(int Id, int Offset, int Reach);

/// <summary>
/// The cluster suite's workloads, run in a child process (alone, or as every rank of an <c>mpiexec</c> job):
/// <c>Specialize.Bench --cluster-worker WORKLOAD REPS [--smoke]</c>. The process warms up once, then times
/// <c>REPS</c> calls, each started together on every rank (a barrier), and rank 0 prints one line:
/// <c>RESULT workload=W ms=MEDIAN bytes=B collectives=C check=X</c>, where B and C are what rank 0's collectives
/// received and completed per call, and X identifies the result (to check that every launch computed the same).
/// </summary>
internal static class ClusterWorkloads
{
    public const string Flag = "--cluster-worker";

    public static readonly string[] Names = ["gmm", "blb", "map"];

    public static int Run(string[] args)
    {
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        string workload = args[1];
        int reps = int.Parse(args[2], CultureInfo.InvariantCulture);
        bool smoke = args.Contains("--smoke");
        if (workload == "latency")
        {
            return Latency(smoke);
        }

        Func<string> call = workload switch
        {
            "gmm" => Gmm(smoke ? 20_000 : 150_000),
            "blb" => Blb(smoke ? 100_000 : 1_000_000),
            "map" => Map(smoke ? 10_000 : 100_000),
            "glm" => Glm(smoke ? 100_000 : 1_000_000, smoke ? 20 : 50),
            _ => throw new ArgumentException($"Unknown cluster workload '{workload}'."),
        };

        string check = call(); // warm-up: compilation, variant trials, the tuning file
        var times = new double[reps];
        long bytes = 0, collectives = 0;
        for (int rep = 0; rep < reps; rep++)
        {
            Specialize.Cluster.World?.Barrier();
            long bytesBefore = ClusterTraffic.BytesReceived, collectivesBefore = ClusterTraffic.Collectives;
            long start = Stopwatch.GetTimestamp();
            check = call();
            times[rep] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            bytes = ClusterTraffic.BytesReceived - bytesBefore;
            collectives = ClusterTraffic.Collectives - collectivesBefore;
        }

        Array.Sort(times);
        if (Specialize.Cluster.IsRoot)
        {
            Console.WriteLine($"RESULT workload={workload} ms={times[reps / 2]:R} bytes={bytes} collectives={collectives} check={check}");
        }

        return 0;
    }

    /// <summary>Ten EM iterations of a full-covariance mixture (from rows drawn as initial means, so the initialization is cheap).</summary>
    private static Func<string> Gmm(int n)
    {
        const int d = 19, m = 16;
        var random = new Random(19);
        var centers = new double[m, d];
        for (int k = 0; k < m; k++)
        {
            for (int i = 0; i < d; i++)
            {
                centers[k, i] = 6 * random.NextDouble();
            }
        }

        var x = new double[n, d];
        for (int r = 0; r < n; r++)
        {
            int k = r % m;
            for (int i = 0; i < d; i++)
            {
                x[r, i] = centers[k, i] + random.NextDouble() - 0.5;
            }
        }

        var data = GmmData.FromMatrix(x);
        var options = new GaussianMixtureOptions { Components = m, CovarianceType = CovarianceType.Full, Init = GmmInit.RandomFromData, MaxIterations = 10, Tolerance = 0, Seed = 1 };
        return () =>
        {
            var model = new GaussianMixture(options).Fit(data);
            return $"{model.Iterations}:{model.LowerBound:R}";
        };
    }

    /// <summary>The BLB suite's mean over n normal values, with the default options (25 subsamples of n^0.7 rows, 100 bootstraps).</summary>
    private static Func<string> Blb(int n)
    {
        var random = new Random(7);
        var values = new double[n];
        for (int i = 0; i < n; i++)
        {
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            values[i] = 5.0 + (2.0 * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2));
        }

        var options = new BlbOptions { Seed = 42 };
        return () =>
        {
            BlbResult result = MeanEstimator.Run(values, options);
            return $"{result.Estimate:R}:{result.StandardError:R}:{result.Lower:R}:{result.Upper:R}";
        };
    }

    /// <summary>A logistic-regression fit (the GLM suite's rows, C = 1, tolerance 1e-8); the check is the iterations and the coefficients' bits.</summary>
    private static Func<string> Glm(int n, int d)
    {
        (double[,] x, int[] y) = GlmSample.SyntheticRows.Make(n, d, 3);
        var options = new Specialize.Glm.LogisticRegressionOptions { C = 1, Tolerance = 1e-8 };
        return () =>
        {
            var model = new Specialize.Glm.LogisticRegression(options).Fit(x, y);
            ulong hash = 14695981039346656037UL;
            foreach (double v in model.Coefficients.Append(model.Intercept))
            {
                hash = (hash ^ (ulong)BitConverter.DoubleToInt64Bits(v)) * 1099511628211UL;
            }

            return $"{model.Iterations}:{hash:x16}";
        };
    }

    /// <summary>Records scored against 1 MB of data every record shares (131,072 doubles); about 6 microseconds per record on one core.</summary>
    private static Func<string> Map(int records)
    {
        var random = new Random(9);
        var grid = new double[131_072];
        for (int i = 0; i < grid.Length; i++)
        {
            grid[i] = random.NextDouble() - 0.5;
        }

        Probe[] probes = Enumerable.Range(0, records).Select(i => new Probe(i, (i * 7919) % grid.Length, 1 + (i % 4))).ToArray();
        return () =>
        {
            double[] scores = Specialize.Cluster.Map(probes, grid, static (probe, g) =>
            {
                double score = 0;
                for (int s = 0; s < 96 * probe.Reach; s++)
                {
                    score += g[(probe.Offset + (s * s)) % g.Length] * Math.Cos(probe.Id + s);
                }

                return score;
            });
            double sum = 0;
            foreach (double score in scores)
            {
                sum += score;
            }

            return $"{scores.Length}:{sum:R}:{scores[^1]:R}";
        };
    }

    /// <summary>Per-collective latency and bandwidth of the ranks' collectives (ranks started together by a barrier).</summary>
    private static int Latency(bool smoke)
    {
        ICommunicator world = Specialize.Cluster.World ?? throw new InvalidOperationException("The latency workload runs under mpiexec.");
        int small = smoke ? 200 : 5000, large = smoke ? 5 : 50;
        byte[] eight = new byte[8], mega = new byte[1 << 20], eightMega = new byte[8 << 20];
        double Time(int count, Action action)
        {
            action();
            world.Barrier();
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < count; i++)
            {
                action();
            }

            return Stopwatch.GetElapsedTime(start).TotalMilliseconds * 1000 / count;
        }

        double barrier = Time(small, world.Barrier);
        double gather8 = Time(small, () => world.AllGather(eight));
        double sum8 = Time(small, () => ClusterExchange.OrderedSum(world, [1.0]));
        double exchange8 = Time(small, () => ClusterExchange.Run(world, "latency", () => eight));
        double gather1m = Time(large, () => world.AllGather(mega));
        double broadcast8m = Time(large, () => world.Broadcast(eightMega, 0));

        // What every rank does on its own in each Cluster.Map call of the map workload: serialize and hash the
        // records and the shared data, and read every result back.
        Probe[] probes = Enumerable.Range(0, smoke ? 10_000 : 100_000).Select(i => new Probe(i, i, 1)).ToArray();
        double[] grid = new double[131_072], results = new double[probes.Length];
        byte[] resultBytes = ClusterCodecs.ToBytes(results);
        double replicated = Time(large, () =>
        {
            var writer = new ByteWriter();
            foreach (Probe probe in probes)
            {
                ClusterCodec<Probe>.Instance.Write(writer, probe);
            }

            ClusterCodecs.Hash(writer.WrittenSpan);
            ClusterCodecs.Hash(ClusterCodecs.ToBytes(grid));
            var reader = new ByteReader(resultBytes.AsSpan(sizeof(int)));
            for (int i = 0; i < results.Length; i++)
            {
                results[i] = ClusterCodec<double>.Instance.Read(ref reader);
            }
        });
        if (world.Rank == 0)
        {
            Console.WriteLine(FormattableString.Invariant(
                $"RESULT workload=latency barrier={barrier:R} gather8={gather8:R} sum8={sum8:R} exchange8={exchange8:R} gather1m={gather1m:R} broadcast8m={broadcast8m:R} replicated={replicated:R}"));
        }

        return 0;
    }
}
