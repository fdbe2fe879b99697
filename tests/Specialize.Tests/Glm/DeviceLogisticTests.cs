using Specialize.Devices;
using Specialize.Glm;
using Specialize.Tests.Cluster;
using Specialize.Tests.Mixture.Ilgpu;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>
/// The fused pass (log-loss, gradient, curvatures) and the Hessian on an ILGPU device (its CPU accelerator here): the
/// same model, and over ranks the one-process fit there.
/// </summary>
[Collection(IlgpuCollection.Name)]
public class DeviceLogisticTests
{
    private const string Device = "ilgpu-cpu";

    private static LogisticRegression Fit(double[,] x, int[] y, string? device, double c = 1.0) =>
        new LogisticRegression(new LogisticRegressionOptions { C = c, Tolerance = 1e-8, Device = device }).Fit(x, y);

    [Fact]
    public void A_fit_on_a_device_matches_scikit_learn_and_the_processor()
    {
        var fixture = LogisticFixture.Load("synthetic-3000-12-s7-C1");
        LogisticRegression onDevice = Fit(fixture.X, fixture.Y, Device);
        LogisticRegression onProcessor = Fit(fixture.X, fixture.Y, null);
        Assert.Equal(Device, onDevice.Device);
        Assert.Equal("cpu", onProcessor.Device);
        Assert.True(onDevice.Converged);
        Assert.Equal(onProcessor.Iterations, onDevice.Iterations);
        ScikitLearnLogisticTests.AssertCoefficients(fixture, onDevice);
        double[] a = [.. onDevice.Coefficients, onDevice.Intercept], b = [.. onProcessor.Coefficients, onProcessor.Intercept];
        for (int i = 0; i < a.Length; i++)
        {
            Assert.True(Math.Abs(a[i] - b[i]) <= 1e-12 * b.Max(Math.Abs), $"coefficient {i}: {a[i]:R} on the device vs {b[i]:R}");
        }
    }

    [Fact]
    public void The_fused_pass_runs_on_the_device_and_matches_the_processor()
    {
        var fixture = LogisticFixture.Load("synthetic-3000-12-s7-C1");
        double[,] x = fixture.X;
        int columns = x.GetLength(1) + 1;
        double[] w = Enumerable.Range(0, columns).Select(i => 0.15 * ((i % 5) - 2)).ToArray();
        using var device = LogisticBlocks.Create(x, fixture.Y, Device, CancellationToken.None);
        using var processor = LogisticBlocks.Create(x, fixture.Y, null, CancellationToken.None);
        Assert.Equal(Device, device.Device.Id);

        var (deviceLoss, deviceGradient) = device.Evaluate(w);
        var (loss, gradient) = processor.Evaluate(w);
        double[] deviceHessian = device.Hessian(), hessian = processor.Hessian();

        Assert.True(DeviceRuntime.HasKernel(device.Device, "glm.logistic.rows", typeof(double)), "the fused pass did not run on the device");
        Assert.True(Math.Abs(deviceLoss - loss) <= 1e-12 * Math.Abs(loss), $"loss {deviceLoss:R} on the device vs {loss:R}");
        AssertClose(gradient, deviceGradient, "gradient");
        AssertClose(hessian, deviceHessian, "Hessian");
    }

    [Fact]
    public void A_fit_over_ranks_on_a_device_is_the_one_process_fit_there_bit_for_bit()
    {
        // 20,000 rows: three pieces, so that each of the two ranks holds its own on the device.
        var fixture = LogisticFixture.Load("synthetic-8000-6-s11-C10");
        double[,] few = fixture.X;
        int rows = 20_000, d = few.GetLength(1);
        var x = new double[rows, d];
        var y = new int[rows];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < d; i++)
            {
                x[r, i] = few[r % few.GetLength(0), i] * (1 + (0.01 * (r / few.GetLength(0))));
            }

            y[r] = fixture.Y[r % few.GetLength(0)];
        }

        LogisticRegression alone = Fit(x, y, Device, 10);
        var outcomes = ThreadWorld.Run(2, rank => Fit(x, y, Device, 10));
        foreach (var outcome in outcomes)
        {
            Assert.Equal(Device, outcome.Result.Device);
            Assert.Equal(alone.Iterations, outcome.Result.Iterations);
            Assert.Equal(alone.Coefficients.Select(BitConverter.DoubleToInt64Bits), outcome.Result.Coefficients.Select(BitConverter.DoubleToInt64Bits));
            Assert.Equal(BitConverter.DoubleToInt64Bits(alone.Intercept), BitConverter.DoubleToInt64Bits(outcome.Result.Intercept));
        }
    }

    private static void AssertClose(double[] expected, double[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Max(Math.Abs);
        Assert.True(scale > 0, $"the {what} is zero");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-12 * scale, $"{what} {i}: {actual[i]:R} on the device vs {expected[i]:R}");
        }
    }

    [Fact]
    public void Cuda_without_a_gpu_computes_on_the_processor()
    {
        var fixture = LogisticFixture.Load("breast_cancer-standardized-C1");
        string expected = DeviceRuntime.Devices.FirstOrDefault(static c => c.Kind == DeviceKind.Cuda)?.Id ?? "cpu";
        Assert.Equal(expected, Fit(fixture.X, fixture.Y, "cuda").Device);
    }

    [Fact]
    public void An_unknown_device_is_refused_naming_the_option()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegressionOptions { Device = "gpu" });
        Assert.Equal("Device", e.ParamName);
    }
}
