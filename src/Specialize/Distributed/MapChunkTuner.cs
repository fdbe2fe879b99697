using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Reflection;
using Specialize.Variants;

namespace Specialize.Distributed;

/// <summary>
/// Chooses how many records one chunk of a <see cref="Cluster.Map{TRecord, TResult}(IReadOnlyList{TRecord}, Func{TRecord, TResult}, ClusterMapOptions?)"/>
/// holds. The candidates are a number of chunks per worker (a rank, or a thread without MPI): 16 first, then 4, 64
/// and 1. Few large chunks cost the least in scheduling and framing; many small ones balance uneven records. The
/// candidates take turns on successive calls with the same function, number of workers and size bucket
/// (a <see cref="VariantRace{TKernel}"/> over the call times per record); the winner goes into the tuning store,
/// so later runs start with it. Only the root chooses under MPI, and its choice travels with the call.
/// </summary>
internal static class MapChunkTuner
{
    public const string KernelPrefix = "cluster.map:";

    private static readonly int[] s_chunksPerWorker = [16, 4, 64, 1];
    private static readonly ConcurrentDictionary<(TuningStore Store, VariantKey Key), VariantRace<Func<int>>> s_races = new();

    /// <summary>The tuning key of one map: the function, the number of workers and threads, and the bucket of the number of records.</summary>
    public static VariantKey Key(MethodInfo? function, int records, int workers, int threads)
    {
        string name = function is null ? "unknown" : $"{function.DeclaringType?.FullName}.{function.Name}";
        return new VariantKey("cluster", KernelPrefix + name, "records", workers, threads, VariantKey.RowBucketOf(records));
    }

    /// <summary>The candidates' names, as stored.</summary>
    public static IReadOnlyList<string> CandidateNames()
    {
        var names = new string[s_chunksPerWorker.Length];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Name(s_chunksPerWorker[i]);
        }

        return names;
    }

    /// <summary>Records per chunk for <paramref name="records"/> records over <paramref name="workers"/> workers with <paramref name="chunksPerWorker"/> chunks each.</summary>
    public static int ChunkSize(int records, int workers, int chunksPerWorker) =>
        (int)Math.Max(1, ((long)records + ((long)workers * chunksPerWorker) - 1) / ((long)workers * chunksPerWorker));

    /// <summary>
    /// The chunk size for this call, and a callback to report its duration (which does nothing once the race is
    /// decided). A fixed <paramref name="fixedSize"/> is used as given.
    /// </summary>
    public static (int ChunkSize, Action<TimeSpan> Report) Choose(TuningStore store, VariantKey key, int records, int workers, int? fixedSize)
    {
        if (fixedSize is int size)
        {
            return (Math.Min(size, Math.Max(1, records)), static _ => { });
        }

        if (store.TryGet(key, CandidateNames(), out string remembered) && TryParse(remembered, out int rememberedPerWorker))
        {
            return (ChunkSize(records, workers, rememberedPerWorker), static _ => { });
        }

        VariantRace<Func<int>> race = s_races.GetOrAdd((store, key), static k => NewRace(k.Store, k.Key));
        lock (race)
        {
            if (race.IsDecided)
            {
                return (ChunkSize(records, workers, race.Current.Value()), static _ => { });
            }

            int perWorker = race.Current.Value();
            return (ChunkSize(records, workers, perWorker), elapsed =>
            {
                lock (race)
                {
                    if (!race.IsDecided && race.Current.Value() == perWorker)
                    {
                        race.Report(elapsed.TotalSeconds / Math.Max(1, records));
                    }
                }
            });
        }
    }

    private static VariantRace<Func<int>> NewRace(TuningStore store, VariantKey key)
    {
        var candidates = new List<KeyValuePair<string, Func<int>>>();
        foreach (int perWorker in s_chunksPerWorker)
        {
            candidates.Add(new(Name(perWorker), () => perWorker));
        }

        return new VariantRace<Func<int>>(candidates, rounds: 1, (winner, seconds) => store.Record(key, winner.Key, seconds, CandidateNames()));
    }

    private static string Name(int chunksPerWorker) => $"chunks-per-worker={chunksPerWorker}";

    private static bool TryParse(string name, out int chunksPerWorker)
    {
        chunksPerWorker = 0;
        const string prefix = "chunks-per-worker=";
        return name.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out chunksPerWorker)
            && chunksPerWorker > 0;
    }
}
