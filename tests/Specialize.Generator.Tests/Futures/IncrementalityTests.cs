using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

public sealed class IncrementalityTests
{
    private const string Kernels = """
        using Specialize;

        public static partial class Kernels
        {
            [Pure]
            public static int[] Twice(int[] x)
            {
                var y = new int[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = 2 * x[i];
                }

                return y;
            }

            public static int Both(int[] a)
            {
                var b = Twice(a);
                var c = Twice(a);
                return b[0] + c[0];
            }
        }
        """;

    [Fact]
    public void An_unrelated_edit_reuses_the_cached_twin_specs()
    {
        GeneratorRun first = GeneratorHarness.Run(Kernels);
        Compilation edited = first.Output.RemoveAllSyntaxTrees()
            .AddSyntaxTrees(first.Output.SyntaxTrees.Where(t => !t.FilePath.Contains("Specialize.Generator", StringComparison.Ordinal)))
            .AddSyntaxTrees(CSharpSyntaxTree.ParseText("// an unrelated file\npublic static class Other { public static int One() => 1; }\n", References.ParseOptions, path: "Other.cs"));

        GeneratorDriver driver = first.Driver.RunGenerators(edited);

        var steps = driver.GetRunResult().Results
            .SelectMany(r => r.TrackedSteps)
            .Where(s => s.Key == "FutureTwins")
            .SelectMany(s => s.Value)
            .SelectMany(step => step.Outputs)
            .Select(output => output.Reason)
            .ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps, reason => Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"step output was {reason}"));
    }
}
