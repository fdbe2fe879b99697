using System;

namespace Specialize;

/// <summary>
/// A distributed operation failed, or the cluster could not be started. When work failed on one rank, every rank
/// throws this exception with the same message, which names the rank, the record (for <c>Cluster.Map</c>),
/// the original exception's type and its message; on the rank where it happened, <see cref="Exception.InnerException"/>
/// is the original exception.
/// </summary>
public sealed class ClusterException : Exception
{
    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">What failed.</param>
    public ClusterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    /// <param name="message">What failed.</param>
    /// <param name="innerException">The cause.</param>
    public ClusterException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about work that failed on <paramref name="failedRank"/>.</summary>
    /// <param name="message">What failed, with the rank and the original message.</param>
    /// <param name="failedRank">The rank where the work failed.</param>
    /// <param name="item">The record index, or -1 when the failure was not in one record.</param>
    /// <param name="exceptionType">The full name of the original exception's type.</param>
    /// <param name="innerException">The original exception, on the rank where it happened; otherwise <see langword="null"/>.</param>
    public ClusterException(string message, int failedRank, long item, string? exceptionType, Exception? innerException)
        : base(message, innerException)
    {
        FailedRank = failedRank;
        Item = item;
        ExceptionType = exceptionType;
    }

    /// <summary>The rank where the work failed; -1 when the failure was not on one rank (for example starting MPI).</summary>
    public int FailedRank { get; } = -1;

    /// <summary>The index of the record whose function threw, or -1 when the failure was not in one record.</summary>
    public long Item { get; } = -1;

    /// <summary>The full name of the type of the exception thrown on <see cref="FailedRank"/>, or <see langword="null"/>.</summary>
    public string? ExceptionType { get; }
}
