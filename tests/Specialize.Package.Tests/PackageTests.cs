using System.Text.RegularExpressions;
using Specialize.Testing;
using Specialize.Tests;
using Xunit;

namespace Specialize.Package.Tests;

/// <summary>
/// The package seen from the outside: packed, restored from a folder into a fresh console project
/// that sets no Specialize-specific MSBuild property, built and run. Each of the three parts of the
/// package is asserted separately, so removing any one of them fails a test here:
/// the analyzer folder (SPEC001 in the build output), the generator (its files and its effect),
/// build/Specialize.props (interceptors compile only when it names the namespace), and the runtime
/// (the program references it and runs).
/// </summary>
public sealed class PackageTests : IClassFixture<PackageFixture>
{
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(5);
    private readonly PackageFixture package;

    public PackageTests(PackageFixture package)
    {
        this.package = package;
    }

    private const string Kernels = """
        using System;
        using Specialize;

        namespace Consumer;

        public static partial class Kernels
        {
            [Pure]
            public static double[] Scale(double[] x, double alpha, double beta)
            {
                var y = new double[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = (alpha * x[i]) + beta;
                }

                return y;
            }

            [Pure]
            public static double[] Add(double[] a, double[] b)
            {
                var sum = new double[a.Length];
                for (int i = 0; i < a.Length; i++)
                {
                    sum[i] = a[i] + b[i];
                }

                return sum;
            }

            public static double[] Combine(double[] a)
            {
                var b = Scale(a, 1.0, 0.5);
                var c = Scale(a, 1.0, 3.4);
                return Add(b, c);
            }
        }
        """;

    private const string Program = """
        using System;
        using Specialize.Futures;

        double[] result = Consumer.Kernels.Combine(new[] { 1.0, 2.0, 3.0 });
        Console.WriteLine("result=" + string.Join(",", result));
        Console.WriteLine("futures=" + (FutureRuntime.Spawned + FutureRuntime.Inlined));
        """;

    // [GmmTrain] through the package: two clusters of 2-D points, far apart.
    private const string Mixture = """
        using System;
        using Specialize;
        using Specialize.Mixture;

        namespace Consumer;

        public struct Point2
        {
            public double X;
            public double Y;
        }

        public static partial class Clusters
        {
            [GmmTrain(Components = 2, Seed = 1)]
            public static partial GaussianMixture Train(ReadOnlySpan<Point2> points);

            public static string Run()
            {
                var points = new Point2[200];
                for (int i = 0; i < points.Length; i++)
                {
                    double offset = i % 2 == 0 ? -10 : 10;
                    points[i] = new Point2 { X = offset + ((i % 7) * 0.1), Y = offset - ((i % 5) * 0.1) };
                }

                GaussianMixture model = Train(points);
                double[,] means = model.Means;
                double low = Math.Min(means[0, 0], means[1, 0]);
                double high = Math.Max(means[0, 0], means[1, 0]);
                return $"gmm={model.Weights.Length},{Math.Round(low)},{Math.Round(high)}";
            }
        }
        """;

    // Line 7 of this file assigns a static field from a [Pure] method.
    private const string BadPure = """
        namespace Consumer;

        public static class Counter
        {
            private static int total;

            [Specialize.Pure] public static int Add(int x) { total += x; return x; }
        }
        """;

