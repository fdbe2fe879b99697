using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Specialize.GpuCheck;

/// <summary>
/// The BLB rows: the mean of n values and least squares over n observations with d = 10, each with the same
/// subsamples s, bootstraps r and subsample size b = ceil(n^0.7) on the device, on this machine's processor (all
/// its cores) and in PyTorch on the same GPU (a bootstrap's weights from <c>torch.multinomial</c>, n draws with
/// replacement among the subsample's b rows). The device and the processor draw the same weights from the same
/// streams: their standard errors agree to the rounding of the sums' order; PyTorch's differ by the randomness of
/// its draws only.
/// </summary>
internal static class BlbCheck
{
    private const double Gamma = 0.7;
    private const int Seed = 17;

    internal static string Run(CheckOptions options)
    {
        string work = Path.Combine(Path.GetTempPath(), "specialize-gpu-check-blb-" + Environment.ProcessId);
        Directory.CreateDirectory(work);
        var text = new StringBuilder();
        int s = options.BlbSubsamples, r = options.BlbBootstraps;
        text.AppendLine(CultureInfo.InvariantCulture, $"### Bag of Little Bootstraps: s = {s} subsamples of b = ceil(n^{Gamma}) rows, r = {r} bootstraps each, the same on every row");
        text.AppendLine();
        text.AppendLine("| problem | implementation | where | seconds per run | against the processor | standard error (coordinate 0) | relative to the processor's |");
        text.AppendLine("|---|---|---|---:|---:|---:|---:|");
        var notes = new List<string>();
        try
        {
            Mean(options, work, text, notes);
            LeastSquares(options, work, text, notes);
        }
        finally
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A temporary folder left behind is harmless.
            }
        }

        text.AppendLine();
        foreach (string note in notes)
        {
            text.AppendLine(note).AppendLine();
        }

        return text.ToString();
    }

    private static BlbOptions Options(CheckOptions options, string device) =>
        new() { Subsamples = options.BlbSubsamples, Bootstraps = options.BlbBootstraps, Gamma = Gamma, Seed = Seed, Device = device };

    private static void Mean(CheckOptions options, string work, StringBuilder text, List<string> notes)
    {
        int n = options.BlbMeanN;
        var values = new double[n];
        var random = new Random(5);
        for (int i = 0; i < n; i++)
        {
            values[i] = 3.0 + (2.0 * Normal(random));
        }

        Problems.WriteRaw(Path.Combine(work, "mean.bin"), values);
        var rows = new List<Row>();
        foreach (string device in new[] { options.Device, "cpu" })
        {
            BlbMean.Run(values, Options(options, device)); // compiles the kernels
            var watch = Stopwatch.StartNew();
            BlbResult result = BlbMean.Run(values, Options(options, device));
            rows.Add(new Row("Specialize", result.Device, watch.Elapsed.TotalSeconds, result.StandardError));
            Console.WriteLine($"blb mean: {result.Device}: {watch.Elapsed.TotalSeconds:F3} s, standard error {result.StandardError:R}");
        }

        rows.AddRange(Torch(options, work, "mean", n, notes));
        Write(text, $"mean, n = {n:N0}", rows, options.Device, notes);
    }

    private static void LeastSquares(CheckOptions options, string work, StringBuilder text, List<string> notes)
    {
        int n = options.BlbLeastSquaresN;
        const int d = BlbLeastSquares.D;
        var observations = new Observation10[n];
        var raw = new double[n * (d + 1)];
        var random = new Random(6);
        var x = new double[d];
        for (int i = 0; i < n; i++)
        {
            double y = Normal(random);
            for (int k = 0; k < d; k++)
            {
                x[k] = Normal(random);
                y += (k + 1) * 0.25 * x[k];
            }

            observations[i] = new Observation10(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8], x[9], y);
            x.CopyTo(raw, i * (d + 1));
            raw[(i * (d + 1)) + d] = y;
        }

        Problems.WriteRaw(Path.Combine(work, "ls.bin"), raw);
        var rows = new List<Row>();
        foreach (string device in new[] { options.Device, "cpu" })
        {
            BlbLeastSquares.Run(observations, Options(options, device));
            var watch = Stopwatch.StartNew();
            BlbVectorResult result = BlbLeastSquares.Run(observations, Options(options, device));
            rows.Add(new Row("Specialize", result.Device, watch.Elapsed.TotalSeconds, result.StandardError[0]));
            Console.WriteLine($"blb least squares: {result.Device}: {watch.Elapsed.TotalSeconds:F3} s, standard error[0] {result.StandardError[0]:R}");
        }

        rows.AddRange(Torch(options, work, "ls", n, notes));
        Write(text, $"least squares, n = {n:N0}, d = {d}", rows, options.Device, notes);
    }

    private static void Write(StringBuilder text, string problem, List<Row> rows, string device, List<string> notes)
    {
        Row processor = rows.First(static r => r.Name == "Specialize" && r.Where == "cpu");
        foreach (Row row in rows)
        {
            double relative = Math.Abs(row.StandardError - processor.StandardError) / processor.StandardError;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {problem} | {row.Name} | {row.Where} | {row.Seconds:F3} | {processor.Seconds / row.Seconds:F1}x | {row.StandardError:G6} | {relative:E1} |");
        }

        Row? ours = rows.Where(r => r.Name == "Specialize" && r.Where == device).Select(static r => (Row?)r).FirstOrDefault();
        if (ours is not { } onDevice)
        {
            notes.Add($"**{problem}: the bootstraps did not run on {device}** (the estimator's GPU form is missing or the device was not found).");
            return;
        }

        Row? torch = rows.Where(static r => r.Name.StartsWith("PyTorch", StringComparison.Ordinal)).Select(static r => (Row?)r).FirstOrDefault();
        double speedup = processor.Seconds / onDevice.Seconds;
        string againstTorch = torch is { } t ? $"{Verdict(onDevice.Seconds < t.Seconds)} ({t.Seconds / onDevice.Seconds:F1}x)" : "not measured";
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"{problem}: targets (issue 13, H200): at least 10x the processor: {Verdict(speedup >= 10)} ({speedup:F1}x); faster than the PyTorch bootstrap: {againstTorch}."));
    }

    /// <summary>Runs <c>torch_blb.py</c> on the written problem; it prints <c>RESULT name where seconds standard-error</c>.</summary>
    private static IEnumerable<Row> Torch(CheckOptions options, string work, string problem, int n, List<string> notes)
    {
        var (output, note) = Peers.Run(options, "torch_blb.py", work, problem, n.ToString(CultureInfo.InvariantCulture), options.BlbSubsamples.ToString(CultureInfo.InvariantCulture), options.BlbBootstraps.ToString(CultureInfo.InvariantCulture), Gamma.ToString("R", CultureInfo.InvariantCulture));
        if (note.Length > 0)
        {
            notes.Add($"torch_blb.py ({problem}): {note}");
        }

        return Peers.Results(output, 5).Select(static f => new Row(f[1].Replace('_', ' '), f[2], double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture))).ToList();
    }

    private static string Verdict(bool met) => met ? "met" : "**missed**";

    private static double Normal(Random random)
    {
        double u = 1.0 - random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * random.NextDouble());
    }

    private readonly record struct Row(string Name, string Where, double Seconds, double StandardError);
}
