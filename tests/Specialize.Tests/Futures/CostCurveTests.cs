using Specialize.Futures;
using Xunit;

namespace Specialize.Tests.Futures;

/// <summary>
/// The spawn threshold read from measured costs, with costs given directly (nanoseconds against a
/// fixed target), for cost curves of several shapes and for noisy measurements.
/// </summary>
public sealed class CostCurveTests
{
    private const double Target = 20_000;

    [Fact]
    public void Small_sizes_are_classes_of_their_own_and_larger_ones_split_each_octave_in_two()
    {
        for (long size = 0; size < CostCurve.ExactSizes; size++)
        {
            Assert.Equal(size, CostCurve.LowerBound(CostCurve.ClassOf(size)));
        }

        Assert.Equal(CostCurve.ClassOf(0), CostCurve.ClassOf(-5));
        Assert.Equal(CostCurve.Classes - 1, CostCurve.ClassOf(long.MaxValue));
        Assert.Equal(1024, CostCurve.LowerBound(CostCurve.ClassOf(1535)));
        Assert.Equal(1536, CostCurve.LowerBound(CostCurve.ClassOf(1536)));
        Assert.Equal(1536, CostCurve.LowerBound(CostCurve.ClassOf(2047)));
        foreach (long size in new[] { 32L, 33, 47, 48, 1000, 123_456_789, long.MaxValue / 3, long.MaxValue })
        {
            int c = CostCurve.ClassOf(size);
            Assert.InRange(size, CostCurve.LowerBound(c), c + 1 < CostCurve.Classes ? CostCurve.LowerBound(c + 1) - 1 : long.MaxValue);
        }
    }

    [Fact]
    public void Nothing_is_spawned_before_anything_is_measured()
    {
        Assert.Equal(long.MaxValue, new CostCurve().SpawnThreshold(Target));
    }

    [Fact]
    public void A_linear_curve_spawns_from_the_class_where_calls_reach_the_target()
    {
        // 4 ns per element: 5,000 elements cost the target. Sizes as a halving recursion meets them.
        var curve = new CostCurve();
        foreach (long size in HalvingSizes(1_000_000))
        {
            curve.Add(size, 4.0 * size);
        }

        // The halving sizes near 5,000 are 3,906 (cheap) and 7,812 (pays): the threshold lies between.
        Assert.InRange(curve.SpawnThreshold(Target), 3_907, 7_812);
    }

    [Fact]
    public void An_exponential_curve_in_a_small_integer_spawns_from_the_first_size_that_pays()
    {
        // Fib(n): about 1.618^n calls. Sampled mostly at small n, as a recursion is.
        var curve = new CostCurve();
        for (int round = 0; round < 3; round++)
        {
            for (int n = 0; n <= 30; n++)
            {
                for (int copies = 0; copies < 31 - n; copies++)
                {
                    curve.Add(n, FibCost(n));
                }
            }
        }

        int first = Enumerable.Range(0, 31).First(n => FibCost(n) >= Target);
        Assert.Equal(first, curve.SpawnThreshold(Target));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(3.0)]
    public void Curves_of_any_power_spawn_from_the_class_that_pays(double power)
    {
        // Cost = size^power (with n log n between powers 1 and 1.5): the threshold is the class in
        // which the median measured call reaches the target, never a class whose calls all miss it.
        var curve = new CostCurve();
        var random = new Random(11);
        for (int i = 0; i < 5_000; i++)
        {
            long size = (long)Math.Exp(random.NextDouble() * Math.Log(10_000_000));
            curve.Add(size, Cost(size));
        }

        // The threshold is the class in which the cost crosses the target (when the calls it keeps
        // all happened to reach it) or the class above it.
        long threshold = curve.SpawnThreshold(Target);
        int crossing = Enumerable.Range(0, CostCurve.Classes).First(c => Cost(CostCurve.LowerBound(c + 1) - 1) >= Target);
        Assert.InRange(CostCurve.ClassOf(threshold), crossing, crossing + 1);
        Assert.Equal(threshold, CostCurve.LowerBound(CostCurve.ClassOf(threshold)));

        double Cost(long size) => Math.Pow(size, power) * (power == 1.0 ? Math.Log2(size + 2) : 1);
    }

