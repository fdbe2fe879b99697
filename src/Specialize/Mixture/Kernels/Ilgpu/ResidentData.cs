using System;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using Specialize.Devices;

namespace Specialize.Mixture;

/// <summary>
/// The data that stays on each ILGPU device between fits: one <see cref="GmmData"/> per device, or the pieces of one
/// (<see cref="GmmData.Slice"/>: the shards a rank of a cluster fit runs, together), in the blocked layout and the
/// element type the kernels compute in. A fit on the same <see cref="GmmData"/> (a search over the number of
/// components, BIC model selection) finds it there; the first fit on other data, in another element type, or one
/// that runs out of device memory, flushes it. Held weakly: data nobody uses any more is flushed by the next upload.
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
                if (slot.Element == typeof(T) && ReferenceEquals(slot.Family, data.Family))
                {
                    if (slot.Find(data) is { } resident)
                    {
                        return ((MemoryBuffer1D<T, Stride1D.Dense>)resident).View;
                    }
                }
                else
                {
                    slot.Dispose();
                    Slots.Remove(device.Id);
                }
            }

            var blocked = data.BlockedArray;
            var host = new T[blocked.Length];
            for (int i = 0; i < host.Length; i++)
            {
                host[i] = convert(blocked[i]);
            }

            // An allocation that finds the device full flushes it (the slot too): look the slot up afterwards.
            var buffer = DeviceMemory.Allocate<T>(device, accelerator, host.Length);
            buffer.CopyFromCPU(host);
            if (!Slots.TryGetValue(device.Id, out slot))
            {
                slot = new Slot(data.Family, typeof(T));
                Slots[device.Id] = slot;
            }

            slot.Add(data, buffer);
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
                slot.Dispose();
            }
        }
    }

    /// <summary>The rows of one data, or of pieces of one, on a device; members nobody holds any more are dropped when looked through.</summary>
    private sealed class Slot(object family, Type element) : IDisposable
    {
        private readonly List<(WeakReference<GmmData> Data, MemoryBuffer Buffer)> members = [];

        public object Family { get; } = family;

        public Type Element { get; } = element;

        public MemoryBuffer? Find(GmmData data)
        {
            MemoryBuffer? found = null;
            for (int i = members.Count - 1; i >= 0; i--)
            {
                if (!members[i].Data.TryGetTarget(out var held))
                {
                    members[i].Buffer.Dispose();
                    members.RemoveAt(i);
                }
                else if (ReferenceEquals(held, data))
                {
                    found = members[i].Buffer;
                }
            }

            return found;
        }

        public void Add(GmmData data, MemoryBuffer buffer) => members.Add((new WeakReference<GmmData>(data), buffer));

        public void Dispose()
        {
            foreach (var (_, buffer) in members)
            {
                buffer.Dispose();
            }

            members.Clear();
        }
    }
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
