using System;

namespace Specialize.Mixture;

/// <summary>
/// An EM kernel: reads <see cref="GmmKernelInput"/> and writes <see cref="GmmKernelInput.Output"/>.
/// Implementations of one kernel are registered as variants in <see cref="GmmKernels"/>.
/// </summary>
/// <param name="input">The problem and the buffer to write.</param>
public delegate void GmmKernel(GmmKernelInput input);

/// <summary>
/// What a <see cref="GmmKernel"/> works on. Layouts (all row-major):
/// <list type="bullet">
/// <item><see cref="Responsibilities"/> and the Mahalanobis kernel's <see cref="Output"/>: the value for row
/// <c>b</c> of block <c>blk</c> and component <c>k</c> is at <c>[(blk * Components + k) * GmmData.BlockSize + b]</c>;
/// padding rows have responsibility 0.</item>
/// <item><see cref="Means"/>: <c>M x D</c>. <see cref="ComponentWeights"/>: <c>M</c> (sum of responsibilities).</item>
/// <item><see cref="PrecisionsCholesky"/>: <c>M x D x D</c>, each upper triangular <c>P</c> with precision <c>P P^T</c>.</item>
/// <item>The covariance kernel's <see cref="Output"/>: <c>M x D x D</c>, full symmetric, without regularization.</item>
/// </list>
/// </summary>
public sealed class GmmKernelInput
{
    internal GmmKernelInput(GmmData data, int components, double[] responsibilities, double[] means, double[] componentWeights, double[] precisionsCholesky, double[] output)
    {
        Data = data;
        Components = components;
        ResponsibilityArray = responsibilities;
        MeanArray = means;
        WeightArray = componentWeights;
        PrecisionArray = precisionsCholesky;
        OutputArray = output;
    }

    /// <summary>The rows.</summary>
    public GmmData Data { get; }

    /// <summary>Number of components <c>M</c>.</summary>
    public int Components { get; }

    /// <summary>Responsibilities of each component for each row (covariance kernel).</summary>
    public ReadOnlySpan<double> Responsibilities => ResponsibilityArray;

    /// <summary>Component means.</summary>
    public ReadOnlySpan<double> Means => MeanArray;

    /// <summary>Sum of each component's responsibilities (covariance kernel); the covariance is divided by it.</summary>
    public ReadOnlySpan<double> ComponentWeights => WeightArray;

    /// <summary>Cholesky factors of the precisions (Mahalanobis kernel).</summary>
    public ReadOnlySpan<double> PrecisionsCholesky => PrecisionArray;

    /// <summary>
    /// The result: covariances (covariance kernel) or squared Mahalanobis distances
    /// <c>|(x - mu_k) P_k|^2</c> (Mahalanobis kernel). Every element must be written.
    /// </summary>
    public Span<double> Output => OutputArray;

    /// <summary>
    /// Called by the chunked Mahalanobis variants (<c>Blocked</c>, <c>Blocked-512</c>, <c>Tiled</c>) once they
    /// have written the distances of one chunk of blocks, <c>[first, end)</c>, starting at a multiple of
    /// <see cref="GmmKernels.ChunkBlocks"/>, on the thread that wrote them: the E-step turns those distances
    /// into responsibilities and the M-step's sums while they are still in cache. Variants that do not
    /// call it (every public one) leave that to a separate pass over all rows.
    /// </summary>
    internal Action<int, int>? ChunkWritten { get; init; }

    /// <summary>
    /// The fit's buffers on an ILGPU device, when EM runs there: the GPU variants then read the rows and
    /// responsibilities on the device and leave the distances there, instead of the host arrays.
    /// </summary>
    internal GmmDeviceState? DeviceState { get; init; }

    internal double[] ResponsibilityArray { get; }

    internal double[] MeanArray { get; }

    internal double[] WeightArray { get; }

    internal double[] PrecisionArray { get; }

    internal double[] OutputArray { get; }
}
