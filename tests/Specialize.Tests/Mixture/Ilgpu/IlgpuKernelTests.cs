using Specialize.Devices;
using Specialize.Mixture;
using Specialize.Tests.Variants;
using Xunit;

namespace Specialize.Tests.Mixture.Ilgpu;

/// <summary>
/// Every GPU variant on ILGPU's CPU accelerator against the slow, obvious implementation (small problems: the
/// accelerator simulates groups with threads). On this machine the standalone variants run there, as no CUDA
/// device is allowed in tests.
/// </summary>
[Collection(IlgpuCollection.Name)]
public sealed class IlgpuKernelTests
{
    public static TheoryData<string, int, int, int> Cases() =>
        GmmKernelVariantTests.CasesOf(static n => n.StartsWith("ILGPU-", StringComparison.Ordinal), [(130, 3, 2), (70, 1, 3), (200, 7, 2), (90, 19, 2)]);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gpu_variant_matches_the_reference_on_the_cpu_accelerator(string variant, int n, int d, int m) =>
        GmmKernelVariantTests.MatchesTheReference(variant, n, d, m, 0);

    [Fact]
    public void Every_gpu_variant_of_both_kernels_is_registered_for_ilgpu_devices_only()
    {
        string[] covariance = ["ILGPU-V1", "ILGPU-V2", "ILGPU-V3", "ILGPU-V4-B32", "ILGPU-V4-B128", "ILGPU-Tiled-Shared"];
        var gpuKey = new Specialize.Variants.VariantKey("cuda:0", GmmKernels.CovarianceKernelName, "float32", 19, 16, 1 << 18);
        var cpuKey = gpuKey with { Device = "cpu" };
        Assert.Equal(covariance, GmmKernels.Covariance.GetCandidates(gpuKey).Select(static c => c.Key).Where(static n => n.StartsWith("ILGPU-", StringComparison.Ordinal)));
        Assert.Equal(covariance, GmmKernels.Covariance.GetCandidates(gpuKey with { Device = "ilgpu-cpu" }).Select(static c => c.Key));
        Assert.DoesNotContain(GmmKernels.Covariance.GetCandidates(cpuKey), static c => c.Key.StartsWith("ILGPU-", StringComparison.Ordinal));
        Assert.Equal(["ILGPU-Rowwise"], GmmKernels.Mahalanobis.GetCandidates(gpuKey with { Kernel = GmmKernels.MahalanobisKernelName }).Select(static c => c.Key));
    }

    [Fact]
    public void Tiled_shared_is_no_candidate_where_its_tiles_overflow_shared_memory()
    {
        var key = new Specialize.Variants.VariantKey("cuda:0", GmmKernels.CovarianceKernelName, "float64", 36, 4, 1024);
        Assert.Contains(GmmKernels.Covariance.GetCandidates(key), static c => c.Key == "ILGPU-Tiled-Shared");
        Assert.DoesNotContain(GmmKernels.Covariance.GetCandidates(key with { Dimension = 48 }), static c => c.Key == "ILGPU-Tiled-Shared");
    }

    /// <summary>float32 kernels: distances and covariances within float32 rounding of the double reference.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Single_precision_kernels_match_the_double_reference_within_float_rounding(int variantIndex)
    {
        const int n = 150, d = 5, m = 3, B = GmmData.BlockSize;
        var random = new Random(7);
        var rows = new double[n * d];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = random.NextDouble() * 4 - 2 + (i % d);
        }

        var data = GmmData.FromRows(rows, d);
        var resp = new double[data.BlockCount * m * B];
        var nk = new double[m];
        for (int r = 0; r < n; r++)
        {
            for (int k = 0; k < m; k++)
            {
                double w = (r + k) % m == 0 ? 0.5 : 0.25;
                resp[((r / B) * m + k) * B + r % B] = w;
                nk[k] += w;
            }
        }

        var means = new double[m * d];
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = (i % d) + 0.1 * (i / d);
        }

        var expected = new double[m * d * d];
        var actual = new double[m * d * d];
        GmmKernels.Covariance.TryGet("V1", out var reference);
        reference(new GmmKernelInput(data, m, resp, means, nk, new double[m * d * d], expected));
        using (var state = GmmDeviceState.Create(DeviceRuntime.IlgpuCpu, data, m, singlePrecision: true))
        {
            Assert.Equal("float32", state.DataType);
            state.UploadResponsibilities(resp);
            state.Covariance((IlgpuCovarianceVariant)variantIndex, means, nk, actual);
        }

        for (int c = 0; c < expected.Length; c++)
        {
            Assert.True(Math.Abs(expected[c] - actual[c]) <= 1e-5 * Math.Max(1, Math.Abs(expected[c])), $"cell {c}: {actual[c]:R} vs {expected[c]:R}");
        }
    }
}
