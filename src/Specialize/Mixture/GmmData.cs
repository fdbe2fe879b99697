using System;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace Specialize.Mixture;

/// <summary>
/// Rows of training data converted once into the layout the EM kernels read: blocks of
/// <see cref="BlockSize"/> rows stored feature-major (all values of feature 0 for the block's rows,
/// then feature 1, ...), the last block padded with zeros. Fitting several models on the same
/// <see cref="GmmData"/> (for example a search over the number of components) converts and checks
/// the data only once.
/// </summary>
/// <remarks>
/// Values are held in double precision (<see langword="float"/> input is widened exactly, and remembered as float
/// input: <see cref="SourceType"/>, which float32 EM follows); float32 EM reads a float copy made on first use.
/// </remarks>
public sealed class GmmData
{
    /// <summary>Number of rows in one block of the converted layout.</summary>
    public const int BlockSize = 64;

    private readonly double[] rows;
    private readonly double[] blocked;
    private readonly Lazy<float[]> blockedSingle;
    private double[]? gram;

    private GmmData(double[] rows, int count, int dimension, string sourceType)
    {
        this.rows = rows;
        Count = count;
        Dimension = dimension;
        SourceType = sourceType;
        Family = new object();
        BlockCount = (count + BlockSize - 1) / BlockSize;
        blocked = new double[(long)BlockCount * dimension * BlockSize];
        blockedSingle = new Lazy<float[]>(Narrowed);

        // Done once per fit, but O(N x D): in parallel over fixed ranges of blocks.
        const int BlocksPerTask = 64;
        Parallel.For(0, (BlockCount + BlocksPerTask - 1) / BlocksPerTask, task =>
        {
            int first = task * BlocksPerTask * BlockSize, end = Math.Min(count, (task + 1) * BlocksPerTask * BlockSize);
            for (int n = first; n < end; n++)
            {
                int blk = n / BlockSize, b = n % BlockSize;
                int baseIndex = blk * dimension * BlockSize + b;
                for (int i = 0; i < dimension; i++)
                {
                    blocked[baseIndex + i * BlockSize] = rows[n * dimension + i];
                }
            }
        });
    }

    // A view of the first whole blocks of another instance, sharing its arrays (no copy).
    private GmmData(GmmData source, int blocks)
    {
        rows = source.rows;
        blocked = source.blocked;
        blockedSingle = source.blockedSingle;
        Count = Math.Min(source.Count, blocks * BlockSize);
        Dimension = source.Dimension;
        SourceType = source.SourceType;
        Family = new object();
        BlockCount = blocks;
    }

    /// <summary>
    /// The first whole blocks holding at least <paramref name="rowCount"/> rows, as a view sharing this
    /// instance's arrays; this instance itself when it is no larger. Variant trials run on it, since a
    /// kernel's time grows linearly with the rows and its ranking does not need all of them.
    /// </summary>
    internal GmmData Prefix(int rowCount)
    {
        int blocks = (rowCount + BlockSize - 1) / BlockSize;
        return blocks >= BlockCount ? this : new GmmData(this, blocks);
    }

    /// <summary>
    /// Data over row-major <paramref name="rows"/> that the caller made for it and hands over: not copied and not
    /// checked (the caller checked the values it copied in). The pieces of a logistic regression's design matrix are
    /// made this way, so that a fit of a million rows does not hold its rows three times; pieces given one
    /// <paramref name="family"/> stay resident on a device together, as slices of one data do.
    /// </summary>
    internal static GmmData Adopt(double[] rows, int dimension, object? family = null) =>
        new(rows, rows.Length / dimension, dimension, "float64") { Family = family ?? new object() };

    /// <summary>Rows <c>[first, first + count)</c> as data of their own (a copy, of this data's <see cref="Family"/>), for one shard of a cluster run.</summary>
    internal GmmData Slice(int first, int count) =>
        new(rows.AsSpan(first * Dimension, count * Dimension).ToArray(), count, Dimension, SourceType) { Family = Family };

    /// <summary>
    /// What this data and the slices cut from it share (an identity, nothing more): the pieces of the rows one rank
    /// of a cluster fit holds stay resident on its device together (<see cref="ResidentData"/>).
    /// </summary>
    internal object Family { get; private init; }

    /// <summary>Number of rows <c>N</c>.</summary>
    public int Count { get; }

    /// <summary>Number of features per row <c>D</c>.</summary>
    public int Dimension { get; }

    /// <summary>Number of blocks of <see cref="BlockSize"/> rows, the last one possibly partial.</summary>
    public int BlockCount { get; }

    /// <summary>The element type of the source (<c>"float64"</c> or <c>"float32"</c>).</summary>
    public string SourceType { get; }

    /// <summary>The rows, row-major: row <c>n</c> is at <c>[n * Dimension, (n + 1) * Dimension)</c>.</summary>
    public ReadOnlySpan<double> Rows => rows;

