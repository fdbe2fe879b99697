using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Specialize.Futures;

/// <summary>
/// The results of a parallel map: one value, or the exception its call threw, per element. A
/// generated twin reads them in the loop's own order, so the first element whose call failed throws
/// its exception where the sequential loop would have, after every earlier element was stored.
/// </summary>
/// <typeparam name="T">The result type of the mapped call.</typeparam>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class FutureMapResults<T>
{
    private readonly T[] values;
    private ExceptionDispatchInfo?[]? exceptions;

    internal FutureMapResults(int count)
    {
        values = new T[count];
    }

    /// <summary>The number of elements.</summary>
    public int Count => values.Length;

    /// <summary>The result of element <paramref name="index"/> (counted from the first element), or its exception, rethrown.</summary>
    public T this[int index]
    {
        get
        {
            Volatile.Read(ref exceptions)?[index]?.Throw();
            return values[index];
        }
    }

    internal void Set(int index, T value) => values[index] = value;

    internal void Fail(int index, Exception exception)
    {
        if (Volatile.Read(ref exceptions) is null)
        {
            Interlocked.CompareExchange(ref exceptions, new ExceptionDispatchInfo?[values.Length], null);
        }

        exceptions![index] = ExceptionDispatchInfo.Capture(exception);
    }
}

/// <summary>Entry point of parallel maps for generated twins.</summary>
public static partial class Future
{
    /// <summary>
    /// Generated code only: computes <paramref name="body"/> for every index from
    /// <paramref name="from"/> up to (not including) <paramref name="to"/>, on the calling thread and
    /// on helper threads, in chunks taken in order from a shared counter. Call it after
    /// <see cref="FutureSite.TrySpawn"/> returned <see langword="true"/> for the loop's element count:
    /// the slot it reserved is the first helper's; more helpers start while the in-flight limit
    /// allows. Every call runs, whatever others throw; the exceptions are kept per element.
    /// </summary>
    /// <param name="site">The loop's site, which reserved a slot for one helper.</param>
    /// <param name="from">The first index.</param>
    /// <param name="to">One past the last index.</param>
    /// <param name="state">What the calls read besides the index.</param>
    /// <param name="body">One call, for one index.</param>
    /// <returns>The results, indexed from 0 (<paramref name="from"/>).</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public static FutureMapResults<T> Map<TState, T>(FutureSite site, int from, int to, TState state, Func<TState, int, T> body)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(body);
        if (to < from)
        {
            FutureRuntime.Exit();
            throw new ArgumentOutOfRangeException(nameof(to), to, $"The map's end must not be below its start ({from}).");
        }

        var work = new MapWork<TState, T>(site, from, to - from, state, body);

        // The slot TrySpawn reserved is the first helper's; a helper per further free slot, up to
        // one per core besides this thread.
        int helpers = 1;
        while (helpers < Environment.ProcessorCount - 1 && helpers < work.Chunks - 1 && FutureRuntime.TryEnter())
        {
            helpers++;
        }

        var tasks = new Task[helpers];
        for (int i = 0; i < helpers; i++)
        {
            try
            {
                tasks[i] = Task.Factory.StartNew(static w => ((MapWork<TState, T>)w!).RunHelper(), work, CancellationToken.None, TaskCreationOptions.None, TaskScheduler.Default);
            }
            catch
            {
                // The helper never started: give its slot (and those of the helpers after it) back.
                for (int j = i; j < helpers; j++)
                {
                    FutureRuntime.Exit();
                }

                Array.Resize(ref tasks, i);
                break;
            }
        }

        work.Run();
        Task.WaitAll(tasks);
        work.Record();
        return work.Results;
    }

    /// <summary>The shared state of one map: the results, the next chunk, the time spent.</summary>
    private sealed class MapWork<TState, T>
    {
        private readonly FutureSite site;
        private readonly int from;
        private readonly int count;
        private readonly int chunk;
        private readonly TState state;
        private readonly Func<TState, int, T> body;
        private int next;
        private long ticks;

        public MapWork(FutureSite site, int from, int count, TState state, Func<TState, int, T> body)
        {
            this.site = site;
            this.from = from;
            this.count = count;
            this.state = state;
            this.body = body;
            Results = new FutureMapResults<T>(count);

            // Several chunks per thread, so that threads that finish early take over the rest.
            int participants = Math.Max(2, Environment.ProcessorCount);
            chunk = Math.Max(1, count / (participants * 4));
        }

        public FutureMapResults<T> Results { get; }

        public int Chunks => (count + chunk - 1) / chunk;

        public void RunHelper()
        {
            try
            {
                Run();
            }
            finally
            {
                FutureRuntime.Exit();
            }
        }

        public void Run()
        {
            long start = Stopwatch.GetTimestamp();
            while (true)
            {
                int first = Interlocked.Add(ref next, chunk) - chunk;
                if (first >= count)
                {
                    break;
                }

                int last = Math.Min(first + chunk, count);
                for (int i = first; i < last; i++)
                {
                    try
                    {
                        Results.Set(i, body(state, from + i));
                    }
                    catch (Exception exception)
                    {
                        Results.Fail(i, exception);
                    }
                }
            }

            Interlocked.Add(ref ticks, Stopwatch.GetTimestamp() - start);
        }

        /// <summary>Adds the time all threads spent, per element, to the loop's cost model.</summary>
        public void Record() => site.Record(Volatile.Read(ref ticks), count);
    }
}
