using Specialize;

namespace ClusterDemo;

/// <summary>The mean, as a user writes it; the generator adds the weighted form and <c>Run</c>.</summary>
[BlbEstimator]
public static partial class MeanOfValues
{
    public static double Estimate(ReadOnlySpan<double> values)
    {
        double sum = 0;
        foreach (double value in values)
        {
            sum += value;
        }

        return sum / values.Length;
    }
}
