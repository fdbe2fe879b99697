using System;
using System.Diagnostics;
using System.Threading;

namespace Specialize.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over the world communicator of a loaded <see cref="MpiLibrary"/>. Every collective
/// is started non-blocking and completed by polling <c>MPI_Test</c> against a deadline
/// (<see cref="TimeoutVariable"/>, one hour by default), so that no wait is unbounded: a rank that waits longer
/// than that for the others ends the job with a message that says which collective it was waiting in.
/// Calls are serialized by a lock (MPI is initialized with <c>MPI_THREAD_SERIALIZED</c>).
/// </summary>
internal sealed unsafe class MpiCommunicator : ICommunicator
{
    /// <summary>Seconds a rank waits in one collective before it ends the job.</summary>
    public const string TimeoutVariable = "SPECIALIZE_CLUSTER_TIMEOUT";

    /// <summary>The largest message one MPI call carries (counts are C <c>int</c>s); larger broadcasts go in pieces.</summary>
    private const int MaxMessage = 1 << 30;

    /// <summary>How long a rank that ends the job waits between writing why and calling <c>MPI_Abort</c>.</summary>
    private static readonly TimeSpan AbortDelay = TimeSpan.FromMilliseconds(300);

    private readonly MpiLibrary mpi;
    private readonly object gate = new();
    private readonly TimeSpan timeout;

    private MpiCommunicator(MpiLibrary mpi, int rank, int size, TimeSpan timeout)
    {
        this.mpi = mpi;
        Rank = rank;
        Size = size;
        this.timeout = timeout;
    }

    public int Rank { get; }

    public int Size { get; }

    /// <summary>The library, for messages (family and file).</summary>
    public string Library => $"{mpi.Family} ({mpi.Path})";

    /// <summary>
    /// Loads the launch's MPI library, initializes MPI and checks that the world it reports is the one the
    /// launcher started: a library of one family under the other family's launcher initializes every process
    /// as a world of its own, which would otherwise run the whole job once per process.
    /// </summary>
    /// <exception cref="ClusterException">No library could be loaded, initialization failed, or the world does not match the launcher.</exception>
    public static MpiCommunicator Start(ClusterLaunch launch)
    {
        MpiLibrary mpi;
        try
        {
            mpi = MpiLibrary.Load(launch.LibraryNames());
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            string wanted = launch.Library is not null
                ? $"the library {launch.Library} named by {ClusterLaunch.LibraryVariable}"
                : launch.Family switch
                {
                    MpiFamily.Mpich => "an MPICH-family library (libmpich.so.12 or libmpi.so.12; Debian: apt-get install mpich)",
                    MpiFamily.OpenMpi => "Open MPI's libmpi.so.40 (Debian: apt-get install openmpi-bin)",
                    _ => "an MPI library (libmpich.so.12, libmpi.so.12 or libmpi.so.40)",
                };
            throw new ClusterException(
                $"This process was started by an MPI launcher ({launch.Source}={launch.Size}) but {wanted} could not be loaded: {e.Message}. " +
                $"Install the MPI the launcher belongs to, name the library in {ClusterLaunch.LibraryVariable}, or set {ClusterLaunch.ModeVariable}=off to run every process alone.",
                e);
        }

        if (!mpi.IsInitialized())
        {
            mpi.Check(mpi.InitThread(MpiLibrary.ThreadSerialized, out _), "MPI_Init_thread");
        }

        mpi.Check(mpi.ReturnErrors(), "MPI_Comm_set_errhandler");
        mpi.Check(mpi.Rank(out int rank), "MPI_Comm_rank");
        mpi.Check(mpi.Size(out int size), "MPI_Comm_size");
        if (size != launch.Size || rank != launch.Rank)
        {
            throw new ClusterException(
                $"{mpi.Family} ({mpi.Path}) reports rank {rank} of {size}, but the launcher started rank {launch.Rank} of {launch.Size} ({launch.Source}): " +
                "the library and the launcher belong to different MPI implementations (for example MPICH's library under Open MPI's mpiexec). " +
                $"Start the program with the launcher of the same MPI (mpiexec.mpich for MPICH, mpiexec.openmpi for Open MPI), or name the matching library in {ClusterLaunch.LibraryVariable}.");
        }

        return new MpiCommunicator(mpi, rank, size, ReadTimeout());
    }

    private static TimeSpan ReadTimeout()
    {
        string? text = Environment.GetEnvironmentVariable(TimeoutVariable);
        if (string.IsNullOrWhiteSpace(text))
        {
            return TimeSpan.FromHours(1);
        }

        if (!double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds) || !(seconds > 0))
        {
            throw new ClusterException($"{TimeoutVariable} must be a positive number of seconds, got '{text}'.");
        }

