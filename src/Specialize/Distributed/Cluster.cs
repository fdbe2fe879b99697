using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using Specialize.Distributed;

namespace Specialize;

/// <summary>
/// The processes a program runs as. Started normally, a program is one process: <see cref="Size"/> is 1 and
/// everything runs on local cores. Started under an MPI launcher (<c>mpiexec -n P</c>, <c>srun</c>), the same
/// program runs as <c>P</c> ranks, and Specialize's work spreads over them with no change to the code: BLB
/// subsamples are dealt to ranks, Gaussian-mixture EM shards its rows, and <see cref="Map{TRecord, TResult}(IReadOnlyList{TRecord}, Func{TRecord, TResult}, ClusterMapOptions?)"/>
/// deals records. Every rank gets the same results (SPMD): call the same Specialize operations in the same order
/// on every rank, from one thread at a time.
/// </summary>
/// <remarks>
/// <para>MPI is started on first use, through a thin binding of the MPI C ABI: the MPICH family (MPICH, Intel MPI,
/// Cray MPICH: <c>libmpich.so.12</c>, then <c>libmpi.so.12</c>) under a launcher that sets <c>PMI_RANK</c>/<c>PMI_SIZE</c>,
/// Open MPI (<c>libmpi.so.40</c>) under one that sets <c>OMPI_COMM_WORLD_RANK</c>/<c>OMPI_COMM_WORLD_SIZE</c>, either
/// under Slurm's <c>srun</c> (<c>SLURM_PROCID</c>/<c>SLURM_STEP_NUM_TASKS</c>). The world MPI reports must be the one
/// the launcher started; otherwise (a library of another MPI than the launcher's) starting fails with a
/// <see cref="ClusterException"/> that says so. <c>SPECIALIZE_CLUSTER=off</c> runs every process alone;
/// <c>SPECIALIZE_MPI_LIBRARY</c> names the library to load; <c>SPECIALIZE_CLUSTER_TIMEOUT</c> bounds, in seconds, how
/// long a rank waits for the others in one collective (one hour by default) before it ends the job.</para>
/// <para>Faults end the whole job: an unhandled exception or a non-zero exit on any rank calls <c>MPI_Abort</c>, so the
/// job exits non-zero within seconds and no rank waits forever.</para>
/// </remarks>
public static class Cluster
{
    private static readonly Lazy<Launched> s_world = new(Launched.Start, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly AsyncLocal<ICommunicator?> s_override = new();
    private static readonly AsyncLocal<bool> s_local = new();
    private static readonly ConditionalWeakTable<ICommunicator, StrongBox<int>> s_busy = [];

    /// <summary>This process's rank, in <c>[0, Size)</c>; 0 when the program was not started by an MPI launcher.</summary>
    /// <exception cref="ClusterException">The program was started by a launcher, but MPI could not be started.</exception>
    public static int Rank => World?.Rank ?? 0;

    /// <summary>Number of processes (ranks) of the program; 1 when it was not started by an MPI launcher.</summary>
    /// <exception cref="ClusterException">The program was started by a launcher, but MPI could not be started.</exception>
    public static int Size => World?.Size ?? 1;

    /// <summary>Whether this is rank 0, the rank whose data <see cref="Map{TRecord, TResult}(IReadOnlyList{TRecord}, Func{TRecord, TResult}, ClusterMapOptions?)"/> sends to the others (and the one to print from).</summary>
    /// <exception cref="ClusterException">The program was started by a launcher, but MPI could not be started.</exception>
    public static bool IsRoot => Rank == 0;

    /// <summary>
    /// Applies <paramref name="function"/> to every record and returns the results in the records' order, on every
    /// rank. Without MPI the records are spread over local cores; under MPI they are dealt to the ranks in chunks
    /// (whose size the tuning store learns), each rank uses its cores, and the results are gathered on every rank.
    /// </summary>
    /// <typeparam name="TRecord">The record type; see <see cref="Map{TRecord, TInvariant, TResult}(IReadOnlyList{TRecord}, TInvariant, Func{TRecord, TInvariant, TResult}, ClusterMapOptions?)"/> for the supported types.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="records">The records. Under MPI the root's records are the ones mapped; see the other overload.</param>
    /// <param name="function">Called once per record, concurrently; it must not depend on which rank or thread runs it.</param>
    /// <param name="options">Chunk size, threads and tuning store; <see langword="null"/> for the defaults.</param>
    /// <returns>One result per record, in the records' order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or <paramref name="function"/> is <see langword="null"/> (under MPI: as the inner exception of a <see cref="ClusterException"/>).</exception>
    /// <exception cref="NotSupportedException">A type cannot be sent between ranks (under MPI: as the inner exception of a <see cref="ClusterException"/>).</exception>
    /// <exception cref="ClusterException"><paramref name="function"/> threw for a record, on any rank: every rank throws, naming the record, the rank, the exception's type and message.</exception>
    public static TResult[] Map<TRecord, TResult>(IReadOnlyList<TRecord> records, Func<TRecord, TResult> function, ClusterMapOptions? options = null)
    {
        var apply = function is null ? null : new Func<TRecord, byte, TResult>((record, _) => function(record));
        return ClusterMap.Run(records, (byte)0, hasInvariant: false, apply, function?.Method, nameof(function), options);
    }

    /// <summary>
    /// Applies <paramref name="function"/> to every record with data that every record shares (the task-invariant
    /// data), and returns the results in the records' order, on every rank. Without MPI the records are spread over
    /// local cores. Under MPI the root's records and invariant data are the ones used: the invariant data reaches each
    /// rank at most once (not at all where the rank already holds the same data, as an SPMD program's ranks do, and
    /// once for later calls with the same data), records are dealt to the ranks in chunks whose size the tuning store
    /// learns (chunk <c>c</c> to rank <c>c mod Size</c>; a rank that does not hold the root's records receives its
    /// chunks), every rank uses its cores, and every rank gets every result.
    /// </summary>
    /// <remarks>
    /// Under MPI, records, invariant data and results travel between ranks. As bytes: an unmanaged type (primitives,
    /// enums, and structs without reference fields), <see cref="string"/> (UTF-8), a one-dimensional array of these
    /// (its length, then its elements), or a multi-dimensional array of an unmanaged type (its lengths, then its
    /// bytes); <see langword="null"/> strings and arrays travel as <see langword="null"/>. Any other concrete type
    /// (classes, records, structs holding strings, lists) travels as UTF-8 JSON (<c>System.Text.Json</c> with public
    /// properties and fields, doubles exact, NaN and infinities by name), which must read back to an equal value.
    /// Types that cannot be read back (<see cref="object"/>, interfaces, abstract classes, delegates) are refused on
    /// every call, with or without MPI, so that a program that runs alone also runs under <c>mpiexec</c>.
    /// </remarks>
    /// <typeparam name="TRecord">The record type.</typeparam>
    /// <typeparam name="TInvariant">The type of the data every record shares.</typeparam>
    /// <typeparam name="TResult">The result type.</typeparam>
    /// <param name="records">The records. Under MPI, the other ranks may pass the root's records (an SPMD program does), or none (an empty list) when only the root has them.</param>
    /// <param name="invariantData">The data every call of <paramref name="function"/> reads; it must not be changed while the map runs. Under MPI only the root's is used.</param>
    /// <param name="function">Called once per record, concurrently; it must not depend on which rank or thread runs it.</param>
    /// <param name="options">Chunk size, threads and tuning store; <see langword="null"/> for the defaults.</param>
    /// <returns>One result per record, in the records' order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> or <paramref name="function"/> is <see langword="null"/> (under MPI: as the inner exception of a <see cref="ClusterException"/>).</exception>
    /// <exception cref="NotSupportedException">A type cannot be sent between ranks (under MPI: as the inner exception of a <see cref="ClusterException"/>).</exception>
    /// <exception cref="ClusterException"><paramref name="function"/> threw for a record, on any rank: every rank throws, naming the record, the rank, the exception's type and message.</exception>
    public static TResult[] Map<TRecord, TInvariant, TResult>(IReadOnlyList<TRecord> records, TInvariant invariantData, Func<TRecord, TInvariant, TResult> function, ClusterMapOptions? options = null) =>
        ClusterMap.Run(records, invariantData, hasInvariant: true, function, function?.Method, nameof(function), options);

    /// <summary>The world: the MPI communicator (or a test's), or <see langword="null"/> for one process.</summary>
    internal static ICommunicator? World => s_override.Value ?? s_world.Value.Communicator;

    /// <summary>
    /// The communicator distributed work runs on: <see cref="World"/> when there is more than one rank, except inside
    /// the local part of distributed work (a map's function, a BLB estimator), where nested work stays on this rank.
    /// </summary>
    internal static ICommunicator? Distributed => !s_local.Value && World is { Size: > 1 } world ? world : null;

    /// <summary>Threads one rank uses: the processor count, shared among the ranks on this node unless <c>DOTNET_PROCESSOR_COUNT</c> already sets it.</summary>
    internal static int LocalThreads
    {
        get
        {
            int local = s_override.Value is null ? s_world.Value.Launch.LocalSize : 1;
            bool set = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("DOTNET_PROCESSOR_COUNT"));
            return set || local <= 1 ? Environment.ProcessorCount : Math.Max(1, Environment.ProcessorCount / local);
        }
    }

