using ILGPU;

namespace Specialize.Tests.Blb.Device;

/// <summary>
/// A mean with a GPU form written by hand as the generator writes one, for the runtime's tests: the kernel adds a
/// lane of one bootstrap's weighted rows, the host part divides by n. Public: ILGPU's CPU accelerator reads a kernel's
/// parameter types from an assembly of its own.
/// </summary>
public static class DeviceMean
{
    /// <summary>What the kernel reads besides the weights.</summary>
    public struct Inputs
    {
        /// <summary>The launch's subsample rows.</summary>
        public ArrayView<double> Values;
    }

    /// <summary>The GPU form.</summary>
    internal static BlbDeviceEstimator<double[]> Form { get; } = BlbDeviceEstimator.Create<double[], Inputs>(
        Kernel,
        static (device, values) => new Inputs { Values = device.Rows(0, values) },
        static (_, _) => new BlbDeviceWidths(1, 0),
        static (n, doubleSums, _, count, _, results) =>
        {
            for (int k = 0; k < count; k++)
            {
                results[k] = doubleSums[k] / n;
            }
        });

    /// <summary>The kernel: lane <c>index % Lanes</c> of slot <c>index / Lanes</c>.</summary>
    public static void Kernel(Index1D index, BlbDeviceFrame frame, Inputs inputs)
    {
        int lane = frame.Lane(index);
        int slot = frame.Slot(index);
        long rowsAt = frame.RowOffset(slot);
        long weightsAt = frame.WeightOffset(slot);
        double sum = 0;
        for (int row = lane; row < frame.Rows; row += frame.Lanes)
        {
            int weight = frame.Weights[weightsAt + row];
            if (weight == 0)
            {
                continue;
            }

            sum += weight * inputs.Values[rowsAt + row];
        }

        frame.DoublePartials[frame.DoublePartial(slot, 0, lane)] = sum;
    }

    /// <summary>Runs BLB of the mean with the GPU form.</summary>
    internal static BlbResult Run(double[] values, BlbOptions options, IProgress<BlbProgress>? progress = null, CancellationToken cancellationToken = default) =>
        BlbRuntime.Run(
            values.Length,
            sizeof(double),
            values,
            static (sample, x) => WeightedEstimators.MeanWeighted(sample, x),
            null,
            Form,
            null,
            null,
            options,
            progress,
            cancellationToken);
}