        return TimeSpan.FromSeconds(seconds);
    }

    public byte[][] AllGather(ReadOnlySpan<byte> local)
    {
        lock (gate)
        {
            // The lengths first, then the bytes at their offsets.
            var lengths = new long[Size];
            long mine = local.Length;
            fixed (long* all = lengths)
            {
                Complete(mpi.Iallgather((byte*)&mine, sizeof(long), (byte*)all, out nint request), request, "MPI_Iallgather");
            }

            ClusterTraffic.Add(Size * sizeof(long));

            var (counts, offsets, total) = Layout(lengths, "An all-gather");
            var buffer = new byte[total];
            fixed (byte* send = local)
            fixed (byte* receive = buffer)
            fixed (int* c = counts)
            fixed (int* o = offsets)
            {
                Complete(mpi.Iallgatherv(send, local.Length, receive, c, o, out nint request), request, "MPI_Iallgatherv");
            }

            ClusterTraffic.Add(total);

            var result = new byte[Size][];
            for (int r = 0; r < Size; r++)
            {
                result[r] = buffer.AsSpan(offsets[r], counts[r]).ToArray();
            }

            return result;
        }
    }

    public byte[] Broadcast(byte[]? data, int root)
    {
        lock (gate)
        {
            long length = Rank == root ? (data ?? throw new ArgumentNullException(nameof(data))).Length : 0;
            Complete(mpi.Ibcast((byte*)&length, sizeof(long), root, out nint request), request, "MPI_Ibcast");
            byte[] buffer = Rank == root ? data! : new byte[length];
            fixed (byte* b = buffer)
            {
                for (long offset = 0; offset < length; offset += MaxMessage)
                {
                    int count = (int)Math.Min(MaxMessage, length - offset);
                    Complete(mpi.Ibcast(b + offset, count, root, out nint piece), piece, "MPI_Ibcast");
                    ClusterTraffic.Add(count);
                }
            }

            ClusterTraffic.Add(sizeof(long));

            return buffer;
        }
    }

    public byte[] Scatter(byte[][]? parts, int root)
    {
        lock (gate)
        {
            var lengths = new long[Size];
            if (Rank == root)
            {
                ArgumentNullException.ThrowIfNull(parts);
                if (parts.Length != Size)
                {
                    throw new ArgumentException($"Expected {Size} parts, one per rank, got {parts.Length}.", nameof(parts));
                }

                for (int r = 0; r < Size; r++)
                {
                    lengths[r] = parts[r].Length;
                }
            }

            fixed (long* l = lengths)
            {
                Complete(mpi.Ibcast((byte*)l, Size * sizeof(long), root, out nint request), request, "MPI_Ibcast");
            }

            var (counts, offsets, total) = Layout(lengths, "A scatter");
            byte[] send = [];
            if (Rank == root)
            {
                send = new byte[total];
                for (int r = 0; r < Size; r++)
                {
                    parts![r].CopyTo(send, offsets[r]);
                }
            }

            var receive = new byte[lengths[Rank]];
            fixed (byte* s = send)
            fixed (byte* d = receive)
            fixed (int* c = counts)
            fixed (int* o = offsets)
            {
                Complete(mpi.Iscatterv(s, c, o, d, receive.Length, root, out nint request), request, "MPI_Iscatterv");
            }

            ClusterTraffic.Add((Size * sizeof(long)) + receive.Length);

            return receive;
        }
    }

    /// <summary>Each rank's count and offset in one buffer of all ranks' bytes, and its size; MPI counts are C <c>int</c>s.</summary>
    private static (int[] Counts, int[] Offsets, long Total) Layout(long[] lengths, string what)
    {
        long total = 0;
        var counts = new int[lengths.Length];
        var offsets = new int[lengths.Length];
        for (int r = 0; r < lengths.Length; r++)
        {
            offsets[r] = (int)Math.Min(total, int.MaxValue);
            total += lengths[r];
            counts[r] = (int)lengths[r];
        }

        if (total > int.MaxValue)
        {
            throw new ClusterException($"{what} of {total} bytes is more than one MPI call can carry ({int.MaxValue}).");
        }

        return (counts, offsets, total);
    }

    public void Barrier()
    {
        lock (gate)
        {
            Complete(mpi.Ibarrier(out nint request), request, "MPI_Ibarrier");
            ClusterTraffic.Add(0);
        }
    }

    public void Abort(int exitCode, string message)
    {
        ClusterFaults.WriteError(message);

        // The launcher forwards each rank's output while the job runs and stops when MPI_Abort ends it: a moment
        // for the message to get through (on a loaded machine it was sometimes lost), and for the other ranks that
        // failed alike to write theirs.
        Thread.Sleep(AbortDelay);
        mpi.Abort(exitCode == 0 ? 1 : exitCode);

        // MPI_Abort does not return where it works; where it does, end this process at least.
        Environment.FailFast(message);
    }

    /// <summary><c>MPI_Finalize</c>, where MPI is initialized and not yet finalized.</summary>
    public void Finish()
    {
        lock (gate)
        {
            if (mpi.IsInitialized() && !mpi.IsFinalized())
            {
                mpi.Finalize();
            }
        }
    }

    /// <summary>
    /// Waits for a started collective: polls <c>MPI_Test</c>, spinning for the first 20 microseconds, then yielding
    /// the processor between polls (which costs no latency when nothing else wants the core, and lets a rank that
    /// shares the core compute), then, after 100 ms, sleeping a millisecond between polls, until it completes or the
    /// deadline passes (then the job ends). Sleeping sooner made every collective cost a millisecond or more on a
    /// loaded machine (measured: 2 to 4 ms for an 8-byte all-gather instead of 15 us).
    /// </summary>
    private void Complete(int code, nint request, string call)
    {
        mpi.Check(code, call);
        long start = Stopwatch.GetTimestamp();
        var spin = default(SpinWait);
        while (true)
        {
            mpi.Check(mpi.Test(ref request, out bool done), "MPI_Test");
            if (done)
            {
                return;
            }

            TimeSpan waited = Stopwatch.GetElapsedTime(start);
            if (waited > timeout)
            {
                Abort(
                    ClusterFaults.TimeoutExitCode,
                    $"Specialize.Cluster: rank {Rank} of {Size} waited {waited.TotalSeconds:F0} s in {call} for the other ranks ({TimeoutVariable} = {timeout.TotalSeconds:F0} s): " +
                    "a rank stopped calling the same collectives in the same order (it failed, hangs, or took another branch). Ending the job.");
            }

            if (waited.TotalMicroseconds < 20)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
            else if (waited.TotalMilliseconds < 100)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }
}
