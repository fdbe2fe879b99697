using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Specialize.Mixture;
using Specialize.Testing;
using Specialize.Variants;
using Xunit;

namespace Specialize.Generator.Tests.Gmm;

public sealed class GmmTrainTests
{
    // The generated methods use the default tuning store: keep it out of the user's cache folder.
    static GmmTrainTests()
    {
        GeneratedCodeTuning.EnsureConfigured();
    }

    private const string Options = "Components = 2, CovarianceType = CovarianceType.Full, Seed = 7";

    /// <summary>A struct-of-fields row, a training method over a span of rows, and an entry taking flat values.</summary>
    private static string FieldsSource(string element, int dimension, string attribute = Options) => $$"""
        using System;
        using Specialize;
        using Specialize.Mixture;

        namespace Demo;

        public struct Row
        {
        {{string.Concat(Enumerable.Range(0, dimension).Select(i => $"    public {element} F{i};\n"))}}}

        public static partial class Trainer
        {
            [GmmTrain({{attribute}})]
            public static partial GaussianMixture Train(ReadOnlySpan<Row> rows);

            public static GaussianMixture TrainFlat(double[] flat)
            {
                var rows = new Row[flat.Length / {{dimension}}];
                for (int n = 0; n < rows.Length; n++)
                {
        {{string.Concat(Enumerable.Range(0, dimension).Select(i => $"            rows[n].F{i} = ({element})flat[(n * {dimension}) + {i}];\n"))}}        }

                return Train(rows);
            }
        }
        """;

    /// <summary>An [InlineArray] row, a training method over an array of rows, and an entry taking flat values.</summary>
    private static string InlineArraySource(string element, int dimension) => $$"""
        using System;
        using System.Runtime.CompilerServices;
        using Specialize;
        using Specialize.Mixture;

        namespace Demo;

        [InlineArray({{dimension}})]
        public struct Features
        {
            private {{element}} first;
        }

        public static partial class Trainer
        {
            [GmmTrain({{Options}})]
            public static partial GaussianMixture Train(Features[] rows);

            public static GaussianMixture TrainFlat(double[] flat)
            {
                var rows = new Features[flat.Length / {{dimension}}];
                for (int n = 0; n < rows.Length; n++)
                {
                    for (int i = 0; i < {{dimension}}; i++)
                    {
                        rows[n][i] = ({{element}})flat[(n * {{dimension}}) + i];
                    }
                }

                return Train(rows);
            }
        }
        """;

    [Fact]
    public void Struct_of_double_fields_matches_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(FieldsSource("double", 3));

