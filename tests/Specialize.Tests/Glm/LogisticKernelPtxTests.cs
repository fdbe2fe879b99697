using System.Reflection;
using Specialize.Glm;
using Specialize.Mixture;
using Specialize.Testing;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>The fused pass's GPU kernels compiled offline to PTX for SM_90 (an H100 or H200) in double, with no GPU present.</summary>
public sealed class LogisticKernelPtxTests
{
    [Theory]
    [InlineData(nameof(IlgpuLogisticKernels.Rows))]
    [InlineData(nameof(IlgpuLogisticKernels.BlockSums))]
    public void Kernel_compiles_to_ptx_for_sm_90(string kernel)
    {
        var method = typeof(IlgpuLogisticKernels).GetMethod(kernel, BindingFlags.Static | BindingFlags.NonPublic)!
            .MakeGenericMethod(typeof(double), typeof(DeviceFloat64));
        Assert.True(Ptx.IsImplicitlyGrouped(method));
        string ptx = Ptx.Compile(method, explicitlyGrouped: false);
        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        Assert.Contains(".target sm_", ptx, StringComparison.Ordinal);
        Assert.Contains(".f64", ptx, StringComparison.Ordinal);
    }
}
