using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// Divide-and-conquer programs as people write them, each run once, with the default settings,
/// by a program whose call sites have learned nothing yet: each must start futures during that one
/// run (the cost model learns from the run's own first calls, whatever the shape of its cost
/// curve), and compute what the sequential program computes.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class DefaultSettingsTests : IDisposable
{
    private readonly bool enabled = FutureRuntime.Enabled;
    private readonly bool always = FutureRuntime.SpawnAlways;

    // Recursive Fib, merge sort on ranges (SortRange(a, lo, mid)) and the functional quicksort are
    // the programs of FutureShapeTests and SequentialEquivalenceTests; these are the other shapes.
    private const string Programs = """
        using Specialize;

        public static partial class Programs
        {
            // Calls in both arms of an if.
            [Pure]
            public static long Paths(int n)
            {
                if (n < 2)
                {
                    return 1;
                }

                if (n % 2 == 0)
                {
                    var a = Paths(n - 1);
                    var b = Paths(n - 2);
                    return a + b;
                }
                else
                {
                    var c = Paths(n - 2);
                    var d = Paths(n - 1);
                    return c + d + 1;
                }
            }

            // A loop of independent calls.
            [Pure]
            public static long Work(int n, int seed)
            {
                long acc = seed;
                for (int i = 0; i < n; i++)
                {
                    acc += i ^ (acc >> 3);
                }

                return acc;
            }

            public static long Loop(int n)
            {
                long total = 0;
                for (int i = 0; i < 12; i++)
                {
                    var a = Work(n, i);
                    var b = Work(n, -i);
                    total += a ^ b;
                }

                return total;
            }

            // A range named by two integers the recursion hands on with its own array, and a start
            // and a count: both sized by the part of the array they sum.
            [Pure]
            public static long SumBetween(long[] xs, int i, int j)
            {
                if (j - i <= 1000)
                {
                    long sum = 0;
                    for (int k = i; k < j; k++) sum += xs[k];
                    return sum;
                }

                int m = (i + j) / 2;
                var x = SumBetween(xs, i, m);
                var y = SumBetween(xs, m, j);
                return x + y;
            }

            [Pure]
            public static long SumCount(long[] xs, int offset, int count)
            {
                if (count <= 1000)
                {
                    long sum = 0;
                    for (int k = offset; k < offset + count; k++) sum += xs[k];
                    return sum;
                }

                int half = count / 2;
                var x = SumCount(xs, offset, half);
                var y = SumCount(xs, offset + half, count - half);
                return x + y;
            }

            public static long RunPaths(int n) => Paths(n);
            public static long RunLoop(int n) => Loop(n);
        }
        """;

    [Fact]
    public void Recursive_fib_starts_futures_in_its_first_run() =>
        AssertSpawnsOnFirstRun(FutureShapeTests.Shapes, "Shapes", "RunFib", 32);

    [Fact]
    public void Merge_sort_on_ranges_starts_futures_in_its_first_run()
    {
        int[] data = Data(400_000);
        AssertSpawnsOnFirstRun(FutureShapeTests.Shapes, "Shapes", "RunSortRange", data, 0, data.Length);
    }

    [Fact]
    public void Quicksort_on_fresh_arrays_starts_futures_in_its_first_run() =>
        AssertSpawnsOnFirstRun(SequentialEquivalenceTests.QuickSort, "Sorting", "Sort", Data(400_000));

    [Fact]
    public void Calls_in_both_arms_of_an_if_start_futures_in_their_first_run() =>
        AssertSpawnsOnFirstRun(Programs, "Programs", "RunPaths", 31);

    [Fact]
    public void A_loop_of_independent_calls_starts_futures_in_its_first_run() =>
        AssertSpawnsOnFirstRun(Programs, "Programs", "RunLoop", 3_000_000);

    [Fact]
    public void A_call_on_a_range_is_sized_by_the_range_not_by_the_array()
    {
        GeneratorRun shapes = GeneratorHarness.Run(FutureShapeTests.Shapes);
        Assert.Contains(
            "long __size_left = global::Specialize.Futures.FutureSize.Between((int)(lo), (int)(lo + (hi - lo) / 2));",
            shapes.Source("Shapes.SortRange_int___int_int.Parallel.g.cs"),
            StringComparison.Ordinal);

        GeneratorRun run = GeneratorHarness.Run(Programs);
        Assert.Contains(
            "long __size_x = global::Specialize.Futures.FutureSize.Between((int)(i), (int)(m));",
            run.Source("Programs.SumBetween_long___int_int.Parallel.g.cs"),
            StringComparison.Ordinal);
        Assert.Contains("long __size_x = (long)(int)(half);", run.Source("Programs.SumCount_long___int_int.Parallel.g.cs"), StringComparison.Ordinal);

        // Elsewhere the first sized argument still decides: Fib's n, Work's n.
        Assert.Contains("= (long)(int)(n - 1);", shapes.Source("Shapes.Fib_int.Parallel.g.cs"), StringComparison.Ordinal);
        Assert.Contains("= (long)(int)(n);", run.Source("Programs.Loop_int.Parallel.g.cs"), StringComparison.Ordinal);
    }

    /// <summary>
    /// Compiles the program afresh (new call sites, nothing learned), runs the method once with
    /// futures on and default settings, then once with futures off: the same result, and futures
    /// were started in the first run.
    /// </summary>
    private static void AssertSpawnsOnFirstRun(string source, string type, string method, params object[] arguments)
    {
        GeneratorRun run = GeneratorHarness.Run(source);
        FutureRuntime.SpawnAlways = false;
        FutureRuntime.Enabled = true;
        long before = FutureRuntime.Spawned;
        string parallel = Outcome(run.Invoke(type, method, arguments));
        long spawned = FutureRuntime.Spawned - before;

        FutureRuntime.Enabled = false;
        string sequential = Outcome(run.Invoke(type, method, arguments));

        Assert.Equal(sequential, parallel);
        Assert.Equal(0, FutureRuntime.InFlight);
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(spawned > 0, $"{method}: no future was started in the first run");
        }
    }

    private static string Outcome(object? value) => value is int[] array ? string.Join(",", array) : value?.ToString() ?? "null";

    private static int[] Data(int length)
    {
        var random = new Random(42);
        return Enumerable.Range(0, length).Select(_ => random.Next()).ToArray();
    }

    public void Dispose()
    {
        FutureRuntime.Enabled = enabled;
        FutureRuntime.SpawnAlways = always;
    }
}