    [Fact]
    public void Package_has_runtime_analyzers_generator_and_props_in_place()
    {
        Assert.Contains("lib/net10.0/Specialize.dll", package.Entries);
        Assert.Contains("lib/net10.0/Specialize.xml", package.Entries);
        Assert.Contains("analyzers/dotnet/cs/Specialize.Generator.dll", package.Entries);
        Assert.Contains("analyzers/dotnet/cs/Specialize.Analyzers.dll", package.Entries);
        Assert.Contains("analyzers/dotnet/cs/Specialize.CodeFixes.dll", package.Entries);
        Assert.Contains("analyzers/dotnet/cs/Specialize.Analysis.dll", package.Entries);
        Assert.Contains("build/Specialize.props", package.Entries);
        Assert.Contains("buildTransitive/Specialize.props", package.Entries);

        // The compiler-side assemblies ship as files, never as package dependencies of the consumer.
        Assert.DoesNotContain("Microsoft.CodeAnalysis", package.Nuspec, StringComparison.Ordinal);
        Assert.DoesNotContain("Specialize.Generator\"", package.Nuspec, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyzers_load_and_report_SPEC001_at_the_write()
    {
        string folder = CreateConsumer("analyzers", ("Kernels.cs", Kernels), ("Program.cs", Program), ("Counter.cs", BadPure));

        ProcessResult build = Build(folder);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(new Regex(@"Counter\.cs\(7,54\): error SPEC001: \[Pure\] method 'Add' writes static field 'Counter\.total'"), build.Output);
    }

    // A [GmmTrain] option out of range (line 15) and a BLB estimator that reads its data by position (line 22).
    private const string BadDeclarations = """
        using System;
        using Specialize;
        using Specialize.Mixture;

        namespace Consumer;

        public struct Point2
        {
            public double X;
            public double Y;
        }

        public static partial class Clusters
        {
            [GmmTrain(Components = 0)]
            public static partial GaussianMixture Train(ReadOnlySpan<Point2> points);
        }

        [BlbEstimator]
        public static partial class First
        {
            public static double Estimate(ReadOnlySpan<double> values) => values[0];
        }

        public static class Use
        {
            public static double Both(Point2[] points, double[] values) => Clusters.Train(points).LowerBound + First.Run(values).Estimate;
        }
        """;

    /// <summary>
    /// The command-line compiler runs no analyzer once the declarations have an error: a [GmmTrain] method left without
    /// an implementation (CS8795) hid its SPEC203, which the IDE showed. The generator stands in for the implementation
    /// and reports SPEC203 itself. A bad estimator gets no Run, which is an error in a method body, after which
    /// analyzers still run: its SPEC101 is shown beside it.
    /// </summary>
    [Fact]
    public void Bad_declarations_show_their_SPEC_errors_in_a_command_line_build()
    {
        string folder = CreateConsumer("bad-declarations", ("Program.cs", "Console.WriteLine(0);\n"), ("Bad.cs", BadDeclarations));

        ProcessResult build = Build(folder);

        Assert.NotEqual(0, build.ExitCode);
        Assert.Matches(new Regex(@"Bad\.cs\(15,15\): error SPEC203: \[GmmTrain\] method 'Train' sets Components = 0; it must be at least 1"), build.Output);
        Assert.DoesNotContain("CS8795", build.Output, StringComparison.Ordinal);
        Assert.Matches(new Regex(@"Bad\.cs\(22,67\): error SPEC101: 'values\[0\]' reads subsampled data 'values' by position"), build.Output);
    }

    [Fact]
    public void Generator_runs_and_interceptors_route_calls_without_any_msbuild_edit()
    {
        string folder = CreateConsumer("direct", ("Kernels.cs", Kernels), ("Program.cs", Program + "Console.WriteLine(Consumer.Clusters.Run());\n"), ("Clusters.cs", Mixture));

        // EmitCompilerGeneratedFiles only writes the generated sources to disk so the test can see them.
        Build(folder, "-p:EmitCompilerGeneratedFiles=true").EnsureSuccess("dotnet build of the consumer");
        ProcessResult run = ProcessRunner.Run("dotnet", "run --no-build -c Release", folder, BuildTimeout).EnsureSuccess("dotnet run of the consumer");

        string[] generated = Directory.GetFiles(Path.Combine(folder, "obj"), "*.g.cs", SearchOption.AllDirectories)
            .Where(f => f.Contains("Specialize.Generator", StringComparison.Ordinal))
            .Select(Path.GetFileName).ToArray()!;
        Assert.Contains("Consumer.Kernels.Combine_double__.Parallel.g.cs", generated);
        Assert.Contains("Specialize.FutureInterceptors.g.cs", generated);

        // Combine(x) = (x + 0.5) + (x + 3.4) = 2x + 3.9. The program called Kernels.Combine; only the
        // intercepted twin goes through the futures runtime, once, for the first of the two pure calls
        // (the last call of a run has nothing left to overlap with: the twin makes it as a plain call).
        Assert.Contains("result=5.9,7.9,9.9", run.Output, StringComparison.Ordinal);
        Assert.Contains("futures=1", run.Output, StringComparison.Ordinal);

        // [GmmTrain]: the generated trainer found the two clusters, centred near -10 and +10.
        Assert.Contains(generated, name => name!.Contains("Clusters.Train", StringComparison.Ordinal));
        Assert.Contains("gmm=2,-10,10", run.Output, StringComparison.Ordinal);
    }

    // Two BLB estimators as a program writes them: a mean, and a least-squares slope over a struct of fields.
    private const string Estimators = """
        using System;
        using Specialize;

        namespace Consumer;

        public struct Point
        {
            public double X;
            public double Y;
        }

        [BlbEstimator]
        public static partial class Mean
        {
            public static double Estimate(ReadOnlySpan<double> values)
            {
                double sum = 0;
                foreach (double v in values)
                {
                    sum += v;
                }

                return sum / values.Length;
            }
        }

        [BlbEstimator]
        public static partial class Slope
        {
            public static double Estimate(ReadOnlySpan<Point> points)
            {
                double sx = 0, sy = 0, sxx = 0, sxy = 0;
                foreach (var p in points)
                {
                    sx += p.X;
                    sy += p.Y;
                    sxx += p.X * p.X;
                    sxy += p.X * p.Y;
                }

                double n = points.Length;
                return ((n * sxy) - (sx * sy)) / ((n * sxx) - (sx * sx));
            }
        }
        """;

    private const string EstimatorProgram = """
        using System.Globalization;
        using Specialize;

        var random = new Random(3);
        var values = new double[20_000];
        var points = new Consumer.Point[20_000];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = random.NextDouble() * 4;
            points[i] = new Consumer.Point { X = i * 0.001, Y = (1.5 * i * 0.001) + random.NextDouble() };
        }

        BlbResult mean = Consumer.Mean.Run(values, new BlbOptions { Seed = 1 });
        BlbResult slope = Consumer.Slope.Run(points, new BlbOptions { Seed = 1 });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mean={mean.StandardError:R};{mean.Device}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"slope={slope.StandardError:R};{slope.Device}"));
        """;

    /// <summary>
    /// A program's BLB estimators run their bootstraps where <c>SPECIALIZE_DEVICE</c> says: on ILGPU's CPU accelerator
    /// (the GPU kernels, run on the processor) with the same standard errors as on the processor, and the result names
    /// the device.
    /// </summary>
    [Fact]
    public void Blb_estimators_run_where_SPECIALIZE_DEVICE_says_with_the_processors_standard_errors()
    {
        string folder = CreateConsumer("blb-devices", ("Estimators.cs", Estimators), ("Program.cs", EstimatorProgram));
        Build(folder).EnsureSuccess("dotnet build of the consumer");

        Dictionary<string, (double StandardError, string Device)> Run(string device)
        {
            ProcessResult run = ProcessRunner.Run("dotnet", "run --no-build -c Release", folder, BuildTimeout, new Dictionary<string, string> { ["SPECIALIZE_DEVICE"] = device })
                .EnsureSuccess("dotnet run of the consumer on " + device);
            return Regex.Matches(run.Output, @"^(\w+)=([^;]+);(\S+)$", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups[1].Value, m => (double.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), m.Groups[3].Value));
        }

        var onDevice = Run("ilgpu-cpu");
        var onProcessor = Run("cpu");

        foreach (string estimator in new[] { "mean", "slope" })
        {
            Assert.Equal("ilgpu-cpu", onDevice[estimator].Device);
            Assert.Equal("cpu", onProcessor[estimator].Device);
            double expected = onProcessor[estimator].StandardError;
            Assert.True(Math.Abs(onDevice[estimator].StandardError - expected) <= 1e-12 * expected, $"{estimator}: {onDevice[estimator].StandardError:R} on the device, {expected:R} on the processor");
        }
    }

    [Fact]
    public void A_project_that_gets_the_package_transitively_is_specialized_too()
    {
        string folder = package.NewConsumerFolder("transitive");
        string library = Path.Combine(folder, "Library");
        string app = Path.Combine(folder, "App");
        Directory.CreateDirectory(library);
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(library, "Library.csproj"), ProjectFile("Library", isExe: false, $"""<PackageReference Include="Specialize" Version="{package.Version}" />"""));
        File.WriteAllText(Path.Combine(library, "Placeholder.cs"), "namespace Library; public static class Marker { }\n");
        File.WriteAllText(Path.Combine(app, "App.csproj"), ProjectFile("App", isExe: true, """<ProjectReference Include="../Library/Library.csproj" />"""));
        File.WriteAllText(Path.Combine(app, "Kernels.cs"), Kernels);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);

