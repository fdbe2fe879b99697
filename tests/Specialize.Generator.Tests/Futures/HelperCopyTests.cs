using System.Reflection;
using System.Runtime.CompilerServices;
using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// A twin carries optimized copies of the looping static helpers of its type that it calls (static
/// local functions of the same name and text), so that a program's first run does not spend its
/// time in helpers that still run unoptimized. A helper is copied only where the copy's name
/// changes nothing else the twin refers to; every program computes what it computes without twins.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class HelperCopyTests : IDisposable
{
    private const string AggressiveOptimization =
        "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

    private readonly bool enabled = FutureRuntime.Enabled;
    private readonly bool always = FutureRuntime.SpawnAlways;

    [Fact]
    public void A_looping_helper_of_the_host_type_runs_as_an_optimized_copy_in_the_twin()
    {
        GeneratorRun run = Build("""
            using System.Runtime.CompilerServices;

            public static partial class Host
            {
                public static double Go(double v)
                {
                    var a = Work.W(v);
                    var b = Work.W(v + 1);
                    return Sum(a, b, 3) + Sum(b, a, 2);
                }

                private static string Who([CallerMemberName] string member = "") => member;

                [Specialize.Pure]
                private static double Sum(double x, double y, int times)
                {
                    double s = 0;
                    for (int i = 0; i < times; i++)
                    {
                        s += x - y / (i + 1);
                    }

                    return s + Who().Length;
                }

                public static string Run() => Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        string twin = run.Source("Host.Go_double.Parallel.g.cs");
        Assert.Contains(AggressiveOptimization + "\n        static double Sum(double x, double y, int times)", twin.Replace("\r\n", "\n", StringComparison.Ordinal));

        // The copy is spelled out with the caller information the method's own body gets.
        Assert.Contains("Who(member: \"Sum\")", twin);
        TwinOracle.AssertSame(run, "Host", "Run");

        // The twin's calls bind to the copy, which the runtime compiles optimized.
        MethodInfo copy = Assert.Single(
            run.Assembly.GetType("Host")!.GetMethods(BindingFlags.NonPublic | BindingFlags.Static),
            static m => m.Name.Contains("Go_Parallel", StringComparison.Ordinal) && m.Name.Contains("Sum", StringComparison.Ordinal));
        Assert.True(copy.MethodImplementationFlags.HasFlag(MethodImplAttributes.AggressiveOptimization));
    }

    [Theory]
    [InlineData("overloaded", "return Sum(a, b) + Sum(a, b, 2);")]
    [InlineData("method group", "System.Func<double, double, double> f = Sum; return f(a, b) + Sum(a, b, 2);")]
    [InlineData("member access", "return Host.Sum(a, b, 2) + Sum(b, a, 3);")]
    public void A_helper_whose_name_the_twin_uses_otherwise_is_not_copied(string use, string statement)
    {
        _ = use;
        GeneratorRun run = Build($$"""
            public static partial class Host
            {
                public static double Go(double v)
                {
                    var a = Work.W(v);
                    var b = Work.W(v + 1);
                    {{statement}}
                }

                private static double Sum(double x, double y) => Sum(x, y, 3);

                private static double Sum(double x, double y, int times)
                {
                    double s = 0;
                    for (int i = 0; i < times; i++)
                    {
                        s += x - y / (i + 1);
                    }

                    return s;
                }

                public static string Run() => Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        Assert.DoesNotContain("static double Sum(", run.Source("Host.Go_double.Parallel.g.cs"));
        TwinOracle.AssertSame(run, "Host", "Run");
    }

    [Fact]
    public void Helpers_that_are_instance_methods_loop_free_or_in_another_file_are_not_copied()
    {
        GeneratorRun run = GeneratorHarness.Run([
            """
            public sealed partial class Host
            {
                private readonly double scale = 2;

                public double Go(double v)
                {
                    var a = Work.W(v);
                    var b = Work.W(v + 1);
                    return Scaled(a) + Half(b) + Elsewhere.Twice(a, 3);
                }

                private double Scaled(double x)
                {
                    double s = 0;
                    for (int i = 0; i < 3; i++)
                    {
                        s += x * scale;
                    }

                    return s;
                }

                private static double Half(double x) => x / 2;

                public static string Run() => new Host().Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """,
            """
            public static class Elsewhere
            {
                public static double Twice(double x, int n)
                {
                    for (int i = 0; i < n; i++)
                    {
                        x += x;
                    }

                    return x;
                }
            }
            """,
            TwinOracle.Work]);

        string twin = run.Source("Host.Go_double.Parallel.g.cs");
        Assert.DoesNotContain("MethodImplOptions.AggressiveOptimization)]\n        static", twin.Replace("\r\n", "\n", StringComparison.Ordinal));
        TwinOracle.AssertSame(run, "Host", "Run");
    }

    [Fact]
    public void A_helper_in_another_nullable_context_is_not_copied()
    {
        GeneratorRun run = Build("""
            #nullable enable
            public static partial class Host
            {
                public static int Go(double v)
                {
                    var a = Work.W(v);
                    var b = Work.W(v + 1);
                    return Count(3) + (int)(a - b);
                }

            #nullable disable
                private static int Count(int n)
                {
                    string s = null;
                    for (int i = 0; i < n; i++)
                    {
                        s += "x";
                    }

                    return s.Length;
                }
            #nullable enable

                public static string Run() => Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        Assert.DoesNotContain("static int Count(", run.Source("Host.Go_double.Parallel.g.cs"));
        TwinOracle.AssertSame(run, "Host", "Run");
    }

    private static GeneratorRun Build(string source) => GeneratorHarness.Run([source, TwinOracle.Work]);

    public void Dispose()
    {
        FutureRuntime.Enabled = enabled;
        FutureRuntime.SpawnAlways = always;
    }
}
