using Specialize.Demo;
using Xunit;

namespace Specialize.Tests.Samples;

/// <summary>The demo explains a ratio below 1 instead of printing it bare.</summary>
public sealed class MachineLoadTests
{
    private static readonly MachineLoad Idle = new(LoadAverage: 0.3, CpuPressure: 0.5, Cores: 2);
    private static readonly MachineLoad Busy = new(LoadAverage: 4.24, CpuPressure: 78.88, Cores: 2);

    [Fact]
    public void A_ratio_of_1_or_more_needs_no_explanation()
    {
        Assert.Equal(string.Empty, Busy.ExplainRatio(1.0, spawned: 100));
        Assert.Equal(string.Empty, Idle.ExplainRatio(1.3, spawned: 100));
    }

    [Fact]
    public void Below_1_on_a_busy_machine_says_the_machine_is_busy_and_how_busy()
    {
        string why = Busy.ExplainRatio(0.95, spawned: 339);

        Assert.StartsWith("below 1x because the machine is busy", why, StringComparison.Ordinal);
        Assert.Contains("1-minute load average 4.24 on 2 cores, CPU pressure 78.88%", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Below_1_without_futures_is_noise_between_rounds()
    {
        string why = Idle.ExplainRatio(0.97, spawned: 0);

        Assert.Contains("no future spawned", why, StringComparison.Ordinal);
        Assert.Contains("noise between rounds", why, StringComparison.Ordinal);
        Assert.Contains("not busy", why, StringComparison.Ordinal);
    }

    [Fact]
    public void Below_1_with_futures_on_an_idle_machine_says_they_cost_more_than_they_saved()
    {
        Assert.Contains("cost more than the work they overlapped", Idle.ExplainRatio(0.9, spawned: 12), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0.1, 10.0, true)]   // pressure at the threshold
    [InlineData(0.1, 9.9, false)]
    [InlineData(2.0, 0.0, true)]    // a task per core
    [InlineData(1.9, null, false)]
    public void Busy_means_pressure_of_a_tenth_or_a_task_per_core(double average, double? pressure, bool busy)
    {
        Assert.Equal(busy, new MachineLoad(average, pressure, 2).Busy);
    }

    [Fact]
    public void Nothing_known_describes_as_nothing()
    {
        Assert.Equal(string.Empty, new MachineLoad(null, null, 2).Describe());
    }
}
