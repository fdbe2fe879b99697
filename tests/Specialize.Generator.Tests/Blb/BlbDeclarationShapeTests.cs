using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

/// <summary>
/// Unusual but legal <c>[BlbEstimator]</c> classes: each must be generated and compile under the harness's strict
/// settings (the harness fails on any error or warning), and the generated Run must give what the estimator gives.
/// </summary>
public sealed class BlbDeclarationShapeTests
{
    /// <summary>The estimate of a run on the whole data, and the estimator on the whole data: equal for these estimators.</summary>
    private static void AssertRunEstimates(GeneratorRun run, string caller, double[] data)
    {
        var values = (double[])run.Invoke(caller, "Both", data)!;
        Assert.Equal(values[1], values[0], 12);
    }

    private static readonly double[] Data = Enumerable.Range(0, 200).Select(i => (double)((i * 7) % 11) - 3).ToArray();

    [Fact]
    public void Keyword_named_class_namespace_containing_type_and_parameters_keep_their_escapes()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            namespace @event.Data;

            public partial record struct @struct
            {
                [BlbEstimator]
                public static partial class @checked
                {
                    public static double Estimate(ReadOnlySpan<double> @double, [NoSubsample] double @default)
                    {
                        double @int = 0;
                        foreach (double @float in @double)
                        {
                            @int += @float + @default;
                        }

                        return @int / @double.Length;
                    }
                }
            }

