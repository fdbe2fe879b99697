using System.Reflection;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Blb;

/// <summary>
/// Every generated BLB kernel compiled offline to PTX for SM_90 (an H100 or H200), with no GPU present: ILGPU's CPU
/// accelerator runs kernels through System.Math and would hide a call the PTX backend cannot compile. The mean's
/// kernel is a PTX snapshot.
/// </summary>
public sealed class DeviceKernelPtxTests
{
    public static TheoryData<string> Lowered() => new() { "Mean", "Ratio", "Centroid", "Deconstructed", "Slope", "NormalEquations", "DeviceFeatures" };

    [Theory]
    [MemberData(nameof(Lowered))]
    public void Generated_kernel_compiles_to_ptx_for_sm_90(string estimator)
    {
        string ptx = Ptx.Compile(Kernel(estimator), explicitlyGrouped: false);

        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        Assert.Contains(".target sm_", ptx, StringComparison.Ordinal);
        Assert.Contains("\tld.b32", ptx, StringComparison.Ordinal); // the weights
        Assert.Contains("\tst.", ptx, StringComparison.Ordinal);    // the lanes' partial sums
    }

    /// <summary>The Math functions in the kitchen-sink estimator reached PTX as device code (software routines for double).</summary>
    [Fact]
    public void Math_functions_of_a_kernel_become_device_code()
    {
        string ptx = Ptx.Compile(Kernel("DeviceFeatures"), explicitlyGrouped: false);

        Assert.DoesNotContain("System.Math", ptx, StringComparison.Ordinal);
        Assert.Contains(".func", ptx, StringComparison.Ordinal); // the helpers and the math routines
    }

    /// <summary>The mean's kernel, numeric suffixes of generated names normalized: a reviewed diff when the generator or ILGPU changes it.</summary>
    [Fact]
    public void Mean_kernel_ptx_matches_the_snapshot()
    {
        string ptx = Ptx.Normalize(Ptx.Compile(Kernel("Mean"), explicitlyGrouped: false));
        Snapshot.VerifyFile(ptx, Path.Combine(SnapshotFolder(), "Mean.EstimateWeightedOnDevice.sm_90.verified.ptx"));
    }

    /// <summary>The generated kernel of estimator <paramref name="estimator"/>, from the assembly the device tests run.</summary>
    private static MethodInfo Kernel(string estimator)
    {
        Type type = DeviceRunTests.Lowered.Value.Assembly.GetType("Demo." + estimator, throwOnError: true)!;
        return type.GetMethod("EstimateWeightedOnDevice", BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new InvalidOperationException($"{estimator} has no generated kernel.");
    }

    private static string SnapshotFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
}
