using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

public sealed class BlbGeneratorBehaviourTests
{
    [Fact]
    public void Unrelated_edit_leaves_the_estimator_spec_unchanged()
    {
        GeneratorRun first = GeneratorHarness.Run(BlbEstimatorSources.Mean);
        CSharpCompilation edited = References.Compile([BlbEstimatorSources.Mean, "// an unrelated file\nnamespace Other { internal static class Helper { } }"]);

        GeneratorDriver driver = first.Driver.RunGenerators(edited);
        GeneratorRunResult result = driver.GetRunResult().Results.Single(r => r.Generator.GetGeneratorType().Name == "BlbGenerator");

        var outputs = result.TrackedSteps["BlbEstimators"].SelectMany(step => step.Outputs).ToList();
        Assert.NotEmpty(outputs);
        Assert.All(outputs, output => Assert.Contains(output.Reason, new[] { IncrementalStepRunReason.Cached, IncrementalStepRunReason.Unchanged }));
    }

    [Fact]
    public void Output_is_byte_identical_across_runs() =>
        Assert.Equal(
            GeneratorHarness.Run(BlbEstimatorSources.ErrorRate).Source("ErrorRate.Blb.g.cs"),
            GeneratorHarness.Run(BlbEstimatorSources.ErrorRate).Source("ErrorRate.Blb.g.cs"));

    [Fact]
    public void Internal_row_types_ref_readonly_loops_and_clashing_names_compile()
    {
        // The harness fails on any compile error, so generating and compiling is the assertion.
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            internal readonly record struct Reading(double Value, int Weight);

            [BlbEstimator]
            internal static partial class Outer
            {
                [BlbEstimator]
                internal static partial class Weighted
                {
                    internal static double Estimate(ReadOnlySpan<Reading> state, [NoSubsample] double[] sample)
                    {
                        double total = 0;
                        double weight = 0;
                        foreach (ref readonly Reading row in state)
                        {
                            total += row.Value * row.Weight * sample[0];
                            weight += row.Weight;
                        }

                        return total / weight + 0 * state.Length;
                    }
                }

                internal static double Estimate(double[] values) => values.Length;
            }
            """);

        string source = run.Source("Outer.Weighted.Blb.g.cs");
        Assert.Contains("internal static global::Specialize.BlbResult Run(", source, StringComparison.Ordinal);
        Assert.Contains("ref readonly Reading row = ref stateSource[row2];", source, StringComparison.Ordinal);
        Assert.Contains("ref readonly Reading row = ref stateSource[stateMap[row2]];", source, StringComparison.Ordinal);
        Assert.Single(run.GeneratedSources.Keys, k => k.EndsWith("Outer.Blb.g.cs", StringComparison.Ordinal));
    }

    [Fact]
    public void Arrays_reach_the_threads_as_they_are_and_spans_as_one_copy()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Lookup
            {
                public static double Estimate(ReadOnlySpan<int> codes, [NoSubsample] ReadOnlySpan<double> table)
                {
                    double sum = 0;
                    foreach (int c in codes)
                    {
                        sum += table[c];
                    }

                    return sum / codes.Length;
                }
            }

            public static class Caller
            {
                public static double[] Both(int[] codes, double[] table)
                {
                    var options = new BlbOptions { Seed = 5, Subsamples = 4, Bootstraps = 20 };
                    BlbResult fromArrays = Lookup.Run(codes, table, options);
                    BlbResult fromSpans = Lookup.Run(codes.AsSpan(), (ReadOnlySpan<double>)table, options);
                    return [fromArrays.Quality, fromArrays.Estimate, fromSpans.Quality, fromSpans.Estimate];
                }
            }
            """);

        string source = run.Source("Lookup.Blb.g.cs");
        Assert.Contains("return Run(codes.ToArray(), table.ToArray(), options, progress, cancellationToken);", source, StringComparison.Ordinal);
        Assert.Contains("(codes, table),", source, StringComparison.Ordinal);
        Assert.DoesNotContain("(codes.ToArray(), table.ToArray()),", source, StringComparison.Ordinal);

        // Arrays bind to the overload that takes arrays; spans to the one that copies them.
        SyntaxTree caller = run.Output.SyntaxTrees.First(t => t.ToString().Contains("class Caller", StringComparison.Ordinal));
        SemanticModel model = run.Output.GetSemanticModel(caller);
        string[] bound = caller.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>()
            .Where(i => i.Expression.ToString() == "Lookup.Run")
            .Select(i => string.Join(", ", ((IMethodSymbol)model.GetSymbolInfo(i).Symbol!).Parameters.Take(2).Select(p => p.Type.ToDisplayString())))
            .ToArray();
        Assert.Equal(["int[], double[]", "System.ReadOnlySpan<int>, System.ReadOnlySpan<double>"], bound);

        int[] codes = Enumerable.Range(0, 400).Select(i => (i * 7) % 10).ToArray();
        double[] table = Enumerable.Range(0, 10).Select(i => (i * 1.5) - 4).ToArray();
        var values = (double[])run.Invoke("Caller", "Both", codes, table)!;
        Assert.Equal(values[0], values[2]);
        Assert.Equal(values[1], values[3]);
        Assert.Equal(codes.Average(c => table[c]), values[1], 12);
    }

    [Fact]
    public void Array_overload_rejects_null_data_by_name()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Sum
            {
                public static double Estimate(ReadOnlySpan<double> values)
                {
                    double total = 0;
                    foreach (double v in values)
                    {
                        total += v;
                    }

                    return total;
                }
            }

            public static class Caller
            {
                public static void Null() => Sum.Run((double[])null!);
            }
            """);

        var exception = Assert.Throws<ArgumentNullException>(() => run.Invoke("Caller", "Null"));
        Assert.Equal("values", exception.ParamName);
    }

    [Fact]
    public void Reducer_of_the_wrong_shape_is_left_out_and_the_estimator_still_generated()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Total
            {
                public static double Estimate(double[] values)
                {
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum += v;
                    }

                    return sum;
                }

                public static double Average(double[] values) => values[0];
            }
            """);

        string source = run.Source("Total.Blb.g.cs");
        Assert.Contains("static (sample, state) => EstimateWeighted(sample, state),\n            batch: null,\n            device: EstimateWeightedDeviceForm,\n            reduceBootstraps: null,\n            average: null,", source, StringComparison.Ordinal);
    }
}
