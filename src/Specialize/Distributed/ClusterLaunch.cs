using System;
using System.Collections.Generic;
using System.Globalization;

namespace Specialize.Distributed;

/// <summary>The MPI family a launcher belongs to, which decides the library and its handle types.</summary>
internal enum MpiFamily
{
    /// <summary>Not started by a launcher, or started as one process: no MPI.</summary>
    None,

    /// <summary>MPICH, Intel MPI, Cray MPICH, MVAPICH: one ABI, <c>int</c> handles (<c>libmpich.so.12</c>, <c>libmpi.so.12</c>).</summary>
    Mpich,

    /// <summary>Open MPI: handles are pointers to exported globals (<c>libmpi.so.40</c>).</summary>
    OpenMpi,

    /// <summary>A launcher that does not tell which MPI (Slurm's <c>srun</c> without a PMI plug-in's variables): MPICH family first, then Open MPI.</summary>
    Unknown,
}

/// <summary>
/// What the launcher told this process through its environment: which rank it is, how many were started,
/// how many share this node, and from that the MPI family to load. Read once; nothing here loads a library.
/// </summary>
/// <param name="Family">The MPI family to load; <see cref="MpiFamily.None"/> for one process.</param>
/// <param name="Rank">This process's rank according to the launcher.</param>
/// <param name="Size">Number of processes the launcher started.</param>
/// <param name="LocalSize">Number of those processes on this node (1 when the launcher does not say).</param>
/// <param name="LocalRank">This process's index among those on this node (0 when the launcher does not say).</param>
/// <param name="Source">The variable the size came from, for messages (for example <c>PMI_SIZE</c>).</param>
/// <param name="Library">A library named by <see cref="LibraryVariable"/>, or <see langword="null"/>.</param>
internal sealed record ClusterLaunch(MpiFamily Family, int Rank, int Size, int LocalSize, string Source, string? Library, int LocalRank = 0)
{
    /// <summary><c>off</c> runs every process alone even under a launcher; <c>auto</c> (or unset) detects the launcher.</summary>
    public const string ModeVariable = "SPECIALIZE_CLUSTER";

    /// <summary>A path or file name of the MPI library to load instead of the family's default names.</summary>
    public const string LibraryVariable = "SPECIALIZE_MPI_LIBRARY";

    /// <summary>One process: what a program started without a launcher sees.</summary>
    public static ClusterLaunch Alone { get; } = new(MpiFamily.None, 0, 1, 1, "no launcher", null);

    /// <summary>Whether more than one process was started, so that MPI must be initialized.</summary>
    public bool IsDistributed => Family != MpiFamily.None && Size > 1;

    /// <summary>Reads the launch from this process's environment.</summary>
    public static ClusterLaunch FromEnvironment() => Detect(static name => Environment.GetEnvironmentVariable(name));

    /// <summary>
    /// Reads the launch from <paramref name="variable"/>: Open MPI's <c>OMPI_COMM_WORLD_*</c>, MPICH Hydra's
    /// <c>PMI_RANK</c>/<c>PMI_SIZE</c> (also set by Intel MPI and by <c>srun --mpi=pmi2</c>), then Slurm's
    /// <c>SLURM_PROCID</c>/<c>SLURM_STEP_NUM_TASKS</c> (set by <c>srun</c> for each task, not in a batch script).
    /// </summary>
    /// <exception cref="ArgumentException">A launcher variable is not a number, or the rank is outside the size.</exception>
    public static ClusterLaunch Detect(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        string? mode = variable(ModeVariable);
        if (string.Equals(mode?.Trim(), "off", StringComparison.OrdinalIgnoreCase))
        {
            return Alone;
        }

        if (!string.IsNullOrWhiteSpace(mode) && !string.Equals(mode.Trim(), "auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"{ModeVariable} must be 'auto' or 'off', got '{mode}'.", ModeVariable);
        }

        string? library = variable(LibraryVariable);
        library = string.IsNullOrWhiteSpace(library) ? null : library.Trim();
        var candidates = new (MpiFamily Family, string Rank, string Size, string[] Local, string LocalRank)[]
        {
            (MpiFamily.OpenMpi, "OMPI_COMM_WORLD_RANK", "OMPI_COMM_WORLD_SIZE", ["OMPI_COMM_WORLD_LOCAL_SIZE"], "OMPI_COMM_WORLD_LOCAL_RANK"),
            (MpiFamily.Mpich, "PMI_RANK", "PMI_SIZE", ["MPI_LOCALNRANKS"], "MPI_LOCALRANKID"),
            (MpiFamily.Unknown, "SLURM_PROCID", "SLURM_STEP_NUM_TASKS", ["SLURM_STEP_TASKS_PER_NODE"], "SLURM_LOCALID"),
        };
        foreach (var (family, rankName, sizeName, localNames, localRankName) in candidates)
        {
            string? sizeText = variable(sizeName);
            if (string.IsNullOrWhiteSpace(sizeText))
            {
                continue;
            }

            int size = Parse(sizeText, sizeName, 1);
            int rank = Parse(variable(rankName) ?? "0", rankName, 0);
            if (rank >= size)
            {
                throw new ArgumentException($"The launcher says this is rank {rank} ({rankName}) of {size} ({sizeName}).", rankName);
            }

            int local = 1;
            foreach (string localName in localNames)
            {
                // Slurm writes tasks per node as "2(x3),1"; the first count is this node's when the tasks are spread evenly.
                string? text = variable(localName);
                if (!string.IsNullOrWhiteSpace(text) && int.TryParse(LeadingNumber(text), NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0)
                {
                    local = Math.Min(value, size);
                    break;
                }
            }

            int localRank = int.TryParse(variable(localRankName), NumberStyles.None, CultureInfo.InvariantCulture, out int lr) && lr < local ? lr : 0;
            return size == 1 && library is null ? Alone with { Source = sizeName } : new ClusterLaunch(family, rank, size, local, sizeName, library, localRank);
        }

        return Alone;
    }

    /// <summary>The library file names to try for this launch, in order; never the unversioned <c>libmpi.so</c>.</summary>
    public IReadOnlyList<string> LibraryNames() => Library is not null
        ? [Library]
        : Family switch
        {
            MpiFamily.Mpich => ["libmpich.so.12", "libmpi.so.12"],
            MpiFamily.OpenMpi => ["libmpi.so.40"],
            MpiFamily.Unknown => ["libmpich.so.12", "libmpi.so.12", "libmpi.so.40"],
            _ => [],
        };

    private static int Parse(string text, string name, int minimum)
    {
        if (!int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < minimum)
        {
            throw new ArgumentException($"The launcher variable {name} is '{text}', not a whole number of at least {minimum}.", name);
        }

        return value;
    }

    private static string LeadingNumber(string text)
    {
        int end = 0;
        while (end < text.Length && char.IsAsciiDigit(text[end]))
        {
            end++;
        }

        return text[..end];
    }
}