        Snapshot.Verify(run.Source("Demo.Trainer.Train.GmmTrain.g.cs"), "Trainer.Fields.Double");
    }

    [Fact]
    public void Struct_of_float_fields_matches_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(FieldsSource("float", 2, "Components = 3, CovarianceType = CovarianceType.Diagonal, Tolerance = 1e-4, Regularization = 0.5, MaxIterations = 20"));

        Snapshot.Verify(run.Source("Demo.Trainer.Train.GmmTrain.g.cs"), "Trainer.Fields.Float");
    }

    [Fact]
    public void InlineArray_row_matches_snapshot()
    {
        GeneratorRun run = GeneratorHarness.Run(InlineArraySource("float", 4));

        Snapshot.Verify(run.Source("Demo.Trainer.Train.GmmTrain.g.cs"), "Trainer.InlineArray.Float");
    }

    [Theory]
    [InlineData("double", 3)]
    [InlineData("float", 3)]
    public void Generated_method_over_fields_equals_the_runtime_fit(string element, int dimension)
    {
        GeneratorRun run = GeneratorHarness.Run(FieldsSource(element, dimension));
        double[] flat = TwoClusters(dimension, element == "float");

        var model = (GaussianMixture)run.Invoke("Demo.Trainer", "TrainFlat", flat)!;

        AssertSameModel(Oracle(flat, dimension, element), model);
    }

    [Theory]
    [InlineData("double", 4)]
    [InlineData("float", 2)]
    public void Generated_method_over_inline_arrays_equals_the_runtime_fit(string element, int dimension)
    {
        GeneratorRun run = GeneratorHarness.Run(InlineArraySource(element, dimension));
        double[] flat = TwoClusters(dimension, element == "float");

        var model = (GaussianMixture)run.Invoke("Demo.Trainer", "TrainFlat", flat)!;

        AssertSameModel(Oracle(flat, dimension, element), model);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(19)]
    public void Specialized_kernels_are_registered_for_their_dimension_and_selectable_by_name(int dimension)
    {
        string name = "Fixed-D" + dimension;
        GeneratorRun run = GeneratorHarness.Run(FieldsSource("double", dimension));
        double[] flat = TwoClusters(dimension, roundToFloat: false);
        run.Invoke("Demo.Trainer", "TrainFlat", flat);

        Assert.Contains(name, GmmKernels.Covariance.Names);
        Assert.Contains(name, GmmKernels.Mahalanobis.Names);
        var key = new VariantKey("cpu", GmmKernels.CovarianceKernelName, "float64", dimension, 2, 1024);
        Assert.Contains(GmmKernels.Covariance.GetCandidates(key), c => c.Key == name);
        Assert.DoesNotContain(GmmKernels.Covariance.GetCandidates(key with { Dimension = dimension + 1 }), c => c.Key == name);

        var forced = new GaussianMixture(OracleOptions(name, "cpu")).Fit(ToMatrix(flat, dimension));
        var general = new GaussianMixture(OracleOptions("V1", "cpu")).Fit(ToMatrix(flat, dimension));

        Assert.Equal(name, forced.KernelVariants[GmmKernels.CovarianceKernelName]);
        Assert.Equal(name, forced.KernelVariants[GmmKernels.MahalanobisKernelName]);
        AssertSameModel(general, forced);
    }

    [Theory]
    [InlineData(5)]
    [InlineData(19)]
    public void Gpu_kernels_are_registered_for_their_dimension_on_ilgpu_devices_and_fit_what_the_general_ones_fit(int dimension)
    {
        string name = "ILGPU-Fixed-D" + dimension;
        GeneratorRun run = GeneratorHarness.Run(FieldsSource("double", dimension));
        double[] flat = TwoClusters(dimension, roundToFloat: false);
        run.Invoke("Demo.Trainer", "TrainFlat", flat);

        var key = new VariantKey("ilgpu-cpu", GmmKernels.CovarianceKernelName, "float64", dimension, 2, 1024);
        Assert.Contains(GmmKernels.Covariance.GetCandidates(key), c => c.Key == name);
        Assert.Contains(GmmKernels.Mahalanobis.GetCandidates(key with { Kernel = GmmKernels.MahalanobisKernelName, Device = "cuda:0" }), c => c.Key == name);
        Assert.DoesNotContain(GmmKernels.Covariance.GetCandidates(key with { Dimension = dimension + 1 }), c => c.Key == name);
        Assert.DoesNotContain(GmmKernels.Covariance.GetCandidates(key with { Device = "cpu" }), c => c.Key == name);

        var forced = new GaussianMixture(OracleOptions(name, "ilgpu-cpu")).Fit(ToMatrix(flat, dimension));
        var general = new GaussianMixture(OracleOptions("ILGPU-Tiled-Shared", "ilgpu-cpu")).Fit(ToMatrix(flat, dimension));

        Assert.Equal("ilgpu-cpu", forced.Device);
        Assert.Equal(name, forced.KernelVariants[GmmKernels.CovarianceKernelName]);
        Assert.Equal(name, forced.KernelVariants[GmmKernels.MahalanobisKernelName]);
        Assert.Equal("ILGPU-Tiled-Shared", general.KernelVariants[GmmKernels.CovarianceKernelName]);
        AssertSameModel(general, forced);
    }

    [Theory]
    [InlineData("MahalanobisOnDevice", "float")]
    [InlineData("MahalanobisOnDevice", "double")]
    [InlineData("CovarianceOnDevice", "float")]
    [InlineData("CovarianceOnDevice", "double")]
    public void Generated_gpu_kernels_compile_to_ptx_for_sm_90(string kernel, string element)
    {
        var method = GeneratedKernel(19, kernel, element == "float" ? typeof(float) : typeof(double));
        string ptx = Ptx.Compile(method, explicitlyGrouped: !Ptx.IsImplicitlyGrouped(method));
        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        if (kernel == "CovarianceOnDevice")
        {
            Assert.Contains(".shared", ptx, StringComparison.Ordinal); // the tiles, sized for D = 19 at compile time
            Assert.Contains("bar.sync", ptx, StringComparison.Ordinal);
        }
    }

    /// <summary>The PTX of the generated float32 Mahalanobis kernel for D = 19, names normalized: a reviewed diff when the generator changes it.</summary>
    [Fact]
    public void Generated_mahalanobis_kernel_ptx_matches_the_snapshot()
    {
        string ptx = Ptx.Normalize(Ptx.Compile(GeneratedKernel(19, "MahalanobisOnDevice", typeof(float)), explicitlyGrouped: false));
        Snapshot.VerifyFile(ptx, Path.Combine(SnapshotFolder(), "GmmKernelsD19.MahalanobisOnDevice.float32.sm_90.verified.ptx"));
    }

    /// <summary>A GPU kernel of the file-local kernel class the generator writes for dimension <paramref name="dimension"/>.</summary>
    private static System.Reflection.MethodInfo GeneratedKernel(int dimension, string name, Type element)
    {
        GeneratorRun run = GeneratorHarness.Run(FieldsSource("double", dimension));
        Type kernels = run.Assembly.GetTypes().Single(t => t.Name.EndsWith("GmmKernelsD" + dimension, StringComparison.Ordinal));
        return kernels.GetMethod(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!.MakeGenericMethod(element);
    }

    private static string SnapshotFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");

    /// <summary>Calls the overload the generator adds beside the declared method, with progress and cancellation.</summary>
    private const string ProgressDriver = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using Specialize.Mixture;

        namespace Demo;

        public static class Progressing
        {
            private sealed class Recorder(Action<GmmProgress> report) : IProgress<GmmProgress>
            {
                public void Report(GmmProgress value) => report(value);
            }

            private static Row[] Rows(double[] flat)
            {
                var rows = new Row[flat.Length / 3];
                for (int n = 0; n < rows.Length; n++)
                {
                    rows[n] = new Row { F0 = flat[3 * n], F1 = flat[(3 * n) + 1], F2 = flat[(3 * n) + 2] };
                }

                return rows;
            }

            public static object[] Reports(double[] flat)
            {
                var reports = new List<GmmProgress>();
                GaussianMixture model = Trainer.Train(Rows(flat), new Recorder(reports.Add));
                return [reports.ToArray(), model];
            }

            public static object[] CancelledAtFirstReport(double[] flat)
            {
                using var source = new CancellationTokenSource();
                int reports = 0;
                try
                {
                    Trainer.Train(Rows(flat), new Recorder(_ => { reports++; source.Cancel(); }), source.Token);
                    return ["not cancelled", reports];
                }
                catch (OperationCanceledException)
                {
                    return ["cancelled", reports];
                }
            }

            public static GaussianMixture WithTokenOnly(double[] flat) => Trainer.Train(Rows(flat), cancellationToken: CancellationToken.None);
        }
        """;

    [Fact]
    public void Generated_overload_reports_progress_as_Fit_does()
    {
        GeneratorRun run = GeneratorHarness.Run([FieldsSource("double", 3), ProgressDriver]);
        double[] flat = TwoClusters(3, roundToFloat: false);
        var expected = new List<GmmProgress>();
        GaussianMixture oracle = new GaussianMixture(OracleOptions()).Fit(ToMatrix(flat, 3), new Recorder(expected.Add));

        object[] result = (object[])run.Invoke("Demo.Progressing", "Reports", flat)!;

        var reports = (GmmProgress[])result[0];
        AssertSameModel(oracle, (GaussianMixture)result[1]);
        Assert.Equal(expected.Count, reports.Length);
        for (int i = 0; i < reports.Length; i++)
        {
            Assert.Equal((expected[i].Initialization, expected[i].Iteration), (reports[i].Initialization, reports[i].Iteration));
            AssertClose(expected[i].LowerBound, reports[i].LowerBound);
        }

        AssertSameModel(oracle, (GaussianMixture)run.Invoke("Demo.Progressing", "WithTokenOnly", flat)!);
    }

    [Fact]
    public void Generated_overload_stops_when_cancelled()
    {
        GeneratorRun run = GeneratorHarness.Run([FieldsSource("double", 3), ProgressDriver]);

        object[] result = (object[])run.Invoke("Demo.Progressing", "CancelledAtFirstReport", TwoClusters(3, roundToFloat: false))!;

        Assert.Equal("cancelled", result[0]);
        Assert.Equal(1, result[1]);
    }

    private sealed class Recorder(Action<GmmProgress> report) : IProgress<GmmProgress>
    {
        public void Report(GmmProgress value) => report(value);
    }

    public static TheoryData<string, string, string, string> InvalidDeclarations => new()
    {
        { "Components = 2", "public static partial GaussianMixture Train(ReadOnlySpan<Mixed> rows);", "Train(new Mixed[4])", "SPEC202" },
        { "Components = 0", "public static partial GaussianMixture Train(ReadOnlySpan<Row> rows);", "Train(new Row[4])", "SPEC203" },
        { "Components = 2", "public static partial object Train(ReadOnlySpan<Row> rows);", "Train(new Row[4])", "SPEC204" },
        { "Components = 2", "public static partial GaussianMixture Train(ReadOnlySpan<Row> rows, ref int m);", "Train(new Row[4], ref Unused)", "SPEC204" },
        { "Components = 2", "public partial GaussianMixture Train(ReadOnlySpan<Row> rows);", "new Trainer().Train(new Row[4])", "SPEC201" },
    };

    /// <summary>
    /// A declaration the generator cannot implement still gets a body, which throws, and the generator reports why: a
    /// partial method without an implementation stops the command-line compiler before any analyzer runs, so the only
    /// error a build showed was CS8795. The analyzer then leaves the declaration to the generator: the problem is
    /// reported once, in the analyzer's words.
    /// </summary>
    [Theory]
    [MemberData(nameof(InvalidDeclarations))]
    public void Invalid_declaration_gets_a_stand_in_that_throws_and_its_problem_reported_once(string options, string declaration, string call, string id)
    {
        string Source(string members) => $$"""
            using System;
            using Specialize;
            using Specialize.Mixture;

            namespace Demo;

            public struct Row
            {
                public double X;
                public double Y;
            }

            public struct Mixed
            {
                public double X;
                public float Y;
            }

            public partial class Trainer
            {
                [GmmTrain({{options}})]
                {{members}}

                public static int Unused;

                public static object? Call() => {{call}};
            }
            """;

        // The harness fails on any compiler error: the stand-in leaves none.
        GeneratorRun run = GeneratorHarness.Run(Source(declaration));

        Diagnostic reported = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal(id, reported.Id);
        Diagnostic fromAnalyzer = Assert.Single(AnalyzerDiagnostics(References.Compile([Source(declaration + "\n" + declaration.TrimEnd(';') + " => throw null!;")])), d => d.Id.StartsWith("SPEC2", StringComparison.Ordinal));
        Assert.Equal(fromAnalyzer.GetMessage(), reported.GetMessage());
        Assert.Equal(fromAnalyzer.Location.GetLineSpan(), reported.Location.GetLineSpan());
        Assert.DoesNotContain(AnalyzerDiagnostics(run.Output), d => d.Id.StartsWith("SPEC2", StringComparison.Ordinal));

        var thrown = Assert.Throws<InvalidOperationException>(() => run.Invoke("Demo.Trainer", "Call"));
        Assert.Contains($"[GmmTrain] method 'Train': {id}: {reported.GetMessage()}", thrown.Message, StringComparison.Ordinal);
    }

    private static ImmutableArray<Diagnostic> AnalyzerDiagnostics(Compilation compilation) =>
        compilation.WithAnalyzers(AnalyzerHarness.Analyzers).GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();

    [Fact]
    public void Unrelated_edit_leaves_the_spec_cached()
    {
        string source = FieldsSource("double", 3);
        GeneratorRun run = GeneratorHarness.Run(source);
        Microsoft.CodeAnalysis.Compilation edited = References.Compile([source, "// an unrelated file\ninternal static class Elsewhere { }"], Microsoft.CodeAnalysis.OutputKind.DynamicallyLinkedLibrary);

        var result = run.Driver.RunGenerators(edited).GetRunResult();

        var steps = result.Results.SelectMany(r => r.TrackedSteps.TryGetValue(Specialize.Generator.Helpers.TrackingNames.GmmTrainMethods, out var s) ? s : []).ToList();
        Assert.NotEmpty(steps);
        Assert.All(steps.SelectMany(s => s.Outputs), output => Assert.True(
            output.Reason is Microsoft.CodeAnalysis.IncrementalStepRunReason.Cached or Microsoft.CodeAnalysis.IncrementalStepRunReason.Unchanged,
            $"step output was {output.Reason}"));
    }

    private static GaussianMixtureOptions OracleOptions(string? variant = null, string? device = null) => new()
    {
        Components = 2,
        CovarianceType = CovarianceType.Full,
        Seed = 7,
        Variant = variant,
        Device = device,
        TuningStore = new TuningStore(GeneratedCodeTuning.File),
    };

    /// <summary>The runtime's fit of the same rows: float rows, like the generated method's, compute in float32.</summary>
    private static GaussianMixture Oracle(double[] flat, int dimension, string element = "double")
    {
        if (element != "float")
        {
            return new GaussianMixture(OracleOptions()).Fit(ToMatrix(flat, dimension));
        }

        var single = new float[flat.Length / dimension, dimension];
        for (int i = 0; i < flat.Length; i++)
        {
            single[i / dimension, i % dimension] = (float)flat[i];
        }

        return new GaussianMixture(OracleOptions()).Fit(single);
    }

    private static double[,] ToMatrix(double[] flat, int dimension)
    {
        var x = new double[flat.Length / dimension, dimension];
        Buffer.BlockCopy(flat, 0, x, 0, flat.Length * sizeof(double));
        return x;
    }

    /// <summary>300 rows around two centres 10 apart, fixed seed; optionally rounded to float so both element types see the same values.</summary>
    private static double[] TwoClusters(int dimension, bool roundToFloat)
    {
        var random = new Random(12345);
        var flat = new double[300 * dimension];
        for (int n = 0; n < 300; n++)
        {
            double centre = n % 2 == 0 ? -5 : 5;
            for (int i = 0; i < dimension; i++)
            {
                double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
                double value = centre + (Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2) * (1 + (0.1 * i)));
                flat[(n * dimension) + i] = roundToFloat ? (float)value : value;
            }
        }

        return flat;
    }

    private static void AssertSameModel(GaussianMixture expected, GaussianMixture actual)
    {
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.Converged, actual.Converged);
        AssertClose(expected.LowerBound, actual.LowerBound);
        AssertClose(expected.Weights, actual.Weights);
        AssertClose(expected.Means.Cast<double>(), actual.Means.Cast<double>());
        AssertClose(expected.Covariances.Cast<double>(), actual.Covariances.Cast<double>());
        AssertClose(expected.PrecisionsCholesky.Cast<double>(), actual.PrecisionsCholesky.Cast<double>());
    }

    private static void AssertClose(System.Collections.Generic.IEnumerable<double> expected, System.Collections.Generic.IEnumerable<double> actual)
    {
        double[] e = expected.ToArray(), a = actual.ToArray();
        Assert.Equal(e.Length, a.Length);
        for (int i = 0; i < e.Length; i++)
        {
            AssertClose(e[i], a[i]);
        }
    }

    private static void AssertClose(double expected, double actual) =>
        Assert.True(Math.Abs(expected - actual) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"expected {expected:R}, actual {actual:R}");
}
