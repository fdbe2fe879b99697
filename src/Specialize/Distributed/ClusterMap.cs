using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Reflection;
using System.Threading.Tasks;
using Specialize.Variants;

namespace Specialize.Distributed;

/// <summary>
/// <see cref="Cluster.Map{TRecord, TInvariant, TResult}(IReadOnlyList{TRecord}, TInvariant, Func{TRecord, TInvariant, TResult}, ClusterMapOptions?)"/>:
/// on local cores, or over the ranks in three steps.
/// <list type="number">
/// <item>Every rank serializes its records and invariant data and hashes them; the ranks all-gather the counts and
/// hashes, and the root's chunk size. The root's data is the data: a rank whose hash differs from the root's (and
/// that has not kept the root's invariant data from an earlier call) receives it.</item>
/// <item>Where a rank needs them, the root broadcasts its invariant data and scatters each rank's chunks of records
/// (chunk <c>c</c> holds records <c>[c * size, (c + 1) * size)</c> and goes to rank <c>c mod Size</c>).</item>
/// <item>Every rank maps its chunks on its cores; the ranks all-gather the results (or the lowest failing record of
/// each rank), and every rank puts them in input order.</item>
/// </list>
/// </summary>
internal static class ClusterMap
{
    public const string Operation = "Cluster.Map";

    /// <summary>How many invariant data sets received from the root a rank keeps for later calls.</summary>
    private const int KeptInvariants = 4;

    private static readonly LinkedList<(ulong Hash, Type Type, object? Value)> s_kept = new();

    public static TResult[] Run<TRecord, TInvariant, TResult>(
        IReadOnlyList<TRecord> records,
        TInvariant invariant,
        bool hasInvariant,
        Func<TRecord, TInvariant, TResult>? function,
        MethodInfo? identity,
        string functionName,
        ClusterMapOptions? options)
    {
        options ??= new ClusterMapOptions();
        ICommunicator? cluster = Cluster.Distributed;
        if (cluster is null)
        {
            Validate(records, function, functionName, options, hasInvariant);
            return RunLocally(records, invariant, function!, identity, options);
        }

        using var busy = Cluster.Enter(cluster, Operation);
        return RunDistributed(cluster, records, invariant, hasInvariant, function, identity, functionName, options);
    }

    private static void Validate<TRecord, TInvariant, TResult>(IReadOnlyList<TRecord> records, Func<TRecord, TInvariant, TResult>? function, string functionName, ClusterMapOptions options, bool hasInvariant)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(function, functionName);
        options.Validate();

