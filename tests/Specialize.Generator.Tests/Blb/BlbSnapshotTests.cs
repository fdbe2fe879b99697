using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

public sealed class BlbSnapshotTests
{
    [Fact]
    public void Mean_estimator_becomes_a_weighted_loop() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.Mean).Source("Mean.Blb.g.cs"), "Mean");

    [Fact]
    public void Branchy_counting_with_a_pure_helper_and_a_pass_through_model_array_is_weighted() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.ErrorRate).Source("ErrorRate.Blb.g.cs"), "ErrorRate");

    [Fact]
    public void Ratio_of_two_co_iterated_inputs_shares_the_weights_and_passes_the_reducer() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.Ratio).Source("Ratio.Blb.g.cs"), "Ratio");

    [Fact]
    public void Dot_product_with_TensorPrimitives_stays_inside_the_weighted_loop() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.Residual).Source("Residual.Blb.g.cs"), "Residual");

    [Fact]
    public void Vector_estimator_gets_a_vector_run() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.Centroid).Source("Centroid.Blb.g.cs"), "Centroid");

    [Fact]
    public void Update_of_a_non_numeric_accumulator_is_repeated_weight_times() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.PairSum).Source("PairSum.Blb.g.cs"), "PairSum");

    [Fact]
    public void Least_squares_with_array_accumulators_gets_a_batched_form() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.LeastSquares).Source("LeastSquares.Blb.g.cs"), "LeastSquares");

    [Fact]
    public void Loops_that_deconstruct_rows_are_weighted_and_batched() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.Deconstructed).Source("Deconstructed.Blb.g.cs"), "Deconstructed");

    [Fact]
    public void Slope_over_a_struct_gets_a_gpu_kernel_of_four_sums() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.Slope).Source("Slope.Blb.g.cs"), "Slope");

    [Fact]
    public void Normal_equations_in_array_accumulators_get_a_gpu_kernel_and_are_solved_on_the_host() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.NormalEquations).Source("NormalEquations.Blb.g.cs"), "NormalEquations");

    [Fact]
    public void Parameters_helpers_and_integer_accumulators_lower_to_the_gpu_kernel() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.DeviceFeatures).Source("DeviceFeatures.Blb.g.cs"), "DeviceFeatures");

    // EstimateWeighted and the batched form's per-bootstrap suffix copy the literals' inner lines as they are.
    [Fact]
    public void String_literals_that_span_lines_are_copied_as_they_are() =>
        Snapshot.Verify(GeneratorHarness.Run(BlbEstimatorSources.MultiLineStrings).Source("MultiLineStrings.Blb.g.cs"), "MultiLineStrings");

    [Theory]
    [InlineData("Mean", true, false)]        // one addition per row: Run keeps the per-bootstrap loop
    [InlineData("Ratio", true, false)]
    [InlineData("Centroid", true, false)]
    [InlineData("ErrorRate", true, true)]    // a helper call per row, computed once for all bootstraps
    [InlineData("Residual", true, true)]
    [InlineData("LeastSquares", true, true)] // a nested loop of products per row
    [InlineData("Deconstructed", true, true)] // loops that deconstruct rows, one calling Math.Abs
    [InlineData("PairSum", false, false)]    // an accumulator that is not a built-in number: its update is repeated, not scaled
    [InlineData("RunningTotal", false, false)] // the loop reads an accumulator
    public void Batched_form_is_emitted_only_where_the_loops_only_add_to_accumulators(string name, bool batched, bool usedByRun)
    {
        string source = (string)typeof(BlbEstimatorSources).GetField(name)!.GetValue(null)!;
        GeneratorRun run = GeneratorHarness.Run(source);
        string generated = run.Source(name + ".Blb.g.cs");
        Assert.Contains("EstimateWeighted(", generated, StringComparison.Ordinal);
        Assert.Equal(batched, generated.Contains("static void EstimateWeightedBatch(", StringComparison.Ordinal));
        Assert.Equal(usedByRun, generated.Contains("=> EstimateWeightedBatch(", StringComparison.Ordinal));
        Assert.Empty(run.GeneratorDiagnostics);
    }

    [Fact]
    public void Estimator_with_a_language_error_generates_nothing()
    {
        GeneratorRun run = GeneratorHarness.Run(
            """
            using System;
            using Specialize;

            [BlbEstimator]
            public static partial class First
            {
                public static double Estimate(ReadOnlySpan<double> values) => values[0];
            }
            """);

        Assert.DoesNotContain(run.GeneratedSources.Keys, k => k.EndsWith(".Blb.g.cs", StringComparison.Ordinal));
        Assert.Empty(run.GeneratorDiagnostics);
    }
}
