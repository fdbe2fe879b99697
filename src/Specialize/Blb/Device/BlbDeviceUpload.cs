using System;
using System.Collections.Generic;
using ILGPU;
using ILGPU.Runtime;
using Specialize.Devices;
using Specialize.Mixture;

namespace Specialize;

/// <summary>
/// The data of a launch of an estimator's kernel on the device: the subsample rows of each subsampled input, copied
/// once for all the bootstraps of their subsamples, and the <c>[NoSubsample]</c> arrays, copied once per run. Generated
/// code makes the kernel's inputs from it; the runtime owns the device memory.
/// </summary>
public sealed class BlbDeviceUpload : IDisposable
{
    private readonly ComputeDevice device;
    private readonly Accelerator accelerator;
    private readonly Dictionary<int, (Array Host, MemoryBuffer Buffer)> rows = [];
    private readonly Dictionary<object, MemoryBuffer> arrays = new(ReferenceEqualityComparer.Instance);
    private int[][] indices = [];
    private int rowsPerSubsample;

    internal BlbDeviceUpload(ComputeDevice device, Accelerator accelerator)
    {
        this.device = device;
        this.accelerator = accelerator;
    }

    /// <summary>Number of times rows were copied to the device (once per subsampled input and launch).</summary>
    internal int RowUploads { get; private set; }

    /// <summary>Sets the subsamples of the next launch: their row indices into the data, <paramref name="b"/> each.</summary>
    internal void Begin(int[][] subsamples, int b)
    {
        indices = subsamples;
        rowsPerSubsample = b;
    }

    /// <summary>
    /// The rows of the launch's subsamples of one subsampled input, on the device: subsample after subsample, <c>b</c>
    /// rows each, row <c>i</c> of a subsample being <c>data[indices[i]]</c>.
    /// </summary>
    /// <typeparam name="T">The row type.</typeparam>
    /// <param name="input">The input's number, 0 for the first subsampled parameter.</param>
    /// <param name="data">All rows of the input.</param>
    /// <returns>A view of the rows on the device, valid until the next launch.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="data"/> is <see langword="null"/>.</exception>
    public ArrayView<T> Rows<T>(int input, T[] data)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(data);
        int length = indices.Length * rowsPerSubsample;
        if (!rows.TryGetValue(input, out var held) || held.Host is not T[] host || host.Length < length)
        {
            if (held.Buffer is not null)
            {
                held.Buffer.Dispose();
            }

            host = new T[length];
            held = (host, DeviceMemory.Allocate<T>(device, accelerator, length));
            rows[input] = held;
        }

        for (int j = 0; j < indices.Length; j++)
        {
            int[] subsample = indices[j];
            Span<T> target = host.AsSpan(j * rowsPerSubsample, rowsPerSubsample);
            for (int i = 0; i < target.Length; i++)
            {
                target[i] = data[subsample[i]];
            }
        }

        var buffer = (MemoryBuffer1D<T, Stride1D.Dense>)held.Buffer;
        ArrayView<T> view = buffer.View.SubView(0, length);
        view.CopyFromCPU(new ReadOnlySpan<T>(host, 0, length));
        RowUploads++;
        return view;
    }

    /// <summary>A <c>[NoSubsample]</c> array on the device, copied on the run's first launch.</summary>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="values">The array.</param>
    /// <returns>A view of it on the device, valid for the run.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="values"/> is <see langword="null"/>.</exception>
    public ArrayView<T> Array<T>(T[] values)
        where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(values);
        if (!arrays.TryGetValue(values, out MemoryBuffer? buffer))
        {
            var copy = DeviceMemory.Allocate<T>(device, accelerator, values.Length);
            if (values.Length > 0)
            {
                copy.View.SubView(0, values.Length).CopyFromCPU(values);
            }

            arrays[values] = copy;
            buffer = copy;
        }

        return ((MemoryBuffer1D<T, Stride1D.Dense>)buffer).View.SubView(0, values.Length);
    }

    /// <summary>Frees the device memory.</summary>
    public void Dispose()
    {
        foreach ((Array _, MemoryBuffer buffer) in rows.Values)
        {
            buffer.Dispose();
        }

        foreach (MemoryBuffer buffer in arrays.Values)
        {
            buffer.Dispose();
        }

        rows.Clear();
        arrays.Clear();
    }
}
