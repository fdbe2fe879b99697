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

    // Between the calls: a pure declaration that may throw (integer division), and a pure call that
    // needs only the first call's value.
    private const string Pending = """
        using System;
        using Specialize;

        namespace Demo;

        public static partial class Pending
        {
            [Pure]
            public static double[] Scale(double[] x, double alpha, double beta)
            {
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

            public static double Blend(double[] a, int parts)
            {
                var b = Scale(a, 1.0, 0.5);
                int step = a.Length / parts;
                var c = Scale(a, 2.0, 0.0);
                var d = Add(b, a);
                return d[step] + c[step];
            }

            public static double Run(double[] a, int parts) => Blend(a, parts);
        }
        """;

    [Fact]
    public void Calls_stay_pending_across_pure_declarations_and_are_forced_at_first_use()
    {
        GeneratorRun run = GeneratorHarness.Run(Pending);

        string twin = run.Source("Demo.Pending.Blend_double___int.Parallel.g.cs");
        Snapshot.Verify(twin, "Blend.Parallel");

        // Structure: both Scale calls are started before either is forced, the division waits for the
        // first call's exception, Add forces only 'b' (c keeps running), and return forces the rest.
        int startB = twin.IndexOf("FutureSites.Site0.TrySpawn", StringComparison.Ordinal);
        int step = twin.IndexOf("__value_step = a.Length / parts;", StringComparison.Ordinal);
        int startC = twin.IndexOf("FutureSites.Site1.TrySpawn", StringComparison.Ordinal);
        int joinB = twin.IndexOf("var b = global::Specialize.Futures.Future.Join", StringComparison.Ordinal);
        int add = twin.IndexOf("__value_d = Add(b, a);", StringComparison.Ordinal);
        int joinC = twin.IndexOf("var c = global::Specialize.Futures.Future.Join", StringComparison.Ordinal);
        int result = twin.IndexOf("return d[step] + c[step];", StringComparison.Ordinal);
        Assert.True(startB >= 0 && startB < step && step < startC && startC < joinB && joinB < add && add < joinC && joinC < result, twin);
        Assert.DoesNotContain("Site2", twin, StringComparison.Ordinal);
    }

    [Fact]
    public void Twin_with_pending_calls_gives_the_sequential_result_and_exception()
    {
        GeneratorRun run = GeneratorHarness.Run(Pending);
        double[] input = Enumerable.Range(0, 1000).Select(i => i * 0.25).ToArray();

        var actual = (double)run.Invoke("Demo.Pending", "Run", input, 4)!;

        // d[250] = (input[250] + 0.5) + input[250]; c[250] = 2 * input[250].
        double x = input[250];
        Assert.Equal(((x + 0.5) + x) + (2.0 * x), actual);
        Assert.Throws<DivideByZeroException>(() => run.Invoke("Demo.Pending", "Run", input, 0));
    }

    [Fact]
    public void A_declaration_that_is_not_pure_forces_pending_calls_so_calls_around_it_do_not_overlap()
    {
        // 'Next' writes a field: the declaration of 'k' is an ordinary statement, before which the
        // first call is forced, so the two calls never run at once and no twin is needed.
        GeneratorRun run = GeneratorHarness.Run("""
            using Specialize;

            public static partial class Counted
            {
                private static int calls;

                [Pure]
                public static int[] Copy(int[] x)
                {
                    var y = new int[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = x[i];
                    }

                    return y;
                }

                public static int Next() => ++calls;

                public static int Both(int[] a)
                {
                    var b = Copy(a);
                    int k = Next();
                    var c = Copy(a);
                    return b.Length + c.Length + k;
                }
            }
            """);

        Assert.Empty(run.GeneratedSources);
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
