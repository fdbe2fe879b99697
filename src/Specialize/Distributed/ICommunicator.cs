using System;

namespace Specialize.Distributed;

/// <summary>
/// The collectives the distributed patterns are built on: every rank calls the same operations in the same
/// order (SPMD). All data travels as bytes; ordered arithmetic on top of them is in <see cref="ClusterExchange"/>.
/// Implemented over MPI (<see cref="MpiCommunicator"/>) and, for tests, over threads of one process.
/// </summary>
internal interface ICommunicator
{
    /// <summary>This process's rank, in <c>[0, Size)</c>.</summary>
    int Rank { get; }

    /// <summary>Number of ranks.</summary>
    int Size { get; }

    /// <summary>Every rank's <paramref name="local"/> bytes, indexed by rank (this rank's own included).</summary>
    byte[][] AllGather(ReadOnlySpan<byte> local);

    /// <summary>The root's <paramref name="data"/> on every rank (the other ranks' argument is ignored and may be <see langword="null"/>).</summary>
    byte[] Broadcast(byte[]? data, int root);

    /// <summary>Part <c>r</c> of the root's <paramref name="parts"/> on rank <c>r</c> (the other ranks' argument is ignored).</summary>
    byte[] Scatter(byte[][]? parts, int root);

    /// <summary>Returns once every rank has called it.</summary>
    void Barrier();

    /// <summary>Ends every process of the job with <paramref name="exitCode"/> (non-zero) after writing <paramref name="message"/> to standard error; does not return.</summary>
    void Abort(int exitCode, string message);
}
