using Xunit;

namespace Specialize.Tests.Blb;

public sealed class BlbSampleCreateTests
{
    [Fact]
    public void Created_sample_reads_the_chosen_rows_with_their_weights()
    {
        double[] data = [10, 20, 30, 40, 50];
        BlbSample sample = BlbSample.Create(5, [1, 3], [2, 3]);

        Assert.Equal(5, sample.N);
        Assert.Equal(2, sample.Count);
        Assert.False(sample.IsFullData);
        BlbRows<double> rows = sample.Rows(0, (ReadOnlySpan<double>)data);
        Assert.Equal(20, rows[0]);
        Assert.Equal(40, rows[1]);
        Assert.Equal([20.0, 40.0], sample.Gather(0, (ReadOnlySpan<double>)data).ToArray());
    }

    [Fact]
    public void Weights_that_do_not_sum_to_n_are_rejected() =>
        Assert.Equal("weights", Assert.Throws<ArgumentException>(() => BlbSample.Create(5, [1, 3], [2, 2])).ParamName);

    [Fact]
    public void Index_outside_the_data_is_rejected() =>
        Assert.Equal("indices", Assert.Throws<ArgumentException>(() => BlbSample.Create(5, [1, 5], [2, 3])).ParamName);

    [Fact]
    public void Auto_layout_is_rejected() =>
        Assert.Equal("layout", Assert.Throws<ArgumentOutOfRangeException>(() => BlbSample.Create(2, [0], [2], BlbDataLayout.Auto)).ParamName);
}
