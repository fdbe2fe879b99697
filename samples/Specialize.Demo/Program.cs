using System.Diagnostics;
using Specialize.Demo;
using Specialize.Futures;

// The demo of what Specialize does today: [Pure] calls become conditional futures.
// Each workload runs with futures off (the sequential baseline) and on, in this same process.

Console.WriteLine("Specialize demo: checked-pure calls as conditional futures");
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

double[] large = Enumerable.Range(0, 200_000).Select(i => i * 1e-5).ToArray();
var (relaxOff, relaxOn, relaxSpawned) = Compare(() => Kernels.RelaxBoth(large, 40), repetitions: 3);
Console.WriteLine("Two independent Relax(200000 elements, 40 sweeps) calls:");
Console.WriteLine($"  sequential {relaxOff,9:F2} ms   futures {relaxOn,9:F2} ms   ratio {relaxOff / relaxOn:F2}x   spawned {relaxSpawned}");

FutureRuntime.Enabled = false;
double[] expected = Kernels.RelaxBoth(large, 40);
FutureRuntime.Enabled = true;
double[] actual = Kernels.RelaxBoth(large, 40);
Console.WriteLine($"  same result with and without futures: {expected.AsSpan().SequenceEqual(actual)}");

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
