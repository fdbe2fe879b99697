using Xunit;

namespace Specialize.Tests.Blb;

/// <summary>
/// <see cref="BlbBatchTerms"/> against a scalar reference written out here: for each row in order, for each term in
/// order, for each bootstrap with a nonzero weight, <c>accumulator += weight * term</c>. Compared bit for bit.
/// </summary>
public class BlbBatchTermsTests
{
    /// <summary>How a row chooses the positions it adds to.</summary>
    public enum Shape
    {
        /// <summary>Every row: the same 11 positions over two arrays (one tile of 8, then 3 single positions).</summary>
        Fixed,

        /// <summary>A random subset per row, some rows adding nothing (a loop with branches).</summary>
        Varying,

        /// <summary>The same positions every row, one of them twice (must stay in call order).</summary>
        Repeated,

        /// <summary>One fixed pattern for the first rows, another after (the block that changes, then the new pattern).</summary>
        Switching,

        /// <summary>Fixed positions with a row now and then that adds one term fewer.</summary>
        MostlyFixed,
    }

    public static TheoryData<Shape, int> Cases()
    {
        var data = new TheoryData<Shape, int>();
        foreach (Shape shape in Enum.GetValues<Shape>())
        {
            foreach (int count in new[] { 1, 3, 4, 5, 7, 8, 12, 16, 17, 36, 50, 64 })
            {
                data.Add(shape, count);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Collected_terms_give_the_scalar_loop_bit_for_bit(Shape shape, int count)
    {
        var random = new Random(2014 + (31 * (int)shape) + count);
        foreach (bool zeros in new[] { false, true })
        {
            int rows = random.Next(1, 90);
            int[][] weights = Weights(random, rows, count, zeros);
            (int Accumulator, int Position, double Term)[][] terms = Terms(random, shape, rows);

            // Accumulators start at mixed values, -0.0 among them, so that "left untouched" is visible in the bits.
            double[][] start = [Start(random, 7 * count), Start(random, 5 * count)];
            start[1].AsSpan(3 * count, count).Fill(-0.0);
            double[][] expected = [(double[])start[0].Clone(), (double[])start[1].Clone()];
            double[][] actual = [(double[])start[0].Clone(), (double[])start[1].Clone()];

            for (int r = 0; r < rows; r++)
            {
                foreach ((int accumulator, int position, double term) in terms[r])
                {
                    for (int k = 0; k < count; k++)
                    {
                        if (weights[r][k] != 0)
                        {
                            double scaled = weights[r][k] * term;
                            expected[accumulator][(position * count) + k] = expected[accumulator][(position * count) + k] + scaled;
                        }
                    }
                }
            }

            var collector = new BlbBatchTerms(count, actual[0], actual[1]);
            for (int r = 0; r < rows; r++)
            {
                collector.Row(weights[r]);
                foreach ((int accumulator, int position, double term) in terms[r])
                {
                    collector.Add(accumulator, position, term);
                }
            }

            collector.Flush();
            for (int a = 0; a < 2; a++)
            {
                for (int i = 0; i < expected[a].Length; i++)
                {
                    Assert.True(
                        BitConverter.DoubleToInt64Bits(expected[a][i]) == BitConverter.DoubleToInt64Bits(actual[a][i]),
                        $"{shape}, count {count}, zeros {zeros}: array {a}[{i}] is {actual[a][i]:R}, expected {expected[a][i]:R}");
                }
            }
        }
    }

    [Fact]
    public void A_row_of_weight_zero_leaves_a_negative_zero_accumulator_as_it_is()
    {
        // Adding 0 * 0.0 would turn -0.0 into +0.0; the weighted loop skips the row instead.
        foreach (int count in new[] { 1, 4, 8, 16 })
        {
            var accumulators = new double[count];
            Array.Fill(accumulators, -0.0);
            var collector = new BlbBatchTerms(count, accumulators);
            var weights = new int[count];
            for (int r = 0; r < 40; r++)
            {
                collector.Row(weights);
                collector.Add(0, 0, 0.0);
            }

            collector.Flush();
            Assert.All(accumulators, value => Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(value)));
        }
    }

    [Fact]
    public void A_collector_can_be_used_for_several_loops_one_after_another()
    {
        var first = new double[8];
        var second = new double[8];
        var collector = new BlbBatchTerms(4, first, second);
        int[] weights = [1, 2, 0, 3];
        for (int r = 0; r < 20; r++)
        {
            collector.Row(weights);
            collector.Add(0, r % 2, r);
        }

        collector.Flush();
        for (int r = 0; r < 20; r++)
        {
            collector.Row(weights);
            collector.Add(1, 1, 0.5);
        }

        collector.Flush();
        // Position 0 gets rows 0, 2, ..., 18 (sum 90); position 1 rows 1, 3, ..., 19 (sum 100); each times the weight.
        Assert.Equal(new double[] { 90, 180, 0, 270, 100, 200, 0, 300 }, first);
        Assert.Equal(new double[] { 0, 0, 0, 0, 10, 20, 0, 30 }, second);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => new BlbBatchTerms(0, new double[4])).ParamName);
        Assert.Equal("accumulators", Assert.Throws<ArgumentNullException>(() => new BlbBatchTerms(2, null!)).ParamName);
        Assert.Equal("accumulators", Assert.Throws<ArgumentNullException>(() => new BlbBatchTerms(2, new double[4], null!)).ParamName);
        double[] shared = new double[4];
        Assert.Equal("accumulators", Assert.Throws<ArgumentException>(() => new BlbBatchTerms(2, shared, shared)).ParamName);

        var collector = new BlbBatchTerms(2, new double[4]);
        Assert.Throws<InvalidOperationException>(() => collector.Add(0, 0, 1.0));
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => collector.Row(new int[3])).ParamName);

        collector.Row([1, 1]);
        collector.Add(0, 2, 1.0);
        Assert.Equal("position", Assert.Throws<ArgumentOutOfRangeException>(collector.Flush).ParamName);

        collector = new BlbBatchTerms(2, new double[4]);
        collector.Row([1, 1]);
        collector.Add(1, 0, 1.0);
        Assert.Equal("accumulator", Assert.Throws<ArgumentOutOfRangeException>(collector.Flush).ParamName);

        // After Flush, the next term needs a new row.
        collector = new BlbBatchTerms(2, new double[4]);
        collector.Row([1, 1]);
        collector.Add(0, 1, 1.0);
        collector.Flush();
        Assert.Throws<InvalidOperationException>(() => collector.Add(0, 0, 1.0));
    }

    private static int[][] Weights(Random random, int rows, int count, bool zeros)
    {
        var weights = new int[rows][];
        for (int r = 0; r < rows; r++)
        {
            weights[r] = new int[count];
            for (int k = 0; k < count; k++)
            {
                weights[r][k] = zeros && random.Next(3) == 0 ? 0 : random.Next(1, 90);
            }
        }

        return weights;
    }

    private static double[] Start(Random random, int length)
    {
        var values = new double[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = random.Next(4) switch
            {
                0 => -0.0,
                1 => 0.0,
                _ => (random.NextDouble() - 0.5) * 1e3,
            };
        }

        return values;
    }

    private static double Term(Random random) => random.Next(6) switch
    {
        0 => -0.0,
        1 => 0.0,
        _ => (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-3, 4)),
    };

    private static (int, int, double)[][] Terms(Random random, Shape shape, int rows)
    {
        (int, int)[] fixedPositions = [(0, 0), (1, 4), (0, 3), (0, 6), (1, 0), (0, 1), (1, 2), (0, 5), (1, 3), (0, 2), (1, 1)];
        (int, int)[] otherPositions = [(1, 4), (1, 3), (0, 6), (0, 0)];
        var terms = new (int, int, double)[rows][];
        for (int r = 0; r < rows; r++)
        {
            (int, int)[] positions = shape switch
            {
                Shape.Fixed => fixedPositions,
                Shape.Varying => fixedPositions.Where(_ => random.Next(3) == 0).ToArray(),
                Shape.Repeated => [(0, 1), (1, 1), (0, 2), (0, 1), (1, 0)],
                Shape.Switching => r < 37 ? fixedPositions : otherPositions,
                Shape.MostlyFixed => random.Next(10) == 0 ? fixedPositions[..^1] : fixedPositions,
                _ => throw new ArgumentOutOfRangeException(nameof(shape)),
            };
            // Position 3 of array 1 only ever gets signed zeros, so its sign shows whether a zero-weight row was skipped.
            terms[r] = positions.Select(p => (p.Item1, p.Item2, p == (1, 3) ? (random.Next(40) == 0 ? 0.0 : -0.0) : Term(random))).ToArray();
        }

        return terms;
    }
}
