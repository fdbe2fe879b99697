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

            [Pure]
            public static long Heavy(int n)
            {
                if (n < 0)
                {
                    throw new ArgumentOutOfRangeException(nameof(n), "negative " + n);
                }

                long acc = 0;
                for (int i = 0; i < n * 100; i++)
                {
                    acc += i % 7;
                }

                return acc;
            }

            [Pure]
            public static int[] Sorted(int[] xs)
            {
                var copy = (int[])xs.Clone();
                Array.Sort(copy);
                return copy;
            }

            public static string Table(int[] xs)
            {
                var r = new double[xs.Length];
                try
                {
                    for (int i = 0; i < xs.Length; i++)
                    {
                        r[i] = 2.0 * Heavy(xs[i]) + 1;
                    }
                }
                catch (Exception e)
                {
                    return e.Message + " after " + string.Join(",", r);
                }

                return string.Join(",", r);
            }

            public static string SortAll(int[][] parts)
            {
                var list = new List<int[]>();
                foreach (var part in parts)
                    list.Add(Sorted(part));
                return string.Join(";", list.ConvertAll(static p => string.Join(",", p)));
            }

            public static string Shared(int[] xs, long[] into)
            {
                // The destination came from outside: its calls stay in the loop.
                for (int i = 0; i < xs.Length; i++)
                {
                    into[i] = Heavy(xs[i]);
                }

                return string.Join(",", into);
            }

            [Pure]
            public static long FibChoice(int n) => n < 2 ? n : FibChoice(n - 1) + FibChoice(n - 2);

            public static object Boxed(bool c, int n)
            {
                object o = c ? Heavy(n) + Heavy(n + 1) : 2.0;
                return o;
            }

            public static long Nested(int a, int n)
            {
                long r;
                r = a == 0 ? Heavy(n) : a == 1 ? Heavy(n) * Heavy(n + 1) : Heavy(n) - Heavy(n + 2);
                return r;
            }

            // Entry points: calls written in source are the ones routed to the twins.
            public static long RunFibChoice(int n) => FibChoice(n);
            public static object RunBoxed(bool c, int n) => Boxed(c, n);
            public static long RunNested(int a, int n) => Nested(a, n);
            public static string RunTable(int[] xs) => Table(xs);
            public static string RunSortAll(int[][] parts) => SortAll(parts);
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

    /// <summary>The twin of each shape, as a reviewed snapshot.</summary>
    [Theory]
    [InlineData("Fib_int", "Shape.Expression")]
    [InlineData("SortHalves_int__", "Shape.NestedCallsInAnExpressionBody")]
    [InlineData("SortRange_int___int_int", "Shape.ArgumentsFromLocals")]
    [InlineData("MergeSort_int__", "Shape.RangeArguments")]
    [InlineData("Branches_int_bool", "Shape.BothArms")]
    [InlineData("Sections_int_int", "Shape.SwitchSections")]
    [InlineData("Between_int_int_int", "Shape.LocalWorkBetween")]
    [InlineData("Table_int__", "Shape.MapIntoArray")]
    [InlineData("SortAll_int____", "Shape.MapIntoList")]
    [InlineData("FibChoice_int", "Shape.ConditionalExpression")]
    [InlineData("Nested_int_int", "Shape.NestedConditionals")]
    public void Twin_of_each_shape_matches_its_snapshot(string method, string snapshot)
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        Snapshot.Verify(run.Source($"Shapes.{method}.Parallel.g.cs"), snapshot);
    }

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
    public void A_loop_of_independent_calls_into_a_fresh_array_or_list_runs_as_a_parallel_map()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        Assert.Contains("Future.Map<int[], long>", run.Source("Shapes.Table_int__.Parallel.g.cs"), StringComparison.Ordinal);
        Assert.Contains("Future.Map<int[][], int[]>", run.Source("Shapes.SortAll_int____.Parallel.g.cs"), StringComparison.Ordinal);
        Assert.DoesNotContain(run.GeneratedSources.Keys, static k => k.Contains("Shared", StringComparison.Ordinal));

        AssertSameWithFutures(run, "Table", Enumerable.Range(0, 200).Select(static i => i % 50).ToArray());
        int[][] parts = Enumerable.Range(0, 40).Select(static p => Enumerable.Range(0, 500).Select(i => (i * 7919 + p) % 1009).ToArray()).ToArray();
        AssertSameWithFutures(run, "SortAll", (object)parts);
    }

    [Fact]
    public void A_parallel_map_stores_every_result_before_the_first_failing_element_and_throws_its_exception()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        int[] xs = Enumerable.Range(0, 300).Select(static i => i is 57 or 230 ? -i : i % 40).ToArray();
        for (int attempt = 0; attempt < 3; attempt++)
        {
            AssertSameWithFutures(run, "Table", xs);
        }

        FutureRuntime.Enabled = false;
        Assert.StartsWith("negative -57", (string)run.Invoke("Shapes", "RunTable", xs)!, StringComparison.Ordinal);
    }

    [Fact]
    public void Calls_in_the_arms_of_a_conditional_expression_overlap_and_keep_its_type()
    {
        GeneratorRun run = GeneratorHarness.Run(Shapes);
        Assert.Contains("Future.Spawn<int, long>", run.Source("Shapes.FibChoice_int.Parallel.g.cs"), StringComparison.Ordinal);

        AssertSameWithFutures(run, "FibChoice", 22);
        Assert.Equal("Double:2", TwinOracle.AssertSame(run, "Shapes", "RunBoxed", requireSpawn: false, false, 1));
        AssertSameWithFutures(run, "Boxed", true, 300);
        AssertSameWithFutures(run, "Nested", 1, 300);
        AssertSameWithFutures(run, "Nested", 2, 300);
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

    /// <summary>Runs <c>Run{method}</c>: as written, with futures off and with every call spawned, all the same.</summary>
    private static void AssertSameWithFutures(GeneratorRun run, string method, params object?[] arguments) =>
        TwinOracle.AssertSame(run, "Shapes", "Run" + method, arguments);

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
