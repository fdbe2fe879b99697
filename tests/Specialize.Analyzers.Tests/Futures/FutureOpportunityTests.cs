using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

public sealed class FutureOpportunityTests
{
    private const string PureKernels = """
        using Specialize;
        public static class Pure
        {
            [Pure] public static double[] Scale(double[] x, double a) { var y = new double[x.Length]; for (int i = 0; i < x.Length; i++) { y[i] = a * x[i]; } return y; }
            [Pure] public static double Sum(double[] x) { double s = 0; foreach (double v in x) { s += v; } return s; }
        }
        """;

    [Fact]
    public void SPEC004_suggests_marking_a_method_that_is_pure_by_analysis()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            public static class Helpers
            {
                public static int {|SPEC004:Square|}(int x) => x * x;
            }
            """);

        Assert.Equal("Method 'Square' is pure by analysis; mark it [Pure] so that calls to it can run as futures", diagnostics.Single().GetMessage());
    }

    [Fact]
    public void SPEC004_is_silent_once_marked_and_on_impure_methods()
    {
        AnalyzerHarness.VerifyIncluding(["SPEC004"], """
            using Specialize;
            public static class Helpers
            {
                private static int calls;

                [Pure]
                public static int Square(int x) => x * x;

                public static int Counted(int x)
                {
                    calls++;
                    return x;
                }
            }
            """);
    }

    [Fact]
    public void SPEC004_code_fix_adds_the_attribute()
    {
        CodeFixHarness.Verify(
            """
            using Specialize;
            public static class Helpers
            {
                public static int {|SPEC004:Square|}(int x) => x * x;
            }
            """,
            """
            using Specialize;
            public static class Helpers
            {
                [Pure]
                public static int Square(int x) => x * x;
            }
            """,
            title: "Mark 'Square' [Pure]");
    }

    [Fact]
    public void SPEC005_says_when_a_pure_result_is_used_at_once()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    var b = {|SPEC005:Pure.Scale(a, 2.0)|};
                    var s = Pure.Sum(b);
                    var c = Pure.Scale(a, 3.0);
                    return s + c[0];
                }
            }
            """, PureKernels);

        Assert.Contains("used before another pure call starts", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
        Assert.Contains("first use of 'b'", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC005_looks_past_pure_declarations_to_the_first_use()
    {
        // 'n' does not read 'b', so 'b' stays pending across it; 'Sum(b)' then forces it before any
        // other pure call has started.
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    var b = {|SPEC005:Pure.Scale(a, 2.0)|};
                    int n = a.Length * 2;
                    var s = Pure.Sum(b);
                    var c = Pure.Scale(a, 3.0);
                    return s + c[0] + n;
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC005_is_silent_when_a_pure_declaration_separates_overlapping_calls()
    {
        // 'b' stays pending across the declaration of 'n' and overlaps 'c': the calls form one run.
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                public static double Run(double[] a, int k)
                {
                    var b = Pure.Scale(a, 2.0);
                    int n = a.Length / k;
                    var c = Pure.Scale(a, 3.0);
                    var s = Pure.Sum(b);
                    return s + c[0] + n;
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC005_is_silent_when_an_impure_statement_forces_the_call()
    {
        // Forced by a statement that is not a pure declaration, not by a use: nothing to say.
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                private static int count;

                public static double Run(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    count++;
                    var s = Pure.Sum(b);
                    var c = Pure.Scale(a, 3.0);
                    return s + c[0];
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC005_is_silent_after_reordering_independent_calls()
    {
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    var s = Pure.Sum(b);
                    return s + c[0];
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC008_names_the_statement_with_side_effects_that_keeps_two_pure_calls_apart()
    {
        var diagnostics = AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                private static int count;

                public static double Run(double[] a)
                {
                    var b = {|SPEC008:Pure.Scale(a, 2.0)|};
                    count++;
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0];
                }
            }
            """, PureKernels);

        string message = diagnostics.Single().GetMessage();
        Assert.Contains("Pure call 'Scale' cannot run alongside pure call 'Scale'", message, StringComparison.Ordinal);
        Assert.Contains("the statement at line 8 ('count++;')", message, StringComparison.Ordinal);
        Assert.Contains("may have side effects", message, StringComparison.Ordinal);
        Assert.Equal(8, diagnostics.Single().AdditionalLocations.Single().GetLineSpan().StartLinePosition.Line + 1);
    }

    [Fact]
    public void SPEC008_names_what_an_expression_evaluates_before_a_pure_call()
    {
        var diagnostics = AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                public static double Run(double[] a, double[] weights, int i)
                {
                    return Pure.Sum(a) + weights[i] * {|SPEC008:Pure.Sum(weights)|};
                }
            }
            """, PureKernels);

        string message = diagnostics.Single().GetMessage();
        Assert.Contains("'weights[i]', evaluated before it in the same expression, may throw before it", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC008_is_silent_once_the_statement_follows_the_calls()
    {
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007", "SPEC008"], """
            public static partial class Caller
            {
                private static int count;

                public static double Run(double[] a, double[] weights, int i)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    count++;
                    var sa = Pure.Sum(a);
                    var sw = Pure.Sum(weights);
                    return b[0] + c[0] + sa + weights[i] * sw;
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC008_is_silent_when_only_local_assignments_come_between_the_calls()
    {
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007", "SPEC008"], """
            public static partial class Caller
            {
                public static double Run(double[] a, int k)
                {
                    var b = Pure.Scale(a, 2.0);
                    k += 1;
                    int twice = k * 2;
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0] + twice;
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC006_fires_when_the_type_is_not_partial()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            public static class {|SPEC006:Caller|}
            {
                public static double Run(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0];
                }
            }
            """, PureKernels);

        Assert.Contains("Type 'Caller' is not partial", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
        Assert.Contains("'Run'", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC006_code_fix_makes_the_type_partial_and_silences_it()
    {
        CodeFixHarness.Verify(
            """
            public static class {|SPEC006:Caller|}
            {
                public static double Run(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0];
                }
            }
            """,
            """
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0];
                }
            }
            """,
            title: "Make 'Caller' partial",
            PureKernels);
    }

    [Fact]
    public void SPEC007_names_the_entry_point_as_a_place_without_a_twin()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            public static class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0, 2.0 };
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    System.Console.WriteLine(b[0] + c[0]);
                }
            }
            """, PureKernels);

        Assert.Contains("the entry point 'Main'", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC007_names_a_lambda_and_a_local_function()
    {
        AnalyzerHarness.Verify("""
            public static partial class Caller
            {
                public static System.Func<double[], double> Make() => a =>
                {
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0];
                };

                public static double Local(double[] a)
                {
                    return Inner(a);

                    static double Inner(double[] x)
                    {
                        var b = {|SPEC007:Pure.Scale(x, 2.0)|};
                        var c = Pure.Scale(x, 3.0);
                        return b[0] + c[0];
                    }
                }
            }
            """, PureKernels);
    }

    [Fact]
    public void SPEC007_carries_the_length_of_its_run_for_the_code_fix()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            public static class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0, 2.0 };
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    var d = Pure.Sum(a);
                    System.Console.WriteLine(b[0] + c[0] + d);
                }
            }
            """, PureKernels);

        Assert.Equal("3", diagnostics.Single().Properties["RunLength"]);
    }

    [Fact]
    public void SPEC007_run_length_counts_the_pure_declarations_inside_the_run()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            public static class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0, 2.0 };
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    int n = a.Length * 2;
                    var c = Pure.Scale(a, 3.0);
                    System.Console.WriteLine(b[0] + c[0] + n);
                }
            }
            """, PureKernels);

        Assert.Equal("3", diagnostics.Single().Properties["RunLength"]);
    }

    [Fact]
    public void SPEC007_is_silent_once_the_calls_are_in_a_method_of_a_partial_type()
    {
        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], """
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return b[0] + c[0];
                }
            }
            """, PureKernels);
    }
}
