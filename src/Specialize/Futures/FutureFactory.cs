using System;
using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Specialize.Futures;

/// <summary>
/// Entry points for parallel twins. A generated twin asks <see cref="FutureSite.TrySpawn"/> first:
/// only a call worth a thread goes through <see cref="Spawn{TState, T}"/> (its arguments as a state
/// value and a <see langword="static"/> lambda), every other call is made directly, as a plain call.
/// <see cref="Start{TState, T}"/> and <see cref="RunInline{TState, T}"/> make both decisions in one
/// call, for code that starts futures by hand.
/// </summary>
public static partial class Future
{
    /// <summary>
    /// Starts a pure call as a conditional future: spawned on the thread pool when the site's cost
    /// model predicts work well above the spawn cost, and while the in-flight limit and memory load
    /// allow; otherwise run inline at once (timed now and then, to keep the model current).
    /// </summary>
    /// <param name="site">The call site, with its learned cost model.</param>
    /// <param name="size">The size feature of this call (a length or an integer argument).</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="work">The call itself.</param>
    public static Future<T> Start<TState, T>(FutureSite site, long size, TState state, Func<TState, T> work)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(work);
        // TrySpawn counts the call as inline when it does not spawn it.
        return site.TrySpawn(size) ? new Future<T>(Spawn(site, size, state, work)) : Inline(site, size, state, work);
    }

    /// <summary>
    /// Generated code only: spawns a pure call on the thread pool, in the slot that a successful
    /// <see cref="FutureSite.TrySpawn"/> reserved for it (the slot is released when the call ends).
    /// Generated twins make the call themselves, as a plain call, whenever the site does not spawn,
    /// and read the result with <see cref="Join{T}"/>.
    /// </summary>
    /// <param name="site">The call site that reserved the slot.</param>
    /// <param name="size">The size feature of this call, as passed to <see cref="FutureSite.TrySpawn"/>.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="work">The call itself.</param>
    /// <returns>The running call.</returns>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Task<T> Spawn<TState, T>(FutureSite site, long size, TState state, Func<TState, T> work)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            var call = new SpawnedCall<TState, T>(site, size, state, work);
            ThreadPool.UnsafeQueueUserWorkItem(call, preferLocal: true);
            return call.Task;
        }
        catch
        {
            // The call was never queued: give its slot back.
            FutureRuntime.Exit();
            throw;
        }
    }

    /// <summary>
    /// Generated code only: the value of a call that may have been spawned. Waits for
    /// <paramref name="spawned"/> and returns its result (or rethrows its exception, the original
    /// exception object) when the call was spawned; otherwise returns <paramref name="value"/>, the
    /// result of the call made inline.
    /// </summary>
    /// <param name="spawned">The spawned call, or <see langword="null"/> when it ran inline.</param>
    /// <param name="value">The result of the call when it ran inline.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static T Join<T>(Task<T>? spawned, T value) => spawned is null ? value : Result(spawned);

    /// <summary>
    /// Generated code only: waits for a spawned call whose value is no longer needed and rethrows its
    /// exception, if it has one (nothing when <paramref name="spawned"/> is <see langword="null"/>).
    /// A twin calls it on the way out of a later statement that threw, so that an earlier call's
    /// exception surfaces first, as in the sequential program.
    /// </summary>
    /// <param name="spawned">The earlier spawned call, or <see langword="null"/> when it ran inline.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Wait<T>(Task<T>? spawned)
    {
        if (spawned is not null)
        {
            Result(spawned);
        }
    }

    /// <summary>
    /// The result of a spawned call. One that no thread has started yet runs here, on the thread
    /// that needs it, instead of waiting for a pool thread to pick it up (which, on a busy machine,
    /// can take longer than the call); otherwise this waits for it. GetResult rethrows the call's
    /// own exception rather than an AggregateException.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    internal static T Result<T>(Task<T> spawned)
    {
        if (spawned.AsyncState is ISpawnedCall call && call.TryClaim())
        {
            spawned.RunSynchronously(TaskScheduler.Default);
        }

        return spawned.GetAwaiter().GetResult();
    }

    /// <summary>
    /// Runs a pure call inline and captures its result or exception, so that an earlier future's
    /// exception can still surface first when the futures are forced in program order.
    /// </summary>
    /// <param name="site">The call site, with its learned cost model.</param>
    /// <param name="size">The size feature of this call.</param>
    /// <param name="state">The call's arguments.</param>
    /// <param name="work">The call itself.</param>
    public static Future<T> RunInline<TState, T>(FutureSite site, long size, TState state, Func<TState, T> work)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(work);
        FutureRuntime.CountInline();
        return Inline(site, size, state, work);
    }

    private static Future<T> Inline<TState, T>(FutureSite site, long size, TState state, Func<TState, T> work)
    {
        long start = site.StartTiming(size);
        try
        {
            T value = work(state);
            site.StopTiming(start, size);
            return new Future<T>(value);
        }
        catch (Exception exception)
        {
            return new Future<T>(ExceptionDispatchInfo.Capture(exception));
        }
    }

    /// <summary>A spawned call that whichever thread claims it first runs.</summary>
    internal interface ISpawnedCall
    {
        /// <summary>True for the one caller that gets to run the call.</summary>
        bool TryClaim();
    }

    /// <summary>
    /// A spawned call: a task not started yet, queued to the thread pool as a work item. The pool
    /// thread that picks it up or the thread that needs its value, whichever claims it first, runs
    /// it (on the other, claiming fails and it does nothing). The task is the call's state, so
    /// <see cref="Result{T}"/> finds the claim from the task alone.
    /// </summary>
    internal sealed class SpawnedCall<TState, T> : ISpawnedCall, IThreadPoolWorkItem
    {
        private readonly FutureSite site;
        private readonly long size;
        private readonly TState state;
        private readonly Func<TState, T> work;
        private int claimed;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public SpawnedCall(FutureSite site, long size, TState state, Func<TState, T> work)
        {
            this.site = site;
            this.size = size;
            this.state = state;
            this.work = work;
            Task = new Task<T>([MethodImpl(MethodImplOptions.AggressiveOptimization)] static (call) => ((SpawnedCall<TState, T>)call!).Run(), this);
        }

        public Task<T> Task { get; }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public bool TryClaim() => Interlocked.Exchange(ref claimed, 1) == 0;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void IThreadPoolWorkItem.Execute()
        {
            if (TryClaim())
            {
                Task.RunSynchronously(TaskScheduler.Default);

                // A call the twin no longer waits for (an earlier call's exception left it) would
                // otherwise report its failure as unobserved when collected, which the sequential
                // program never does. A join still rethrows it.
                if (Task.IsFaulted)
                {
                    _ = Task.Exception;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private T Run()
        {
            // Spawned runs are timed too: otherwise a site that once looked expensive would spawn
            // forever without ever learning that it is cheap.
            long start = Stopwatch.GetTimestamp();
            try
            {
                T value = work(state);
                site.Record(Stopwatch.GetTimestamp() - start, size);
                return value;
            }
            finally
            {
                FutureRuntime.Exit();
            }
        }
    }
}