            public static class Caller
            {
                public static double[] Both(double[] data) =>
                    [@struct.@checked.Run(data, 0.0, new BlbOptions { Seed = 1 }).Estimate, @struct.@checked.Estimate(data, 0.0)];
            }
            """);

        string source = run.Source(".Blb.g.cs");
        Assert.Contains("namespace @event.Data", source, StringComparison.Ordinal);
        Assert.Contains("partial record struct @struct", source, StringComparison.Ordinal);
        Assert.Contains("static partial class @checked", source, StringComparison.Ordinal);
        AssertRunEstimates(run, "event.Data.Caller", Data);
    }

    [Fact]
    public void Classes_whose_names_differ_only_in_case_are_both_generated()
    {
        // Hint names are compared ignoring case.
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
            }

            [BlbEstimator]
            public static partial class TOTAL
            {
                public static double Estimate(double[] values)
                {
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum -= v;
                    }

                    return sum;
                }
            }
            """);

        Assert.Equal(2, run.GeneratedSources.Keys.Count(k => k.EndsWith(".Blb.g.cs", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parameters_named_like_the_generated_parameters_and_locals_do_not_clash()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Clash
            {
                public static double Estimate(
                    ReadOnlySpan<double> options,
                    double[] progress,
                    [NoSubsample] double cancellationToken,
                    [NoSubsample] int state,
                    [NoSubsample] int blbState,
                    [NoSubsample] int sample,
                    [NoSubsample] int weights,
                    [NoSubsample] int result,
                    [NoSubsample] int i)
                {
                    double sum = 0;
                    foreach (double o in options)
                    {
                        sum += o * cancellationToken;
                    }

                    foreach (double p in progress)
                    {
                        sum += p * (state + blbState + sample + weights + result + i);
                    }

                    return sum / options.Length;
                }
            }

            public static class Caller
            {
                public static double[] Both(double[] data) =>
                    [Clash.Run(data, data, 1.0, 0, 0, 0, 0, 0, 0, new BlbOptions { Seed = 1 }).Estimate, Clash.Estimate(data, data, 1.0, 0, 0, 0, 0, 0, 0)];
            }
            """);

        Snapshot.Verify(run.Source("Clash.Blb.g.cs"), "Clash");
        AssertRunEstimates(run, "Caller", Data);
    }

    [Fact]
    public void Using_directives_of_the_estimator_are_kept_in_their_scope()
    {
        // An alias the body depends on, a using static, and a using inside the namespace that names a sibling namespace
        // relative to it (Demo.Shapes as 'Shapes').
        GeneratorRun run = GeneratorHarness.Run("""
            namespace Demo.Shapes
            {
                public readonly record struct Reading(double Value);
            }

            namespace Demo
            {
                using System;
                using Shapes;
                using Specialize;
                using static System.Math;
                using Number = System.Double;

                [BlbEstimator]
                public static partial class Magnitude
                {
                    public static Number Estimate(ReadOnlySpan<Reading> readings)
                    {
                        Number sum = 0;
                        foreach (Reading r in readings)
                        {
                            sum += Abs(r.Value);
                        }

                        return sum / readings.Length;
                    }
                }

                public static class Caller
                {
                    public static double[] Both(double[] data)
                    {
                        var readings = new Reading[data.Length];
                        for (int k = 0; k < data.Length; k++)
                        {
                            readings[k] = new Reading(data[k]);
                        }

                        return [Magnitude.Run(readings, new BlbOptions { Seed = 1 }).Estimate, Magnitude.Estimate(readings)];
                    }
                }
            }
            """);

        Snapshot.Verify(run.Source("Magnitude.Blb.g.cs"), "Magnitude");
        AssertRunEstimates(run, "Demo.Caller", Data);
    }

    [Fact]
    public void Preprocessor_branches_that_end_before_the_closing_brace_are_kept_whole()
    {
        // '#else ... #endif' before the method's closing brace, and before the loop body's, belong to the brace.
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Branches
            {
                public static double Estimate(ReadOnlySpan<double> values)
                {
                    double sum = 0;
                    foreach (double v in values)
                    {
            #if NEVER_DEFINED
                        sum += 2 * v;
            #else
                        sum += v;
            #endif
                    }

            #if NEVER_DEFINED
                    return 0;
            #else
                    return sum / values.Length;
            #endif
                }
            }

            public static class Caller
            {
                public static double[] Both(double[] data) =>
                    [Branches.Run(data, new BlbOptions { Seed = 1 }).Estimate, Branches.Estimate(data)];
            }
            """);

        Snapshot.Verify(run.Source("Branches.Blb.g.cs"), "Branches");
        AssertRunEstimates(run, "Caller", Data);
    }

    [Fact]
    public void Nullable_context_of_the_estimator_is_kept()
    {
        // Annotations without warnings (the project enables both): the copied body must not gain warnings; and a file
        // with nullable disabled.
        GeneratorRun run = GeneratorHarness.Run(["""
            #nullable disable warnings
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Labelled
            {
                public static double Estimate(ReadOnlySpan<double> values, [NoSubsample] string? label)
                {
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum += v * label.Length;
                    }

                    return sum / values.Length;
                }
            }
            """, """
            #nullable disable
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Oblivious
            {
                public static double Estimate(double[] values, [NoSubsample] string label)
                {
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum += v * label.Length;
                    }

                    return sum / values.Length;
                }
            }

            public static class Caller
            {
                public static double[] Both(double[] data) =>
                    [Labelled.Run(data, "a", new BlbOptions { Seed = 1 }).Estimate, Oblivious.Run(data, "a", null).Estimate];
            }
            """]);

        Assert.Contains("#nullable enable annotations", run.Source("Labelled.Blb.g.cs"), StringComparison.Ordinal);
        Assert.Contains("#nullable disable", run.Source("Oblivious.Blb.g.cs"), StringComparison.Ordinal);
        AssertRunEstimates(run, "Caller", Data);
    }

    [Fact]
    public void Accumulator_named_with_a_keyword_keeps_its_escape_in_the_batched_form()
    {
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Escaped
            {
                public static double Estimate(ReadOnlySpan<double> values)
                {
                    double @double = 0;
                    var @new = new double[2];
                    foreach (double v in values)
                    {
                        @double += Math.Abs(v);
                        @new[1] += v;
                    }

                    return (@double + @new[1]) / values.Length;
                }
            }

            public static class Caller
            {
                public static double[] Both(double[] data) =>
                    [Escaped.Run(data, new BlbOptions { Seed = 1 }).Estimate, Escaped.Estimate(data)];
            }
            """);

        Assert.Contains("static void EstimateWeightedBatch(", run.Source("Escaped.Blb.g.cs"), StringComparison.Ordinal);
        AssertRunEstimates(run, "Caller", Data);
    }

    [Fact]
    public void Estimator_class_in_a_partial_of_several_files_and_nested_in_an_interface_is_generated()
    {
        GeneratorRun run = GeneratorHarness.Run(["""
            using System;
            using Specialize;

            namespace Demo;

            public partial interface IHost
            {
                [BlbEstimator]
                public static partial class Spread
                {
                    public static double Estimate(ReadOnlySpan<double> values)
                    {
                        double sum = 0;
                        foreach (double v in values)
                        {
                            sum += Square(v);
                        }

                        return sum / values.Length;
                    }
                }
            }
            """, """
            namespace Demo;

            public partial interface IHost
            {
                public static partial class Spread
                {
                    [Specialize.Pure]
                    public static double Square(double v) => v * v;
                }
            }

            public static class Caller
            {
                public static double[] Both(double[] data) =>
                    [IHost.Spread.Run(data, new Specialize.BlbOptions { Seed = 1 }).Estimate, IHost.Spread.Estimate(data)];
            }
            """]);

        Assert.Contains("partial interface IHost", run.Source("Spread.Blb.g.cs"), StringComparison.Ordinal);
        AssertRunEstimates(run, "Demo.Caller", Data);
    }

    [Fact]
    public void File_local_estimator_gets_no_generated_class_of_its_name()
    {
        // Generated in a file of its own, a partial of a file-local class would be a second, public class (SPEC110).
        GeneratorRun run = GeneratorHarness.Run("""
            using System;
            using Specialize;

            [BlbEstimator]
            file static partial class Hidden
            {
                public static double Estimate(ReadOnlySpan<double> values)
                {
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum += v;
                    }

                    return sum;
                }
            }
            """);

        Assert.DoesNotContain(run.GeneratedSources.Keys, k => k.EndsWith(".Blb.g.cs", StringComparison.Ordinal));
        Assert.Null(run.Assembly.GetType("Hidden"));
    }
}
