using Specialize.Glm;
using Specialize.Mixture;
using Specialize.Tests.Cluster;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>Logistic regression over ranks (run as threads): rows sharded by piece, partial sums added in piece order.</summary>
public class ClusterLogisticTests
{
    // Five pieces of 8,192 rows: ranks own different runs of them for 2, 3 and 7 ranks (7 leaves some ranks none).
    private const int Rows = 40_000;
    private const int Dimension = 9;

    private static readonly (double[,] X, int[] Y) s_data = Synthetic();

    private static (double[,] X, int[] Y) Synthetic()
    {
        var random = new Random(23);
        var x = new double[Rows, Dimension];
        var y = new int[Rows];
        for (int n = 0; n < Rows; n++)
        {
            double z = -0.4;
            for (int i = 0; i < Dimension; i++)
            {
                x[n, i] = (random.NextDouble() * 2) - 1 + (i % 3 == 0 ? 0.5 * x[n, 0] : 0);
                z += x[n, i] * ((i % 4) - 1.5);
            }

            y[n] = random.NextDouble() < 1 / (1 + Math.Exp(-z)) ? 1 : 0;
        }

        return (x, y);
    }

    private static LogisticRegression Fit(CancellationToken cancellationToken = default) =>
        new LogisticRegression(new LogisticRegressionOptions { C = 0.5, Tolerance = 1e-10 }).Fit(s_data.X, s_data.Y, cancellationToken: cancellationToken);

    private static void AssertBitwiseEqual(LogisticRegression expected, LogisticRegression actual)
    {
        Assert.Equal(expected.Iterations, actual.Iterations);
        Assert.Equal(expected.Converged, actual.Converged);
        Assert.Equal(expected.Coefficients.Select(BitConverter.DoubleToInt64Bits), actual.Coefficients.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Intercept), BitConverter.DoubleToInt64Bits(actual.Intercept));
    }

    [Fact]
    public void The_rows_make_several_pieces()
    {
        Assert.Equal(5, ClusterEm.Pieces(Rows).Count);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public void Every_rank_gets_the_one_process_coefficients_bit_for_bit(int ranks)
    {
        LogisticRegression alone = Fit();
        Assert.Equal(1, alone.Ranks);
        var outcomes = ThreadWorld.Run(ranks, rank => Fit());
        foreach (var outcome in outcomes)
        {
            Assert.Equal(ranks, outcome.Result.Ranks);
            AssertBitwiseEqual(alone, outcome.Result);
        }
    }

    [Fact]
    public void A_cancellation_on_one_rank_cancels_the_fit_on_every_rank()
    {
        using var stop = new CancellationTokenSource();
        stop.Cancel();
        var outcomes = ThreadWorld.Run(2, rank => Fit(rank == 1 ? stop.Token : CancellationToken.None));
        Assert.All(outcomes, o => Assert.IsAssignableFrom<OperationCanceledException>(o.Exception));
    }
}