        // The same check with and without MPI, so that a program that runs alone also runs under mpiexec.
        _ = ClusterCodec<TRecord>.Instance;
        _ = ClusterCodec<TResult>.Instance;
        if (hasInvariant)
        {
            _ = ClusterCodec<TInvariant>.Instance;
        }
    }

    private static int Threads(ClusterMapOptions options) => options.MaxDegreeOfParallelism == -1 ? Cluster.LocalThreads : options.MaxDegreeOfParallelism;

    private static TResult[] RunLocally<TRecord, TInvariant, TResult>(IReadOnlyList<TRecord> records, TInvariant invariant, Func<TRecord, TInvariant, TResult> function, MethodInfo? identity, ClusterMapOptions options)
    {
        int n = records.Count, threads = Threads(options);
        var store = options.TuningStore ?? TuningStore.Default;
        var (chunk, report) = MapChunkTuner.Choose(store, MapChunkTuner.Key(identity, n, threads, threads), n, threads, options.ChunkSize);
        long start = Stopwatch.GetTimestamp();
        TResult[] results = Compute(records, invariant, function, chunk, threads, out int failed, out Exception? failure);
        if (failure is not null)
        {
            int rank = Cluster.Rank, size = Cluster.Size;
            string type = failure.GetType().FullName ?? failure.GetType().Name;
            throw new ClusterException($"{Operation}: record {failed} failed on rank {rank} of {size}: {type}: {failure.Message}", rank, failed, type, failure);
        }

        report(Stopwatch.GetElapsedTime(start));
        return results;
    }

    /// <summary>Maps <paramref name="records"/> on <paramref name="threads"/> threads in chunks; stops at the lowest failing record it finds.</summary>
    private static TResult[] Compute<TRecord, TInvariant, TResult>(IReadOnlyList<TRecord> records, TInvariant invariant, Func<TRecord, TInvariant, TResult> function, int chunk, int threads, out int failed, out Exception? failure)
    {
        int n = records.Count;
        var results = new TResult[n];
        int lowest = int.MaxValue;
        Exception? first = null;
        var gate = new object();
        using (Cluster.RunLocally())
        {
            int chunks = (int)(((long)n + chunk - 1) / chunk);
            Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, c =>
            {
                int end = (int)Math.Min(n, ((long)c + 1) * chunk);
                for (int i = c * chunk; i < end; i++)
                {
                    if (System.Threading.Volatile.Read(ref lowest) < i)
                    {
                        return;
                    }

                    try
                    {
                        results[i] = function(records[i], invariant);
                    }
                    catch (Exception e)
                    {
                        lock (gate)
                        {
                            if (i < lowest)
                            {
                                lowest = i;
                                first = e;
                            }
                        }

                        return;
                    }
                }
            });
        }

        failed = lowest;
        failure = first;
        return results;
    }

    private static TResult[] RunDistributed<TRecord, TInvariant, TResult>(
        ICommunicator cluster,
        IReadOnlyList<TRecord> records,
        TInvariant invariant,
        bool hasInvariant,
        Func<TRecord, TInvariant, TResult>? function,
        MethodInfo? identity,
        string functionName,
        ClusterMapOptions options)
    {
        int me = cluster.Rank, size = cluster.Size, threads = Threads(options);
        long start = Stopwatch.GetTimestamp();
        byte[] recordBytes = [];
        int[] recordEnds = [];
        byte[] invariantBytes = [];
        Action<TimeSpan> report = static _ => { };

        // Step 1: counts, hashes and the root's chunk size.
        byte[][] headers = ClusterExchange.Run(cluster, Operation, () =>
        {
            Validate(records, function, functionName, options, hasInvariant);
            var writer = new ByteWriter();
            var codec = ClusterCodec<TRecord>.Instance;
            recordEnds = new int[records.Count];
            for (int i = 0; i < records.Count; i++)
            {
                codec.Write(writer, records[i]);
                recordEnds[i] = writer.Length;
            }

            recordBytes = writer.ToArray();
            var header = new ByteWriter();
            header.WriteLong(records.Count);
            header.WriteLong((long)ClusterCodecs.Hash(recordBytes));
            if (hasInvariant)
            {
                invariantBytes = ClusterCodecs.ToBytes(invariant);
                header.WriteLong((long)ClusterCodecs.Hash(invariantBytes));
            }
            else
            {
                header.WriteLong(0);
            }

            List<ulong> kept = KeptHashes(typeof(TInvariant));
            header.WriteLength(kept.Count);
            foreach (ulong hash in kept)
            {
                header.WriteLong((long)hash);
            }

            int chunk = 0;
            if (me == 0)
            {
                var key = MapChunkTuner.Key(identity, records.Count, size, threads);
                (chunk, report) = MapChunkTuner.Choose(options.TuningStore ?? TuningStore.Default, key, records.Count, size, options.ChunkSize);
            }

            header.WriteLength(chunk);
            return header.ToArray();
        });

        var plan = Plan.Read(headers, hasInvariant);
        int n = plan.Count;
        if (n == 0)
        {
            return [];
        }

        // Step 2: what a rank does not hold, from the root.
        byte[]? receivedInvariant = plan.AnyNeedsInvariant ? cluster.Broadcast(me == 0 ? invariantBytes : null, 0) : null;
        byte[]? receivedRecords = null;
        if (plan.AnyNeedsRecords)
        {
            byte[][]? parts = null;
            if (me == 0)
            {
                parts = new byte[size][];
                for (int r = 0; r < size; r++)
                {
                    parts[r] = plan.NeedsRecords[r] ? ChunkBytes(recordBytes, recordEnds, plan, r) : [];
                }
            }

            receivedRecords = cluster.Scatter(parts, 0);
        }

        // Step 3: this rank's chunks, then every rank's results in input order.
        TResult[] mine = [];
        byte[][] gathered = ClusterExchange.Run(cluster, Operation, () =>
        {
            TInvariant shared = !hasInvariant || me == 0 || plan.InvariantHashes[me] == plan.RootInvariantHash
                ? invariant
                : ResolveInvariant<TInvariant>(plan.RootInvariantHash, receivedInvariant);
            int[] indices = plan.Indices(me);
            TRecord[] local = new TRecord[indices.Length];
            if (receivedRecords is not null && plan.NeedsRecords[me])
            {
                var reader = new ByteReader(receivedRecords);
                var codec = ClusterCodec<TRecord>.Instance;
                for (int i = 0; i < local.Length; i++)
                {
                    local[i] = codec.Read(ref reader);
                }

                reader.EnsureEnd();
            }
            else
            {
                for (int i = 0; i < local.Length; i++)
                {
                    local[i] = records[indices[i]];
                }
            }

            mine = Compute(local, shared, function!, plan.ChunkSize, threads, out int failed, out Exception? failure);
            if (failure is not null)
            {
                throw new ItemException(indices[failed], failure);
            }

            var writer = new ByteWriter();
            var resultCodec = ClusterCodec<TResult>.Instance;
            foreach (TResult result in mine)
            {
                resultCodec.Write(writer, result);
            }

            return writer.ToArray();
        });

        var results = new TResult[n];
        var codec = ClusterCodec<TResult>.Instance;
        for (int r = 0; r < size; r++)
        {
            int[] indices = plan.Indices(r);
            if (r == me)
            {
                for (int i = 0; i < indices.Length; i++)
                {
                    results[indices[i]] = mine[i];
                }

                continue;
            }

            var reader = new ByteReader(gathered[r]);
            foreach (int index in indices)
            {
                results[index] = codec.Read(ref reader);
            }

            reader.EnsureEnd();
        }

        report(Stopwatch.GetElapsedTime(start));
        return results;
    }

    /// <summary>The serialized records of rank <paramref name="rank"/>'s chunks, in order.</summary>
    private static byte[] ChunkBytes(byte[] recordBytes, int[] recordEnds, Plan plan, int rank)
    {
        var writer = new ByteWriter();
        foreach (var (first, end) in plan.Chunks(rank))
        {
            int from = first == 0 ? 0 : recordEnds[first - 1];
            writer.Write(recordBytes.AsSpan(from, recordEnds[end - 1] - from));
        }

        return writer.ToArray();
    }

    private static List<ulong> KeptHashes(Type type)
    {
        lock (s_kept)
        {
            var hashes = new List<ulong>();
            foreach (var entry in s_kept)
            {
                if (entry.Type == type)
                {
                    hashes.Add(entry.Hash);
                }
            }

            return hashes;
        }
    }

    /// <summary>The root's invariant data: kept from an earlier call, or deserialized from <paramref name="received"/> and kept.</summary>
    private static T ResolveInvariant<T>(ulong hash, byte[]? received)
    {
        lock (s_kept)
        {
            for (var node = s_kept.First; node is not null; node = node.Next)
            {
                if (node.Value.Hash == hash && node.Value.Type == typeof(T))
                {
                    s_kept.Remove(node);
                    s_kept.AddFirst(node);
                    return (T)node.Value.Value!;
                }
            }
        }

        if (received is null)
        {
            throw new ClusterException($"{Operation}: the root's invariant data was neither kept nor received on this rank.");
        }

        T value = ClusterCodecs.FromBytes<T>(received);
        lock (s_kept)
        {
            s_kept.AddFirst((hash, typeof(T), value));
            while (s_kept.Count > KeptInvariants)
            {
                s_kept.RemoveLast();
            }
        }

        return value;
    }

    /// <summary>What step 1 decided, the same on every rank: the root's count, hashes and chunk size, and who needs what.</summary>
    private sealed class Plan
    {
        private Plan(int count, int chunkSize, int ranks, ulong rootInvariantHash, ulong[] invariantHashes, bool[] needsRecords, bool[] needsInvariant)
        {
            Count = count;
            ChunkSize = chunkSize;
            Ranks = ranks;
            RootInvariantHash = rootInvariantHash;
            InvariantHashes = invariantHashes;
            NeedsRecords = needsRecords;
            AnyNeedsRecords = Array.IndexOf(needsRecords, true) >= 0;
            AnyNeedsInvariant = Array.IndexOf(needsInvariant, true) >= 0;
        }

        public int Count { get; }

        public int ChunkSize { get; }

        public int Ranks { get; }

        public ulong RootInvariantHash { get; }

        public ulong[] InvariantHashes { get; }

        public bool[] NeedsRecords { get; }

        public bool AnyNeedsRecords { get; }

        public bool AnyNeedsInvariant { get; }

        public static Plan Read(byte[][] headers, bool hasInvariant)
        {
            int ranks = headers.Length;
            var counts = new long[ranks];
            var recordHashes = new ulong[ranks];
            var invariantHashes = new ulong[ranks];
            var kept = new List<ulong>[ranks];
            int chunk = 0;
            for (int r = 0; r < ranks; r++)
            {
                var reader = new ByteReader(headers[r]);
                counts[r] = reader.ReadLong();
                recordHashes[r] = (ulong)reader.ReadLong();
                invariantHashes[r] = (ulong)reader.ReadLong();
                int keptCount = reader.ReadLength();
                kept[r] = new List<ulong>(keptCount);
                for (int i = 0; i < keptCount; i++)
                {
                    kept[r].Add((ulong)reader.ReadLong());
                }

                int c = reader.ReadLength();
                chunk = r == 0 ? c : chunk;
                reader.EnsureEnd();
            }

            var needsRecords = new bool[ranks];
            var needsInvariant = new bool[ranks];
            for (int r = 1; r < ranks; r++)
            {
                needsRecords[r] = counts[r] != counts[0] || recordHashes[r] != recordHashes[0];
                needsInvariant[r] = hasInvariant && invariantHashes[r] != invariantHashes[0] && !kept[r].Contains(invariantHashes[0]);
            }

            return new Plan((int)counts[0], Math.Max(1, chunk), ranks, invariantHashes[0], invariantHashes, needsRecords, needsInvariant);
        }

        /// <summary>The record ranges <c>[first, end)</c> of rank <paramref name="rank"/>'s chunks, in order.</summary>
        public IEnumerable<(int First, int End)> Chunks(int rank)
        {
            long chunks = ((long)Count + ChunkSize - 1) / ChunkSize;
            for (long c = rank; c < chunks; c += Ranks)
            {
                int first = (int)(c * ChunkSize);
                yield return (first, (int)Math.Min(Count, first + (long)ChunkSize));
            }
        }

        /// <summary>The indices of rank <paramref name="rank"/>'s records, in order.</summary>
        public int[] Indices(int rank)
        {
            var indices = new List<int>();
            foreach (var (first, end) in Chunks(rank))
            {
                for (int i = first; i < end; i++)
                {
                    indices.Add(i);
                }
            }

            return [.. indices];
        }
    }
}
