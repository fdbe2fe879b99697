using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;

namespace Specialize.Devices;

/// <summary>
/// The devices kernel variants run on: the processor always (C# kernels), ILGPU's CPU accelerator, and the
/// CUDA devices ILGPU finds. One long-lived ILGPU context (with the algorithms library, which maps the math
/// functions onto each backend) and one accelerator per device are created on first use and kept; each kernel is
/// compiled once per (kernel, element type, device) and kept. A machine without a GPU or without the CUDA
/// driver simply has no CUDA devices: nothing fails, the C# kernels run. Thread-safe.
/// </summary>
public static class DeviceRuntime
{
    /// <summary>
    /// Environment variable restricting the devices: <c>cpu</c> (the C# kernels only), <c>ilgpu-cpu</c> (the GPU
    /// kernels on ILGPU's CPU accelerator: slow, for tests), <c>cuda</c> (CUDA devices; the processor when there
    /// is none). Unset or empty, the processor and every CUDA device compete.
    /// </summary>
    public const string Variable = "SPECIALIZE_DEVICE";

    /// <summary>Group size of the ILGPU CPU accelerator (4 threads per warp, 4 warps): small, as its barriers are costly.</summary>
    private const int CpuAcceleratorWarp = 4;

    private static readonly object Gate = new();
    private static readonly Dictionary<string, Accelerator> Accelerators = [];
    private static readonly Dictionary<(object Kernel, Type Element, string Device), Delegate> Kernels = [];
    private static readonly Dictionary<string, object> Locks = [];
    private static Context? context;
    private static IReadOnlyList<ComputeDevice>? discovered;
    private static bool resolverSet;

    /// <summary>The processor, running the C# kernels.</summary>
    public static ComputeDevice Cpu { get; } = new("cpu", DeviceKind.Cpu, ComputeDevice.CpuName(), null, 0, 0);

    /// <summary>ILGPU's CPU accelerator, running the GPU kernels on the processor.</summary>
    public static ComputeDevice IlgpuCpu { get; } = new("ilgpu-cpu", DeviceKind.IlgpuCpu, "ILGPU CPU accelerator", null, 0, 0);

    /// <summary>Every device found: <see cref="Cpu"/>, <see cref="IlgpuCpu"/> and the CUDA devices, discovered once.</summary>
    public static IReadOnlyList<ComputeDevice> Devices
    {
        get
        {
            lock (Gate)
            {
                return discovered ??= Discover();
            }
        }
    }

    /// <summary>Why no CUDA device was found (no driver, no GPU), when discovery failed; <see langword="null"/> otherwise.</summary>
    public static string? CudaUnavailableReason { get; private set; }

    /// <summary>
    /// The devices that compete for a problem under <see cref="Variable"/>: one device when it names one, the
    /// processor when it asks for CUDA and there is none, and otherwise the processor and every CUDA device
    /// (ILGPU's CPU accelerator only when asked for by name).
    /// </summary>
    /// <returns>The devices, the processor first when it is among them.</returns>
    /// <exception cref="ArgumentException"><see cref="Variable"/> holds something else.</exception>
    public static IReadOnlyList<ComputeDevice> Candidates() => Candidates(Environment.GetEnvironmentVariable(Variable));

    /// <summary>The devices that compete for a problem when <see cref="Variable"/> is <paramref name="setting"/>.</summary>
    /// <param name="setting"><c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda</c>, or <see langword="null"/> or empty for all.</param>
    /// <returns>The devices, the processor first when it is among them.</returns>
    /// <exception cref="ArgumentException"><paramref name="setting"/> is none of those.</exception>
    public static IReadOnlyList<ComputeDevice> Candidates(string? setting)
    {
        string value = setting?.Trim().ToLowerInvariant() ?? string.Empty;
        var cuda = new List<ComputeDevice>();
        if (value is "" or "cuda")
        {
            foreach (var device in Devices)
            {
                if (device.Kind == DeviceKind.Cuda)
                {
                    cuda.Add(device);
                }
            }
        }

        switch (value)
        {
            case "":
                cuda.Insert(0, Cpu);
                return cuda;
            case "cpu":
                return [Cpu];
            case "ilgpu-cpu":
                return [IlgpuCpu];
            case "cuda":
                return cuda.Count > 0 ? cuda : [Cpu];
            default:
                throw new ArgumentException(
                    $"Unknown device '{setting}' (from {Variable}); expected cpu, ilgpu-cpu or cuda, or nothing for every device.", Variable);
        }
    }

    /// <summary>A device setting of an options object (<c>Device</c>): <c>cpu</c>, <c>ilgpu-cpu</c>, <c>cuda</c> or <see langword="null"/>.</summary>
    /// <param name="value">The setting.</param>
    /// <param name="paramName">The property, named by the exception.</param>
    /// <returns><paramref name="value"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="value"/> is none of those.</exception>
    internal static string? CheckSetting(string? value, string paramName) => value is null or "cpu" or "ilgpu-cpu" or "cuda"
        ? value
        : throw new ArgumentException($"Unknown device '{value}'; expected cpu, ilgpu-cpu or cuda, or null.", paramName);

    /// <summary>The ILGPU accelerator of <paramref name="device"/>, created on first use and kept.</summary>
    internal static Accelerator GetAccelerator(ComputeDevice device)
    {
        if (!device.IsIlgpu)
        {
            throw new ArgumentException($"Device {device.Id} runs C# kernels, not ILGPU ones.", nameof(device));
        }

        lock (Gate)
        {
            if (!Accelerators.TryGetValue(device.Id, out var accelerator))
            {
                var ctx = GetContext();
                accelerator = device.Kind == DeviceKind.Cuda
                    ? ctx.GetCudaDevice(device.Index).CreateAccelerator(ctx)
                    : ctx.GetCPUDevice(0).CreateAccelerator(ctx);
                Accelerators[device.Id] = accelerator;
            }

            return accelerator;
        }
    }

