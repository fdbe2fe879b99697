using Microsoft.CodeAnalysis;
using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// Unusual but legal C# around a method whose twin copies its body: the program must build (the
/// harness fails on any error in the output compilation) and compute the same with futures on and off.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class TwinRobustnessTests : IDisposable
{
    private readonly bool enabled = FutureRuntime.Enabled;
    private readonly bool always = FutureRuntime.SpawnAlways;

    [Fact]
    public void Aliases_keep_the_meaning_they_have_in_their_own_namespace()
    {
        GeneratorRun run = Build("""
            using M = System.Math;
            using Specialize;

            namespace A
            {
                using M = System.MathF;

                public static partial class Host
                {
                    public static string Go(float v)
                    {
                        var a = Work.W(v);
                        var b = Work.W(v + 1);
                        return M.Sqrt(v).GetType().Name + ":" + (a + b);
                    }

                    public static string Run() => Go(4f);
                }
            }

            namespace Outer.Inner
            {
                using T = Sub.Tools;

                public static partial class Host
                {
                    public static double Go(double v)
                    {
                        var a = Work.W(v);
                        var b = Work.W(v + 1);
                        return T.Twice(a + b);
                    }

                    public static string Run() => Go(2.0).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            namespace Outer.Inner.Sub
            {
                public static class Tools
                {
                    public static double Twice(double x) => 2 * x;
                }
            }
            """);

        AssertSame(run, "A.Host");
        AssertSame(run, "Outer.Inner.Host");
        Assert.StartsWith("String:Single:", AssertSame(run, "A.Host"), StringComparison.Ordinal);
    }

    [Fact]
    public void Parameters_named_with_keywords_keep_their_at_sign()
    {
        GeneratorRun run = Build("""
            public partial class Host
            {
                private readonly double offset = 1;

                public double Go(double @class, double @this)
                {
                    var a = Work.W(@class);
                    var b = Work.W(@this + offset);
                    return a + b;
                }

                public static string Run() => new Host().Go(2, 3).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        AssertSame(run, "Host");
    }

    [Fact]
    public void An_unsafe_type_makes_an_unsafe_twin()
    {
        GeneratorRun run = Build("""
            public static unsafe partial class Host
            {
                public static double Go(double v)
                {
                    double local = v;
                    double* p = &local;
                    var a = Work.W(*p);
                    var b = Work.W(*p + 1);
                    return a + b;
                }

                public static string Run() => Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        AssertSame(run, "Host");
    }

    [Theory]
    [InlineData("")]
    [InlineData("#define FAST\n")]
    public void Only_the_compiled_branch_of_an_if_directive_is_copied(string define)
    {
        GeneratorRun run = Build(define + """
            public static partial class Host
            {
                public static double Go(double v)
                {
            #if FAST
                    var a = Work.W(v);
            #else
                    var a = Work.W(v + 10);
            #endif
                    var b = Work.W(v + 1);
                    return a + b;
                }

                public static string Run() => Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        AssertSame(run, "Host");
    }

    [Fact]
    public void Calls_in_a_twin_get_the_caller_information_of_the_original()
    {
        const string source = """
            using System.Runtime.CompilerServices;

            public static partial class Host
            {
                public static string Where(int x, [CallerLineNumber] int line = 0, [CallerFilePath] string file = "",
                    [CallerMemberName] string member = "", [CallerArgumentExpression("x")] string expression = "")
                    => $"{line}|{file}|{member}|{expression}";

                public static string Go(double v)
                {
                    var a = Work.W(v);
                    string here = Where(1 + 2); // first
                    var b = Work.W(v + 1);
                    string there = Host
                        .Where(  4 *  5 ); // second
                    return here + "#" + there + "#" + (a + b);
                }

                public static string Run() => Go(2);
            }
            """;
        GeneratorRun run = Build(source);
        string[] lines = source.Split('\n');
        int first = Array.FindIndex(lines, static l => l.Contains("// first", StringComparison.Ordinal)) + 1;
        int second = Array.FindIndex(lines, static l => l.Contains("// second", StringComparison.Ordinal)) + 1;
        string path = run.Output.SyntaxTrees.First().FilePath;

        string result = AssertSame(run, "Host");
        string[] parts = result["String:".Length..].Split('#');
        Assert.Equal($"{first}|{path}|Go|1 + 2", parts[0]);
        Assert.Equal($"{second}|{path}|Go|4 *  5", parts[1]);
    }

    [Fact]
    public void Overloads_whose_parameter_types_print_alike_get_twins_of_their_own()
    {
        GeneratorRun run = Build("""
            namespace N1 { public sealed class T { public double V = 1; } }
            namespace N2 { public sealed class T { public double V = 2; } }

            public static partial class Host
            {
                public static double Go(N1.T t)
                {
                    var a = Work.W(t.V);
                    var b = Work.W(t.V + 1);
                    return a + b;
                }

                public static double Go(N2.T t)
                {
                    var a = Work.W(t.V);
                    var b = Work.W(t.V + 2);
                    return a - b;
                }

                public static string Run() => (Go(new N1.T()) + Go(new N2.T())).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        Assert.Equal(2, run.GeneratedSources.Keys.Count(static k => k.StartsWith("Host.Go_", StringComparison.Ordinal)));
        Assert.Empty(run.GeneratorDiagnostics);
        AssertSame(run, "Host");
    }

    [Fact]
    public void A_local_function_that_reads_pending_values_forces_them()
    {
        GeneratorRun run = Build("""
            public static partial class Host
            {
                public static double Go(double v)
                {
                    var a = Work.W(v);
                    var b = Work.W(v + 1);
                    var c = Use();
                    return c;

                    double Use() => a + b;
                }

                public static string Run() => Go(2).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            """);

        AssertSame(run, "Host");
    }

    [Fact]
    public void Generated_code_grows_linearly_with_the_number_of_pure_declarations()
    {
        int Size(int count)
        {
            var body = new System.Text.StringBuilder();
            for (int i = 0; i < count; i++)
            {
                body.Append("        var x").Append(i).Append(" = Work.W(v + ").Append(i).Append(");\n");
            }

            body.Append("        return x0 + x").Append(count - 1).Append(";\n");
            GeneratorRun run = Build("public static partial class Host\n{\n    public static double Go(double v)\n    {\n" + body
                + "    }\n\n    public static string Run() => Go(1).ToString(System.Globalization.CultureInfo.InvariantCulture);\n}\n");
            return run.Source("Host.Go_double.Parallel.g.cs").Length;
        }

        int small = Size(100);
        int large = Size(1500);

        // Linear: 15 times the declarations, about 15 times the code (and far from quadratic, 225 times).
        Assert.InRange((double)large / small, 10, 20);
    }

    private static GeneratorRun Build(string source) => GeneratorHarness.Run([source, TwinOracle.Work]);

    /// <summary>Runs <c>Run()</c> of the type as written, with futures off and with every call spawned: all the same. Returns the result.</summary>
    private static string AssertSame(GeneratorRun run, string type) => TwinOracle.AssertSame(run, type, "Run");

    public void Dispose()
    {
        FutureRuntime.Enabled = enabled;
        FutureRuntime.SpawnAlways = always;
    }
}
