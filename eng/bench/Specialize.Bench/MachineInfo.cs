using System.Runtime;
using System.Runtime.InteropServices;

namespace Specialize.Bench;

/// <summary>The machine a table was measured on, in one line of Markdown.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        string gc = GCSettings.IsServerGC ? "server GC" : "workstation GC";
        string concurrent = GCSettings.LatencyMode == GCLatencyMode.Batch ? "non-concurrent" : "concurrent";
        return $"Machine: {Environment.ProcessorCount} cores ({CpuModel()}), {RuntimeInformation.OSDescription} "
            + $"{RuntimeInformation.OSArchitecture}, {RuntimeInformation.FrameworkDescription}, {gc} ({concurrent}), "
            + $"measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC.";
    }

    /// <summary>
    /// Other load on the machine now, in one line of Markdown (Linux; empty elsewhere): a table
    /// measured while other programs used the cores compares parallel code with less than the
    /// machine, and says so.
    /// </summary>
    public static string Load() =>
        Specialize.Demo.MachineLoad.Now().Describe() is { Length: > 0 } load ? $"Load when measured: {load}." : string.Empty;

    private static string CpuModel()
    {
        const string cpuInfo = "/proc/cpuinfo";
        if (File.Exists(cpuInfo))
        {
            foreach (string line in File.ReadLines(cpuInfo))
            {
                if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':') is int colon and > 0)
                {
                    return line[(colon + 1)..].Trim();
                }
            }
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }
}
