using Specialize.Distributed;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>How records, invariant data and results travel between ranks.</summary>
public class ClusterCodecTests
{
    private readonly record struct Point(double X, double Y, int Label);

    public sealed class Holder
    {
        public double[] Values = [];

        public string? Label { get; set; }
    }

    public readonly record struct Named(string Name, double Score);

    public sealed record Docked(int Pose, double Energy, string[] Contacts);

    private static T RoundTrip<T>(T value) => ClusterCodecs.FromBytes<T>(ClusterCodecs.ToBytes(value));

    [Fact]
    public void Unmanaged_values_travel_as_their_bits()
    {
        Assert.Equal(BitConverter.DoubleToInt64Bits(-0.0), BitConverter.DoubleToInt64Bits(RoundTrip(-0.0)));
        Assert.True(double.IsNaN(RoundTrip(double.NaN)));
        Assert.Equal(new Point(1.5, -2.25, 7), RoundTrip(new Point(1.5, -2.25, 7)));
        Assert.Equal(DayOfWeek.Friday, RoundTrip(DayOfWeek.Friday));
        Assert.Equal((3, 4.5f), RoundTrip((3, 4.5f)));
        Assert.Equal(sizeof(long), ClusterCodecs.ToBytes(42L).Length);
    }

    [Fact]
    public void Strings_and_null_strings_travel()
    {
        Assert.Equal("naïve ünïcode ✓", RoundTrip("naïve ünïcode ✓"));
        Assert.Equal(string.Empty, RoundTrip(string.Empty));
        Assert.Null(RoundTrip<string>(null!));
    }

    [Fact]
    public void Arrays_travel_with_their_lengths()
    {
        Assert.Equal([1.0, 2.5, -3.0], RoundTrip(new[] { 1.0, 2.5, -3.0 }));
        Assert.Empty(RoundTrip(Array.Empty<int>()));
        Assert.Null(RoundTrip<int[]>(null!));
        Assert.Equal(new[] { "a", null, "c" }, RoundTrip(new[] { "a", null, "c" }));
        int[][] jagged = [[1, 2], [], [3]];
        Assert.Equal(jagged, RoundTrip(jagged));
        Point[] points = [new(1, 2, 3), new(4, 5, 6)];
        Assert.Equal(points, RoundTrip(points));
    }

    [Fact]
    public void Multidimensional_arrays_of_unmanaged_values_travel_with_their_shape()
    {
        var matrix = new double[3, 2] { { 1, 2 }, { 3, 4 }, { 5, 6 } };
        double[,] back = RoundTrip(matrix);
        Assert.Equal(3, back.GetLength(0));
        Assert.Equal(2, back.GetLength(1));
        Assert.Equal(matrix, back);
        var cube = new int[2, 3, 4];
        cube[1, 2, 3] = 9;
        Assert.Equal(9, RoundTrip(cube)[1, 2, 3]);
    }

    [Fact]
    public void Classes_records_and_lists_travel_as_json_to_equal_values()
    {
        Assert.False(ClusterCodecs.IsBinary(typeof(Docked)));
        Docked docked = RoundTrip(new Docked(7, -12.375, ["A12", "B3"]));
        Assert.Equal((7, -12.375), (docked.Pose, docked.Energy));
        Assert.Equal(["A12", "B3"], docked.Contacts);
        Assert.Equal(new Named("x", 0.1 + 0.2), RoundTrip(new Named("x", 0.1 + 0.2)));
        Holder holder = RoundTrip(new Holder { Values = [1.5, double.NaN, double.NegativeInfinity, 5e-324], Label = "h" });
        Assert.Equal([1.5, double.NaN, double.NegativeInfinity, 5e-324], holder.Values);
        Assert.Equal("h", holder.Label);
        Assert.Equal([3, 1, 2], RoundTrip(new List<int> { 3, 1, 2 }));
        Assert.Null(RoundTrip<Docked>(null!));
        Docked[] many = RoundTrip(new[] { new Docked(1, 2, []), new Docked(3, 4, ["C"]) });
        Assert.Equal(3, many[1].Pose);
    }

    [Theory]
    [InlineData(typeof(object), "not known")]
    [InlineData(typeof(IList<int>), "interface")]
    [InlineData(typeof(Func<int>), "delegate")]
    [InlineData(typeof(string[,]), "multi-dimensional")]
    [InlineData(typeof(object[]), "not known")]
    public void Types_that_cannot_be_read_back_are_refused_with_their_name(Type type, string reason)
    {
        Assert.False(ClusterCodecs.IsSupported(type));
        var e = Assert.Throws<NotSupportedException>(() => ClusterCodecs.Create(type));
        Assert.Contains(type.FullName!, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void A_truncated_message_is_an_error_not_garbage()
    {
        byte[] bytes = ClusterCodecs.ToBytes(new[] { 1.0, 2.0, 3.0 });
        Assert.Throws<ClusterException>(() => ClusterCodecs.FromBytes<double[]>(bytes.AsSpan(0, bytes.Length - 1)));
        Assert.Throws<ClusterException>(() => ClusterCodecs.FromBytes<double[]>([.. bytes, 0]));
    }

    [Fact]
    public void The_content_hash_tells_different_data_apart()
    {
        byte[] a = ClusterCodecs.ToBytes(Enumerable.Range(0, 1000).Select(i => (double)i).ToArray());
        byte[] b = (byte[])a.Clone();
        Assert.Equal(ClusterCodecs.Hash(a), ClusterCodecs.Hash(b));
        b[^3] ^= 1;
        Assert.NotEqual(ClusterCodecs.Hash(a), ClusterCodecs.Hash(b));
        Assert.NotEqual(ClusterCodecs.Hash(a), ClusterCodecs.Hash(a.AsSpan(0, a.Length - 1)));
        Assert.NotEqual(ClusterCodecs.Hash(new byte[8]), ClusterCodecs.Hash(new byte[16]));
    }
}
