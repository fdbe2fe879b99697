using System.Diagnostics;
using Specialize.Demo;
using Specialize.Futures;
using Specialize.Samples;

// The demo of what Specialize does today: [Pure] calls become conditional futures.
// Each workload runs with futures off (the sequential baseline) and on, in this same process.

Console.WriteLine("Specialize demo: checked-pure calls as conditional futures, Gaussian-mixture variant selection, Bag of Little Bootstraps");
Console.WriteLine($"{Environment.ProcessorCount} cores; spawn cost measured at {FutureRuntime.SpawnCostNanoseconds / 1000:F1} us");
MachineLoad startLoad = MachineLoad.Now();
if (startLoad.Describe() is { Length: > 0 } loadNow)
{
    Console.WriteLine($"load at the start: {loadNow}{(startLoad.Busy ? "; the machine is busy, so futures compete with other programs for the cores" : string.Empty)}");
}

Console.WriteLine("Times are medians of 7 rounds that alternate futures off and on (off, on, off, on, ...), after 8 warm-up calls.");
Console.WriteLine();

// Listing 1 on the paper's data: np.arange(0, 30).reshape(5, 6).
double[] small = Enumerable.Range(0, 30).Select(i => (double)i).ToArray();
double[] listing1 = Kernels.Listing1(small);
Console.WriteLine("Listing 1, a = arange(0, 30): b + c = [" + string.Join(", ", listing1.Take(6).Select(v => v.ToString("G4"))) + ", ...]");

Comparison listing = Compare("Listing 1", () => Kernels.Listing1(small), repetitions: 20000);
Report(listing, "F4");
Console.WriteLine("  (too small to pay for a thread: the cost model runs both calls inline)");
Console.WriteLine();

double[] large = Enumerable.Range(0, 100_000).Select(i => i * 1e-5).ToArray();
Comparison relax = Compare("two Relax calls", () => Kernels.RelaxBoth(large, 40), repetitions: 3);
Console.WriteLine("Two independent Relax(100000 elements, 40 sweeps) calls:");
Report(relax, "F2");

var random = new Random(42);
int[] unsorted = Enumerable.Range(0, 1_000_000).Select(_ => random.Next()).ToArray();
Comparison sort = Compare("quicksort", () => RecursiveKernels.QuickSort(unsorted).Select(v => (double)v).Take(1).ToArray(), repetitions: 1);
Console.WriteLine("Functional quicksort of 1,000,000 ints (its two recursive calls are futures):");
Report(sort, "F2");

const int size = 256;
double[] left = Enumerable.Range(0, size * size).Select(_ => random.NextDouble()).ToArray();
double[] right = Enumerable.Range(0, size * size).Select(_ => random.NextDouble()).ToArray();
Comparison multiply = Compare("matmul", () => RecursiveKernels.Multiply(left, right, size, leaf: 64), repetitions: 1);
Console.WriteLine($"Divide-and-conquer matmul {size} x {size} (eight recursive products are futures):");
Report(multiply, "F2");

FutureRuntime.Enabled = false;
double[] expected = Kernels.RelaxBoth(large, 40);
int[] sortedSequentially = RecursiveKernels.QuickSort(unsorted);
FutureRuntime.Enabled = true;
bool same = expected.AsSpan().SequenceEqual(Kernels.RelaxBoth(large, 40))
    && sortedSequentially.AsSpan().SequenceEqual(RecursiveKernels.QuickSort(unsorted));
Console.WriteLine($"  same results with and without futures: {same}");
Console.WriteLine();

MixtureDemo.Run();
Console.WriteLine();
BootstrapDemo.Run();

// Median time per call with futures off and on, measured in alternating rounds so that neither
// side is favoured by warm-up or by other load on the machine; the fastest and slowest round of each
// side; how many futures were spawned; and the machine's load when the rounds ended.
static Comparison Compare(string name, Func<double[]> work, int repetitions)
{
    const int warmUp = 8, rounds = 7;
    return ConsoleProgress.Run($"{name}: warm-up and {rounds} rounds", warmUp + rounds, steps =>
    {
        FutureRuntime.Enabled = true;
        for (int i = 0; i < warmUp; i++)
        {
            work(); // warm up the JIT and let each call site learn its cost
            steps.Done();
        }

        var off = new double[rounds];
        var on = new double[rounds];
        long spawned = 0;
        for (int r = 0; r < rounds; r++)
        {
            FutureRuntime.Enabled = false;
            off[r] = Time(work, repetitions);
            FutureRuntime.Enabled = true;
            long before = FutureRuntime.Spawned;
            on[r] = Time(work, repetitions);
            spawned += FutureRuntime.Spawned - before;
            steps.Done();
        }

        Array.Sort(off);
        Array.Sort(on);
        return new Comparison(off, on, spawned, MachineLoad.Now());
    });
}

static void Report(Comparison c, string format)
{
    Console.WriteLine($"  sequential {c.OffMs.ToString(format),9} ms   futures {c.OnMs.ToString(format),9} ms   ratio {c.Ratio:F2}x   spawned {c.Spawned}");
    Console.WriteLine($"  rounds: sequential {c.Off[0].ToString(format)} to {c.Off[^1].ToString(format)} ms, futures {c.On[0].ToString(format)} to {c.On[^1].ToString(format)} ms");
    if (c.Load.ExplainRatio(c.Ratio, c.Spawned) is { Length: > 0 } why)
    {
        Console.WriteLine($"  {why}");
    }
}

static double Time(Func<double[]> work, int repetitions)
{
    long start = Stopwatch.GetTimestamp();
    for (int i = 0; i < repetitions; i++)
    {
        work();
    }

    return Stopwatch.GetElapsedTime(start).TotalMilliseconds / repetitions;
}

/// <summary>The sorted per-call times of the rounds with futures off and on, the futures spawned, and the load after them.</summary>
internal sealed record Comparison(double[] Off, double[] On, long Spawned, MachineLoad Load)
{
    public double OffMs => Off[Off.Length / 2];

    public double OnMs => On[On.Length / 2];

    /// <summary>Sequential median over futures median: above 1, futures were faster.</summary>
    public double Ratio => OffMs / OnMs;
}
