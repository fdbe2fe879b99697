using System.Reflection;
using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// The twin must behave exactly like the sequential method: same results, same exception at the same
/// logical point, and visible side effects around pure calls in the same order.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class SequentialEquivalenceTests : IDisposable
{
    private readonly bool enabled = FutureRuntime.Enabled;

    internal const string QuickSort = """
        using Specialize;

        public static partial class Sorting
        {
            [Pure]
            public static int[] QuickSort(int[] xs)
            {
                if (xs.Length <= 1)
                {
                    return xs;
                }

                int pivot = xs[xs.Length / 2];
                int lessCount = 0, greaterCount = 0;
                foreach (int x in xs)
                {
                    if (x < pivot) lessCount++;
                    else if (x > pivot) greaterCount++;
                }

                var less = new int[lessCount];
                var greater = new int[greaterCount];
                int l = 0, g = 0;
                foreach (int x in xs)
                {
                    if (x < pivot) less[l++] = x;
                    else if (x > pivot) greater[g++] = x;
                }

                var left = QuickSort(less);
                var right = QuickSort(greater);
                var result = new int[xs.Length];
                left.CopyTo(result, 0);
                for (int i = left.Length; i < xs.Length - right.Length; i++)
                {
                    result[i] = pivot;
                }

                right.CopyTo(result, xs.Length - right.Length);
                return result;
            }

            public static int[] Sort(int[] xs) => QuickSort(xs);
        }
        """;

    [Fact]
    public void Recursive_pure_method_parallelizes_its_own_recursive_calls()
    {
        GeneratorRun run = GeneratorHarness.Run(QuickSort);

        string twin = run.Source("Sorting.QuickSort_int__.Parallel.g.cs");
        Assert.Contains("Future.Spawn<int[], int[]>(FutureSites.Site0", twin, StringComparison.Ordinal);
        Assert.Contains("QuickSort_Parallel(__s)", twin, StringComparison.Ordinal);
        Assert.Contains("QuickSort_Parallel(less)", twin, StringComparison.Ordinal);
        Assert.Contains("__value_right = QuickSort_Parallel(greater);", twin, StringComparison.Ordinal);
    }

    [Fact]
    public void Recursive_twin_sorts_like_the_sequential_program()
    {
        GeneratorRun run = GeneratorHarness.Run(QuickSort);
        var random = new Random(7);
        int[] input = Enumerable.Range(0, 200_000).Select(_ => random.Next(-1000, 1000)).ToArray();

        var sorted = (int[])run.Invoke("Sorting", "Sort", input)!;

        int[] expected = (int[])input.Clone();
        Array.Sort(expected);
        Assert.Equal(expected, sorted);
    }

    [Fact]
    public void Side_effects_before_a_throwing_pure_call_happen_and_those_after_do_not()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using System.Collections.Generic;
            using Specialize;

            public static partial class Effects
            {
                [Pure]
                public static int Checked(int x)
                {
                    if (x < 0)
                    {
                        throw new ArgumentOutOfRangeException(nameof(x), "negative");
                    }

                    int doubled = 0;
                    for (int i = 0; i < 2; i++)
                    {
                        doubled += x;
                    }

                    return doubled;
                }

                public static int Run(List<string> log, int a, int b)
                {
                    log.Add("before");
                    var first = Checked(a);
                    var second = Checked(b);
                    log.Add("after " + (first + second));
                    return first + second;
                }

                public static string Trace(int a, int b)
                {
                    var log = new List<string>();
                    try
                    {
                        Run(log, a, b);
                    }
                    catch (ArgumentOutOfRangeException e)
                    {
                        log.Add("caught " + e.ParamName);
                    }

                    return string.Join("|", log);
                }
            }
            """);

        Assert.Contains(run.GeneratedSources.Keys, name => name.StartsWith("Effects.Run_", StringComparison.Ordinal));
        Assert.Equal("before|after 6", run.Invoke("Effects", "Trace", 1, 2));
        Assert.Equal("before|caught x", run.Invoke("Effects", "Trace", -1, 2));
        Assert.Equal("before|caught x", run.Invoke("Effects", "Trace", 1, -2));
    }

    // The first call does a lot of work (its size feature is `work`), so once its site has learned
    // that, it is spawned; the second is always small and runs inline, as a plain call, while the
    // first is still running.
    private const string SlowThenQuick = """
        using System;
        using Specialize;

        public static partial class Ordered
        {
            [Pure]
            public static long Work(int work, int fail)
            {
                long acc = 0;
                for (int i = 0; i < work; i++)
                {
                    acc += i ^ (acc >> 3);
                }

                if (fail != 0)
                {
                    throw new InvalidOperationException("call " + fail + " failed");
                }

                return acc & 1;
            }

            public static long Both(int work, int failFirst, int failSecond)
            {
                var first = Work(work, failFirst);
                var second = Work(1, failSecond);
                return first + second;
            }

            public static long Run(int work, int failFirst, int failSecond) => Both(work, failFirst, failSecond);
        }
        """;

    [Fact]
    public void Inline_call_that_throws_while_an_earlier_spawned_call_throws_surfaces_the_earlier_exception()
    {
        GeneratorRun run = GeneratorHarness.Run(SlowThenQuick);
        long spawned = WarmUpUntilSpawning(run);

        for (int attempt = 0; attempt < 5; attempt++)
        {
            var exception = Assert.Throws<InvalidOperationException>(() => run.Invoke("Ordered", "Run", 2_000_000, 1, 2));
            Assert.Equal("call 1 failed", exception.Message);
        }

        AssertSpawnedSince(spawned);
    }

    [Fact]
    public void Inline_call_that_throws_surfaces_its_own_exception_after_the_earlier_spawned_call_finished()
    {
        GeneratorRun run = GeneratorHarness.Run(SlowThenQuick);
        long spawned = WarmUpUntilSpawning(run);

        for (int attempt = 0; attempt < 5; attempt++)
        {
            var exception = Assert.Throws<InvalidOperationException>(() => run.Invoke("Ordered", "Run", 2_000_000, 0, 2));
            Assert.Equal("call 2 failed", exception.Message);

            // The earlier call was waited for before the exception left the twin: nothing is still
            // running (a spawned call gives its slot back only when it ends).
            Assert.Equal(0, FutureRuntime.InFlight);
        }

        AssertSpawnedSince(spawned);
    }

    [Fact]
    public void Calls_that_run_inline_still_feed_the_cost_model()
    {
        GeneratorRun run = GeneratorHarness.Run(SlowThenQuick);
        FutureRuntime.Enabled = true;
        for (int i = 0; i < 8; i++)
        {
            Assert.InRange((long)run.Invoke("Ordered", "Run", 1_000, 0, 0)!, 0L, 2L);
        }

        // The only site of the twin (the first call: the last call of a run is a plain call) was
        // timed on its first calls, which all ran inline: too small to spawn, and unknown at first.
        FutureSite site = Assert.Single(Sites(run));
        Assert.True(site.Samples >= 4, $"{site.Samples} samples");
        Assert.True(site.NanosecondsPerUnit > 0, $"{site.NanosecondsPerUnit} ns per unit");
    }

    // The first call is large and, once its site has learned that, spawned; the statements after it
    // run while it may still be running: a pure declaration that throws on a zero divisor, a small
    // call, and a visible side effect, which must wait for both calls.
    private const string PendingAcrossStatements = """
        using System;
        using System.Collections.Generic;
        using Specialize;

        public static partial class Pending
        {
            [Pure]
            public static long Work(int work, int fail)
            {
                long acc = 0;
                for (int i = 0; i < work; i++)
                {
                    acc += i ^ (acc >> 3);
                }

                if (fail != 0)
                {
                    throw new InvalidOperationException("call " + fail + " failed");
                }

                return acc & 1;
            }

            public static long Logged(List<string> log, int work, int failFirst, int divisor, int failSecond)
            {
                log.Add("before");
                var first = Work(work, failFirst);
                int share = work / divisor;
                var second = Work(1, failSecond);
                log.Add("between " + share);
                var third = Work(1, 0);
                log.Add("after");
                return first + second + third;
            }

            public static string Trace(int work, int failFirst, int divisor, int failSecond)
            {
                var log = new List<string>();
                try
                {
                    Logged(log, work, failFirst, divisor, failSecond);
                }
                catch (Exception e)
                {
                    log.Add(e.GetType().Name + ": " + e.Message);
                }

                return string.Join("|", log);
            }
        }
        """;

    [Fact]
    public void Pending_calls_are_forced_before_an_impure_statement()
    {
        GeneratorRun run = GeneratorHarness.Run(PendingAcrossStatements);
        string twin = run.Source("Pending.Logged_List_string__int_int_int_int.Parallel.g.cs");
        Assert.True(
            twin.IndexOf("var first = global::Specialize.Futures.Future.Join", StringComparison.Ordinal)
                < twin.IndexOf("log.Add(\"between \" + share);", StringComparison.Ordinal),
            twin);
        long spawned = WarmUpPendingUntilSpawning(run);

        for (int attempt = 0; attempt < 5; attempt++)
        {
            Assert.Equal("before|between 2000000|after", run.Invoke("Pending", "Trace", 2_000_000, 0, 1, 0));
            Assert.Equal("before|InvalidOperationException: call 1 failed", run.Invoke("Pending", "Trace", 2_000_000, 1, 1, 0));
            Assert.Equal("before|InvalidOperationException: call 2 failed", run.Invoke("Pending", "Trace", 2_000_000, 0, 1, 2));
        }

        AssertSpawnedSince(spawned);
    }

    [Fact]
    public void Pure_declaration_that_throws_while_an_earlier_spawned_call_throws_surfaces_the_earlier_exception()
    {
        GeneratorRun run = GeneratorHarness.Run(PendingAcrossStatements);
        long spawned = WarmUpPendingUntilSpawning(run);

        for (int attempt = 0; attempt < 5; attempt++)
        {
            // Both the first call and the division throw: the sequential program throws the call's.
            Assert.Equal("before|InvalidOperationException: call 1 failed", run.Invoke("Pending", "Trace", 2_000_000, 1, 0, 0));

            // Only the division throws: its own exception, once the first call has finished.
            Assert.StartsWith("before|DivideByZeroException: ", (string)run.Invoke("Pending", "Trace", 2_000_000, 0, 0, 0)!, StringComparison.Ordinal);
            Assert.Equal(0, FutureRuntime.InFlight);
        }

        AssertSpawnedSince(spawned);
    }

    /// <summary>Runs the twin with futures on until its first call has been spawned at least once.</summary>
    private static long WarmUpUntilSpawning(GeneratorRun run)
    {
        FutureRuntime.Enabled = true;
        long before = FutureRuntime.Spawned;
        for (int i = 0; i < 40 && (i < 8 || FutureRuntime.Spawned == before); i++)
        {
            // Work returns 0 or 1 and does not throw when asked not to.
            Assert.InRange((long)run.Invoke("Ordered", "Run", 2_000_000, 0, 0)!, 0L, 2L);
        }

        return before;
    }

    /// <summary>Traces the pending-calls method with futures on, no call failing, until a call has been spawned.</summary>
    private static long WarmUpPendingUntilSpawning(GeneratorRun run)
    {
        FutureRuntime.Enabled = true;
        long before = FutureRuntime.Spawned;
        for (int i = 0; i < 40 && (i < 8 || FutureRuntime.Spawned == before); i++)
        {
            Assert.Equal("before|between 2000000|after", run.Invoke("Pending", "Trace", 2_000_000, 0, 1, 0));
        }

        return before;
    }

    private static void AssertSpawnedSince(long spawned)
    {
        // On one core nothing is ever spawned, and the order is trivially the sequential one.
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(FutureRuntime.Spawned > spawned, "the first call was never spawned, so the test proved nothing");
        }
    }

    /// <summary>The future sites of the generated twins (they live in a file-local class).</summary>
    private static List<FutureSite> Sites(GeneratorRun run) =>
        run.Assembly.GetTypes()
            .Where(static t => t.Name.EndsWith("FutureSites", StringComparison.Ordinal))
            .SelectMany(static t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            .Select(static f => f.GetValue(null))
            .OfType<FutureSite>()
            .ToList();

    public void Dispose() => FutureRuntime.Enabled = enabled;

    [Fact]
    public void Results_are_identical_with_futures_off()
    {
        GeneratorRun run = GeneratorHarness.Run(QuickSort);
        int[] input = Enumerable.Range(0, 50_000).Select(i => (i * 7919) % 10007).ToArray();

        int[] parallel = (int[])run.Invoke("Sorting", "Sort", input)!;
        bool enabled = FutureRuntime.Enabled;
        try
        {
            FutureRuntime.Enabled = false;
            int[] sequential = (int[])run.Invoke("Sorting", "Sort", input)!;
            Assert.Equal(sequential, parallel);
        }
        finally
        {
            FutureRuntime.Enabled = enabled;
        }
    }
}
