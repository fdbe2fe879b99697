namespace Specialize.Devices;

/// <summary>What runs a kernel variant.</summary>
public enum DeviceKind
{
    /// <summary>The processor, through the C# SIMD kernels (<c>SPECIALIZE_DEVICE=cpu</c>).</summary>
    Cpu,

    /// <summary>
    /// ILGPU's CPU accelerator running the GPU kernels on the processor (<c>SPECIALIZE_DEVICE=ilgpu-cpu</c>):
    /// slow, for tests and for checking the GPU code on a machine without a GPU. Never chosen unless asked for.
    /// </summary>
    IlgpuCpu,

    /// <summary>An NVIDIA GPU through ILGPU's CUDA backend (<c>SPECIALIZE_DEVICE=cuda</c>); needs only the driver.</summary>
    Cuda,
}
