using System.Reflection;
using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// The shapes people write divide-and-conquer code in: calls in one expression, arguments computed
/// from locals, calls in nested blocks and both arms of a branch, local work between calls. Each is
/// run with every call spawned and with futures off: the same results, exceptions and side effects.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class FutureShapeTests : IDisposable
{
    private readonly bool enabled = FutureRuntime.Enabled;
    private readonly bool always = FutureRuntime.SpawnAlways;

    internal const string Shapes = """
        using System;
        using System.Collections.Generic;
        using Specialize;

        public static partial class Shapes
        {
            public static readonly List<string> Log = new();

            [Pure]
            public static long Fib(int n)
            {
                if (n < 2)
                {
                    return n;
                }

                return Fib(n - 1) + Fib(n - 2);
            }

            [Pure]
            public static long Checked(int n, int failAt)
            {
                long acc = 0;
                for (int i = 0; i < n; i++)
                {
                    acc += i % 7;
                }

                if (n == failAt)
                {
                    throw new InvalidOperationException("failed at " + n);
                }

                return acc;
            }

            [Pure]
            public static int[] Merge(int[] left, int[] right)
            {
                var result = new int[left.Length + right.Length];
                int i = 0, j = 0, k = 0;
                while (i < left.Length && j < right.Length)
                {
                    result[k++] = left[i] <= right[j] ? left[i++] : right[j++];
                }

                while (i < left.Length)
                {
                    result[k++] = left[i++];
                }

                while (j < right.Length)
                {
                    result[k++] = right[j++];
                }

                return result;
            }

            [Pure]
            public static int[] MergeSort(int[] a)
            {
                if (a.Length <= 1)
                {
                    return a;
                }

                return Merge(MergeSort(a[..(a.Length / 2)]), MergeSort(a[(a.Length / 2)..]));
            }

            [Pure]
            public static int[] SortRange(int[] a, int lo, int hi)
            {
                if (hi - lo <= 1)
                {
                    return hi > lo ? new[] { a[lo] } : new int[0];
                }

                var left = SortRange(a, lo, lo + (hi - lo) / 2);
                var right = SortRange(a, lo + (hi - lo) / 2, hi);
                return Merge(left, right);
            }

            public static int[] SortHalves(int[] a) => Merge(SortRange(a, 0, a.Length / 2), SortRange(a, a.Length / 2, a.Length));

            public static long Sum(int n, int failFirst, int failSecond) => Checked(n, failFirst) + Checked(n + 1, failSecond);

            public static long Branches(int n, bool big)
            {
                if (big)
                {
                    var a = Fib(n);
                    var b = Fib(n - 1);
                    return a + b;
                }
                else
                {
                    long c = Fib(n - 2);
                    long d = Fib(n - 3);
                    return c * d;
                }
            }

            public static string Between(int n, int failFirst, int failSecond)
            {
                Log.Clear();
                try
                {
                    Log.Add("start");
                    var a = Checked(n, failFirst);
                    int k = n * 2;
                    k += 1;
                    var b = Checked(n + 1, failSecond);
                    Log.Add("after " + k);
                    return a + ":" + b + ":" + string.Join(",", Log);
                }
                catch (Exception e)
                {
                    return e.Message + ":" + string.Join(",", Log);
                }
            }

            // Entry points: calls written in source are the ones routed to the twins.
            public static long RunFib(int n) => Fib(n);
            public static int[] RunMergeSort(int[] a) => MergeSort(a);
            public static int[] RunSortRange(int[] a, int lo, int hi) => SortRange(a, lo, hi);
            public static int[] RunSortHalves(int[] a) => SortHalves(a);
            public static long RunSum(int n, int failFirst, int failSecond) => Sum(n, failFirst, failSecond);
            public static long RunBranches(int n, bool big) => Branches(n, big);
            public static string RunBetween(int n, int failFirst, int failSecond) => Between(n, failFirst, failSecond);
            public static long RunSections(int mode, int n) => Sections(mode, n);

            public static long Sections(int mode, int n)
            {
                switch (mode)
                {
                    case 0:
                        var a = Fib(n);
                        var b = Fib(n + 1);
                        return a + b;
                    default:
                        return Fib(n) * Fib(n - 1);
                }
            }
        }
        """;

    [Fact]
    public void Calls_in_one_expression_are_taken_out_and_overlap()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        string twin = run.Source("Shapes.Fib_int.Parallel.g.cs");
        Assert.Contains("Future.Spawn<int, long>(FutureSites.Site0", twin, StringComparison.Ordinal);
        Assert.Contains("Fib_Parallel(n - 2)", twin, StringComparison.Ordinal);

        AssertSameWithFutures(run, "Fib", 24);
        AssertSameWithFutures(run, "Sum", 200_000, -1, -1);
    }

    [Fact]
    public void Arguments_computed_from_locals_and_ranges_do_not_stop_a_call()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        Assert.Contains("Future.Spawn", run.Source("Shapes.MergeSort_int__.Parallel.g.cs"), StringComparison.Ordinal);
        Assert.Contains("Future.Spawn", run.Source("Shapes.SortRange_int___int_int.Parallel.g.cs"), StringComparison.Ordinal);
        Assert.Contains("Future.Spawn", run.Source("Shapes.SortHalves_int__.Parallel.g.cs"), StringComparison.Ordinal);

        int[] data = Enumerable.Range(0, 5_000).Select(i => (i * 7919) % 10007).ToArray();
        AssertSameWithFutures(run, "MergeSort", data);
        AssertSameWithFutures(run, "SortHalves", data);
        AssertSameWithFutures(run, "SortRange", data, 0, data.Length);
    }

    [Fact]
    public void Calls_in_both_arms_of_a_branch_and_in_switch_sections_overlap()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        string twin = run.Source("Shapes.Branches_int_bool.Parallel.g.cs");
        Assert.Equal(2, CountOf(twin, "Future.Spawn<"));

        AssertSameWithFutures(run, "Branches", 20, true);
        AssertSameWithFutures(run, "Branches", 20, false);
        AssertSameWithFutures(run, "Sections", 0, 20);
        AssertSameWithFutures(run, "Sections", 1, 20);
    }

    [Fact]
    public void Local_work_between_calls_does_not_force_them_and_side_effects_keep_their_order()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        string twin = run.Source("Shapes.Between_int_int_int.Parallel.g.cs");
        Assert.True(twin.IndexOf("k += 1;", StringComparison.Ordinal) < twin.IndexOf("var a = global::Specialize.Futures.Future.Join", StringComparison.Ordinal), twin);

        AssertSameWithFutures(run, "Between", 100_000, -1, -1);
        AssertSameWithFutures(run, "Between", 100_000, 100_000, -1);
        AssertSameWithFutures(run, "Between", 100_000, -1, 100_001);
        AssertSameWithFutures(run, "Between", 100_000, 100_000, 100_001);
    }

    [Fact]
    public void Exceptions_surface_in_program_order_when_both_calls_fail()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        for (int attempt = 0; attempt < 5; attempt++)
        {
            AssertSameWithFutures(run, "Sum", 300_000, 300_000, 300_001);
            AssertSameWithFutures(run, "Sum", 300_000, -1, 300_001);
        }
    }

    /// <summary>
    /// Runs the method with futures off, then with every call spawned: the outcome (value or
    /// exception type and message) must be the same, and calls must really have been spawned.
    /// </summary>
    private static void AssertSameWithFutures(GeneratorRun run, string method, params object?[] arguments)
    {
        FutureRuntime.Enabled = false;
        FutureRuntime.SpawnAlways = false;
        string sequential = Outcome(() => run.Invoke("Shapes", "Run" + method, arguments));

        FutureRuntime.Enabled = true;
        FutureRuntime.SpawnAlways = true;
        long before = FutureRuntime.Spawned;
        string parallel = Outcome(() => run.Invoke("Shapes", "Run" + method, arguments));
        long spawned = FutureRuntime.Spawned - before;
        FutureRuntime.SpawnAlways = false;

        Assert.Equal(sequential, parallel);
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(spawned > 0, $"{method}: nothing was spawned, so the comparison proved nothing");
        }

        Assert.Equal(0, FutureRuntime.InFlight);
    }

    private static string Outcome(Func<object?> call)
    {
        try
        {
            return call() switch
            {
                int[] array => string.Join(",", array),
                var value => value?.ToString() ?? "null",
            };
        }
        catch (Exception exception)
        {
            return exception.GetType().Name + ": " + exception.Message;
        }
    }

    private static int CountOf(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    public void Dispose()
    {
        FutureRuntime.Enabled = enabled;
        FutureRuntime.SpawnAlways = always;
    }
}

/// <summary>Tests that change the process-wide future settings run one at a time.</summary>
[CollectionDefinition(nameof(FutureRuntimeCollection), DisableParallelization = true)]
public sealed class FutureRuntimeCollection
{
}