    /// <summary>
    /// This rank's index among the ranks on its node (0 without a launcher, or where the launcher does not say; a
    /// test's world runs all its ranks in this process, on one node, so there it is the rank): GMM gives rank
    /// <c>LocalRank</c> GPU <c>LocalRank mod GPUs</c> (<see cref="Mixture.GmmDeviceSelection.OfRank"/>), so that ranks
    /// sharing a node with several GPUs each use their own.
    /// </summary>
    internal static int LocalRank => s_override.Value is { } world ? world.Rank : s_world.Value.Launch.LocalRank;

    /// <summary>Runs the code until the scope is disposed as the local part of distributed work: <see cref="Distributed"/> is <see langword="null"/> there.</summary>
    internal static LocalScope RunLocally() => new(s_local);

    /// <summary>Makes <paramref name="communicator"/> the world for this flow of execution (tests run ranks as threads).</summary>
    internal static OverrideScope Use(ICommunicator? communicator) => new(s_override, communicator);

    /// <summary>
    /// Marks a distributed operation as running on <paramref name="communicator"/> until disposed; a second one
    /// started meanwhile (from another thread) would interleave its collectives with the first, so it throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">Another distributed operation is running on this communicator.</exception>
    internal static BusyScope Enter(ICommunicator communicator, string operation)
    {
        var box = s_busy.GetValue(communicator, static _ => new StrongBox<int>());
        if (Interlocked.CompareExchange(ref box.Value, 1, 0) != 0)
        {
            throw new InvalidOperationException(
                $"{operation} was called while another distributed operation runs in this process: every rank must call distributed operations in the same order, from one thread at a time.");
        }

        return new BusyScope(box);
    }

