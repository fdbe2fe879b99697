using Specialize.Devices;

namespace Specialize.Mixture;

/// <summary>
/// The GPU variants as <see cref="GmmKernel"/>s: inside an EM fit on an ILGPU device they work on the fit's
/// device buffers (<see cref="GmmKernelInput.DeviceState"/>); called on their own, with host arrays only, they
/// upload the input to the ILGPU device the environment allows (the first CUDA device, or ILGPU's CPU
/// accelerator), run, and copy the result back.
/// </summary>
internal static class IlgpuVariants
{
    internal static void Covariance(GmmKernelInput input, IlgpuCovarianceVariant variant)
    {
        if (input.DeviceState is { } state)
        {
            state.Covariance(variant, input.MeanArray, input.WeightArray, input.OutputArray);
            return;
        }

        using var temporary = GmmDeviceState.Create(StandaloneDevice(), input.Data, input.Components, singlePrecision: false);
        temporary.UploadResponsibilities(input.ResponsibilityArray);
        temporary.Covariance(variant, input.MeanArray, input.WeightArray, input.OutputArray);
    }

    internal static void Mahalanobis(GmmKernelInput input)
    {
        if (input.DeviceState is { } state)
        {
            state.Mahalanobis(input.MeanArray, input.PrecisionArray);
            return;
        }

        using var temporary = GmmDeviceState.Create(StandaloneDevice(), input.Data, input.Components, singlePrecision: false);
        temporary.Mahalanobis(input.MeanArray, input.PrecisionArray);
        temporary.DownloadDistances(input.OutputArray);
    }

    /// <summary>The first CUDA device <see cref="DeviceRuntime.Variable"/> allows, otherwise ILGPU's CPU accelerator.</summary>
    private static ComputeDevice StandaloneDevice()
    {
        foreach (var device in DeviceRuntime.Candidates())
        {
            if (device.Kind == DeviceKind.Cuda)
            {
                return device;
            }
        }

        return DeviceRuntime.IlgpuCpu;
    }
}
