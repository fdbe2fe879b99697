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
    internal static void Covariance(GmmKernelInput input, IlgpuCovarianceVariant variant) => Covariance(input, variant, null);

    internal static void Covariance(GmmKernelInput input, FixedCovariance kernels) => Covariance(input, IlgpuCovarianceVariant.Fixed, kernels);

    internal static void Mahalanobis(GmmKernelInput input) => Mahalanobis(input, null);

    internal static void Mahalanobis(GmmKernelInput input, FixedMahalanobis? kernels)
    {
        if (input.DeviceState is { } state)
        {
            state.Mahalanobis(input.MeanArray, input.PrecisionArray, kernels);
            return;
        }

        using var temporary = GmmDeviceState.Create(StandaloneDevice(), input.Data, input.Components, singlePrecision: false);
        temporary.Mahalanobis(input.MeanArray, input.PrecisionArray, kernels);
        temporary.DownloadDistances(input.OutputArray);
    }

    private static void Covariance(GmmKernelInput input, IlgpuCovarianceVariant variant, FixedCovariance? kernels)
    {
        if (input.DeviceState is { } state)
        {
            state.Covariance(variant, input.MeanArray, input.WeightArray, input.OutputArray, kernels);
            return;
        }

        using var temporary = GmmDeviceState.Create(StandaloneDevice(), input.Data, input.Components, singlePrecision: false);
        temporary.UploadResponsibilities(input.ResponsibilityArray);
        temporary.Covariance(variant, input.MeanArray, input.WeightArray, input.OutputArray, kernels);
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
