using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Blb;

/// <summary>SPEC111: the construct that keeps an estimator's bootstraps on the processor, and silence where everything lowers.</summary>
public sealed class BlbDeviceLoweringDiagnosticsTests
{
    private static readonly string[] Spec111 = ["SPEC111"];

    private static string Estimator(string body, string parameters = "ReadOnlySpan<double> values", string extra = "", string returns = "double") => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using Specialize;

        public readonly record struct Row(double X, double Y, int Group)
        {
            public double this[int i] => i switch { 0 => X, 1 => Y, _ => Group };
        }

        public sealed class Model
        {
            public double Bias { get; init; }
        }

        [InlineArray(3)]
        public struct Three
        {
            private double first;
        }

        public readonly record struct Wide(Three Values);

        [BlbEstimator]
        public static partial class Stat
        {
            public static {{returns}} Estimate({{parameters}})
            {
        {{body}}
            }
        {{extra}}
        }
        """;

    /// <summary>Verifies the marked diagnostics and returns the message of the one SPEC111.</summary>
    private static string Message(string body, string parameters = "ReadOnlySpan<double> values", string extra = "")
    {
        var diagnostics = AnalyzerHarness.VerifyIncluding(Spec111, Estimator(body, parameters, extra));
        return Assert.Single(diagnostics, d => d.Id == "SPEC111").GetMessage();
    }

    [Fact]
    public void SPEC111_fires_on_a_no_subsample_parameter_of_a_class_read_in_the_loop() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    double errors = 0;
                    foreach (double v in values)
                    {
                        errors += v * {|SPEC111:model|}.Bias;
                    }

                    return errors / values.Length;
            """,
            "ReadOnlySpan<double> values, [NoSubsample] Model model"));

    [Fact]
    public void SPEC111_message_names_the_construct_and_why()
    {
        string message = Message(
            """
                    double errors = 0;
                    foreach (double v in values)
                    {
                        errors += v * {|SPEC111:model|}.Bias;
                    }

                    return errors / values.Length;
            """,
            "ReadOnlySpan<double> values, [NoSubsample] Model model");
        Assert.Equal(
            "Estimator 'Stat' runs its bootstraps on the processor only: 'model' has no GPU lowering (a [NoSubsample] parameter of type 'Model': the device reads unmanaged values, and arrays and spans of them)",
            message);
    }

    [Fact]
    public void SPEC111_fires_on_a_loop_that_reads_an_accumulator()
    {
        string message = Message(
            """
                    double total = 0;
                    foreach (double v in values)
                    {
                        if ({|SPEC111:total|} >= 0)
                        {
                            total += v;
                        }
                    }

                    return total;
            """);
        Assert.Contains("'total' has no GPU lowering (a read of an accumulator before the loops end", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC111_fires_on_a_function_the_device_does_not_map() =>
        Assert.Contains(
            "'Math.Clamp(v, 0, 1)' has no GPU lowering (a call of 'Math.Clamp', which is not a Math function the device maps nor a method of this compilation)",
            Message(
                """
                        double sum = 0;
                        foreach (double v in values)
                        {
                            sum += {|SPEC111:Math.Clamp(v, 0, 1)|};
                        }

                        return sum;
                """),
            StringComparison.Ordinal);

    [Fact]
    public void SPEC111_fires_on_rows_that_are_arrays() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    double sum = 0;
                    foreach (double[] row in {|SPEC111:rows|})
                    {
                        sum += row[0];
                    }

                    return sum;
            """,
            "double[][] rows"));

    [Fact]
    public void SPEC111_fires_on_a_helper_whose_body_does_not_lower_and_names_what_in_it()
    {
        string message = Message(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        sum += {|SPEC111:Checked(v)|};
                    }

                    return sum;
            """,
            extra: "    [Pure] private static double Checked(double v) => v >= 0 ? v : throw new ArgumentOutOfRangeException(nameof(v));");
        Assert.Contains("'Checked(v)' has no GPU lowering (it calls 'Checked', where 'throw new ArgumentOutOfRangeException(nameof(v))' is a throw: a kernel cannot throw)", message, StringComparison.Ordinal);
    }

    [Fact]
    public void SPEC111_fires_on_a_recursive_helper() =>
        Assert.Contains(
            "kernels cannot recurse",
            Message(
                """
                        double sum = 0;
                        foreach (double v in values)
                        {
                            sum += {|SPEC111:Power(v, 3)|};
                        }

                        return sum;
                """,
                extra: "    [Pure] private static double Power(double x, int k) => k == 0 ? 1 : x * Power(x, k - 1);"),
            StringComparison.Ordinal);

    [Fact]
    public void SPEC111_fires_on_an_array_made_in_the_loop() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    double sum = 0;
                    foreach (double v in values)
                    {
                        double[] {|SPEC111:pair = new[] { v, v * v }|};
                        sum += pair[1];
                    }

                    return sum;
            """));

    [Fact]
    public void SPEC111_fires_on_a_float_accumulator() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    float {|SPEC111:sum = 0|};
                    foreach (double v in values)
                    {
                        sum += (float)v;
                    }

                    return sum;
            """));

    [Fact]
    public void SPEC111_fires_on_an_element_of_an_inline_array() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    double sum = 0;
                    foreach (Wide row in rows)
                    {
                        Three values = row.Values;
                        sum += {|SPEC111:values[1]|};
                    }

                    return sum;
            """,
            "ReadOnlySpan<Wide> rows"));

    [Fact]
    public void SPEC111_is_silent_where_the_prefix_and_the_loops_lower() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    int d = coefficients.Length;
                    var sums = new double[d + 1];
                    long groups = 0;
                    double squares = 0;
                    foreach (var (x, y, group) in rows)
                    {
                        double predicted = Dot(x, y, coefficients[0], coefficients[d - 1]);
                        int k = 0;
                        while (k < d)
                        {
                            sums[k] += Math.Pow(Math.Abs(predicted), k) * offsets[k % offsets.Length];
                            k++;
                        }

                        switch (group)
                        {
                            case 0:
                                groups++;
                                break;
                            default:
                                squares += double.IsNaN(predicted) ? 0 : Math.Sqrt(predicted * predicted) * scale;
                                break;
                        }
                    }

                    foreach (Row row in rows)
                    {
                        sums[d] += row[1] > 0 ? row[0] : -row[0];
                    }

                    var model = new Model { Bias = squares / groups };
                    return model.Bias + sums[0];
            """,
            "ReadOnlySpan<Row> rows, [NoSubsample] double[] coefficients, [NoSubsample] ReadOnlySpan<double> offsets, [NoSubsample] double scale",
            extra: "    [Pure] private static double Dot(double x, double y, double a, double b) => (x * a) + (y * b);"));

    [Fact]
    public void SPEC111_is_silent_on_an_estimator_with_errors() =>
        AnalyzerHarness.VerifyIncluding(Spec111, Estimator(
            """
                    double last = 0;
                    foreach (double v in values)
                    {
                        {|SPEC102:last = v|};
                    }

                    return last + model.Bias;
            """,
            "ReadOnlySpan<double> values, [NoSubsample] Model model"));
}
