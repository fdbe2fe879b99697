using System.Diagnostics;
using System.Globalization;
using Specialize.Futures;

using Specialize.Demo;

namespace Specialize.Bench.Futures;

/// <summary>One workload timed as a program's first and only use of it: fresh processes, futures off and on.</summary>
/// <param name="Name">What was measured.</param>
/// <param name="Size">The problem size, in words.</param>
/// <param name="OffMilliseconds">Median time in a fresh process with <c>SPECIALIZE_FUTURES=off</c>.</param>
/// <param name="OnMilliseconds">Median time in a fresh process with futures on.</param>
/// <param name="Ratio">Median over the process pairs of off/on (each pair measured back to back).</param>
/// <param name="SpawnedPerRun">Median number of futures spawned in the timed part with futures on.</param>
/// <param name="Pairs">How many off/on process pairs were run.</param>
/// <param name="Target">The ratio off/on the workload must reach.</param>
internal sealed record FirstRunComparison(
    string Name,
    string Size,
    double OffMilliseconds,
    double OnMilliseconds,
    double Ratio,
    double SpawnedPerRun,
    int Pairs,
    double Target)
{
    public bool MeetsTarget => Ratio >= Target;
}

/// <summary>
/// The first use of a workload in a fresh process, as a program that sorts once sees it: nothing is
/// compiled, no call site has learned anything and the thread pool has not started. The bench binary
/// starts itself with <c>--first-run WORKLOAD</c> (<see cref="RunChild"/>) once with futures off
/// (<c>SPECIALIZE_FUTURES=off</c>) and once with them on, in alternating order, for several pairs.
/// </summary>
internal static class FirstRun
{
    public const string ChildOption = "--first-run";

    /// <summary>The workloads a child process can run, by name.</summary>
    public static readonly string[] Workloads = ["quicksort", "matmul-8", "tiny-loop"];

    private const int QuickSortWarmUpLength = 50_000;
    private const int QuickSortLength = 3_000_000;
    private const int MatmulCalls = 20_000;
    private const int TinyLoopCount = 1_000_000;
    private const int TinyLoopCalls = 20;

