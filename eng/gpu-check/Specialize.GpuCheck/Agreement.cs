using System.Globalization;
using System.Text;
using System.Text.Json;
using Specialize.Fixtures;
using Specialize.Mixture;

namespace Specialize.GpuCheck;

/// <summary>
/// The scikit-learn fixtures fitted on the device and on the processor from scikit-learn's initial parameters:
/// iterations, labels and the lower bound must agree (float64: 1e-12 relative to scikit-learn's, as the tests
/// require of the processor; float32: 1e-6), the parameters to 1e-6 (float32: 1e-4) of each array's largest entry.
/// </summary>
internal static class Agreement
{
    internal static string Run(CheckOptions options, ref int failures)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Agreement with the processor on the scikit-learn fixtures (device {options.Device})");
        text.AppendLine();
        text.AppendLine("| fixture | precision | device | iterations (device / processor / scikit-learn) | lower bound, relative to scikit-learn | largest parameter difference | labels | verdict |");
        text.AppendLine("|---|---|---|---|---:|---:|---|---|");
        foreach (string file in Directory.GetFiles(options.Fixtures, "*.json").Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            var x = JsonArrays.Matrix(root.GetProperty("X"));
            var p = root.GetProperty("params");
            var init = root.GetProperty("init");
            var expected = root.GetProperty("expected");
            var type = p.GetProperty("covariance_type").GetString() switch
            {
                "full" => CovarianceType.Full,
                "tied" => CovarianceType.Tied,
                "diag" => CovarianceType.Diagonal,
                _ => CovarianceType.Spherical,
            };
            GaussianMixtureOptions Make(string device, ComputePrecision precision) => new()
            {
                Components = p.GetProperty("n_components").GetInt32(),
                CovarianceType = type,
                Tolerance = p.GetProperty("tol").GetDouble(),
                Regularization = p.GetProperty("reg_covar").GetDouble(),
                MaxIterations = p.GetProperty("max_iter").GetInt32(),
                WeightsInit = JsonArrays.Vector(init.GetProperty("weights")),
                MeansInit = JsonArrays.Matrix(init.GetProperty("means")),
                PrecisionsInit = JsonArrays.AnyArray(init.GetProperty("precisions")),
                Device = device,
                Precision = precision,
            };

            var cpu = new GaussianMixture(Make("cpu", ComputePrecision.Double)).Fit(x);
            int sklearnIterations = expected.GetProperty("n_iter").GetInt32();
            double sklearnBound = expected.GetProperty("lower_bound").GetDouble();
            foreach (var (precision, boundTolerance, parameterTolerance) in new[] { (ComputePrecision.Double, 1e-12, 1e-6), (ComputePrecision.Single, 1e-6, 1e-4) })
            {
                var gpu = new GaussianMixture(Make(options.Device, precision)).Fit(x);
                double bound = Math.Abs(gpu.LowerBound - sklearnBound) / Math.Abs(sklearnBound);
                double parameters = Math.Max(Largest(cpu.Weights, gpu.Weights), Math.Max(Largest(Flat(cpu.Means), Flat(gpu.Means)), Largest(Flat(cpu.Covariances), Flat(gpu.Covariances))));
                bool labels = cpu.Predict(x).SequenceEqual(gpu.Predict(x));
                bool iterationsAgree = gpu.Iterations == cpu.Iterations && (precision == ComputePrecision.Single || gpu.Iterations == sklearnIterations);
                bool ok = iterationsAgree && labels && bound <= boundTolerance && parameters <= parameterTolerance && gpu.Device == DeviceOf(options.Device, gpu.Device);
                failures += ok ? 0 : 1;
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {Path.GetFileNameWithoutExtension(file)} | {gpu.ComputeType} | {gpu.Device} | {gpu.Iterations} / {cpu.Iterations} / {sklearnIterations} | {bound:E1} | {parameters:E1} | {(labels ? "same" : "**differ**")} | {(ok ? "agrees" : "**differs**")} |");
            }
        }

        text.AppendLine();
        return text.ToString();
    }

    /// <summary>The device a fit should report: the CUDA device it found, or the one named.</summary>
    private static string DeviceOf(string setting, string reported) => setting == "cuda" && reported.StartsWith("cuda:", StringComparison.Ordinal) ? reported : setting;

    private static double Largest(double[] expected, double[] actual)
    {
        double scale = Math.Max(expected.Max(Math.Abs), 1e-300), worst = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]) / scale);
        }

        return worst;
    }

    private static double[] Flat(Array a) => a.Cast<double>().ToArray();
}
