using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Blb;

public sealed class BlbEstimatorDiagnosticsTests
{
    private static string Estimator(string body, string parameters = "ReadOnlySpan<double> values", string header = "public static partial class Stat", string extra = "") => $$"""
        using System;
        using System.Collections.Generic;
        using Specialize;

        [BlbEstimator]
        {{header}}
        {
            public static double Estimate({{parameters}})
            {
        {{body}}
            }
        {{extra}}
        }
        """;

    private const string MeanBody = """
                double sum = 0;
                foreach (double v in values)
                {
                    sum += v;
                }

                return sum / values.Length;
        """;

    [Fact]
    public void Weighted_mean_with_a_pure_helper_a_nested_pass_through_loop_and_TensorPrimitives_is_silent() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    int count = 0;
                    foreach (double[] row in rows)
                    {
                        double best = double.MaxValue;
                        foreach (double c in centres)
                        {
                            double d = Square(row[0] - c);
                            if (d < best)
                            {
                                best = d;
                            }
                            else
                            {
                                break;
                            }
                        }

                        sum += best + System.Numerics.Tensors.TensorPrimitives.Sum(row);
                        count++;
                        if (best > 100)
                        {
                            continue;
                        }

                        sum -= 1;
                    }

                    return sum / rows.Length + count;
            """,
            "double[][] rows, [NoSubsample] double[] centres",
            extra: "    [Pure] public static double Square(double x) => x * x;"));

    [Fact]
    public void SPEC101_fires_on_indexing_subsampled_data_by_position()
    {
        var diagnostics = AnalyzerHarness.Verify(Estimator("        return {|SPEC101:values[0]|} / values.Length;"));
        Assert.Contains("by position", diagnostics[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC101_fires_on_passing_subsampled_data_to_a_method_as_a_whole() =>
        AnalyzerHarness.Verify(Estimator("        return Total({|SPEC101:values|});", extra: "    [Pure] public static double Total(ReadOnlySpan<double> x) => x.Length;"));

    [Fact]
    public void SPEC101_fires_on_subsampled_data_inside_a_local_function() =>
        AnalyzerHarness.Verify(Estimator(
            "        return Count();\n        int Count() => {|SPEC101:values|}.Length;",
            "double[] values"));

    [Fact]
    public void SPEC101_is_silent_on_foreach_Length_and_nameof() =>
        AnalyzerHarness.Verify(Estimator(MeanBody.Replace("return sum / values.Length;", "return (nameof(values) == \"values\" ? 0 : 1) + (sum / values.Length);", StringComparison.Ordinal)));

    [Fact]
    public void SPEC101_is_silent_on_foreach_loops_that_deconstruct_rows() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (var (x, y, tag) in rows)
                    {
                        sum += (x * y) + tag;
                    }

                    foreach ((double x, double _, int tag) in rows)
                    {
                        sum -= x + tag;
                    }

                    foreach (var (a, b) in points)
                    {
                        sum += a - b;
                    }

                    foreach ((double lo, double hi) in ranges)
                    {
                        sum += hi - lo;
                    }

                    return sum / rows.Length;
            """,
            "ReadOnlySpan<(double X, double Y, int Tag)> rows, Point[] points, Range[] ranges",
            extra: """
                    public readonly record struct Point(double X, double Y);

                    public readonly struct Range
                    {
                        public Range(double lo, double hi) { Lo = lo; Hi = hi; }
                        public double Lo { get; }
                        public double Hi { get; }
                        public void Deconstruct(out double lo, out double hi) { lo = Lo; hi = Hi; }
                    }
                """));

    [Fact]
    public void SPEC101_fires_on_a_deconstructing_loop_nested_in_a_weighted_loop() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (var (x, y) in rows)
                    {
                        {|SPEC101:foreach|} (var (u, v) in rows)
                        {
                            sum += (x * u) + (y * v);
                        }
                    }

                    return sum;
            """,
            "ReadOnlySpan<(double X, double Y)> rows"));

    [Fact]
    public void SPEC102_fires_on_a_plain_assignment_to_an_outer_variable()
    {
        var diagnostics = AnalyzerHarness.Verify(Estimator(
            """
                    double last = 0;
                    foreach (double v in values)
                    {
                        {|SPEC102:last = v|};
                    }

                    return last;
            """));
        Assert.Contains("'last'", diagnostics[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC102_fires_on_a_multiplicative_update_of_an_outer_variable() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double product = 1;
                    foreach (double v in values)
                    {
                        {|SPEC102:product *= v|};
                    }

                    return product;
            """));

    [Fact]
    public void SPEC102_fires_on_an_outer_variable_passed_by_ref() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        Add({|SPEC102:ref sum|}, v);
                    }

                    return sum;
            """,
            extra: "    public static void Add(ref double total, double v) => total += v;"));

    [Fact]
    public void SPEC102_is_silent_on_accumulation_and_on_locals_of_the_loop() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        double scaled = v;
                        scaled *= 2;
                        sum += scaled;
                        sum -= 1;
                    }

                    return sum;
            """));

    [Fact]
    public void SPEC103_fires_on_break_out_of_a_weighted_loop() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        if (v < 0)
                        {
                            {|SPEC103:break|};
                        }

                        sum += v;
                    }

                    return sum;
            """));

    [Fact]
    public void SPEC103_fires_on_return_from_a_weighted_loop() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    foreach (double v in values)
                    {
                        if (v < 0)
                        {
                            {|SPEC103:return|} v;
                        }
                    }

                    return 0;
            """));

    [Fact]
    public void SPEC103_is_silent_on_continue_and_on_break_of_a_nested_loop() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        if (v < 0)
                        {
                            continue;
                        }

                        for (int k = 0; k < 3; k++)
                        {
                            if (k > v)
                            {
                                break;
                            }

                            sum += k;
                        }
                    }

                    return sum;
            """));

    [Fact]
    public void SPEC104_fires_on_a_call_that_is_not_pure()
    {
        var diagnostics = AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        Console.{|SPEC104:WriteLine|}(v);
                        sum += v;
                    }

                    return sum;
            """));
        Assert.Contains("does I/O", diagnostics[0].GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC104_fires_on_a_source_method_with_side_effects() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum += {|SPEC104:Count|}(v);
                    }

                    return sum;
            """,
            extra: "    private static int calls;\n    public static double Count(double v) { calls++; return v; }"));

    [Fact]
    public void SPEC104_is_silent_on_Math_and_pure_source_methods() =>
        AnalyzerHarness.Verify(Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        if (!double.IsNaN(v))
                        {
                            sum += Math.Abs(Twice(v)) + int.Parse("1") + "ab".Length;
                        }
                    }

                    return sum;
            """,
            extra: "    public static double Twice(double v) => 2 * v;"));

    [Fact]
    public void SPEC105_fires_on_a_class_that_is_not_static() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, header: "public partial class {|SPEC105:Stat|}"));

    [Fact]
    public void SPEC105_fires_on_a_generic_class() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, header: "public static partial class {|SPEC105:Stat|}<T>"));

    [Fact]
    public void SPEC105_is_silent_on_a_static_non_generic_class() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, header: "internal static partial class Stat"));

    [Fact]
    public void SPEC106_fires_on_a_subsampled_list() =>
        AnalyzerHarness.Verify(Estimator("        return 0;", "List<double> {|SPEC106:values|}"));

    [Fact]
    public void SPEC106_fires_on_a_pass_through_Span() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, "double[] values, [NoSubsample] Span<double> {|SPEC106:scratch|}"));

    [Fact]
    public void SPEC106_is_silent_on_arrays_spans_and_pass_through_parameters() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, "double[] values, ReadOnlySpan<int> tags, [NoSubsample] List<double> model, [NoSubsample] ReadOnlySpan<double> table"));

    [Fact]
    public void SPEC107_fires_on_a_class_that_is_not_partial() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, header: "public static class {|SPEC107:Stat|}"));

    [Fact]
    public void SPEC107_is_silent_on_a_partial_class() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, header: "public static partial class Stat"));

    [Fact]
    public void SPEC110_fires_on_a_file_local_class()
    {
        var diagnostics = AnalyzerHarness.Verify(Estimator(MeanBody, header: "file static partial class {|SPEC110:Stat|}"));
        Assert.Equal(
            "[BlbEstimator] class 'Stat' is file-local, so the weighted estimator and the Run entry point, which are generated in a file of their own, cannot be added to it; remove 'file'",
            diagnostics.Single().GetMessage());
    }

    [Fact]
    public void SPEC110_fires_on_a_class_nested_in_a_file_local_class()
    {
        var diagnostics = AnalyzerHarness.Verify($$"""
            using System;
            using Specialize;

            file static partial class Outer
            {
                [BlbEstimator]
                public static partial class {|SPEC110:Stat|}
                {
                    public static double Estimate(ReadOnlySpan<double> values)
                    {
            {{MeanBody}}
                    }
                }
            }
            """);
        Assert.Contains("class 'Stat' is nested in the file-local class 'Outer'", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC110_is_silent_on_a_class_other_files_can_extend() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, header: "internal static partial class Stat"));

    [Fact]
    public void SPEC108_fires_when_there_is_no_Estimate_method() =>
        AnalyzerHarness.Verify("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class {|SPEC108:Stat|}
            {
                public static double Compute(ReadOnlySpan<double> values) => values.Length;
            }
            """);

    [Fact]
    public void SPEC108_fires_when_Estimate_returns_something_else() =>
        AnalyzerHarness.Verify("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Stat
            {
                public static int {|SPEC108:Estimate|}(ReadOnlySpan<double> values) => values.Length;
            }
            """);

    [Fact]
    public void SPEC108_is_silent_on_a_vector_Estimate() =>
        AnalyzerHarness.Verify("""
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class Stat
            {
                public static double[] Estimate(ReadOnlySpan<double> values) => new double[] { values.Length };
            }
            """);

    [Fact]
    public void SPEC109_fires_on_a_reducer_that_takes_an_array() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, extra: "    public static double {|SPEC109:Average|}(double[] values) => values[0];"));

    [Fact]
    public void SPEC109_is_silent_on_reducers_of_the_right_shape() =>
        AnalyzerHarness.Verify(Estimator(MeanBody, extra: "    public static double Average(ReadOnlySpan<double> values) => values[0];\n    public static double ReduceBootstraps(ReadOnlySpan<double> values) => values[0];"));
}
