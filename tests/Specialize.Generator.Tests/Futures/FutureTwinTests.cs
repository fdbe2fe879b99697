using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

public sealed class FutureTwinTests
{
    private const string Kernels = """
        using System;
        using Specialize;

        namespace Demo;

        public static partial class Kernels
        {
            [Pure]
            public static double[] Scale(double[] x, double alpha, double beta)
            {
                if (x.Length == 0)
                {
                    throw new ArgumentException("x must not be empty.", nameof(x));
                }

                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = (alpha * x[i]) + beta;
                }

                return y;
            }

            [Pure]
            public static double[] Add(double[] a, double[] b)
            {
                var sum = new double[a.Length];
                for (int i = 0; i < a.Length; i++)
                {
                    sum[i] = a[i] + b[i];
                }

                return sum;
            }

            public static double[] Combine(double[] a)
            {
                var b = Scale(a, 1.0, 0.5);
                var c = Scale(a, 1.0, 3.4);
                return Add(b, c);
            }

            public static double Total(double[] a) => Combine(a)[0] + Combine(a)[a.Length - 1];
        }
        """;

    [Fact]
    public void Twin_of_a_method_with_two_independent_pure_calls_matches_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(Kernels);

        Snapshot.Verify(run.Source("Demo.Kernels.Combine_double__.Parallel.g.cs"), "Combine.Parallel");
        Snapshot.Verify(run.Source("Specialize.FutureInterceptors.g.cs"), "Combine.Interceptors");
    }

    [Fact]
    public void Every_call_site_of_the_original_is_intercepted()
    {
        GeneratorRun run = GeneratorHarness.Run(Kernels);

        string interceptors = run.Source("Specialize.FutureInterceptors.g.cs");
        Assert.Equal(2, CountOccurrences(interceptors, "InterceptsLocation(1,"));
    }

    [Fact]
    public void Generated_program_gives_the_sequential_result()
    {
        GeneratorRun run = GeneratorHarness.Run(Kernels);
        double[] input = Enumerable.Range(0, 1000).Select(i => i * 0.25).ToArray();

        var actual = (double)run.Invoke("Demo.Kernels", "Total", input)!;

        double expected = ((input[0] + 0.5) + (input[0] + 3.4)) + ((input[^1] + 0.5) + (input[^1] + 3.4));
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Exception_from_a_pure_call_surfaces_with_its_type_and_message()
    {
        GeneratorRun run = GeneratorHarness.Run(Kernels);

        var exception = Assert.Throws<ArgumentException>(() => run.Invoke("Demo.Kernels", "Total", new object[] { Array.Empty<double>() }));
        Assert.Equal("x", exception.ParamName);
        Assert.StartsWith("x must not be empty.", exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_first_exception_in_program_order_wins()
    {
        // Both calls throw; the sequential program throws the first one, and so must the twin,
        // even though the second call runs inline first and the first may run as a future.
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            public static partial class Checks
            {
                [Pure]
                public static int Fail(int code)
                {
                    int total = 0;
                    for (int i = 0; i < code; i++)
                    {
                        total += i;
                    }

                    throw new InvalidOperationException("failure " + code);
                }

                public static int Both()
                {
                    var first = Fail(1);
                    var second = Fail(2);
                    return first + second;
                }

                public static int Run() => Both();
            }
            """);

        var exception = Assert.Throws<InvalidOperationException>(() => run.Invoke("Checks", "Run"));
        Assert.Equal("failure 1", exception.Message);
    }

    [Fact]
    public void Calls_that_depend_on_each_other_do_not_become_futures()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Specialize;

            public static partial class Chain
            {
                [Pure]
                public static int Inc(int x) => x + 1;

                public static int Twice(int a)
                {
                    var b = Inc(a);
                    var c = Inc(b);
                    return c;
                }
            }
            """);

        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Impure_calls_never_become_futures_even_when_marked_pure()
    {
        // The [Pure] claim is checked: a method that writes a static field is not verified pure,
        // so nothing is generated for its callers.
        GeneratorRun run = GeneratorHarness.Run("""
            using Specialize;

            public static partial class Liar
            {
                private static int calls;

                [Pure]
                public static int Count(int x)
                {
                    calls++;
                    return x;
                }

                public static int Both(int a)
                {
                    var b = Count(a);
                    var c = Count(a);
                    return b + c;
                }
            }
            """);

        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Types_that_are_not_partial_get_no_twin()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using Specialize;

            public static class Closed
            {
                [Pure]
                public static int Inc(int x) => x + 1;

                public static int Both(int a)
                {
                    var b = Inc(a);
                    var c = Inc(a);
                    return b + c;
                }
            }
            """);

        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Calls_that_do_constant_work_stay_plain_calls()
    {
        // No loop, no recursion, no allocation: no future could pay for itself, so no twin at all.
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            public static partial class Tiny
            {
                [Pure]
                public static double Step(double x) => Math.Sqrt((x * x) + 1.0);

                public static double Both(double a, double b)
                {
                    var first = Step(a);
                    var second = Step(b);
                    return first + second;
                }
            }
            """);

        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void Output_is_identical_for_identical_input()
    {
        string first = GeneratorHarness.Run(Kernels).Source("Specialize.FutureInterceptors.g.cs");
        string second = GeneratorHarness.Run(Kernels).Source("Specialize.FutureInterceptors.g.cs");

        Assert.Equal(first, second);
    }

    private static int CountOccurrences(string text, string value)
    {
        int count = 0;
        for (int i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
