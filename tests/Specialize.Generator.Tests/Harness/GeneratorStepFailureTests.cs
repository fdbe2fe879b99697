using Microsoft.CodeAnalysis;
using Specialize.Generator.Helpers;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Harness;

/// <summary>
/// A failure in any step of the BLB and GMM generators, for one declaration, is SPEC900 on that declaration, and every
/// other declaration is still generated. An exception that escaped an output callback (as AddSource's on a hint name
/// it had seen) reached the compiler's driver, which dropped every output of the generator.
/// </summary>
public sealed class GeneratorStepFailureTests
{
    static GeneratorStepFailureTests()
    {
        // Only declarations with these names fail, so tests running beside these are unaffected.
        FaultInjection.Add((step, name) => (step, name) switch
        {
            (GeneratorStep.Parse, "FailsWhileParsed") => new InvalidOperationException("injected parse failure"),
            (GeneratorStep.Emit, "FailsWhileEmitted") => new ArgumentException("The hintName of the added source file must be unique within a generator.", "hintName"),
            _ => null,
        });
    }

    private static string Estimator(string name) => $$"""
        [Specialize.BlbEstimator]
        public static partial class {{name}}
        {
            public static double Estimate(System.ReadOnlySpan<double> values)
            {
                double sum = 0;
                foreach (double v in values)
                {
                    sum += v;
                }

                return sum / values.Length;
            }
        }
        """;

    private static string Trainer(string name) => $$"""
        public static partial class Trainers{{name}}
        {
            [Specialize.GmmTrain(Components = 2, Seed = 1)]
            public static partial Specialize.Mixture.GaussianMixture {{name}}(System.ReadOnlySpan<Point2> rows);
        }
        """;

    private const string Point = "public struct Point2 { public double X; public double Y; }";

    [Theory]
    [InlineData("FailsWhileParsed", "injected parse failure")]
    [InlineData("FailsWhileEmitted", "ArgumentException: The hintName of the added source file must be unique")]
    public void SPEC900_on_a_failing_estimator_leaves_the_other_estimators_generated(string failing, string message)
    {
        GeneratorRun run = GeneratorHarness.Run([Estimator("Before"), Estimator(failing), Estimator("After"), """
            public static class Caller
            {
                public static double Both(double[] data) => Before.Run(data).Estimate + After.Run(data).Estimate;
            }
            """]);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SPEC900", diagnostic.Id);
        Assert.Contains($"'{failing}'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains(message, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Source1.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(["After.Blb.g.cs", "Before.Blb.g.cs"], run.GeneratedSources.Keys.Where(k => k.EndsWith(".Blb.g.cs", StringComparison.Ordinal)).Order());
        Assert.Equal(2.0, (double)run.Invoke("Caller", "Both", new[] { 1.0, 1.0 })!);
    }

    [Theory]
    [InlineData("FailsWhileParsed", "injected parse failure")]
    [InlineData("FailsWhileEmitted", "ArgumentException: The hintName of the added source file must be unique")]
    public void SPEC900_on_a_failing_training_method_leaves_the_other_methods_implemented(string failing, string message)
    {
        GeneratorRun run = GeneratorHarness.Run([Point, Trainer("Before"), Trainer(failing), Trainer("After")], allowErrors: true);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SPEC900", diagnostic.Id);
        Assert.Contains($"'{failing}'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains(message, diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Source2.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(["TrainersAfter.After.GmmTrain.g.cs", "TrainersBefore.Before.GmmTrain.g.cs"], run.GeneratedSources.Keys.Order());

        // The failing method alone is left without an implementation.
        Diagnostic missing = Assert.Single(run.Output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal("CS8795", missing.Id);
        Assert.Contains($"Trainers{failing}.{failing}", missing.GetMessage(), StringComparison.Ordinal);
    }
}
