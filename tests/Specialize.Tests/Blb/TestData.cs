namespace Specialize.Tests.Blb;

internal static class TestData
{
    /// <summary>Standard normal values by the Box–Muller transform from a seeded <see cref="System.Random"/>.</summary>
    public static double[] Normal(int n, double mean, double sigma, int seed)
    {
        // Nearby seeds of the seeded System.Random give related streams: spread them first.
        var random = new System.Random((int)((uint)seed * 2654435761u >> 1));
        var values = new double[n];
        for (int i = 0; i < n; i += 2)
        {
            double u1 = 1.0 - random.NextDouble();
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2.0 * Math.Log(u1));
            values[i] = mean + sigma * radius * Math.Cos(2 * Math.PI * u2);
            if (i + 1 < n)
            {
                values[i + 1] = mean + sigma * radius * Math.Sin(2 * Math.PI * u2);
            }
        }
        return values;
    }

    /// <summary>Every statistic of two results, to the bit: what "the result does not depend on the threads or the ranks" means.</summary>
    public static void AssertBitwiseEqual(BlbResult expected, BlbResult actual)
    {
        Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Quality), BitConverter.DoubleToInt64Bits(actual.Quality));
        Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(expected.StandardError), BitConverter.DoubleToInt64Bits(actual.StandardError));
        Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Estimate), BitConverter.DoubleToInt64Bits(actual.Estimate));
        Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Lower), BitConverter.DoubleToInt64Bits(actual.Lower));
        Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Upper), BitConverter.DoubleToInt64Bits(actual.Upper));
        Xunit.Assert.Equal(BitConverter.DoubleToInt64Bits(expected.BootstrapMean), BitConverter.DoubleToInt64Bits(actual.BootstrapMean));
        Xunit.Assert.Equal(expected.SubsampleQualities, actual.SubsampleQualities);
        Xunit.Assert.Equal(expected.Bootstraps, actual.Bootstraps);
        Xunit.Assert.Equal(expected.Subsamples, actual.Subsamples);
    }

    /// <summary>A <see cref="BlbSample"/> over explicit rows and weights, as the runtime builds one for a bootstrap.</summary>
    public static BlbSample Sample(int[] indices, int[] weights, int n, BlbDataLayout layout) =>
        new(indices, weights, n, layout, Specialize.Blb.BlbSubsample.Over(indices));
}