    internal readonly struct LocalScope : IDisposable
    {
        private readonly AsyncLocal<bool> flag;
        private readonly bool previous;

        public LocalScope(AsyncLocal<bool> flag)
        {
            this.flag = flag;
            previous = flag.Value;
            flag.Value = true;
        }

        public void Dispose() => flag.Value = previous;
    }

    internal readonly struct OverrideScope : IDisposable
    {
        private readonly AsyncLocal<ICommunicator?> slot;
        private readonly ICommunicator? previous;

        public OverrideScope(AsyncLocal<ICommunicator?> slot, ICommunicator? communicator)
        {
            this.slot = slot;
            previous = slot.Value;
            slot.Value = communicator;
        }

        public void Dispose() => slot.Value = previous;
    }

    internal readonly struct BusyScope(StrongBox<int> box) : IDisposable
    {
        public void Dispose() => Volatile.Write(ref box.Value, 0);
    }

    /// <summary>The launch and, when it started more than one process, the MPI world.</summary>
    private sealed class Launched
    {
        private Launched(ClusterLaunch launch, MpiCommunicator? communicator)
        {
            Launch = launch;
            Communicator = communicator;
        }

        public ClusterLaunch Launch { get; }

        public MpiCommunicator? Communicator { get; }

        public static Launched Start()
        {
            ClusterLaunch launch;
            try
            {
                launch = ClusterLaunch.FromEnvironment();
            }
            catch (ArgumentException e)
            {
                throw new ClusterException($"The MPI launcher's environment cannot be read: {e.Message}", e);
            }

            if (!launch.IsDistributed)
            {
                return new Launched(launch, null);
            }

            MpiCommunicator communicator = MpiCommunicator.Start(launch);
            ClusterFaults.Install(communicator);
            return new Launched(launch, communicator);
        }
    }
}
