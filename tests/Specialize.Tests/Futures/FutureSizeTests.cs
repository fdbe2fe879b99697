using Specialize.Futures;
using Xunit;

namespace Specialize.Tests.Futures;

public sealed class FutureSizeTests
{
    [Theory]
    [InlineData(3, 10, 7)]
    [InlineData(10, 3, 7)]
    [InlineData(5, 5, 0)]
    [InlineData(-4, 4, 8)]
    [InlineData(long.MinValue, long.MaxValue, long.MaxValue)]
    [InlineData(long.MaxValue, long.MinValue, long.MaxValue)]
    public void The_size_between_two_bounds_is_their_distance_and_never_throws(long bound, long otherBound, long expected)
    {
        Assert.Equal(expected, FutureSize.Between(bound, otherBound));
    }

    [Fact]
    public void Sizes_of_nothing_are_zero()
    {
        Assert.Equal(0, FutureSize.Of((int[]?)null));
        Assert.Equal(0, FutureSize.Of((string?)null));
        Assert.Equal(0, FutureSize.OfCollection<int>((IReadOnlyCollection<int>?)null));
        Assert.Equal(6, FutureSize.Of(new int[2, 3]));
    }
}
