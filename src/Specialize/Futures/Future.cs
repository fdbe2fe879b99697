using System;
using System.Runtime.ExceptionServices;
using System.Threading.Tasks;

namespace Specialize.Futures;

/// <summary>
/// The value of a pure call that may still be running on another thread, for code that starts
/// futures by hand with <see cref="Future.Start{TState, T}"/> and reads them with <see cref="Force"/>
/// before the first use of the value, in program order, so that an exception surfaces with its own
/// type and message exactly where the sequential program would have thrown it. (Generated twins keep
/// the spawned task and the inline value apart, in locals, which costs nothing on the inline path.)
/// </summary>
/// <typeparam name="T">The call's result type.</typeparam>
public readonly struct Future<T>
{
    private readonly T value;
    private readonly Task<T>? task;
    private readonly ExceptionDispatchInfo? exception;

    internal Future(T value)
    {
        this.value = value;
        task = null;
        exception = null;
    }

    internal Future(Task<T> task)
    {
        value = default!;
        this.task = task;
        exception = null;
    }

    internal Future(ExceptionDispatchInfo exception)
    {
        value = default!;
        task = null;
        this.exception = exception;
    }

    /// <summary>True when the call was spawned on another thread rather than run inline.</summary>
    public bool IsSpawned => task is not null;

    /// <summary>
    /// Waits for the call if it is still running and returns its value, or rethrows the exception it
    /// threw (the original exception object, with its original stack trace).
    /// </summary>
    public T Force()
    {
        if (task is not null)
        {
            // A call that has not started yet runs here; the call's own exception is rethrown.
            return Future.Result(task);
        }

        exception?.Throw();
        return value;
    }
}