        Build(app).EnsureSuccess("dotnet build of the transitive consumer");
        ProcessResult run = ProcessRunner.Run("dotnet", "run --no-build -c Release", app, BuildTimeout).EnsureSuccess("dotnet run of the transitive consumer");

        Assert.Contains("futures=1", run.Output, StringComparison.Ordinal);
    }

    /// <summary>
    /// eng/pack.sh, the README's install step: each build gets a version no earlier one had (NuGet's global cache never
    /// looks again at a version it holds, so a rebuilt 0.1.0 was silently ignored), the package folder goes into a
    /// nuget.config beside the project rather than the user's, and the project references the new version.
    /// </summary>
    [Fact]
    public void Pack_script_gives_each_build_a_new_version_and_the_project_its_own_nuget_config()
    {
        using var temporary = new TemporaryFolder("pack-script");
        string app = Path.Combine(temporary.Path, "App");
        string packages = Path.Combine(temporary.Path, "packages");
        Directory.CreateDirectory(app);
        File.WriteAllText(Path.Combine(app, "App.csproj"), ProjectFile("App", isExe: true, string.Empty));
        File.WriteAllText(Path.Combine(app, "Kernels.cs"), Kernels);
        File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
        var environment = new Dictionary<string, string> { ["SPECIALIZE_PACKAGE_OUTPUT"] = packages };
        string script = RepositoryPaths.Combine("eng", "pack.sh");
        var versions = new List<string>();
        try
        {
            foreach (int _ in new[] { 1, 2 })
            {
                ProcessResult pack = ProcessRunner.Run("bash", $"\"{script}\" \"{Path.Combine(app, "App.csproj")}\"", app, BuildTimeout, environment)
                    .EnsureSuccess("eng/pack.sh");
                Match reference = Regex.Match(File.ReadAllText(Path.Combine(app, "App.csproj")), @"<PackageReference Include=""Specialize"" Version=""([^""]+)"" />");
                Assert.True(reference.Success, "App.csproj has no PackageReference to Specialize");
                versions.Add(reference.Groups[1].Value);
                Assert.Contains(versions[^1], pack.Output, StringComparison.Ordinal);
            }

            Assert.All(versions, static v => Assert.Matches(new Regex(@"^\d+\.\d+\.\d+-local\.\d{14}$"), v));
            Assert.NotEqual(versions[0], versions[1]);
            string config = File.ReadAllText(Path.Combine(app, "nuget.config"));
            Assert.Single(Regex.Matches(config, "key=\"specialize-local\""));
            Assert.Contains($"value=\"{packages}\"", config, StringComparison.Ordinal);

            Build(app).EnsureSuccess("dotnet build of the project the script set up");
            ProcessResult run = ProcessRunner.Run("dotnet", "run --no-build -c Release", app, BuildTimeout).EnsureSuccess("dotnet run of the project the script set up");
            Assert.Contains("futures=1", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            foreach (string version in versions)
            {
                PackageFixture.RemoveFromGlobalCache(version);
            }
        }
    }

    private string CreateConsumer(string name, params (string File, string Text)[] files)
    {
        string folder = package.NewConsumerFolder(name);
        File.WriteAllText(Path.Combine(folder, "Consumer.csproj"), ProjectFile("Consumer", isExe: true, $"""<PackageReference Include="Specialize" Version="{package.Version}" />"""));
        foreach ((string file, string text) in files)
        {
            File.WriteAllText(Path.Combine(folder, file), text);
        }

        return folder;
    }

    // An ordinary console or library project, as 'dotnet new' makes it; nothing about Specialize.
    private static string ProjectFile(string name, bool isExe, string reference) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            {(isExe ? "<OutputType>Exe</OutputType>" : string.Empty)}
            <Nullable>enable</Nullable>
            <ImplicitUsings>enable</ImplicitUsings>
            <AssemblyName>{name}</AssemblyName>
            <NoWarn>$(NoWarn);NU1603</NoWarn>
          </PropertyGroup>
          <ItemGroup>
            {reference}
          </ItemGroup>
        </Project>
        """;

    private static ProcessResult Build(string folder, string extra = "") =>
        ProcessRunner.Run("dotnet", $"build -c Release -nologo {extra}", folder, BuildTimeout);
}
