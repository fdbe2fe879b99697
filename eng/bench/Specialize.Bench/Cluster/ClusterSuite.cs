using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Specialize.Bench.Cluster;

/// <summary>
/// The same programs alone and under MPI on this machine: one process with 2 threads against
/// <c>mpiexec.mpich -n 2</c> with 1 thread per rank (<c>DOTNET_PROCESSOR_COUNT</c>), same data, same code. Each
/// round runs both, in alternating order, as child processes (<see cref="ClusterWorkloads"/>), and the judged figure
/// is the median of the per-round ratios, so that load that drifts over the rounds affects both sides alike. The
/// latency row times the collectives themselves under <c>mpiexec.mpich -n 2</c>; docs/cluster.md turns these
/// figures into the 64-node cost model.
/// </summary>
internal static class ClusterSuite
{
    public const string Name = "cluster";

    public static readonly string[] Workloads = [.. ClusterWorkloads.Names, "latency"];

    private const string Launcher = "mpiexec.mpich";

    private static readonly Dictionary<string, (string Size, string What)> s_describe = new()
    {
        ["gmm"] = ("N = 150000, D = 19, M = 16, full", "fit of 10 EM iterations"),
        ["blb"] = ("n = 1000000, s = 25, r = 100", "BLB of the mean"),
        ["map"] = ("100000 records, 1 MB shared", "Cluster.Map"),
    };

    public static SuiteResult Run(BenchOptions options, Func<string, bool> selects)
    {
        string? launcher = FindLauncher();
        var markdown = new StringBuilder();
        markdown.AppendLine("## Cluster (`mpiexec`)");
        markdown.AppendLine();
        if (launcher is null)
        {
            string reason = $"{Launcher} is not installed (Debian: apt-get install mpich): the cluster suite did not run.";
            Console.WriteLine(reason);
            markdown.AppendLine(reason);
            return new SuiteResult(Name, markdown.ToString());
        }

        int rounds = options.Rounds ?? (options.Smoke ? 1 : 7);
        int reps = options.Smoke ? 1 : 3;
        string smoke = options.Smoke ? " --smoke" : string.Empty;
        markdown.AppendLine(
            $"Reproduce: `eng/bench.sh cluster` (or `dotnet run --project eng/bench/Specialize.Bench -c Release -- cluster`). {MachineInfo.Describe()} " +
            $"Each workload runs as a child process alone with `DOTNET_PROCESSOR_COUNT=2` and as `{Launcher} -n 2` with `DOTNET_PROCESSOR_COUNT=1` per rank, " +
            $"on the same data; a process warms up once (compilation, variant trials) and then times {reps} calls, each started on both ranks together, and reports the median. " +
            $"{rounds} rounds run the two in alternating order; the overhead is the median of the per-round ratios minus 1. " +
            "Bytes and collectives are what rank 0 received and completed per call; an all-gather is two MPI collectives (the lengths, then the bytes).");
        markdown.AppendLine();
        markdown.AppendLine("| workload | size | 1 process, 2 threads ms | mpiexec -n 2, 1 thread each ms | overhead (per-round ratios) | target | bytes per call | collectives per call | same result |");
        markdown.AppendLine("|---|---|---:|---:|---:|---|---:|---:|---|");
        foreach (string workload in ClusterWorkloads.Names)
        {
            if (!selects(workload))
            {
                continue;
            }

            var alone = new List<Result>();
            var ranks = new List<Result>();
            var ratios = new List<double>();
            for (int round = 0; round < rounds; round++)
            {
                Result a, b;
                if (round % 2 == 0)
                {
                    a = Worker(null, workload, reps, smoke, threads: 2);
                    b = Worker(launcher, workload, reps, smoke, threads: 1);
                }
                else
                {
                    b = Worker(launcher, workload, reps, smoke, threads: 1);
                    a = Worker(null, workload, reps, smoke, threads: 2);
                }

                alone.Add(a);
                ranks.Add(b);
                ratios.Add(b.Milliseconds / a.Milliseconds);
                Console.WriteLine($"cluster:{workload} round {round + 1}: alone {a.Milliseconds:F1} ms, mpiexec -n 2 {b.Milliseconds:F1} ms, ratio {b.Milliseconds / a.Milliseconds:F3}");
            }

            double ratio = Median(ratios);
            bool same = SameResult(workload, alone[0].Check, ranks[0].Check);
            var (size, what) = s_describe[workload];
            string met = ratio - 1 < 0.10 ? "met" : "not met";
            markdown.AppendLine(
                $"| {what} | {size} | {Median(alone.Select(r => r.Milliseconds)):F1} | {Median(ranks.Select(r => r.Milliseconds)):F1} | " +
                $"{(ratio - 1) * 100:+0.0;-0.0}% ({(ratios.Min() - 1) * 100:+0.0;-0.0}% to {(ratios.Max() - 1) * 100:+0.0;-0.0}%) | < 10% ({met}) | {ranks[0].Bytes:N0} | {ranks[0].Collectives} | {same} |");
        }

        if (selects("latency"))
        {
            Result latency = Worker(launcher, "latency", 0, smoke, threads: 1);
            var v = latency.Values;
            markdown.AppendLine();
            markdown.AppendLine($"Collectives under `{Launcher} -n 2` on this machine (shared memory), per call: barrier {v["barrier"]:F2} us; all-gather of 8 bytes {v["gather8"]:F2} us; " +
                $"ordered sum of one double (all-gather, then added in rank order) {v["sum8"]:F2} us; one exchange with status (what every distributed step does) {v["exchange8"]:F2} us; " +
                $"all-gather of 1 MiB per rank {v["gather1m"]:F0} us ({2.0 * (1 << 20) / v["gather1m"] / 1e3:F2} GB/s received); broadcast of 8 MiB {v["broadcast8m"]:F0} us ({8.0 * (1 << 20) / v["broadcast8m"] / 1e3:F2} GB/s). " +
                $"What every rank does alone in each call of the map workload (serialize and hash 100,000 records and 1 MB of shared data, read 100,000 results back): {v["replicated"] / 1000:F2} ms.");
        }

        return new SuiteResult(Name, markdown.ToString());
    }

