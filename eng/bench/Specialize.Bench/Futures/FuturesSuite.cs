using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specialize.Bench.Charts;
using Specialize.Futures;

using Specialize.Demo;

namespace Specialize.Bench.Futures;

/// <summary>
/// The <c>[Pure]</c> benchmarks of issue 3: the same generated code with futures off and on, and the
/// targets each must reach.
/// </summary>
internal static class FuturesSuite
{
    public const string Name = "futures";

    /// <summary>The workloads, by the name a filter uses (<c>futures:quicksort</c>, ...).</summary>
    public static readonly string[] Workloads = ["quicksort", "matmul", "matmul-8", "tiny-loop", "quicksort-10m", "first-run"];

    public static SuiteResult Run(BenchOptions options, Func<string, bool> selected)
    {
        bool smoke = options.Smoke;
        int rounds = options.Rounds ?? (smoke ? 3 : 7);
        var rows = new List<Comparison>();
        var firstRuns = new List<FirstRunComparison>();
        var notes = new List<string>();
        string load = MachineInfo.Load();
        if (load.Length > 0)
        {
            Console.WriteLine(load);
        }

        Console.WriteLine($"futures: spawn cost measured at {FutureRuntime.SpawnCostNanoseconds / 1000:F1} us; "
            + $"at most {FutureRuntime.MaxInFlight} futures in flight; {rounds} interleaved rounds per workload");

        if (selected("quicksort"))
        {
            int length = smoke ? 200_000 : 5_000_000;
            int[] data = RandomInts(length, seed: 1);
            rows.Add(Report(Harness.Compare(
                "Functional quicksort",
                $"{length:N0} ints",
                () => RecursiveKernels.QuickSort(data),
                static (x, y) => x.AsSpan().SequenceEqual(y),
                warmUpCalls: 3,
                rounds,
                callsPerRound: 1,
                target: 1.7), options, "QuickSort("));
            CheckSorted("quicksort", data, RecursiveKernels.QuickSort(data));
        }

        if (selected("matmul"))
        {
            int n = smoke ? 256 : 1024;
            double[] a = RandomMatrix(n, seed: 2);
            double[] b = RandomMatrix(n, seed: 3);
            rows.Add(Report(Harness.Compare(
                "Divide-and-conquer matmul, leaf 64",
                $"{n} x {n}",
                () => RecursiveKernels.Multiply(a, b, n, leaf: 64),
                static (x, y) => x.AsSpan().SequenceEqual(y),
                warmUpCalls: 3,
                rounds,
                callsPerRound: 1,
                target: 1.7), options, string.Empty));
            CheckProduct(a, b, n, RecursiveKernels.Multiply(a, b, n, leaf: 64));
        }

        if (selected("matmul-8"))
        {
            // Intrepydd's failing case: recursion all the way down to 1 x 1, 585 calls of tiny work.
            const int n = 8;
            double[] a = RandomMatrix(n, seed: 4);
            double[] b = RandomMatrix(n, seed: 5);
            rows.Add(Report(Harness.Compare(
                "Divide-and-conquer matmul, leaf 1",
                $"{n} x {n}",
                () => RecursiveKernels.Multiply(a, b, n, leaf: 1),
                static (x, y) => x.AsSpan().SequenceEqual(y),
                warmUpCalls: smoke ? 200 : 2_000,
                rounds,
                callsPerRound: smoke ? 2_000 : 20_000,
                target: 0.95,
                plain: () => PlainKernels.Multiply(a, b, n, leaf: 1)), options, string.Empty));
            CheckProduct(a, b, n, RecursiveKernels.Multiply(a, b, n, leaf: 1));
        }

        if (selected("tiny-loop"))
        {
            int count = smoke ? 100_000 : 1_000_000;
            rows.Add(Report(Harness.Compare(
                "Tiny pure function in a loop",
                $"{count:N0} iterations",
                () => RecursiveKernels.SumOfSteps(count),
                static (x, y) => x.Equals(y),
                warmUpCalls: 5,
                rounds,
                callsPerRound: smoke ? 5 : 20,
                target: 0.95,
                plain: () => PlainKernels.SumOfSteps(count)), options, "Tiny("));
        }

        if (selected("quicksort-10m") && !smoke)
        {
            notes.Add(LargeQuickSort(10_000_000));
        }

        int pairs = 0;
        if (selected("first-run"))
        {
            pairs = smoke ? 1 : options.Rounds ?? 9;
            foreach (string workload in FirstRun.Workloads)
            {
                FirstRunComparison row = FirstRun.Compare(workload, pairs);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {row.Name,-46} {row.Size,-30} off {row.OffMilliseconds,10:F1} ms   on {row.OnMilliseconds,10:F1} ms   "
                    + $"off/on {row.Ratio,5:F2}x (target {row.Target:F2}x {(row.MeetsTarget ? "met" : "MISSED")})   spawned {row.SpawnedPerRun:F0}"));
                firstRuns.Add(row);
            }
        }

        return new SuiteResult(Name, Section(rows, firstRuns, pairs, notes, rounds, load) + "\n" + BenchmarkCharts.Links(Name));
    }

    private static Comparison Report(Comparison row, BenchOptions options, string sites)
    {
        string plain = double.IsNaN(row.PlainMilliseconds)
            ? string.Empty
            : string.Create(CultureInfo.InvariantCulture, $"   plain C# {row.PlainMilliseconds:F3} ms, plain/on {row.PlainRatio:F2}x");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {row.Name,-36} {row.Size,-18} off {row.OffMilliseconds,10:F3} ms   on {row.OnMilliseconds,10:F3} ms   "
            + $"off/on {row.Ratio,5:F2}x (target {row.Target:F2}x {(row.MeetsTarget ? "met" : "MISSED")})   spawned/call {row.SpawnedPerCall:F1}   "
            + $"GC pauses/call off {row.OffGcPauseMilliseconds:F3} ms, on {row.OnGcPauseMilliseconds:F3} ms{plain}"));
        if (options.Sites)
        {
            SiteReport.Print(sites);
        }

        return row;
    }

    /// <summary>Sorts a large array once with futures on: it must finish, correctly, within memory.</summary>
    private static string LargeQuickSort(int length)
    {
        int[] data = RandomInts(length, seed: 6);
        FutureRuntime.Enabled = true;
        GC.Collect();
        long spawnedBefore = FutureRuntime.Spawned;
        long start = Stopwatch.GetTimestamp();
        int[] sorted = RecursiveKernels.QuickSort(data);
        double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        long spawned = FutureRuntime.Spawned - spawnedBefore;
        Array.Sort(data);
        bool correct = data.AsSpan().SequenceEqual(sorted);
        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        string note = string.Create(CultureInfo.InvariantCulture,
            $"Quicksort of {length:N0} ints, once, futures on: {(correct ? "sorted correctly" : "WRONG RESULT")} in {seconds:F2} s, "
            + $"{spawned:N0} futures spawned, peak working set of the process {peak / (1024.0 * 1024.0):F0} MiB.");
        Console.WriteLine("  " + note);
        if (!correct)
        {
            throw new InvalidOperationException("quicksort-10m: the result is not the sorted input.");
        }

        return note;
    }

    private static string Section(List<Comparison> rows, List<FirstRunComparison> firstRuns, int pairs, List<string> notes, int rounds, string load)
    {
        var text = new StringBuilder();
        text.AppendLine("## Futures ([Pure])");
        text.AppendLine();
        text.AppendLine("Reproduce with `eng/bench.sh futures` (or `dotnet run --project eng/bench/Specialize.Bench -c Release -- futures`).");
        text.AppendLine();
        text.AppendLine(MachineInfo.Describe());
        if (load.Length > 0)
        {
            text.AppendLine(load);
        }

        text.AppendLine();
        text.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"Each workload runs the same generated code twice per round: with `FutureRuntime.Enabled = false` (every pure call "
            + $"inline, in program order: the sequential baseline) and with futures on. After warm-up (the JIT tiers up and "
            + $"each call site takes the timed inline samples its cost model needs), {rounds} rounds alternate off, on, off, "
            + $"on, ...; each round starts after a full garbage collection. Times are medians per call; every round's result "
            + $"is checked equal to the sequential one. Stopwatch harness (`eng/bench/Specialize.Bench/Harness.cs`). "
            + $"Spawn cost measured at {FutureRuntime.SpawnCostNanoseconds / 1000:F1} us; at most {FutureRuntime.MaxInFlight} futures in flight."));
        text.AppendLine();
        text.AppendLine("| workload | size | futures off (ms) | futures on (ms) | off/on | target | futures spawned per call | GC pauses per call, off / on (ms) | plain C# (ms) | plain/on |");
        text.AppendLine("|---|---|---:|---:|---:|---|---:|---:|---:|---:|");
        foreach (Comparison row in rows)
        {
            string plain = double.IsNaN(row.PlainMilliseconds)
                ? "- | - |"
                : string.Create(CultureInfo.InvariantCulture, $"{row.PlainMilliseconds:F3} | {row.PlainRatio:F2}x |");
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Size} | {row.OffMilliseconds:F3} | {row.OnMilliseconds:F3} | {row.Ratio:F2}x | "
                + $">= {row.Target:F2}x ({(row.MeetsTarget ? "met" : "**missed**")}) | {row.SpawnedPerCall:F1} | "
                + $"{row.OffGcPauseMilliseconds:F3} / {row.OnGcPauseMilliseconds:F3} | {plain}"));
        }

        text.AppendLine();
        text.AppendLine("*GC pauses*: time the garbage collector stopped the program, per call; the allocation-heavy "
            + "workloads spend it on one thread, whatever the futures do.");
        text.AppendLine();
        text.AppendLine("*plain C#*: for the small workloads, the same source in a type that is not `partial`, so it gets no twin "
            + "and its calls are not intercepted: the program without Specialize, timed in the same rounds.");
        text.AppendLine();
        text.AppendLine("Targets (issue 3): quicksort of 5M ints and divide-and-conquer matmul 1024 x 1024 at least 1.7x on 2 cores; "
            + "matmul 8 x 8 and a tiny pure function in a loop at least 0.95x (never meaningfully slower).");
        foreach (string note in notes)
        {
            text.AppendLine();
            text.AppendLine(note);
        }

        if (firstRuns.Count > 0)
        {
            text.AppendLine();
            text.AppendLine("### First run, in a fresh process");
            text.AppendLine();
            text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"A program that uses the workload once: the bench starts itself (`Specialize.Bench {FirstRun.ChildOption} WORKLOAD`) "
                + $"with `SPECIALIZE_FUTURES=off` and with futures on, {pairs} pairs of processes, the side that goes first alternating. "
                + $"Nothing is compiled and no call site has learned anything when the program starts. The quicksort program sorts "
                + $"50,000 ints first (untimed), then 3,000,000 once (timed); the other two time everything they do, from their first "
                + $"call. *off/on* is the median over the pairs of each pair's ratio; times and futures spawned are medians."));
            text.AppendLine();
            text.AppendLine("| workload | size | futures off (ms) | futures on (ms) | off/on | target | futures spawned |");
            text.AppendLine("|---|---|---:|---:|---:|---|---:|");
            foreach (FirstRunComparison row in firstRuns)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Name} | {row.Size} | {row.OffMilliseconds:F1} | {row.OnMilliseconds:F1} | {row.Ratio:F2}x | "
                    + $">= {row.Target:F2}x ({(row.MeetsTarget ? "met" : "**missed**")}) | {row.SpawnedPerRun:F0} |"));
            }

            text.AppendLine();
            text.AppendLine("Targets (issue 11): the first 3M-int quicksort after a 50k warm-up at least 1.5x on 2 cores; "
                + "matmul 8 x 8 and the tiny loop at least 0.95x from the first call.");
        }

        return text.ToString();
    }

    internal static int[] RandomInts(int length, int seed)
    {
        var random = new Random(seed);
        var data = new int[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = random.Next();
        }

        return data;
    }

    internal static double[] RandomMatrix(int n, int seed)
    {
        var random = new Random(seed);
        var m = new double[n * n];
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = random.NextDouble() - 0.5;
        }

        return m;
    }

    /// <summary>Checks that <paramref name="sorted"/> is <paramref name="input"/> in ascending order.</summary>
    internal static void CheckSorted(string workload, int[] input, int[] sorted)
    {
        int[] reference = (int[])input.Clone();
        Array.Sort(reference);
        if (!sorted.AsSpan().SequenceEqual(reference))
        {
            throw new InvalidOperationException($"{workload}: the result is not the sorted input.");
        }
    }

    /// <summary>Checks a product against the direct triple loop (the recursion sums in another order).</summary>
    internal static void CheckProduct(double[] a, double[] b, int n, double[] product)
    {
        double[] direct = RecursiveKernels.MultiplyDirect(a, b, n);
        for (int i = 0; i < direct.Length; i++)
        {
            if (Math.Abs(direct[i] - product[i]) > 1e-9 * n)
            {
                throw new InvalidOperationException($"matmul {n} x {n}: element {i} is {product[i]}, expected {direct[i]}.");
            }
        }
    }
}
