using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using Specialize.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Specialize.Tests.Mpi;

/// <summary>
/// samples/Specialize.Glm alone and under <c>mpiexec.mpich -n 2</c>: logistic regression from a CSV file with its rows
/// sharded over the ranks gives every rank the coefficients of the program run alone, and those are scikit-learn's.
/// </summary>
public class GlmTests(ITestOutputHelper output)
{
    private static readonly TemporaryFolder s_folder = TemporaryFolder.ForProcess("cluster-glm");

    private static string Assembly
    {
        get
        {
            string configuration = typeof(GlmTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
            return RepositoryPaths.Combine("samples", "Specialize.Glm", "bin", configuration, "net10.0", "Specialize.Glm.dll");
        }
    }

    private DemoRun Run(int ranks, string arguments)
    {
        var variables = new Dictionary<string, string> { ["SPECIALIZE_TUNING_FILE"] = s_folder.Combine("tuning.json"), ["SPECIALIZE_CLUSTER_TIMEOUT"] = "60", ["TERM"] = "dumb" };
        long start = Stopwatch.GetTimestamp();
        ProcessResult result = ranks == 1
            ? ProcessRunner.Run("dotnet", $"\"{Assembly}\" {arguments}", RepositoryPaths.Root, TimeSpan.FromMinutes(3), variables)
            : ProcessRunner.Run(ClusterDemo.Require(ClusterDemo.Mpich), $"-n {ranks} dotnet \"{Assembly}\" {arguments}", RepositoryPaths.Root, TimeSpan.FromMinutes(3), variables);
        var run = new DemoRun(result.ExitCode, result.Output, Stopwatch.GetElapsedTime(start));
        output.WriteLine($"{ranks} ranks, {arguments}: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:F1} s\n{run.Output}");
        Assert.Equal(0, run.ExitCode);
        return run;
    }

    /// <summary>The intercept and the coefficients rank 0 printed, the intercept last (scikit-learn's order of <c>coef_</c>, then <c>intercept_</c>).</summary>
    private static double[] Coefficients(DemoRun run)
    {
        string[] lines = run.Output.Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        double intercept = double.Parse(lines.Single(l => l.StartsWith("glm intercept: ", StringComparison.Ordinal))["glm intercept: ".Length..], CultureInfo.InvariantCulture);
        double[] coefficients = lines.Single(l => l.StartsWith("glm coefficients: ", StringComparison.Ordinal))["glm coefficients: ".Length..]
            .Split(' ').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        return [.. coefficients, intercept];
    }

    private static void AssertClose(double[] expected, double[] actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double largest = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * largest, $"coefficient {i}: {actual[i]:R} vs {expected[i]:R}");
        }
    }

    private static void AssertEveryRankAgrees(DemoRun run, int ranks)
    {
        Assert.Equal(Enumerable.Range(0, ranks), run.Digests.Keys);
        Assert.Single(run.Digests.Values.Distinct());
    }

    /// <summary>Writes the rows and labels of a scikit-learn fixture as CSV (features, then the label) and returns the file and the fixture's coefficients.</summary>
    private static (string File, double[] Expected) FixtureCsv(string name)
    {
        string json = RepositoryPaths.Combine("tests", "Specialize.Tests", "Glm", "Fixtures", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(json));
        JsonElement root = doc.RootElement;
        int[] y = root.GetProperty("y").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var lines = root.GetProperty("X").EnumerateArray().Select((row, r) =>
            string.Join(",", row.EnumerateArray().Select(v => v.GetDouble().ToString("R", CultureInfo.InvariantCulture))) + "," + y[r]);
        string file = s_folder.Combine(name + ".csv");
        File.WriteAllLines(file, lines);
        JsonElement expected = root.GetProperty("expected");
        double[] coefficients = [.. expected.GetProperty("coef").EnumerateArray().Select(e => e.GetDouble()), expected.GetProperty("intercept").GetDouble()];
        return (file, coefficients);
    }

    [Theory]
    [InlineData("breast_cancer-standardized-C1", 1.0)]
    [InlineData("synthetic-8000-6-s11-C10", 10.0)]
    public void A_fit_from_a_csv_file_over_two_ranks_is_the_one_process_fit_and_scikit_learns(string fixture, double c)
    {
        (string file, double[] expected) = FixtureCsv(fixture);
        string arguments = $"\"{file}\" --C {c.ToString(CultureInfo.InvariantCulture)} --tol 1e-8";
        DemoRun alone = Run(1, arguments);
        DemoRun launched = Run(2, arguments);
        Assert.Contains("features, 2 ranks", launched.Output);
        AssertEveryRankAgrees(launched, 2);
        AssertClose(Coefficients(alone), Coefficients(launched), 1e-12);
        AssertClose(expected, Coefficients(alone), 1e-6);
        AssertClose(expected, Coefficients(launched), 1e-6);
    }

    [Fact]
    public void Rows_sharded_over_two_ranks_give_the_one_process_coefficients_bit_for_bit()
    {
        // 40,000 rows are five pieces: rank 0 computes two, rank 1 three.
        const string arguments = "synthetic --rows 40000 --dim 8 --seed 5 --C 0.5";
        DemoRun alone = Run(1, arguments);
        DemoRun launched = Run(2, arguments);
        AssertEveryRankAgrees(launched, 2);
        Assert.Equal(alone.Digests[0], launched.Digests[0]);
        Assert.Equal(Coefficients(alone), Coefficients(launched));
    }

    [Fact]
    public void With_the_passes_on_a_device_two_ranks_give_the_one_process_fit_there_bit_for_bit()
    {
        // ILGPU's CPU accelerator stands in for a GPU: 20,000 rows are three pieces, each rank's on its device.
        const string arguments = "synthetic --rows 20000 --dim 6 --seed 5 --device ilgpu-cpu";
        DemoRun alone = Run(1, arguments);
        DemoRun launched = Run(2, arguments);
        Assert.Contains("glm ran its passes over the rows on ilgpu-cpu", alone.Output);
        Assert.Contains("glm ran its passes over the rows on ilgpu-cpu", launched.Output);
        AssertEveryRankAgrees(launched, 2);
        Assert.Equal(Coefficients(alone), Coefficients(launched));
    }

    [Fact]
    public void The_sample_assesses_the_coefficients_with_blb()
    {
        DemoRun run = Run(1, "--standardize --blb");
        string[] blb = run.Output.Split('\n').Where(l => l.StartsWith("blb ", StringComparison.Ordinal)).ToArray();
        Assert.Equal(31, blb.Length);
        double[] fitted = Coefficients(run);
        for (int i = 0; i < blb.Length; i++)
        {
            var m = System.Text.RegularExpressions.Regex.Match(blb[i], @"estimate (\S+), standard error (\S+), interval \[(\S+), (\S+)\]");
            double estimate = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), se = double.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            double lower = double.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture), upper = double.Parse(m.Groups[4].Value, CultureInfo.InvariantCulture);

            // BLB's estimate is the estimator on all rows: the library's fit, to the estimator's own stopping rule.
            Assert.True(Math.Abs(estimate - fitted[i]) <= 1e-8, $"{blb[i]} vs the fit's {fitted[i]:R}");
            Assert.True(se > 0 && lower < estimate && estimate < upper, blb[i]);
        }
    }
}
