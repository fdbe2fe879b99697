using Specialize.Distributed;
using Xunit;

namespace Specialize.Tests.Cluster;

/// <summary>What the launcher's environment says: rank, size, node share, and which MPI library to load.</summary>
public class ClusterLaunchTests
{
    private static ClusterLaunch Detect(params (string Name, string Value)[] variables)
    {
        var map = variables.ToDictionary(v => v.Name, v => v.Value);
        return ClusterLaunch.Detect(name => map.GetValueOrDefault(name));
    }

    [Fact]
    public void No_launcher_variables_is_one_process()
    {
        ClusterLaunch launch = Detect();
        Assert.False(launch.IsDistributed);
        Assert.Equal(MpiFamily.None, launch.Family);
        Assert.Equal(1, launch.Size);
        Assert.Empty(launch.LibraryNames());
    }

    [Fact]
    public void Hydra_variables_are_an_MPICH_launch_with_its_node_share()
    {
        ClusterLaunch launch = Detect(("PMI_RANK", "2"), ("PMI_SIZE", "3"), ("MPI_LOCALNRANKS", "3"), ("MPI_LOCALRANKID", "2"));
        Assert.True(launch.IsDistributed);
        Assert.Equal((MpiFamily.Mpich, 2, 3, 3, 2, "PMI_SIZE"), (launch.Family, launch.Rank, launch.Size, launch.LocalSize, launch.LocalRank, launch.Source));
        Assert.Equal(["libmpich.so.12", "libmpi.so.12"], launch.LibraryNames());
    }

    [Fact]
    public void Open_MPI_variables_are_an_Open_MPI_launch()
    {
        ClusterLaunch launch = Detect(("OMPI_COMM_WORLD_RANK", "1"), ("OMPI_COMM_WORLD_SIZE", "4"), ("OMPI_COMM_WORLD_LOCAL_SIZE", "2"), ("OMPI_COMM_WORLD_LOCAL_RANK", "1"));
        Assert.Equal((MpiFamily.OpenMpi, 1, 4, 2, 1), (launch.Family, launch.Rank, launch.Size, launch.LocalSize, launch.LocalRank));
        Assert.Equal(["libmpi.so.40"], launch.LibraryNames());
    }

    [Fact]
    public void An_srun_task_tries_the_MPICH_family_then_Open_MPI()
    {
        ClusterLaunch launch = Detect(("SLURM_PROCID", "5"), ("SLURM_STEP_NUM_TASKS", "8"), ("SLURM_STEP_TASKS_PER_NODE", "4(x2)"), ("SLURM_LOCALID", "1"));
        Assert.Equal((MpiFamily.Unknown, 5, 8, 4, 1), (launch.Family, launch.Rank, launch.Size, launch.LocalSize, launch.LocalRank));
        Assert.Equal(["libmpich.so.12", "libmpi.so.12", "libmpi.so.40"], launch.LibraryNames());
    }

    [Fact]
    public void A_batch_script_allocation_without_srun_is_one_process()
    {
        // sbatch sets SLURM_NTASKS and SLURM_PROCID for the script itself; only srun starts tasks (SLURM_STEP_NUM_TASKS).
        Assert.False(Detect(("SLURM_NTASKS", "8"), ("SLURM_PROCID", "0")).IsDistributed);
    }

    [Fact]
    public void The_unversioned_libmpi_so_is_never_loaded()
    {
        foreach (ClusterLaunch launch in new[] { Detect(("PMI_RANK", "0"), ("PMI_SIZE", "2")), Detect(("OMPI_COMM_WORLD_RANK", "0"), ("OMPI_COMM_WORLD_SIZE", "2")), Detect(("SLURM_PROCID", "0"), ("SLURM_STEP_NUM_TASKS", "2")) })
        {
            Assert.DoesNotContain("libmpi.so", launch.LibraryNames());
            Assert.All(launch.LibraryNames(), name => Assert.Matches(@"\.so\.\d+$", name));
        }
    }

    [Fact]
    public void A_named_library_replaces_the_family_defaults()
    {
        ClusterLaunch launch = Detect(("PMI_RANK", "0"), ("PMI_SIZE", "2"), (ClusterLaunch.LibraryVariable, "/opt/intel/lib/libmpi.so.12"));
        Assert.Equal(["/opt/intel/lib/libmpi.so.12"], launch.LibraryNames());
    }

    [Fact]
    public void One_launched_process_does_not_start_MPI()
    {
        Assert.False(Detect(("PMI_RANK", "0"), ("PMI_SIZE", "1")).IsDistributed);
    }

    [Fact]
    public void Off_runs_every_process_alone_under_a_launcher()
    {
        Assert.False(Detect(("PMI_RANK", "1"), ("PMI_SIZE", "2"), (ClusterLaunch.ModeVariable, "off")).IsDistributed);
        Assert.True(Detect(("PMI_RANK", "1"), ("PMI_SIZE", "2"), (ClusterLaunch.ModeVariable, "auto")).IsDistributed);
    }

    [Theory]
    [InlineData("PMI_SIZE", "two", "PMI_SIZE")]
    [InlineData("PMI_SIZE", "0", "PMI_SIZE")]
    [InlineData("PMI_RANK", "-1", "PMI_RANK")]
    [InlineData("PMI_RANK", "3", "PMI_RANK")]
    public void A_bad_launcher_variable_is_named(string name, string value, string expected)
    {
        var variables = new Dictionary<string, string> { ["PMI_RANK"] = "0", ["PMI_SIZE"] = "3", [name] = value };
        var e = Assert.Throws<ArgumentException>(() => ClusterLaunch.Detect(n => variables.GetValueOrDefault(n)));
        Assert.Equal(expected, e.ParamName);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void An_unknown_mode_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => Detect((ClusterLaunch.ModeVariable, "always")));
        Assert.Equal(ClusterLaunch.ModeVariable, e.ParamName);
    }

    [Fact]
    public void Loading_a_missing_library_lists_every_name_tried()
    {
        var e = Assert.Throws<DllNotFoundException>(() => MpiLibrary.Load(["libspecialize-no-such-mpi.so.12", "libspecialize-no-such-mpi.so.40"]));
        Assert.Contains("libspecialize-no-such-mpi.so.12", e.Message);
        Assert.Contains("libspecialize-no-such-mpi.so.40", e.Message);
    }

    [Fact]
    public void Starting_MPI_without_its_library_says_what_to_install()
    {
        var launch = Detect(("PMI_RANK", "0"), ("PMI_SIZE", "2"), (ClusterLaunch.LibraryVariable, "libspecialize-no-such-mpi.so.12"));
        var e = Assert.Throws<ClusterException>(() => MpiCommunicator.Start(launch));
        Assert.Contains("PMI_SIZE=2", e.Message);
        Assert.Contains(ClusterLaunch.LibraryVariable, e.Message);
        Assert.Contains($"{ClusterLaunch.ModeVariable}=off", e.Message);
    }

    [Fact]
    public void A_program_started_alone_is_rank_0_of_1()
    {
        // The test host is not started by an MPI launcher (eng/test.sh runs the MPI tests as separate processes).
        Assert.Equal(0, Specialize.Cluster.Rank);
        Assert.Equal(1, Specialize.Cluster.Size);
        Assert.True(Specialize.Cluster.IsRoot);
        Assert.Null(Specialize.Cluster.Distributed);
    }
}