    /// <summary>
    /// Block <paramref name="block"/> of the converted layout, <c>Dimension x BlockSize</c> feature-major:
    /// feature <c>i</c> of the block's row <c>b</c> is at <c>[i * BlockSize + b]</c>; padding rows are zero.
    /// </summary>
    /// <param name="block">Index of the block, in <c>[0, BlockCount)</c>.</param>
    public ReadOnlySpan<double> GetBlock(int block)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(block, BlockCount);
        return new ReadOnlySpan<double>(blocked, block * Dimension * BlockSize, Dimension * BlockSize);
    }

    /// <summary>Number of real (not padding) rows in block <paramref name="block"/>.</summary>
    /// <param name="block">Index of the block, in <c>[0, BlockCount)</c>.</param>
    public int RowsInBlock(int block) => Math.Min(BlockSize, Count - block * BlockSize);

    internal double[] BlockedArray => blocked;

    internal double[] RowArray => rows;

    /// <summary>The blocked layout rounded to float, for float32 EM; made on first use (exact for float input).</summary>
    internal float[] BlockedSingleArray => blockedSingle.Value;

    private float[] Narrowed()
    {
        var single = new float[blocked.Length];
        TensorPrimitives.ConvertTruncating<double, float>(blocked, single);
        return single;
    }

    /// <summary><c>X^T X</c>, <c>D x D</c>, computed on first use (the tied covariance needs it every iteration).</summary>
    internal double[] Gram
    {
        get
        {
            if (gram is null)
            {
                int d = Dimension;
                var g = new double[d * d];
                for (int n = 0; n < Count; n++)
                {
                    var row = new ReadOnlySpan<double>(rows, n * d, d);
                    for (int i = 0; i < d; i++)
                    {
                        double xi = row[i];
                        for (int j = 0; j < d; j++)
                        {
                            g[i * d + j] += xi * row[j];
                        }
                    }
                }

                gram = g;
            }

            return gram;
        }
    }

    /// <summary>Converts and checks a matrix of rows.</summary>
    /// <param name="x">The data, <c>N x D</c>, every value finite, <c>N</c> and <c>D</c> at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty or holds NaN or an infinity.</exception>
    public static GmmData FromMatrix(double[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), d = x.GetLength(1);
        CheckShape(n, d, nameof(x));
        var rows = new double[n * d];
        MemoryMarshalCopy(x, rows);
        CheckFinite(rows, d, nameof(x));
        return new GmmData(rows, n, d, "float64");
    }

    /// <summary>Converts and checks a matrix of single-precision rows.</summary>
    /// <param name="x">The data, <c>N x D</c>, every value finite, <c>N</c> and <c>D</c> at least 1.</param>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="x"/> is empty or holds NaN or an infinity.</exception>
    public static GmmData FromMatrix(float[,] x)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), d = x.GetLength(1);
        CheckShape(n, d, nameof(x));
        var rows = new double[n * d];
        int k = 0;
        foreach (float v in x)
        {
            rows[k++] = v;
        }

        CheckFinite(rows, d, nameof(x));
        return new GmmData(rows, n, d, "float32");
    }

    /// <summary>
    /// Converts and checks rows given as one flat row-major span (for example the fields of a span of
    /// fixed-shape structs reinterpreted with <c>MemoryMarshal.Cast</c>).
    /// </summary>
    /// <param name="values">The rows, row-major; its length must be a positive multiple of <paramref name="dimension"/>.</param>
    /// <param name="dimension">Number of features per row <c>D</c>, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty, not a multiple of <paramref name="dimension"/> long, or holds NaN or an infinity.</exception>
    public static GmmData FromRows(ReadOnlySpan<double> values, int dimension)
    {
        int n = CheckFlat(values.Length, dimension, nameof(values));
        var rows = values.ToArray();
        CheckFinite(rows, dimension, nameof(values));
        return new GmmData(rows, n, dimension, "float64");
    }

    /// <summary>Converts and checks single-precision rows given as one flat row-major span.</summary>
    /// <param name="values">The rows, row-major; its length must be a positive multiple of <paramref name="dimension"/>.</param>
    /// <param name="dimension">Number of features per row <c>D</c>, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dimension"/> is less than 1.</exception>
    /// <exception cref="ArgumentException"><paramref name="values"/> is empty, not a multiple of <paramref name="dimension"/> long, or holds NaN or an infinity.</exception>
    public static GmmData FromRows(ReadOnlySpan<float> values, int dimension)
    {
        int n = CheckFlat(values.Length, dimension, nameof(values));
        var rows = new double[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            rows[i] = values[i];
        }

        CheckFinite(rows, dimension, nameof(values));
        return new GmmData(rows, n, dimension, "float32");
    }

    internal static void MemoryMarshalCopy(double[,] x, double[] destination)
    {
        var source = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpan(
            ref Unsafe.As<byte, double>(ref System.Runtime.InteropServices.MemoryMarshal.GetArrayDataReference(x)), x.Length);
        source.CopyTo(destination);
    }

    private static int CheckFlat(int length, int dimension, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (length == 0 || length % dimension != 0)
        {
            throw new ArgumentException(
                $"Expected a positive multiple of the dimension {dimension} values, got {length}.", paramName);
        }

        return length / dimension;
    }

    private static void CheckShape(int n, int d, string paramName)
    {
        if (n < 1 || d < 1)
        {
            throw new ArgumentException($"Expected at least one row and one column, got {n} x {d}.", paramName);
        }
    }

    internal static void CheckFinite(ReadOnlySpan<double> values, int dimension, string paramName)
    {
        if (TensorPrimitives.IsFiniteAll(values))
        {
            return;
        }

        for (int i = 0; i < values.Length; i++)
        {
            if (!double.IsFinite(values[i]))
            {
                throw new ArgumentException(
                    $"Expected finite values; row {i / dimension}, column {i % dimension} is {values[i]}.", paramName);
            }
        }
    }
}