    /// <summary>
    /// Takes <paramref name="device"/> for the calling thread until the returned scope is disposed, and binds its
    /// accelerator to the thread: an accelerator's launches and copies go through one stream, which two threads
    /// must not use at once (fits on different threads take turns on a device), and a CUDA context is current
    /// per thread. Re-entrant.
    /// </summary>
    internal static DeviceScope Use(ComputeDevice device)
    {
        var accelerator = GetAccelerator(device);
        object gate;
        lock (Gate)
        {
            if (!Locks.TryGetValue(device.Id, out gate!))
            {
                gate = new object();
                Locks[device.Id] = gate;
            }
        }

        Monitor.Enter(gate);
        accelerator.Bind();
        return new DeviceScope(gate);
    }

    /// <summary>A device taken by <see cref="Use"/>; disposing it lets other threads use the device.</summary>
    internal readonly struct DeviceScope(object gate) : IDisposable
    {
        public void Dispose() => Monitor.Exit(gate);
    }

    /// <summary>The threads per group kernels on <paramref name="accelerator"/> use: 256 on a GPU, the CPU accelerator's small groups there.</summary>
    internal static int GroupSize(Accelerator accelerator) => Math.Min(256, accelerator.MaxNumThreadsPerGroup);

    /// <summary>Whether kernel <paramref name="name"/> for <paramref name="element"/> was compiled for <paramref name="device"/> (for tests).</summary>
    internal static bool HasKernel(ComputeDevice device, object name, Type element)
    {
        lock (Gate)
        {
            return Kernels.ContainsKey((name, element, device.Id));
        }
    }

    /// <summary>
    /// The kernel <paramref name="name"/> (a name, or the kernel method itself for kernels from other assemblies,
    /// so that two assemblies' kernels of one name stay apart) for element type <paramref name="element"/> on
    /// <paramref name="device"/>, compiled by <paramref name="load"/> on first use and kept (a first compile takes up
    /// to a second or two).
    /// </summary>
    internal static TKernel GetKernel<TKernel>(ComputeDevice device, object name, Type element, Func<Accelerator, TKernel> load)
        where TKernel : Delegate
    {
        var accelerator = GetAccelerator(device);
        var key = (name, element, device.Id);
        lock (Gate)
        {
            if (Kernels.TryGetValue(key, out var kernel))
            {
                return (TKernel)kernel;
            }
        }

        // Compiled outside the lock; a second thread compiling the same kernel at the same time keeps the first one stored.
        var loaded = load(accelerator);
        lock (Gate)
        {
            if (Kernels.TryGetValue(key, out var kernel))
            {
                return (TKernel)kernel;
            }

            Kernels[key] = loaded;
            return loaded;
        }
    }

    /// <summary>The one ILGPU context: CPU accelerator, CUDA, and the algorithms library.</summary>
    private static Context GetContext()
    {
        lock (Gate)
        {
            if (context is null)
            {
                SetCudaResolver();
                context = Context.Create(builder => builder
                    .CPU(new CPUDevice(CpuAcceleratorWarp, CpuAcceleratorWarp, 1))
                    .Cuda()
                    .EnableAlgorithms());
                AppDomain.CurrentDomain.ProcessExit += static (_, _) => DisposeAll();
            }

            return context;
        }
    }

    private static void DisposeAll()
    {
        lock (Gate)
        {
            foreach (var accelerator in Accelerators.Values)
            {
                accelerator.Dispose();
            }

            Accelerators.Clear();
            Kernels.Clear();
            context?.Dispose();
            context = null;
        }
    }

    private static IReadOnlyList<ComputeDevice> Discover()
    {
        var devices = new List<ComputeDevice> { Cpu, IlgpuCpu };
        try
        {
            var ctx = GetContext();
            var cuda = ctx.GetCudaDevices();
            for (int i = 0; i < cuda.Count; i++)
            {
                var device = cuda[i];
                string capability = device.Architecture is { } arch ? $"{arch.Major}.{arch.Minor}" : "unknown";
                devices.Add(new ComputeDevice("cuda:" + i, DeviceKind.Cuda, device.Name, capability, device.MemorySize, i));
            }

            if (cuda.Count == 0)
            {
                CudaUnavailableReason = "no CUDA device was found";
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException
                                       or InvalidOperationException or NotSupportedException or ILGPU.Runtime.AcceleratorException)
        {
            // No driver, or a driver ILGPU cannot use: the processor is all there is.
            CudaUnavailableReason = ex.Message;
        }

        return devices;
    }

    /// <summary>
    /// ILGPU imports the CUDA driver as "cuda", which the loader looks for as libcuda.so; a machine with only the
    /// driver installed has libcuda.so.1. Map the name to whichever exists.
    /// </summary>
    private static void SetCudaResolver()
    {
        if (resolverSet)
        {
            return;
        }

        resolverSet = true;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(Context).Assembly, static (name, assembly, path) =>
            {
                if (name is "cuda" or "nvcuda" && OperatingSystem.IsLinux())
                {
                    foreach (string candidate in new[] { "libcuda.so.1", "libcuda.so" })
                    {
                        if (NativeLibrary.TryLoad(candidate, assembly, path, out nint handle))
                        {
                            return handle;
                        }
                    }
                }

                return nint.Zero;
            });
        }
        catch (InvalidOperationException)
        {
            // A resolver is already set for ILGPU's assembly (by the application): it knows best.
        }
    }
}