    [Fact]
    public void Cheap_measurements_alone_never_spawn_larger_sizes()
    {
        // Nothing paid yet: the model does not guess how the cost grows beyond what it measured.
        var curve = new CostCurve();
        for (long size = 1; size <= 4_096; size *= 2)
        {
            curve.Add(size, 2.0 * size);
            curve.Add(size, 2.0 * size);
        }

        Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));
    }

    [Fact]
    public void One_slow_measurement_is_not_enough_and_a_second_one_is()
    {
        var curve = new CostCurve();
        curve.Add(1_000_000, 5 * Target);
        Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));

        curve.Add(1_000_000, 5 * Target);
        Assert.Equal(CostCurve.LowerBound(CostCurve.ClassOf(1_000_000)), curve.SpawnThreshold(Target));
    }

    [Fact]
    public void Two_slow_measurements_of_growing_sizes_spawn_from_the_smaller()
    {
        // A loop whose calls grow: each size is measured once.
        var curve = new CostCurve();
        curve.Add(1_000, Target / 10);
        curve.Add(2_000, Target / 5);
        curve.Add(40_000, 2 * Target);
        Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));

        curve.Add(80_000, 4 * Target);
        Assert.Equal(CostCurve.LowerBound(CostCurve.ClassOf(40_000)), curve.SpawnThreshold(Target));
    }

    [Fact]
    public void A_cheap_site_with_occasional_huge_outliers_never_spawns()
    {
        // A 50 ns call, one measurement in 25 stretched to milliseconds (a preempted thread, a
        // garbage collection): after every measurement, still nothing to spawn.
        var curve = new CostCurve();
        var random = new Random(3);
        for (int i = 0; i < 20_000; i++)
        {
            long size = random.Next(0, 2_000);
            bool noisy = random.Next(25) == 0;
            curve.Add(size, noisy ? 5_000_000 : 50);
            Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));
        }
    }

    [Fact]
    public void A_cheap_site_of_one_size_with_outliers_never_spawns()
    {
        // No size feature: every call is size 1. Two slow runs in every ten.
        var curve = new CostCurve();
        for (int i = 0; i < 1_000; i++)
        {
            curve.Add(1, i % 10 is 3 or 4 ? 10 * Target : 30);
            Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));
        }
    }

    [Fact]
    public void Slow_measurements_of_small_sizes_are_overruled_by_a_cheap_larger_one()
    {
        var curve = new CostCurve();
        curve.Add(100, 10 * Target);
        curve.Add(150, 10 * Target);
        curve.Add(200, 10 * Target);
        Assert.NotEqual(long.MaxValue, curve.SpawnThreshold(Target));

        curve.Add(10_000, Target / 100);
        Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));
    }

    [Fact]
    public void A_noisy_linear_curve_spawns_no_lower_than_one_class_below_its_threshold()
    {
        // One measurement in ten is slowed down tenfold: the threshold moves by at most one class,
        // and never to sizes whose calls cost less than half the target.
        var curve = new CostCurve();
        var random = new Random(5);
        foreach (long size in HalvingSizes(4_000_000).Concat(HalvingSizes(4_000_000)).Concat(HalvingSizes(4_000_000)))
        {
            curve.Add(size, 4.0 * size * (random.Next(10) == 0 ? 10 : 1));
            long threshold = curve.SpawnThreshold(Target);
            Assert.True(threshold == long.MaxValue || 4.0 * threshold >= Target / 2, $"spawns from {threshold}");
        }

        Assert.NotEqual(long.MaxValue, curve.SpawnThreshold(Target));
    }

    [Fact]
    public void A_class_stops_paying_at_its_first_cheap_measurement_and_pays_again_when_all_it_keeps_do()
    {
        // The code got faster (compiled again, optimized), or slower again: the recent costs decide.
        var curve = new CostCurve();
        curve.Add(50_000, 2 * Target);
        curve.Add(50_000, 2 * Target);
        Assert.NotEqual(long.MaxValue, curve.SpawnThreshold(Target));

        curve.Add(50_000, Target / 3);
        Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));

        for (int i = 1; i < CostCurve.Kept; i++)
        {
            curve.Add(50_000, 2 * Target);
            Assert.Equal(long.MaxValue, curve.SpawnThreshold(Target));
        }

        curve.Add(50_000, 2 * Target);
        Assert.NotEqual(long.MaxValue, curve.SpawnThreshold(Target));
    }

    [Fact]
    public void Sizes_near_the_target_start_above_the_classes_far_below_it()
    {
        var curve = new CostCurve();
        Assert.Equal(0, curve.SizeReaching(Target / 32));
        foreach (long size in HalvingSizes(1_000_000))
        {
            curve.Add(size, 4.0 * size);
        }

        // Target / 32 is 625 ns, 156 elements at 4 ns each: the halving sizes around it are 122
        // (far below) and 244 (near).
        Assert.InRange(curve.SizeReaching(Target / 32), 123, 244);
    }

    /// <summary>The sizes of the calls of a recursion that halves its input down to 16 elements.</summary>
    private static IEnumerable<long> HalvingSizes(long size)
    {
        if (size < 16)
        {
            yield break;
        }

        foreach (long smaller in HalvingSizes(size / 2))
        {
            yield return smaller;
        }

        foreach (long smaller in HalvingSizes(size - (size / 2)))
        {
            yield return smaller;
        }

        yield return size;
    }

    private static double FibCost(int n) => 3.0 * Math.Pow(1.618, n);
}
