using Specialize.Distributed;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>Cluster.Map on local cores and over ranks (run as threads): order, invariant data, faults, chunk sizes.</summary>
public class ClusterMapTests
{
    private static readonly TemporaryFolder s_folder = TemporaryFolder.ForProcess("cluster-map");

    private static ClusterMapOptions Options(int? chunk = null) => new() { ChunkSize = chunk, TuningStore = new TuningStore(s_folder.Combine($"tuning-{Guid.NewGuid():N}.json")) };

    private static readonly int[] s_records = Enumerable.Range(0, 1000).ToArray();

    private static readonly double[] s_weights = [0.5, 2.0, -1.0];

    private static double Score(int record, double[] weights) => (record * weights[record % 3]) + Math.Sqrt(record);

    [Fact]
    public void Without_MPI_results_come_back_in_input_order()
    {
        double[] results = Specialize.Cluster.Map(s_records, s_weights, Score, Options(chunk: 7));
        Assert.Equal(s_records.Select(r => Score(r, s_weights)), results);
    }

    [Fact]
    public void A_record_that_throws_is_named_with_its_rank_and_message()
    {
        var e = Assert.Throws<ClusterException>(() => Specialize.Cluster.Map(s_records, r => r == 321 ? throw new InvalidOperationException("bad record 321") : r, Options()));
        Assert.Equal(321, e.Item);
        Assert.Equal(0, e.FailedRank);
        Assert.Equal(typeof(InvalidOperationException).FullName, e.ExceptionType);
        Assert.IsType<InvalidOperationException>(e.InnerException);
        Assert.Contains("record 321 failed on rank 0 of 1", e.Message);
        Assert.Contains("bad record 321", e.Message);
    }

