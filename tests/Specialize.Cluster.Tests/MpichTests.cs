using System.Globalization;
using Xunit;
using Xunit.Abstractions;

namespace Specialize.Tests.Mpi;

/// <summary>
/// The demo under <c>mpiexec.mpich -n 2</c> and <c>-n 3</c> (three ranks oversubscribe a two-core machine): every rank
/// computes the same results, equal to the program run alone; a failing rank ends the job with a non-zero exit code,
/// its message, and within seconds.
/// </summary>
public class MpichTests(ITestOutputHelper output)
{
    private static readonly Lazy<DemoRun> s_alone = new(() => ClusterDemo.Alone("all"));

    private DemoRun Launch(int ranks, string arguments)
    {
        DemoRun run = ClusterDemo.Launched(ClusterDemo.Mpich, ranks, arguments);
        output.WriteLine($"mpiexec.mpich -n {ranks} {arguments}: exit {run.ExitCode} in {run.Elapsed.TotalSeconds:F1} s\n{run.Output}");
        return run;
    }

    private static double LowerBound(DemoRun run) =>
        double.Parse(System.Text.RegularExpressions.Regex.Match(run.Line("gmm:"), @"lower bound (\S+),").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Alone_the_program_is_one_rank()
    {
        DemoRun alone = s_alone.Value;
        Assert.Equal(0, alone.ExitCode);
        Assert.Equal("cluster: 1 ranks", alone.Results[0]);
        Assert.Single(alone.Digests);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Every_rank_gets_the_one_process_results(int ranks)
    {
        DemoRun alone = s_alone.Value;
        DemoRun launched = Launch(ranks, "all");
        Assert.Equal(0, launched.ExitCode);
        Assert.Equal($"cluster: {ranks} ranks", launched.Results[0]);

        // Every rank computed the same bits.
        Assert.Equal(Enumerable.Range(0, ranks), launched.Digests.Keys);
        Assert.Single(launched.Digests.Values.Distinct());

        // BLB and the map are the one-process results bit for bit; GMM the same iterations and the lower bound to 1e-12.
        Assert.Equal(alone.Line("blb:"), launched.Line("blb:"));
        Assert.Equal(alone.Line("map:"), launched.Line("map:"));
        Assert.Equal(alone.Line("gmm:").Split(',')[0], launched.Line("gmm:").Split(',')[0]);
        Assert.True(Math.Abs(LowerBound(alone) - LowerBound(launched)) <= 1e-12 * Math.Abs(LowerBound(alone)), $"{LowerBound(alone):R} vs {LowerBound(launched):R}");
    }

    [Fact]
    public void The_gmm_fit_does_not_depend_on_the_number_of_ranks()
    {
        DemoRun two = Launch(2, "gmm");
        DemoRun three = Launch(3, "gmm");
        Assert.Equal(two.Results.Skip(1), three.Results.Skip(1));
        Assert.Equal(two.Digests[0], three.Digests[0]);
    }

    /// <summary>
    /// On ILGPU's CPU accelerator (the GPU kernels on the processor) and in float32, each rank runs its pieces there and
    /// says so, and the ranks get the one-process fit on that device: the same iterations and the lower bound within
    /// float32's stated bound (1e-6).
    /// </summary>
    [Fact]
    public void A_float32_gmm_fit_on_a_device_over_two_ranks_is_the_one_process_fit_there()
    {
        const string arguments = "gmm --device ilgpu-cpu --float32";
        DemoRun alone = ClusterDemo.Alone(arguments);
        DemoRun launched = Launch(2, arguments);
        Assert.Equal(0, launched.ExitCode);
        Assert.Equal("gmm ran on ilgpu-cpu in float32", alone.Line("gmm ran on"));
        Assert.Equal(alone.Line("gmm ran on"), launched.Line("gmm ran on"));
        Assert.Single(launched.Digests.Values.Distinct());
        Assert.Equal(alone.Line("gmm:").Split(',')[0], launched.Line("gmm:").Split(',')[0]);
        Assert.True(Math.Abs(LowerBound(alone) - LowerBound(launched)) <= 1e-6 * Math.Abs(LowerBound(alone)), $"{LowerBound(alone):R} vs {LowerBound(launched):R}");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void A_record_that_throws_ends_the_job_within_seconds_with_its_rank_and_message(int ranks)
    {
        DemoRun run = Launch(ranks, "fail-map");
        Assert.NotEqual(0, run.ExitCode);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), $"the job took {run.Elapsed}");
        Assert.Contains("record 777 cannot be scored", run.Output);
        Assert.Matches(@"record 777 failed on rank \d of " + ranks, run.Output);
    }

    [Fact]
    public void A_rank_that_exits_with_a_non_zero_code_ends_the_job()
    {
        // Under MPICH a rank that exits without MPI_Abort would end the job with status 0; Specialize aborts instead.
        DemoRun run = Launch(3, "fail-exit");
        Assert.NotEqual(0, run.ExitCode);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), $"the job took {run.Elapsed}");
        Assert.Contains("rank 2 of 3 is exiting with code 3", run.Output);
    }

    [Fact]
    public void A_checkpointed_fit_stopped_on_two_ranks_resumes_on_three_to_the_uninterrupted_result()
    {
        using var folder = new TemporaryFolder("cluster-checkpoint");
        string checkpoint = folder.Combine("gmm.checkpoint");
        DemoRun uninterrupted = Launch(2, "gmm");
        DemoRun stopped = Launch(2, $"gmm --checkpoint \"{checkpoint}\" --stop-after 7");
        Assert.Equal(0, stopped.ExitCode);
        Assert.Contains("gmm: stopped after 7 iterations", stopped.Output);
        Assert.True(File.Exists(checkpoint));
        DemoRun resumed = Launch(3, $"gmm --checkpoint \"{checkpoint}\"");
        Assert.Equal(uninterrupted.Results.Skip(1), resumed.Results.Skip(1));
        Assert.False(File.Exists(checkpoint));
    }

    [Fact]
    public void A_library_of_another_MPI_than_the_launcher_is_an_error_that_says_so()
    {
        ClusterDemo.Require(ClusterDemo.Mpich);

        // MPICH's library started by a launcher that says two processes, where MPI finds a world of one.
        DemoRun run = ClusterDemo.Alone("map", new Dictionary<string, string> { ["PMI_RANK"] = "0", ["PMI_SIZE"] = "2" });
        output.WriteLine(run.Output);
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains("reports rank 0 of 1, but the launcher started rank 0 of 2 (PMI_SIZE)", run.Output);
        Assert.Contains("different MPI implementations", run.Output);
    }
}
