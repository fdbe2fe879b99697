using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

public sealed class PurityDiagnosticsTests
{
    [Fact]
    public void SPEC001_fires_on_a_write_to_a_static_field()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            using Specialize;
            public static class Counter
            {
                private static int calls;

                [Pure]
                public static int Twice(int x)
                {
                    {|SPEC001:calls|} = x;
                    return 2 * x;
                }
            }
            """);

        Assert.Contains(diagnostics, d => d.Id == "SPEC001" && d.GetMessage().Contains("static field 'Counter.calls'", StringComparison.Ordinal));
    }

    [Fact]
    public void SPEC001_is_silent_when_the_method_only_writes_what_it_allocated()
    {
        AnalyzerHarness.Verify("""
            using Specialize;
            public static class Kernels
            {
                [Pure]
                public static double[] Scale(double[] x, double alpha, double beta)
                {
                    var y = new double[x.Length];
                    for (int i = 0; i < x.Length; i++)
                    {
                        y[i] = alpha * x[i] + beta;
                    }

                    return y;
                }
            }
            """);
    }

    [Fact]
    public void SPEC001_fires_on_a_write_into_a_parameter_array()
    {
        AnalyzerHarness.Verify("""
            using Specialize;
            public static class Kernels
            {
                [Pure]
                public static double[] ScaleInPlace(double[] x, double alpha)
                {
                    for (int i = 0; i < x.Length; i++)
                    {
                        {|SPEC001:x[i]|} *= alpha;
                    }

                    return x;
                }
            }
            """);
    }

    [Fact]
    public void SPEC002_fires_on_a_call_that_does_io_and_names_the_callee()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            using Specialize;
            public static class Kernels
            {
                [Pure]
                public static int Square(int x)
                {
                    System.Console.{|SPEC002:WriteLine|}(x);
                    return x * x;
                }
            }
            """);

        Assert.Contains("Console.WriteLine(int)", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
        Assert.Contains("(it does I/O)", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC002_is_silent_for_catalogued_framework_members_and_pure_callees_in_source()
    {
        AnalyzerHarness.Verify("""
            using System;
            using Specialize;
            public static class Kernels
            {
                [Pure]
                public static double Norm(double[] x) => Math.Sqrt(SumOfSquares(x));

                private static double SumOfSquares(double[] x)
                {
                    double sum = 0;
                    foreach (double v in x)
                    {
                        sum += v * v;
                    }

                    return sum;
                }
            }
            """);
    }

    [Fact]
    public void SPEC002_fires_on_a_call_to_an_impure_method_in_source()
    {
        AnalyzerHarness.Verify("""
            using Specialize;
            public static class Kernels
            {
                private static int seen;

                [Pure]
                public static int Twice(int x) => {|SPEC002:Remember|}(x) * 2;

                private static int Remember(int x)
                {
                    seen = x;
                    return x;
                }
            }
            """);
    }

    [Fact]
    public void SPEC003_warns_on_a_read_of_a_mutable_static_field()
    {
        AnalyzerHarness.Verify("""
            using Specialize;
            public static class Scaling
            {
                public static double Factor = 2.0;

                [Pure]
                public static double Scale(double x) => x * {|SPEC003:Factor|};
            }
            """);
    }

    [Fact]
    public void SPEC003_is_silent_on_readonly_and_const_fields()
    {
        AnalyzerHarness.Verify("""
            using Specialize;
            public static class Scaling
            {
                public static readonly double Factor = 2.0;
                public const double Offset = 1.0;

                [Pure]
                public static double Scale(double x) => (x * Factor) + Offset;
            }
            """);
    }

    [Fact]
    public void Methods_without_the_attribute_are_not_checked()
    {
        AnalyzerHarness.Verify("""
            public static class Counter
            {
                private static int calls;

                public static int Twice(int x)
                {
                    calls++;
                    System.Console.WriteLine(x);
                    return 2 * x;
                }
            }
            """);
    }
}
