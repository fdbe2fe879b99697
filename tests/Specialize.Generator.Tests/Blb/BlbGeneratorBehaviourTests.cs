using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
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
    public void Pass_through_span_travels_as_a_copy()
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
            """);

        Assert.Contains("(codes.ToArray(), table.ToArray())", run.Source("Lookup.Blb.g.cs"), StringComparison.Ordinal);
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
        Assert.Contains("static (sample, state) => EstimateWeighted(sample, state),\n            reduceBootstraps: null,\n            average: null,", source, StringComparison.Ordinal);
    }
}