    [Fact]
    public void Of_several_failing_records_the_lowest_is_reported()
    {
        var e = Assert.Throws<ClusterException>(() => Specialize.Cluster.Map(s_records, r => r % 100 == 99 ? throw new ArgumentException($"r{r}") : r, Options(chunk: 1000)));
        Assert.Equal(99, e.Item);
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("records", Assert.Throws<ArgumentNullException>(() => Specialize.Cluster.Map<int, int>(null!, r => r)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => Specialize.Cluster.Map<int, int>(s_records, null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => Specialize.Cluster.Map<int, double[], int>(s_records, s_weights, null!)).ParamName);
        Assert.Equal("ChunkSize", Assert.Throws<ArgumentOutOfRangeException>(() => Specialize.Cluster.Map(s_records, r => r, new ClusterMapOptions { ChunkSize = 0 })).ParamName);
    }

    [Fact]
    public void Types_that_cannot_travel_are_refused_without_MPI_too()
    {
        var e = Assert.Throws<NotSupportedException>(() => Specialize.Cluster.Map(s_records, r => (object)r, Options()));
        Assert.Contains("System.Object", e.Message);
    }

    [Fact]
    public void An_empty_list_maps_to_an_empty_array()
    {
        Assert.Empty(Specialize.Cluster.Map(Array.Empty<int>(), r => r, Options()));
    }

    [Fact]
    public void The_learned_chunk_size_is_remembered_after_each_candidate_ran_once()
    {
        ClusterMapOptions options = Options();
        var key = MapChunkTuner.Key(((Func<int, int>)Twice).Method, s_records.Length, Specialize.Cluster.LocalThreads, Specialize.Cluster.LocalThreads);
        for (int call = 0; call < MapChunkTuner.CandidateNames().Count; call++)
        {
            Assert.False(options.TuningStore!.TryGet(key, MapChunkTuner.CandidateNames(), out _));
            Assert.Equal(s_records.Select(Twice), Specialize.Cluster.Map(s_records, Twice, options));
        }

        var reread = new TuningStore(options.TuningStore!.Path);
        Assert.True(reread.TryGet(key, MapChunkTuner.CandidateNames(), out string chosen));
        Assert.Contains(chosen, MapChunkTuner.CandidateNames());
    }

    private static int Twice(int record) => 2 * record;

    [Theory]
    [InlineData(1000, 4, 16, 16)]
    [InlineData(1000, 3, 1, 334)]
    [InlineData(5, 4, 64, 1)]
    public void Chunk_size_spreads_the_records_over_the_chunks(int records, int workers, int perWorker, int expected)
    {
        Assert.Equal(expected, MapChunkTuner.ChunkSize(records, workers, perWorker));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Over_ranks_every_rank_gets_every_result_in_input_order(int ranks)
    {
        double[] expected = s_records.Select(r => Score(r, s_weights)).ToArray();
        var outcomes = ThreadWorld.Run(ranks, (rank, _) => Specialize.Cluster.Map(s_records, s_weights, Score, Options(chunk: 13)), out ThreadWorld world);
        Assert.All(outcomes, o => Assert.Equal(expected, o.Result));

        // Every rank held the root's records and data (SPMD): nothing but the headers and the results travelled.
        Assert.Equal(0, world.Broadcasts);
        Assert.Equal(0, world.Scatters);
        Assert.Equal(2, world.Gathers);
    }

    [Fact]
    public void Ranks_without_the_data_receive_the_roots_records_and_invariant_data_once()
    {
        // Invariant data no other test sends (a rank keeps what it received for later calls).
        double[] unique = [.. s_weights, Random.Shared.NextDouble()];
        double[] expected = s_records.Select(r => Score(r, unique)).ToArray();
        var outcomes = ThreadWorld.Run(
            3,
            (rank, _) =>
            {
                // Only the root loaded anything; the same invariant data serves two calls.
                int[] records = rank == 0 ? s_records : [];
                double[] weights = rank == 0 ? unique : null!;
                double[] first = Specialize.Cluster.Map(records, weights, Score, Options(chunk: 50));
                double[] second = Specialize.Cluster.Map(records, weights, Score, Options(chunk: 50));
                return (first, second);
            },
            out ThreadWorld world);
        Assert.All(outcomes, o => Assert.Equal(expected, o.Result.first));
        Assert.All(outcomes, o => Assert.Equal(expected, o.Result.second));
        Assert.Equal(1, world.Broadcasts);
        Assert.Equal(2, world.Scatters);
    }

    [Fact]
    public void A_record_that_throws_on_one_rank_throws_on_every_rank_with_that_rank_and_message()
    {
        // With chunks of 10 records dealt round-robin over 3 ranks, record 47 (chunk 4) is rank 1's.
        var outcomes = ThreadWorld.Run(3, rank => Specialize.Cluster.Map(s_records, r => r == 47 ? throw new FormatException("record 47 is malformed") : r, Options(chunk: 10)));
        Assert.All(outcomes, o =>
        {
            var e = Assert.IsType<ClusterException>(o.Exception);
            Assert.Equal("Cluster.Map: record 47 failed on rank 1 of 3: System.FormatException: record 47 is malformed", e.Message);
            Assert.Equal(1, e.FailedRank);
            Assert.Equal(47, e.Item);
            if (o.Rank == 1)
            {
                Assert.IsType<FormatException>(e.InnerException);
            }
            else
            {
                Assert.Null(e.InnerException);
            }
        });
    }

    [Fact]
    public void A_type_that_cannot_travel_fails_on_every_rank_instead_of_hanging_one()
    {
        var outcomes = ThreadWorld.Run(2, rank => Specialize.Cluster.Map(s_records, r => (object)r, Options()));
        Assert.All(outcomes, o => Assert.Contains("NotSupportedException", Assert.IsType<ClusterException>(o.Exception).Message));
    }

    public sealed record Scored(int Record, double Score, string Note);

    [Fact]
    public void Records_and_results_of_class_types_travel_between_ranks_as_json()
    {
        Scored[] expected = s_records.Select(r => new Scored(r, Score(r, s_weights), $"r{r}")).ToArray();
        var outcomes = ThreadWorld.Run(3, rank => Specialize.Cluster.Map(rank == 0 ? s_records : [], s_weights, (r, w) => new Scored(r, Score(r, w), $"r{r}"), Options(chunk: 64)));
        Assert.All(outcomes, o => Assert.Equal(expected, o.Result));
    }

    [Fact]
    public void A_map_inside_a_maps_function_runs_on_its_own_rank()
    {
        var outcomes = ThreadWorld.Run(2, rank => Specialize.Cluster.Map(new[] { 1, 2, 3, 4 }, r => Specialize.Cluster.Map(new[] { r, r }, x => x * 10, Options()).Sum(), Options(chunk: 1)));
        Assert.All(outcomes, o => Assert.Equal([20, 40, 60, 80], o.Result));
    }

    [Fact]
    public void Two_maps_at_once_from_two_threads_of_one_rank_are_refused()
    {
        var outcomes = ThreadWorld.Run(1, rank =>
        {
            using var first = Specialize.Cluster.Enter(Specialize.Cluster.World!, "Cluster.Map");
            return Assert.Throws<InvalidOperationException>(() => Specialize.Cluster.Enter(Specialize.Cluster.World!, "BLB")).Message;
        });
        Assert.Contains("same order", outcomes[0].Result);
    }
}
