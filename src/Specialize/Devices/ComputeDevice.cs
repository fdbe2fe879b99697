using System;

namespace Specialize.Devices;

/// <summary>A device kernel variants can run on, as <see cref="DeviceRuntime"/> found it.</summary>
public sealed class ComputeDevice
{
    internal ComputeDevice(string id, DeviceKind kind, string name, string? computeCapability, long memoryBytes, int index)
    {
        Id = id;
        Kind = kind;
        Name = name;
        ComputeCapability = computeCapability;
        MemoryBytes = memoryBytes;
        Index = index;
    }

    /// <summary>
    /// The device's name in variant keys, the tuning store and <c>GaussianMixture.Device</c>: <c>"cpu"</c>,
    /// <c>"ilgpu-cpu"</c>, or <c>"cuda:N"</c> for the N-th CUDA device.
    /// </summary>
    public string Id { get; }

    /// <summary>What kind of device this is.</summary>
    public DeviceKind Kind { get; }

    /// <summary>The name the driver or the runtime gives it, for example <c>"NVIDIA H200"</c>.</summary>
    public string Name { get; }

    /// <summary>The CUDA compute capability (for example <c>"9.0"</c>); <see langword="null"/> for other devices.</summary>
    public string? ComputeCapability { get; }

    /// <summary>The device's memory in bytes; 0 when it shares the host's.</summary>
    public long MemoryBytes { get; }

    /// <summary>Whether kernels run through ILGPU (its CPU accelerator or CUDA) rather than as C#.</summary>
    public bool IsIlgpu => Kind != DeviceKind.Cpu;

    internal int Index { get; }

    /// <summary>The id, the name and, for a GPU, its compute capability and memory.</summary>
    public override string ToString() => Kind switch
    {
        DeviceKind.Cuda => $"{Id} ({Name}, compute capability {ComputeCapability}, {MemoryBytes / (1024.0 * 1024 * 1024):F1} GiB)",
        _ => $"{Id} ({Name})",
    };

    internal static string CpuName()
    {
        string name = Environment.ProcessorCount + " cores";
        return System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture + ", " + name;
    }
}
