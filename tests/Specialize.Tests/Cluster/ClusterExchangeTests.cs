using Specialize.Distributed;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>The step every distributed operation is built on: local work, then every rank's status and bytes.</summary>
public class ClusterExchangeTests
{
    [Fact]
    public void Every_rank_gets_every_ranks_bytes_in_rank_order()
    {
        var outcomes = ThreadWorld.Run(4, rank => ClusterExchange.Run(Specialize.Cluster.World!, "test", () => [(byte)rank, (byte)(rank * 2)]));
        Assert.All(outcomes, o => Assert.Equal(new byte[][] { [0, 0], [1, 2], [2, 4], [3, 6] }, o.Result));
    }

    [Fact]
    public void A_failure_on_one_rank_is_thrown_on_every_rank()
    {
        var outcomes = ThreadWorld.Run(3, rank => ClusterExchange.Run(Specialize.Cluster.World!, "Fit", () => rank == 2 ? throw new InvalidOperationException("singular covariance") : []));
        Assert.All(outcomes, o =>
        {
            var e = Assert.IsType<ClusterException>(o.Exception);
            Assert.Equal("Fit: failed on rank 2 of 3: System.InvalidOperationException: singular covariance", e.Message);
            Assert.Equal(-1, e.Item);
        });
    }

    [Fact]
    public void A_cancellation_on_one_rank_cancels_every_rank()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var outcomes = ThreadWorld.Run(2, rank => ClusterExchange.Run(Specialize.Cluster.World!, "BLB", () => [], rank == 1 ? cancelled.Token : default));
        Assert.All(outcomes, o => Assert.Contains("cancelled on rank 1 of 2", Assert.IsAssignableFrom<OperationCanceledException>(o.Exception).Message));
    }

    [Fact]
    public void The_ordered_sum_adds_in_rank_order_where_a_native_reduction_need_not()
    {
        // The contributions of the measured hazard: in rank order the sum is 1; MPICH and Open MPI return 0.
        double[] contributions = [1e16, 1, -1e16, 1];
        var outcomes = ThreadWorld.Run(4, rank => ClusterExchange.OrderedSum(Specialize.Cluster.World!, [contributions[rank]]));
        Assert.All(outcomes, o => Assert.Equal(1.0, o.Result[0]));
    }

    [Fact]
    public void A_rank_that_stops_calling_collectives_does_not_leave_the_others_waiting()
    {
        var outcomes = ThreadWorld.Run(2, rank => rank == 0 ? throw new InvalidOperationException("rank 0 took another branch") : ClusterExchange.Run(Specialize.Cluster.World!, "test", () => []), TimeSpan.FromSeconds(20));
        Assert.IsType<InvalidOperationException>(outcomes[0].Exception);
        Assert.IsType<ThreadWorld.WorldStoppedException>(outcomes[1].Exception);
    }
}
