using System.Runtime.InteropServices;
using Xunit;
using Xunit.Abstractions;

namespace Specialize.Tests.Mpi;

/// <summary>The demo under Open MPI's launcher, where Open MPI is installed (CI installs only MPICH).</summary>
public class OpenMpiTests(ITestOutputHelper output)
{
    [Fact]
    public void Under_mpiexec_openmpi_every_rank_gets_the_one_process_results_where_Open_MPI_is_installed()
    {
        if (ClusterDemo.Find(ClusterDemo.OpenMpi) is null)
        {
            // Not installed: say so. Where its library is missing too (as on CI), a process that Open MPI's launcher
            // would have started fails saying which library it needs, instead of running alone.
            output.WriteLine("Open MPI is not installed (no mpiexec.openmpi on PATH): the Open MPI run was not done. Install openmpi-bin to run it.");
            if (NativeLibrary.TryLoad("libmpi.so.40", out _))
            {
                output.WriteLine("libmpi.so.40 is installed without its launcher: the check of the missing library was not done either.");
                return;
            }

            DemoRun run = ClusterDemo.Alone("map", new Dictionary<string, string> { ["OMPI_COMM_WORLD_RANK"] = "0", ["OMPI_COMM_WORLD_SIZE"] = "2" });
            output.WriteLine(run.Output);
            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("Open MPI's libmpi.so.40", run.Output);
            Assert.Contains("could not be loaded", run.Output);
            return;
        }

        DemoRun alone = ClusterDemo.Alone("all");
        DemoRun launched = ClusterDemo.Launched(ClusterDemo.OpenMpi, 2, "all");
        output.WriteLine(launched.Output);
        Assert.Equal(0, launched.ExitCode);
        Assert.Equal("cluster: 2 ranks", launched.Results[0]);
        Assert.Single(launched.Digests.Values.Distinct());
        Assert.Equal(alone.Line("blb:"), launched.Line("blb:"));
        Assert.Equal(alone.Line("map:"), launched.Line("map:"));
    }

    [Fact]
    public void Under_mpiexec_openmpi_a_record_that_throws_ends_the_job_where_Open_MPI_is_installed()
    {
        if (ClusterDemo.Find(ClusterDemo.OpenMpi) is null)
        {
            output.WriteLine("Open MPI is not installed (no mpiexec.openmpi on PATH): the Open MPI fault run was not done.");
            Assert.Null(ClusterDemo.Find(ClusterDemo.OpenMpi));
            return;
        }

        DemoRun run = ClusterDemo.Launched(ClusterDemo.OpenMpi, 2, "fail-map");
        output.WriteLine(run.Output);
        Assert.NotEqual(0, run.ExitCode);
        Assert.True(run.Elapsed < TimeSpan.FromSeconds(20), $"the job took {run.Elapsed}");
        Assert.Contains("record 777 cannot be scored", run.Output);
    }
}
