using System;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using Specialize.Devices;

namespace Specialize.Mixture;

/// <summary>
/// The data that stays on each ILGPU device between fits: one <see cref="GmmData"/> per device, in the blocked
/// layout and the element type the kernels compute in. A fit on the same <see cref="GmmData"/> (a search over
/// the number of components, BIC model selection) finds it there; the first fit on other data, in another
/// element type, or one that runs out of device memory, flushes it. Held weakly: data nobody uses any more is
/// flushed by the next upload.
/// </summary>
internal static class ResidentData
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Slot> Slots = [];

    /// <summary>How many times data was uploaded to a device (for tests of residency).</summary>
    internal static int Uploads { get; private set; }

    /// <summary>
    /// The rows of <paramref name="data"/> on <paramref name="device"/> as <typeparamref name="T"/>, uploaded unless
    /// resident. The caller holds the device (<see cref="DeviceRuntime.Use"/>) while it uses the view: only a thread
    /// holding the device flushes it.
    /// </summary>
    internal static ArrayView<T> Get<T>(ComputeDevice device, Accelerator accelerator, GmmData data, Func<double, T> convert)
        where T : unmanaged
    {
        lock (Gate)
        {
            if (Slots.TryGetValue(device.Id, out var slot))
            {
                if (slot.Element == typeof(T) && slot.Data.TryGetTarget(out var held) && ReferenceEquals(held, data))
                {
                    return ((MemoryBuffer1D<T, Stride1D.Dense>)slot.Buffer).View;
                }

                slot.Buffer.Dispose();
                Slots.Remove(device.Id);
            }

            var blocked = data.BlockedArray;
            var host = new T[blocked.Length];
            for (int i = 0; i < host.Length; i++)
            {
                host[i] = convert(blocked[i]);
            }

            var buffer = DeviceMemory.Allocate<T>(device, accelerator, host.Length);
            buffer.CopyFromCPU(host);
            Slots[device.Id] = new Slot(new WeakReference<GmmData>(data), typeof(T), buffer);
            Uploads++;
            return buffer.View;
        }
    }

    /// <summary>Drops the data held on <paramref name="device"/>, if any.</summary>
    internal static void Flush(ComputeDevice device)
    {
        using var scope = DeviceRuntime.Use(device);
        lock (Gate)
        {
            if (Slots.Remove(device.Id, out var slot))
            {
                slot.Buffer.Dispose();
            }
        }
    }

    private sealed record Slot(WeakReference<GmmData> Data, Type Element, MemoryBuffer Buffer);
}

/// <summary>Device allocations that make room by flushing the resident data when the device is full.</summary>
internal static class DeviceMemory
{
    internal static MemoryBuffer1D<T, Stride1D.Dense> Allocate<T>(ComputeDevice device, Accelerator accelerator, long length)
        where T : unmanaged
    {
        try
        {
            return accelerator.Allocate1D<T>(Math.Max(length, 1));
        }
        catch (Exception ex) when (ex is AcceleratorException or OutOfMemoryException)
        {
            ResidentData.Flush(device);
            return accelerator.Allocate1D<T>(Math.Max(length, 1));
        }
    }
}
