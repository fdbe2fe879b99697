using Microsoft.CodeAnalysis;
using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

/// <summary>
/// SPEC007's "extract method": the text it produces, that the new method gets a parallel twin whose
/// interceptor replaces the call, that the program computes what it computed before, and that no fix
/// is offered where the move would not be correct.
/// </summary>
public sealed class ExtractPureCallsCodeFixTests
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
    public void Extracts_the_run_from_the_entry_point_into_a_method_returning_a_tuple()
    {
        const string before = """
            public static class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0, 2.0 };
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    System.Console.WriteLine(b[0] + c[1]);
                }
            }
            """;
        const string after = """
            public static partial class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0, 2.0 };
                    var (b, c) = ComputeBAndC(a);
                    System.Console.WriteLine(b[0] + c[1]);
                }

                private static (double[] b, double[] c) ComputeBAndC(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return (b, c);
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeBAndC'", PureKernels);

        AnalyzerHarness.VerifyIncluding(["SPEC005", "SPEC007"], fixedSource, PureKernels);
        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels], OutputKind.ConsoleApplication);
        AssertTwinIntercepts(run, "Program", "ComputeBAndC", "double__");
        Assert.Equal("8" + Environment.NewLine, run.RunMain()); // 2 * a[0] + 3 * a[1]
    }

    [Fact]
    public void Extracts_the_run_from_a_lambda()
    {
        const string before = """
            public static partial class Caller
            {
                public static double Run(double[] a) => Make()(a);

                private static System.Func<double[], double> Make() => a =>
                {
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    return Pure.Sum(b) + Pure.Sum(c);
                };
            }
            """;
        const string after = """
            public static partial class Caller
            {
                public static double Run(double[] a) => Make()(a);

                private static System.Func<double[], double> Make() => a =>
                {
                    var (b, c) = ComputeBAndC(a);
                    return {|SPEC007:Pure.Sum(b)|} + Pure.Sum(c);
                };

                private static (double[] b, double[] c) ComputeBAndC(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return (b, c);
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeBAndC'", PureKernels);

        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels]);
        AssertTwinIntercepts(run, "Caller", "ComputeBAndC", "double__");
        Assert.Equal(15.0, run.Invoke("Caller", "Run", new[] { 1.0, 2.0 })); // (2 + 3) * (1 + 2)
    }

    [Fact]
    public void Extracts_a_run_with_a_pure_declaration_between_its_calls()
    {
        const string before = """
            public static partial class Caller
            {
                public static double Run(double[] a) => Make()(a);

                private static System.Func<double[], double> Make() => a =>
                {
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    int last = a.Length - 1;
                    var c = Pure.Scale(a, 3.0);
                    return b[last] + c[last];
                };
            }
            """;
        const string after = """
            public static partial class Caller
            {
                public static double Run(double[] a) => Make()(a);

                private static System.Func<double[], double> Make() => a =>
                {
                    var (b, last, c) = ComputeBLastAndC(a);
                    return b[last] + c[last];
                };

                private static (double[] b, int last, double[] c) ComputeBLastAndC(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    int last = a.Length - 1;
                    var c = Pure.Scale(a, 3.0);
                    return (b, last, c);
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeBLastAndC'", PureKernels);

        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels]);
        AssertTwinIntercepts(run, "Caller", "ComputeBLastAndC", "double__");
        Assert.Equal(10.0, run.Invoke("Caller", "Run", new[] { 1.0, 2.0 })); // 2 * 2 + 3 * 2
    }

    [Fact]
    public void Extracts_the_run_from_a_local_function_returning_the_one_result_used_later()
    {
        const string before = """
            public static partial class Caller
            {
                public static double Run(double[] a, double factor)
                {
                    return Inner(a);

                    double Inner(double[] x)
                    {
                        double[] scaled = {|SPEC007:Pure.Scale(x, factor)|};
                        var probe = Pure.Scale(x, 0.5);
                        return Pure.Sum(scaled);
                    }
                }
            }
            """;
        const string after = """
            public static partial class Caller
            {
                public static double Run(double[] a, double factor)
                {
                    return Inner(a);

                    double Inner(double[] x)
                    {
                        double[] scaled = ComputeScaled(x, factor);
                        return Pure.Sum(scaled);
                    }
                }

                private static double[] ComputeScaled(double[] x, double factor)
                {
                    double[] scaled = Pure.Scale(x, factor);
                    var probe = Pure.Scale(x, 0.5);
                    return scaled;
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeScaled'", PureKernels);

        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels]);
        AssertTwinIntercepts(run, "Caller", "ComputeScaled", "double___double");
        Assert.Equal(12.0, run.Invoke("Caller", "Run", new[] { 1.0, 3.0 }, 3.0)); // 3 * (1 + 3)
    }

    [Fact]
    public void Extracts_the_statements_before_the_first_await_of_an_async_method()
    {
        const string before = """
            using System.Threading.Tasks;
            public static partial class Caller
            {
                public static double Run(double[] a) => RunAsync(a).GetAwaiter().GetResult();

                private static async Task<double> RunAsync(double[] a)
                {
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    await Task.Yield();
                    return b[1] - c[0];
                }
            }
            """;
        const string after = """
            using System.Threading.Tasks;
            public static partial class Caller
            {
                public static double Run(double[] a) => RunAsync(a).GetAwaiter().GetResult();

                private static async Task<double> RunAsync(double[] a)
                {
                    var (b, c) = ComputeBAndC(a);
                    await Task.Yield();
                    return b[1] - c[0];
                }

                private static (double[] b, double[] c) ComputeBAndC(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return (b, c);
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeBAndC'", PureKernels);

        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels]);
        AssertTwinIntercepts(run, "Caller", "ComputeBAndC", "double__");
        Assert.Equal(7.0, run.Invoke("Caller", "Run", new[] { 1.0, 5.0 })); // 2 * 5 - 3 * 1
    }

    [Fact]
    public void Extracts_the_run_from_an_iterator()
    {
        const string before = """
            using System.Collections.Generic;
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    double total = 0;
                    foreach (double v in Steps(a))
                    {
                        total = 10 * total + v;
                    }

                    return total;
                }

                private static IEnumerable<double> Steps(double[] a)
                {
                    yield return 1.0;
                    var low = {|SPEC007:Pure.Sum(a)|};
                    var high = Pure.Scale(a, 2.0);
                    yield return low;
                    yield return high[0];
                }
            }
            """;
        const string after = """
            using System.Collections.Generic;
            public static partial class Caller
            {
                public static double Run(double[] a)
                {
                    double total = 0;
                    foreach (double v in Steps(a))
                    {
                        total = 10 * total + v;
                    }

                    return total;
                }

                private static IEnumerable<double> Steps(double[] a)
                {
                    yield return 1.0;
                    var (low, high) = ComputeLowAndHigh(a);
                    yield return low;
                    yield return high[0];
                }

                private static (double low, double[] high) ComputeLowAndHigh(double[] a)
                {
                    var low = Pure.Sum(a);
                    var high = Pure.Scale(a, 2.0);
                    return (low, high);
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeLowAndHigh'", PureKernels);

        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels]);
        AssertTwinIntercepts(run, "Caller", "ComputeLowAndHigh", "double__");
        Assert.Equal(152.0, run.Invoke("Caller", "Run", new[] { 1.0, 4.0 })); // digits 1, 5 (1 + 4), 2 (2 * 1)
    }

    [Fact]
    public void Extracts_an_instance_method_when_the_run_reads_instance_state()
    {
        const string before = """
            public sealed partial class Scaler
            {
                private readonly double[] weights = { 1.0, 2.0 };

                public static double Run() => new Scaler().Make()();

                private System.Func<double> Make() => () =>
                {
                    var b = {|SPEC007:Pure.Scale(weights, 2.0)|};
                    var c = Pure.Scale(weights, 3.0);
                    return b[0] + c[0];
                };
            }
            """;
        const string after = """
            public sealed partial class Scaler
            {
                private readonly double[] weights = { 1.0, 2.0 };

                public static double Run() => new Scaler().Make()();

                private System.Func<double> Make() => () =>
                {
                    var (b, c) = ComputeBAndC();
                    return b[0] + c[0];
                };

                private (double[] b, double[] c) ComputeBAndC()
                {
                    var b = Pure.Scale(weights, 2.0);
                    var c = Pure.Scale(weights, 3.0);
                    return (b, c);
                }
            }
            """;

        string fixedSource = CodeFixHarness.Verify(before, after, "Extract method 'ComputeBAndC'", PureKernels);

        GeneratorRun run = GeneratorHarness.Run([fixedSource, PureKernels]);
        AssertTwinIntercepts(run, "Scaler", "ComputeBAndC", string.Empty);
        Assert.Equal(5.0, run.Invoke("Scaler", "Run")); // 2 * 1 + 3 * 1
    }

    [Fact]
    public void Keeps_the_documents_line_breaks_and_places_the_method_right_after_the_member()
    {
        const string before = """
            public static partial class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0 };
                    // Two independent scalings.
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    System.Console.WriteLine(Combine(b, c));
                }

                private static double Combine(double[] b, double[] c) => b[0] * c[0];
            }
            """;
        const string after = """
            public static partial class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0 };
                    var (b, c) = ComputeBAndC(a);
                    System.Console.WriteLine(Combine(b, c));
                }

                private static (double[] b, double[] c) ComputeBAndC(double[] a)
                {
                    // Two independent scalings.
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return (b, c);
                }

                private static double Combine(double[] b, double[] c) => b[0] * c[0];
            }
            """;

        // The text after the fix is compared exactly: every new line break is the document's own.
        CodeFixHarness.Verify(before.ReplaceLineEndings("\r\n"), after.ReplaceLineEndings("\r\n"), "Extract method 'ComputeBAndC'", PureKernels);
    }

    [Fact]
    public void Picks_a_name_that_the_type_does_not_use_yet()
    {
        const string before = """
            public static partial class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0 };
                    var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    var c = Pure.Scale(a, 3.0);
                    System.Console.WriteLine(b[0] + c[0] + ComputeBAndC());
                }

                private static int ComputeBAndC() => 0;
            }
            """;

        const string after = """
            public static partial class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0 };
                    var (b, c) = ComputeBAndC2(a);
                    System.Console.WriteLine(b[0] + c[0] + ComputeBAndC());
                }

                private static (double[] b, double[] c) ComputeBAndC2(double[] a)
                {
                    var b = Pure.Scale(a, 2.0);
                    var c = Pure.Scale(a, 3.0);
                    return (b, c);
                }

                private static int ComputeBAndC() => 0;
            }
            """;

        CodeFixHarness.Verify(before, after, "Extract method 'ComputeBAndC2'", PureKernels);
    }

    [Fact]
    public void Offers_no_fix_when_span_results_would_have_to_be_returned()
    {
        const string source = """
            public static class Program
            {
                public static void Main()
                {
                    double[] a = { 1.0, 2.0 };
                    System.ReadOnlySpan<double> b = {|SPEC007:Pure.Scale(a, 2.0)|};
                    System.ReadOnlySpan<double> c = Pure.Scale(a, 3.0);
                    System.Console.WriteLine(b[0] + c[1]);
                }
            }
            """;

        CodeFixHarness.VerifyNoFix(source, PureKernels);
    }

    [Fact]
    public void Offers_no_fix_when_the_new_method_would_have_to_be_generic()
    {
        const string source = """
            using Specialize;
            public static partial class Caller
            {
                [Pure] public static T[] Copy<T>(T[] x) { var y = new T[x.Length]; for (int i = 0; i < x.Length; i++) { y[i] = x[i]; } return y; }

                public static int Run(int[] a)
                {
                    return Inner(a);

                    static int Inner<T>(T[] x)
                    {
                        var b = {|SPEC007:Copy(x)|};
                        var c = Copy(x);
                        return b.Length + c.Length;
                    }
                }
            }
            """;

        CodeFixHarness.VerifyNoFix(source, PureKernels);
    }

    [Fact]
    public void Offers_no_fix_when_the_type_could_not_hold_a_twin()
    {
        // A private nested type cannot be named by the generated interceptor.
        const string source = """
            public static partial class Outer
            {
                private static partial class Hidden
                {
                    public static System.Func<double[], double> Make() => a =>
                    {
                        var b = {|SPEC007:Pure.Scale(a, 2.0)|};
                        var c = Pure.Scale(a, 3.0);
                        return b[0] + c[0];
                    };
                }
            }
            """;

        CodeFixHarness.VerifyNoFix(source, PureKernels);
    }

    /// <summary>The new method got its twin, and the call that replaced the run is intercepted to run it.</summary>
    private static void AssertTwinIntercepts(GeneratorRun run, string type, string method, string parameterTypes)
    {
        string suffix = parameterTypes.Length == 0 ? string.Empty : "_" + parameterTypes;
        string twin = run.Source($"{type}.{method}{suffix}.Parallel.g.cs");
        Assert.Contains($" {method}_Parallel(", twin, StringComparison.Ordinal);
        Assert.Contains("global::Specialize.Futures.Future.Spawn", twin, StringComparison.Ordinal);
        Assert.Contains($".{method}_Parallel(", run.Source("Specialize.FutureInterceptors.g.cs"), StringComparison.Ordinal);
    }
}
