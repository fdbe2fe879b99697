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
    public static Task<T> Spawn<TState, T>(FutureSite site, long size, TState state, Func<TState, T> work)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            return Task.Factory.StartNew(
                static boxed =>
                {
                    // Spawned runs are timed too: otherwise a site that once looked expensive would
                    // spawn forever without ever learning that it is cheap.
                    var (s, w, site, size) = ((TState, Func<TState, T>, FutureSite, long))boxed!;
                    long start = Stopwatch.GetTimestamp();
                    try
                    {
                        T value = w(s);
                        site.Record(Stopwatch.GetTimestamp() - start, size);
                        return value;
                    }
                    finally
                    {
                        FutureRuntime.Exit();
                    }
                },
                (state, work, site, size),
                CancellationToken.None,
                TaskCreationOptions.None,
                TaskScheduler.Default);
        }
        catch
        {
            // The task never started: give its slot back.
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
    public static void Wait<T>(Task<T>? spawned)
    {
        if (spawned is not null)
        {
            Result(spawned);
        }
    }

    // GetResult rethrows the task's own exception rather than an AggregateException, and a task that
    // has not started yet runs inline on this thread instead of blocking it.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static T Result<T>(Task<T> spawned) => spawned.GetAwaiter().GetResult();

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
}
