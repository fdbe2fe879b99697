using System.Globalization;

namespace Specialize.GpuCheck;

/// <summary>The command line: where to write, what device, which sizes.</summary>
internal sealed record CheckOptions(
    string Output,
    string Fixtures,
    string Scripts,
    string Device,
    int[] GridD,
    int[] GridM,
    int[] GridN,
    int HeadlineN,
    int Iterations,
    double BudgetSeconds,
    double CapMilliseconds,
    string Python,
    int BlbMeanN,
    int BlbLeastSquaresN,
    int BlbSubsamples,
    int BlbBootstraps)
{
    internal static CheckOptions Parse(string[] args)
    {
        string here = AppContext.BaseDirectory;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.", nameof(args));
            }

            values[args[i][2..]] = args[++i];
        }

        string Get(string name, string fallback) => values.TryGetValue(name, out string? v) ? v : fallback;
        int[] Ints(string name, string fallback) => Get(name, fallback).Split(',', StringSplitOptions.RemoveEmptyEntries).Select(static s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        return new CheckOptions(
            Get("out", Path.Combine(Directory.GetCurrentDirectory(), "gpu-check-out")),
            Get("fixtures", Path.Combine(here, "fixtures")),
            Get("scripts", Path.Combine(here, "scripts")),
            Get("device", Environment.GetEnvironmentVariable(DeviceRuntimeVariable) is { Length: > 0 } d ? d : "cuda"),
            Ints("grid-d", "2,8,19,36"),
            Ints("grid-m", "1,5,16,64,128"),
            Ints("grid-n", "10000,150000,1000000"),
            int.Parse(Get("headline-n", "150000"), CultureInfo.InvariantCulture),
            int.Parse(Get("iterations", "20"), CultureInfo.InvariantCulture),
            double.Parse(Get("budget", "420"), CultureInfo.InvariantCulture),
            double.Parse(Get("cap-ms", "2000"), CultureInfo.InvariantCulture),
            Get("python", "python3"),
            int.Parse(Get("blb-mean-n", "10000000"), CultureInfo.InvariantCulture),
            int.Parse(Get("blb-ls-n", "1000000"), CultureInfo.InvariantCulture),
            int.Parse(Get("blb-subsamples", "25"), CultureInfo.InvariantCulture),
            int.Parse(Get("blb-bootstraps", "100"), CultureInfo.InvariantCulture));
    }

    private const string DeviceRuntimeVariable = Specialize.Devices.DeviceRuntime.Variable;
}
