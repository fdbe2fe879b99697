using System;
using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace Specialize.Futures;

/// <summary>
/// Entry points for generated parallel twins. A twin passes the call's arguments as a state value
/// and a <see langword="static"/> lambda, so the inline path allocates nothing.
/// </summary>
public static class Future
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
        if (FutureRuntime.ShouldSpawn(site, size) && FutureRuntime.TryEnter())
        {
            Task<T> task = Task.Factory.StartNew(
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
            return new Future<T>(task);
        }

        return RunInline(site, size, state, work);
    }

    /// <summary>
    /// Runs a pure call inline and captures its result or exception, so that an earlier future's
    /// exception can still surface first when the futures are forced in program order.
    /// </summary>
    public static Future<T> RunInline<TState, T>(FutureSite site, long size, TState state, Func<TState, T> work)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(work);
        FutureRuntime.CountInline();
        bool sample = FutureRuntime.Enabled && site.ShouldSample(size);
        long start = sample ? Stopwatch.GetTimestamp() : 0;
        try
        {
            T value = work(state);
            if (sample)
            {
                site.Record(Stopwatch.GetTimestamp() - start, size);
            }

            return new Future<T>(value);
        }
        catch (Exception exception)
        {
            return new Future<T>(ExceptionDispatchInfo.Capture(exception));
        }
    }
}
