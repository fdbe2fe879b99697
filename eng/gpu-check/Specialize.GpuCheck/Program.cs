using System.Diagnostics;
using System.Globalization;
using System.Text;
using Specialize.Devices;
using Specialize.GpuCheck;

// The GPU check: on a machine with a CUDA device (or, to rehearse, ILGPU's CPU accelerator), in one run:
// agreement of the device with the processor on the scikit-learn fixtures, the headline problem in float32 and
// float64 beside scikit-learn on this machine's processor and a PyTorch EM on the same GPU, the BLB rows (the mean
// and least squares on the device, on the processor and in PyTorch on the same GPU), and the covariance variant grid
// with the selected variant. Writes gpu-check.md (for docs/benchmarks.md) into the output folder.
CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var options = CheckOptions.Parse(args);
Directory.CreateDirectory(options.Output);
var started = Stopwatch.StartNew();
var report = new StringBuilder();
report.AppendLine("## GPU check (`eng/gpu-check`)");
report.AppendLine();
report.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `eng/gpu-check/gpu-check.sh publish` here, then `eng/gpu-check/gpu-check.sh run OUT` on the GPU machine. Measured {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
report.AppendLine();
report.AppendLine("Devices found:");
report.AppendLine();
foreach (var device in DeviceRuntime.Devices)
{
    report.AppendLine(CultureInfo.InvariantCulture, $"- {device}");
}

if (DeviceRuntime.CudaUnavailableReason is { } reason)
{
    report.AppendLine(CultureInfo.InvariantCulture, $"- no CUDA device: {reason}");
}

report.AppendLine();
Console.Write(report);
bool deviceMissing = options.Device == "cuda" && !DeviceRuntime.Devices.Any(static d => d.Kind == DeviceKind.Cuda);
if (deviceMissing)
{
    report.AppendLine("**No CUDA device was found: nothing below ran on a GPU.**");
    report.AppendLine();
}

int failures = 0;
void Section(string title, Func<string> run)
{
    Console.WriteLine($"== {title} ({started.Elapsed.TotalSeconds:F0} s)");
    try
    {
        string text = run();
        report.Append(text);
        Console.Write(text);
    }
    catch (Exception ex)
    {
        failures++;
        report.AppendLine(CultureInfo.InvariantCulture, $"### {title}: failed").AppendLine().AppendLine("```").AppendLine(ex.ToString()).AppendLine("```").AppendLine();
        Console.Error.WriteLine(ex);
    }

    File.WriteAllText(Path.Combine(options.Output, "gpu-check.md"), report.ToString());
}

Section("agreement", () => Agreement.Run(options, ref failures));
Section("headline", () => Headline.Run(options));
Section("blb", () => BlbCheck.Run(options));
Section("grid", () => Grid.Run(options, started));
report.AppendLine(CultureInfo.InvariantCulture, $"The check took {started.Elapsed.TotalSeconds:F0} s.");
File.WriteAllText(Path.Combine(options.Output, "gpu-check.md"), report.ToString());
Console.WriteLine($"gpu-check: wrote {Path.Combine(options.Output, "gpu-check.md")} in {started.Elapsed.TotalSeconds:F0} s; {failures} failure(s).");
return failures == 0 && !deviceMissing ? 0 : 1;
