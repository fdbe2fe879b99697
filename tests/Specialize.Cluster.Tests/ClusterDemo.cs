using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Specialize.Testing;

namespace Specialize.Tests.Mpi;

/// <summary>What one run of the cluster demo printed, how it ended and how long it took.</summary>
internal sealed record DemoRun(int ExitCode, string Output, TimeSpan Elapsed)
{
    /// <summary>The lines rank 0 printed about results (everything but the per-rank digests), in order.</summary>
    public string[] Results => Output.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => Regex.IsMatch(l, @"^(cluster|gmm|blb|map)")).ToArray();

    /// <summary>Each rank's digest of everything it computed, by rank.</summary>
    public SortedDictionary<int, string> Digests => new(Regex.Matches(Output, @"^rank (\d+): digest ([0-9a-f]{16})", RegexOptions.Multiline)
        .ToDictionary(m => int.Parse(m.Groups[1].Value), m => m.Groups[2].Value));

    public string Line(string prefix) => Results.Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
}

/// <summary>Runs samples/Specialize.ClusterDemo alone or under a launcher.</summary>
internal static class ClusterDemo
{
    public const string Mpich = "mpiexec.mpich";
    public const string OpenMpi = "mpiexec.openmpi";

    private static readonly TemporaryFolder s_folder = TemporaryFolder.ForProcess("cluster-demo");

    /// <summary>The demo's entry assembly, built in the tests' configuration.</summary>
    public static string Assembly
    {
        get
        {
            string configuration = typeof(ClusterDemo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "Configuration").Value!;
            return RepositoryPaths.Combine("samples", "Specialize.ClusterDemo", "bin", configuration, "net10.0", "Specialize.ClusterDemo.dll");
        }
    }

    /// <summary>The launcher's full path, or <see langword="null"/> when it is not installed.</summary>
    public static string? Find(string launcher) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Select(dir => Path.Combine(dir, launcher))
            .FirstOrDefault(File.Exists);

    /// <summary>The launcher's path; fails the test with what to install when MPICH is missing.</summary>
    public static string Require(string launcher) => Find(launcher) ?? throw new InvalidOperationException(
        $"{launcher} is not installed, so the MPI tests cannot run. Install MPICH (Debian: apt-get install mpich); eng/test.sh installs it when it runs as root.");

    public static DemoRun Alone(string arguments, IDictionary<string, string>? environment = null) => Run("dotnet", $"\"{Assembly}\" {arguments}", environment);

    public static DemoRun Launched(string launcher, int ranks, string arguments)
    {
        string path = Require(launcher);
        string flags = launcher == OpenMpi ? "--allow-run-as-root --oversubscribe " : string.Empty;
        return Run(path, $"{flags}-n {ranks} dotnet \"{Assembly}\" {arguments}", new Dictionary<string, string> { ["TERM"] = "dumb" });
    }

    private static DemoRun Run(string fileName, string arguments, IDictionary<string, string>? environment)
    {
        var variables = new Dictionary<string, string>
        {
            // The tests' own tuning file, and a bound on any wait that should never happen.
            ["SPECIALIZE_TUNING_FILE"] = s_folder.Combine("tuning.json"),
            ["SPECIALIZE_CLUSTER_TIMEOUT"] = "60",
        };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            variables[key] = value;
        }

        long start = Stopwatch.GetTimestamp();
        ProcessResult result = ProcessRunner.Run(fileName, arguments, RepositoryPaths.Root, TimeSpan.FromMinutes(3), variables);
        return new DemoRun(result.ExitCode, result.Output, Stopwatch.GetElapsedTime(start));
    }
}