    private static bool SameResult(string workload, string alone, string ranks)
    {
        if (workload != "gmm")
        {
            return alone == ranks;
        }

        // GMM: the same iterations and the lower bound to 1e-12 relative.
        string[] a = alone.Split(':'), b = ranks.Split(':');
        double x = double.Parse(a[1], CultureInfo.InvariantCulture), y = double.Parse(b[1], CultureInfo.InvariantCulture);
        return a[0] == b[0] && Math.Abs(x - y) <= 1e-12 * Math.Abs(x);
    }

    internal static double Median(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string? FindLauncher() =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, Launcher))
            .FirstOrDefault(File.Exists);

    internal sealed record Result(double Milliseconds, long Bytes, long Collectives, string Check, Dictionary<string, double> Values);

    /// <summary>Runs one worker process (under <paramref name="launcher"/> with 2 ranks, or alone) and parses its RESULT line.</summary>
    internal static Result Worker(string? launcher, string workload, int reps, string smoke, int threads)
    {
        string assembly = typeof(ClusterSuite).Assembly.Location;
        string command = $"\"{assembly}\" {ClusterWorkloads.Flag} {workload} {reps}{smoke}";
        var start = new ProcessStartInfo(launcher ?? "dotnet", launcher is null ? command : $"-n 2 dotnet {command}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["DOTNET_PROCESSOR_COUNT"] = threads.ToString(CultureInfo.InvariantCulture);

        // A tuning file per side: the file is tagged with the processor count, so one file shared by both would be
        // replaced on every run and every run would measure its variants again.
        string tuning = Environment.GetEnvironmentVariable(Specialize.Variants.TuningStore.PathVariable) ?? Specialize.Variants.TuningStore.Default.Path;
        start.Environment["SPECIALIZE_TUNING_FILE"] = Path.ChangeExtension(tuning, launcher is null ? ".alone.json" : ".ranks.json");
        start.Environment["TERM"] = "dumb";
        using var process = Process.Start(start)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Match line = Regex.Match(output, @"^RESULT (.*)$", RegexOptions.Multiline);
        if (process.ExitCode != 0 || !line.Success)
        {
            throw new InvalidOperationException($"The {workload} worker ({launcher ?? "alone"}) failed with exit code {process.ExitCode}:\n{output}\n{error.Result}");
        }

        var fields = line.Groups[1].Value.Trim().Split(' ').Select(f => f.Split('=', 2)).ToDictionary(f => f[0], f => f[1]);
        var values = fields.Where(f => double.TryParse(f.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            .ToDictionary(f => f.Key, f => double.Parse(f.Value, CultureInfo.InvariantCulture));
        return new Result(
            values.GetValueOrDefault("ms"),
            (long)values.GetValueOrDefault("bytes"),
            (long)values.GetValueOrDefault("collectives"),
            fields.GetValueOrDefault("check") ?? string.Empty,
            values);
    }
}
