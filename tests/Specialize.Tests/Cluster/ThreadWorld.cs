using Specialize.Distributed;

namespace Specialize.Tests.Cluster;

/// <summary>What one rank of a <see cref="ThreadWorld"/> run returned or threw.</summary>
internal sealed record RankOutcome<T>(int Rank, T? Value, Exception? Exception)
{
    public T Result => Exception is null ? Value! : throw new InvalidOperationException($"Rank {Rank} threw.", Exception);
}

/// <summary>
/// An MPI world of <c>Size</c> ranks run as threads of this process, for tests of the distributed code paths: each
/// rank's thread sees its own <see cref="ICommunicator"/> as the world (<see cref="Specialize.Cluster.Use"/>), and
/// the collectives meet at a barrier. A rank that throws cancels the barrier, so the others stop waiting and throw
/// too (no test hangs); a wait longer than the timeout fails the same way.
/// </summary>
internal sealed class ThreadWorld
{
    private readonly Barrier barrier;
    private readonly byte[]?[] slots;
    private readonly CancellationTokenSource stop = new();
    private readonly TimeSpan timeout;
    private int broadcasts;
    private int scatters;
    private int gathers;

    private ThreadWorld(int size, TimeSpan timeout)
    {
        Size = size;
        barrier = new Barrier(size);
        slots = new byte[size][];
        this.timeout = timeout;
    }

    public int Size { get; }

    /// <summary>Broadcasts the ranks made (counted once per collective).</summary>
    public int Broadcasts => Volatile.Read(ref broadcasts);

    /// <summary>Scatters the ranks made (counted once per collective).</summary>
    public int Scatters => Volatile.Read(ref scatters);

    /// <summary>All-gathers the ranks made (counted once per collective).</summary>
    public int Gathers => Volatile.Read(ref gathers);

    /// <summary>Runs <paramref name="body"/> as every rank of a new world and returns what each rank returned or threw.</summary>
    public static RankOutcome<T>[] Run<T>(int size, Func<int, T> body, TimeSpan? timeout = null) => Run(size, (rank, _) => body(rank), out _, timeout);

    /// <summary>Runs <paramref name="body"/> as every rank of a new world, which it is also given (to count collectives).</summary>
    public static RankOutcome<T>[] Run<T>(int size, Func<int, ThreadWorld, T> body, out ThreadWorld world, TimeSpan? timeout = null)
    {
        var w = new ThreadWorld(size, timeout ?? TimeSpan.FromSeconds(60));
        var outcomes = new RankOutcome<T>[size];
        var threads = new Thread[size];
        for (int r = 0; r < size; r++)
        {
            int rank = r;
            threads[r] = new Thread(() =>
            {
                using var scope = Specialize.Cluster.Use(new RankCommunicator(w, rank));
                try
                {
                    outcomes[rank] = new RankOutcome<T>(rank, body(rank, w), null);
                }
                catch (Exception e)
                {
                    outcomes[rank] = new RankOutcome<T>(rank, default, e);
                    w.stop.Cancel();
                }
            }) { IsBackground = true, Name = $"rank {rank}" };
            threads[r].Start();
        }

        foreach (Thread thread in threads)
        {
            thread.Join();
        }

        world = w;
        return outcomes;
    }

    private void Meet(int rank, string what)
    {
        try
        {
            if (!barrier.SignalAndWait(timeout, stop.Token))
            {
                stop.Cancel();
                throw new TimeoutException($"Rank {rank} waited more than {timeout} in {what}.");
            }
        }
        catch (OperationCanceledException)
        {
            throw new WorldStoppedException($"Rank {rank} stopped waiting in {what}: another rank failed.");
        }
    }

    /// <summary>The world stopped because another rank threw; what a rank killed by <c>MPI_Abort</c> would not see.</summary>
    internal sealed class WorldStoppedException(string message) : Exception(message);

    /// <summary>A rank ended the world through <see cref="ICommunicator.Abort"/>.</summary>
    internal sealed class AbortedException(int code, string message) : Exception(message)
    {
        public int Code { get; } = code;
    }

    private sealed class RankCommunicator(ThreadWorld world, int rank) : ICommunicator
    {
        public int Rank => rank;

        public int Size => world.Size;

        public byte[][] AllGather(ReadOnlySpan<byte> local)
        {
            world.slots[rank] = local.ToArray();
            world.Meet(rank, "an all-gather");
            var all = new byte[Size][];
            for (int r = 0; r < Size; r++)
            {
                all[r] = (byte[])world.slots[r]!.Clone();
            }

            if (rank == 0)
            {
                Interlocked.Increment(ref world.gathers);
            }

            world.Meet(rank, "an all-gather");
            return all;
        }

        public byte[] Broadcast(byte[]? data, int root)
        {
            if (rank == root)
            {
                world.slots[root] = data ?? throw new ArgumentNullException(nameof(data));
                Interlocked.Increment(ref world.broadcasts);
            }

            world.Meet(rank, "a broadcast");
            byte[] copy = (byte[])world.slots[root]!.Clone();
            world.Meet(rank, "a broadcast");
            return copy;
        }

        public byte[] Scatter(byte[][]? parts, int root)
        {
            if (rank == root)
            {
                ArgumentNullException.ThrowIfNull(parts);
                for (int r = 0; r < Size; r++)
                {
                    world.slots[r] = parts[r];
                }

                Interlocked.Increment(ref world.scatters);
            }

            world.Meet(rank, "a scatter");
            byte[] mine = (byte[])world.slots[rank]!.Clone();
            world.Meet(rank, "a scatter");
            return mine;
        }

        public void Barrier() => world.Meet(rank, "a barrier");

        public void Abort(int exitCode, string message)
        {
            world.stop.Cancel();
            throw new AbortedException(exitCode, message);
        }
    }
}