    /// <summary>
    /// In the child process: runs the workload once, as a program would, and prints the time of its
    /// timed part in milliseconds and the futures spawned in it (<c>ms=... spawned=...</c>); on
    /// standard error, for a person running it by hand, the process's CPU time in that part, the
    /// measured spawn cost and the garbage collections.
    /// </summary>
    /// <param name="workload">The workload's name.</param>
    /// <param name="sites">Whether to print what each future site learned, after the time.</param>
    public static int RunChild(string workload, bool sites)
    {
        double milliseconds;
        long spawnedBefore;
        TimeSpan cpuBefore;
        switch (workload)
        {
            case "quicksort":
            {
                // A program that sorts a small array first (a warm-up of its own, or just an earlier
                // use), then the large one once.
                int[] warmUp = FuturesSuite.RandomInts(QuickSortWarmUpLength, seed: 7);
                int[] data = FuturesSuite.RandomInts(QuickSortLength, seed: 8);
                FuturesSuite.CheckSorted("first-run quicksort warm-up", warmUp, RecursiveKernels.QuickSort(warmUp));
                (spawnedBefore, cpuBefore) = (FutureRuntime.Spawned, Process.GetCurrentProcess().TotalProcessorTime);
                long start = Stopwatch.GetTimestamp();
                int[] sorted = RecursiveKernels.QuickSort(data);
                milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                FuturesSuite.CheckSorted("first-run quicksort", data, sorted);
                break;
            }

            case "matmul-8":
            {
                // Everything the program does is many tiny products: the first call is timed too.
                const int n = 8;
                double[] a = FuturesSuite.RandomMatrix(n, seed: 4);
                double[] b = FuturesSuite.RandomMatrix(n, seed: 5);
                (spawnedBefore, cpuBefore) = (FutureRuntime.Spawned, Process.GetCurrentProcess().TotalProcessorTime);
                long start = Stopwatch.GetTimestamp();
                double[] product = [];
                for (int i = 0; i < MatmulCalls; i++)
                {
                    product = RecursiveKernels.Multiply(a, b, n, leaf: 1);
                }

                milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                FuturesSuite.CheckProduct(a, b, n, product);
                break;
            }

            case "tiny-loop":
            {
                (spawnedBefore, cpuBefore) = (FutureRuntime.Spawned, Process.GetCurrentProcess().TotalProcessorTime);
                long start = Stopwatch.GetTimestamp();
                double sum = 0;
                for (int i = 0; i < TinyLoopCalls; i++)
                {
                    sum += RecursiveKernels.SumOfSteps(TinyLoopCount);
                }

                milliseconds = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                if (!double.IsFinite(sum))
                {
                    throw new InvalidOperationException("first-run tiny-loop: the sum is not finite.");
                }

                break;
            }

            default:
                Console.Error.WriteLine($"Unknown first-run workload '{workload}'. Known: {string.Join(", ", Workloads)}");
                return 2;
        }

        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ms={milliseconds:R} spawned={FutureRuntime.Spawned - spawnedBefore}"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"process CPU time in the timed part {cpu:F0} ms{(FutureRuntime.Enabled ? $", spawn cost {FutureRuntime.SpawnCostNanoseconds:F0} ns" : string.Empty)}; "
            + $"collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}, GC pauses {GC.GetTotalPauseDuration().TotalMilliseconds:F0} ms in all"));
        if (sites)
        {
            SiteReport.Print(string.Empty);
        }

        return 0;
    }

    /// <summary>Runs <paramref name="pairs"/> off/on pairs of fresh processes for one workload.</summary>
    public static FirstRunComparison Compare(string workload, int pairs)
    {
        (string name, string size, double target) = workload switch
        {
            "quicksort" => ("Functional quicksort, first run", $"{QuickSortLength:N0} ints after {QuickSortWarmUpLength:N0}", 1.5),
            "matmul-8" => ("Divide-and-conquer matmul, leaf 1, first run", $"8 x 8, {MatmulCalls:N0} calls", 0.95),
            "tiny-loop" => ("Tiny pure function in a loop, first run", $"{TinyLoopCalls} x {TinyLoopCount:N0} iterations", 0.95),
            _ => throw new ArgumentOutOfRangeException(nameof(workload), workload, "Unknown first-run workload."),
        };

        var off = new double[pairs];
        var on = new double[pairs];
        var ratios = new double[pairs];
        var spawned = new double[pairs];
        for (int p = 0; p < pairs; p++)
        {
            // Alternate which side goes first, so that drift in the machine's load favours neither.
            if (p % 2 == 0)
            {
                off[p] = Child(workload, futures: false).Milliseconds;
                (on[p], spawned[p]) = Child(workload, futures: true);
            }
            else
            {
                (on[p], spawned[p]) = Child(workload, futures: true);
                off[p] = Child(workload, futures: false).Milliseconds;
            }

            ratios[p] = off[p] / on[p];
        }

        return new FirstRunComparison(name, size, Harness.Median(off), Harness.Median(on), Harness.Median(ratios), Harness.Median(spawned), pairs, target);
    }

    private static (double Milliseconds, long Spawned) Child(string workload, bool futures)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string self = Environment.ProcessPath ?? throw new InvalidOperationException("The bench cannot find its own executable.");
        start.FileName = self;
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            // Run through the host: the bench's own assembly comes first.
            start.ArgumentList.Add(typeof(FirstRun).Assembly.Location);
        }

        start.ArgumentList.Add(ChildOption);
        start.ArgumentList.Add(workload);
        start.Environment.Remove("SPECIALIZE_FUTURES");
        if (!futures)
        {
            start.Environment["SPECIALIZE_FUTURES"] = "off";
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("The first-run child process did not start.");
        Task<string> errors = child.StandardError.ReadToEndAsync();
        string output = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"first-run {workload} (futures {(futures ? "on" : "off")}) failed with exit code {child.ExitCode}: {errors.Result}");
        }

        foreach (string line in output.Split('\n'))
        {
            string[] fields = line.Trim().Split(' ');
            if (fields.Length == 2 && fields[0].StartsWith("ms=", StringComparison.Ordinal) && fields[1].StartsWith("spawned=", StringComparison.Ordinal))
            {
                long spawned = long.Parse(fields[1].AsSpan(8), CultureInfo.InvariantCulture);
                if (!futures && spawned != 0)
                {
                    throw new InvalidOperationException($"first-run {workload}: {spawned} futures were spawned with SPECIALIZE_FUTURES=off.");
                }

                return (double.Parse(fields[0].AsSpan(3), CultureInfo.InvariantCulture), spawned);
            }
        }

        throw new InvalidOperationException($"first-run {workload}: the child printed no time: {output}");
    }
}
