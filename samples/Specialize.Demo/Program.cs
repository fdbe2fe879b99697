using System.Diagnostics;
using Specialize.Demo;
using Specialize.Futures;

// The demo of what Specialize does today: [Pure] calls become conditional futures.
// Each workload runs with futures off (the sequential baseline) and on, in this same process.

Console.WriteLine("Specialize demo: checked-pure calls as conditional futures, Gaussian-mixture variant selection, Bag of Little Bootstraps");
Console.WriteLine($"{Environment.ProcessorCount} cores; spawn cost measured at {FutureRuntime.SpawnCostNanoseconds / 1000:F1} us");
Console.WriteLine();

// Listing 1 on the paper's data: np.arange(0, 30).reshape(5, 6).
double[] small = Enumerable.Range(0, 30).Select(i => (double)i).ToArray();
double[] listing1 = Kernels.Listing1(small);
Console.WriteLine("Listing 1, a = arange(0, 30): b + c = [" + string.Join(", ", listing1.Take(6).Select(v => v.ToString("G4"))) + ", ...]");

var (listingOff, listingOn, listingSpawned) = Compare(() => Kernels.Listing1(small), repetitions: 20000);
Console.WriteLine($"  sequential {listingOff,9:F4} ms   futures {listingOn,9:F4} ms   ratio {listingOff / listingOn:F2}x   spawned {listingSpawned}");
Console.WriteLine("  (too small to pay for a thread: the cost model runs both calls inline)");
Console.WriteLine();

double[] large = Enumerable.Range(0, 100_000).Select(i => i * 1e-5).ToArray();
var (relaxOff, relaxOn, relaxSpawned) = Compare(() => Kernels.RelaxBoth(large, 40), repetitions: 3);
Console.WriteLine("Two independent Relax(100000 elements, 40 sweeps) calls:");
Console.WriteLine($"  sequential {relaxOff,9:F2} ms   futures {relaxOn,9:F2} ms   ratio {relaxOff / relaxOn:F2}x   spawned {relaxSpawned}");

var random = new Random(42);
int[] unsorted = Enumerable.Range(0, 1_000_000).Select(_ => random.Next()).ToArray();
var (sortOff, sortOn, sortSpawned) = Compare(() => RecursiveKernels.QuickSort(unsorted).Select(v => (double)v).Take(1).ToArray(), repetitions: 1);
Console.WriteLine("Functional quicksort of 1,000,000 ints (its two recursive calls are futures):");
Console.WriteLine($"  sequential {sortOff,9:F2} ms   futures {sortOn,9:F2} ms   ratio {sortOff / sortOn:F2}x   spawned {sortSpawned}");

const int size = 256;
double[] left = Enumerable.Range(0, size * size).Select(_ => random.NextDouble()).ToArray();
double[] right = Enumerable.Range(0, size * size).Select(_ => random.NextDouble()).ToArray();
var (mulOff, mulOn, mulSpawned) = Compare(() => RecursiveKernels.Multiply(left, right, size, leaf: 64), repetitions: 1);
Console.WriteLine($"Divide-and-conquer matmul {size} x {size} (eight recursive products are futures):");
Console.WriteLine($"  sequential {mulOff,9:F2} ms   futures {mulOn,9:F2} ms   ratio {mulOff / mulOn:F2}x   spawned {mulSpawned}");

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
// side is favoured by warm-up or by other load on the machine; and how many futures were spawned.
static (double OffMs, double OnMs, long Spawned) Compare(Func<double[]> work, int repetitions)
{
    FutureRuntime.Enabled = true;
    for (int i = 0; i < 8; i++)
    {
        work(); // warm up the JIT and let each call site learn its cost
    }

    const int rounds = 7;
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
    }

    Array.Sort(off);
    Array.Sort(on);
    return (off[rounds / 2], on[rounds / 2], spawned);
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
