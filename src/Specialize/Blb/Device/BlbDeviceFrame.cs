using ILGPU;

namespace Specialize;

/// <summary>
/// What a generated BLB kernel needs to know about its launch: the sizes, the bootstraps' weights and where its partial
/// sums go. A launch computes the bootstraps of a few subsamples: slot <c>s</c> is bootstrap <c>s % Bootstraps</c> of
/// the launch's subsample <c>s / Bootstraps</c>, and each slot's rows are split into <see cref="Lanes"/> lanes (rows
/// <c>lane</c>, <c>lane + Lanes</c>, ...), one thread each. The number of lanes is fixed, not taken from the device, so
/// that the order in which a bootstrap's terms are added, lane by lane and then the lanes in order, is the same on
/// every device and launch geometry.
/// </summary>
public readonly struct BlbDeviceFrame
{
    /// <summary>Lanes per bootstrap: threads that share one bootstrap's rows.</summary>
    public const int LaneCount = 256;

    internal BlbDeviceFrame(int n, int rows, int bootstraps, int doubleWidth, int integerWidth, ArrayView<int> weights, ArrayView<double> doublePartials, ArrayView<long> integerPartials)
    {
        N = n;
        Rows = rows;
        Bootstraps = bootstraps;
        Lanes = LaneCount;
        DoubleWidth = doubleWidth;
        IntegerWidth = integerWidth;
        Weights = weights;
        DoublePartials = doublePartials;
        IntegerPartials = integerPartials;
    }

    /// <summary>Number of rows of the data, <c>n</c> (what <c>.Length</c> of subsampled data is).</summary>
    public int N { get; }

    /// <summary>Rows per subsample, <c>b</c>.</summary>
    public int Rows { get; }

    /// <summary>Bootstraps per subsample.</summary>
    public int Bootstraps { get; }

    /// <summary>Lanes per bootstrap (<see cref="LaneCount"/>).</summary>
    public int Lanes { get; }

    /// <summary>Double sums per bootstrap.</summary>
    public int DoubleWidth { get; }

    /// <summary>Integer sums per bootstrap.</summary>
    public int IntegerWidth { get; }

    /// <summary>The weights: slot <c>s</c>'s weight of row <c>i</c> at <c>s * Rows + i</c>.</summary>
    public ArrayView<int> Weights { get; }

    /// <summary>Each lane's partial sums of double accumulators, at <see cref="DoublePartial"/>.</summary>
    public ArrayView<double> DoublePartials { get; }

    /// <summary>Each lane's partial sums of int and long accumulators, at <see cref="IntegerPartial"/>.</summary>
    public ArrayView<long> IntegerPartials { get; }

    /// <summary>The lane of thread <paramref name="index"/>.</summary>
    /// <param name="index">The thread.</param>
    /// <returns>The lane, in <c>[0, Lanes)</c>.</returns>
    public int Lane(Index1D index) => index.X % Lanes;

    /// <summary>The bootstrap slot of thread <paramref name="index"/>.</summary>
    /// <param name="index">The thread.</param>
    /// <returns>The slot.</returns>
    public int Slot(Index1D index) => index.X / Lanes;

    /// <summary>Where the rows of slot <paramref name="slot"/>'s subsample start in the launch's rows.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The index of its subsample's row 0.</returns>
    public long RowOffset(int slot) => (long)(slot / Bootstraps) * Rows;

    /// <summary>Where slot <paramref name="slot"/>'s weights start in <see cref="Weights"/>.</summary>
    /// <param name="slot">The slot.</param>
    /// <returns>The index of its weight of row 0.</returns>
    public long WeightOffset(int slot) => (long)slot * Rows;

    /// <summary>Where lane <paramref name="lane"/>'s partial sum of double sum <paramref name="position"/> of slot <paramref name="slot"/> is; element <c>e</c> of an array accumulator is <c>e * Lanes</c> further on.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="position">The sum, in <c>[0, DoubleWidth)</c>.</param>
    /// <param name="lane">The lane.</param>
    /// <returns>The index in <see cref="DoublePartials"/>.</returns>
    public long DoublePartial(int slot, int position, int lane) => ((((long)slot * DoubleWidth) + position) * Lanes) + lane;

    /// <summary>Where lane <paramref name="lane"/>'s partial sum of integer sum <paramref name="position"/> of slot <paramref name="slot"/> is.</summary>
    /// <param name="slot">The slot.</param>
    /// <param name="position">The sum, in <c>[0, IntegerWidth)</c>.</param>
    /// <param name="lane">The lane.</param>
    /// <returns>The index in <see cref="IntegerPartials"/>.</returns>
    public long IntegerPartial(int slot, int position, int lane) => ((((long)slot * IntegerWidth) + position) * Lanes) + lane;
}
