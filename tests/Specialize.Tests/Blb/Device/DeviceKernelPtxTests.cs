using System.Reflection;
using Specialize.Blb;
using Specialize.Testing;
using Xunit;

namespace Specialize.Tests.Blb.Device;

/// <summary>The runtime's BLB kernels (the weights' draws, the sum of the lanes) compiled offline to PTX for SM_90, with no GPU present.</summary>
public sealed class DeviceKernelPtxTests
{
    public static TheoryData<string, string> Kernels() => new()
    {
        { nameof(BlbDeviceKernels.PoissonCounts), string.Empty },
        { nameof(BlbDeviceKernels.UniformUnits), string.Empty },
        { nameof(BlbDeviceKernels.ReduceLanes), "double" },
        { nameof(BlbDeviceKernels.ReduceLanes), "long" },
        { "DeviceMean.Kernel", string.Empty },
    };

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Runtime_kernel_compiles_to_ptx_for_sm_90(string kernel, string element)
    {
        MethodInfo method = kernel == "DeviceMean.Kernel"
            ? typeof(DeviceMean).GetMethod(nameof(DeviceMean.Kernel))!
            : typeof(BlbDeviceKernels).GetMethod(kernel, BindingFlags.Static | BindingFlags.NonPublic)!;
        if (method.IsGenericMethodDefinition)
        {
            method = method.MakeGenericMethod(element == "long" ? typeof(long) : typeof(double));
        }

        string ptx = Ptx.Compile(method, explicitlyGrouped: false);

        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        if (kernel is nameof(BlbDeviceKernels.PoissonCounts) or nameof(BlbDeviceKernels.UniformUnits))
        {
            Assert.Contains("red.add.u", ptx, StringComparison.Ordinal); // the totals and the units' cells, atomically
            Assert.Contains("mul.lo.s64", ptx, StringComparison.Ordinal); // the stream's 64-bit mixing
        }
    }
}
