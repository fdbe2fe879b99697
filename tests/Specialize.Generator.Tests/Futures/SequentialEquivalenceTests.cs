using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// The twin must behave exactly like the sequential method: same results, same exception at the same
/// logical point, and visible side effects around pure calls in the same order.
/// </summary>
public sealed class SequentialEquivalenceTests
{
    private const string QuickSort = """
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
        Assert.Contains("Future.Start<int[], int[]>(FutureSites.Site0", twin, StringComparison.Ordinal);
        Assert.Contains("QuickSort_Parallel(__s)", twin, StringComparison.Ordinal);
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
