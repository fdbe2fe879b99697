using System;
using System.Threading;

namespace Specialize.Distributed;

/// <summary>
/// One step of distributed work: every rank runs its local part, then the ranks all-gather the results with
/// each rank's status, so that a failure or a cancellation on any rank is known to every rank at the same
/// collective and every rank throws the same exception. No rank waits for one that has stopped.
/// </summary>
internal static class ClusterExchange
{
    private const byte Ok = 0;
    private const byte Failed = 1;
    private const byte Cancelled = 2;

    /// <summary>
    /// Runs <paramref name="local"/> on this rank and returns every rank's bytes, by rank. When it threw on any rank,
    /// throws a <see cref="ClusterException"/> on every rank naming the rank (the lowest record index first, then the
    /// lowest rank, where several failed), the exception's type and message; when it was cancelled on any rank (and
    /// failed on none), throws <see cref="OperationCanceledException"/> on every rank.
    /// </summary>
    /// <param name="communicator">The ranks.</param>
    /// <param name="operation">What is being done, for messages (for example <c>"Cluster.Map"</c>).</param>
    /// <param name="local">This rank's part; throw <see cref="ItemException"/> to name the record that failed.</param>
    /// <param name="cancellationToken">Checked before and after the local part.</param>
    public static byte[][] Run(ICommunicator communicator, string operation, Func<byte[]> local, CancellationToken cancellationToken = default)
    {
        var message = new ByteWriter();
        Exception? failure = null;
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            byte[] payload = local();
            cancellationToken.ThrowIfCancellationRequested();
            message.Reserve(1) = Ok;
            message.Write(payload);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            message = new ByteWriter();
            message.Reserve(1) = Cancelled;
        }
        catch (Exception e)
        {
            failure = e is ItemException { InnerException: { } inner } ? inner : e;
            message = new ByteWriter();
            message.Reserve(1) = Failed;
            message.WriteLong(e is ItemException item ? item.Item : -1);
            ClusterCodec<string>.Instance.Write(message, failure.GetType().FullName ?? failure.GetType().Name);
            ClusterCodec<string>.Instance.Write(message, failure.Message);
        }

        byte[][] all = communicator.AllGather(message.WrittenSpan);
        int failedRank = -1, cancelledRank = -1;
        long failedItem = long.MaxValue;
        string type = string.Empty, text = string.Empty;
        for (int r = 0; r < all.Length; r++)
        {
            if (all[r].Length == 0)
            {
                throw new ClusterException($"{operation}: rank {r} sent an empty message.");
            }

            switch (all[r][0])
            {
                case Ok:
                    break;
                case Cancelled:
                    cancelledRank = cancelledRank < 0 ? r : cancelledRank;
                    break;
                default:
                {
                    var reader = new ByteReader(all[r].AsSpan(1));
                    long item = reader.ReadLong();
                    long order = item < 0 ? long.MaxValue : item;
                    string t = ClusterCodec<string>.Instance.Read(ref reader);
                    string m = ClusterCodec<string>.Instance.Read(ref reader);
                    if (failedRank < 0 || order < failedItem)
                    {
                        (failedRank, failedItem, type, text) = (r, order, t, m);
                    }

                    break;
                }
            }
        }

        if (failedRank >= 0)
        {
            long item = failedItem == long.MaxValue ? -1 : failedItem;
            string where = item >= 0 ? $"record {item} failed" : "failed";
            throw new ClusterException(
                $"{operation}: {where} on rank {failedRank} of {communicator.Size}: {type}: {text}",
                failedRank,
                item,
                type,
                failedRank == communicator.Rank ? failure : null);
        }

        if (cancelledRank >= 0)
        {
            throw new OperationCanceledException($"{operation} was cancelled on rank {cancelledRank} of {communicator.Size}.", cancellationToken.IsCancellationRequested ? cancellationToken : CancellationToken.None);
        }

        for (int r = 0; r < all.Length; r++)
        {
            all[r] = all[r].AsSpan(1).ToArray();
        }

        return all;
    }

    /// <summary>Every rank's doubles, concatenated in rank order.</summary>
    public static double[] Concatenate(byte[][] parts)
    {
        int total = 0;
        foreach (byte[] part in parts)
        {
            total += part.Length / sizeof(double);
        }

        var result = new double[total];
        int at = 0;
        foreach (byte[] part in parts)
        {
            System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(part).CopyTo(result.AsSpan(at));
            at += part.Length / sizeof(double);
        }

        return result;
    }

    /// <summary>
    /// The element-wise sum of every rank's <paramref name="local"/>, added in rank order (rank 0 first) on every
    /// rank, so that every rank holds the same bits. MPI's own sum reduction does not promise an order.
    /// </summary>
    public static double[] OrderedSum(ICommunicator communicator, ReadOnlySpan<double> local)
    {
        byte[][] all = communicator.AllGather(System.Runtime.InteropServices.MemoryMarshal.AsBytes(local));
        var sum = new double[local.Length];
        foreach (byte[] part in all)
        {
            ReadOnlySpan<double> values = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(part);
            if (values.Length != sum.Length)
            {
                throw new ClusterException($"An ordered sum got {values.Length} values from one rank and {sum.Length} from this one.");
            }

            for (int i = 0; i < sum.Length; i++)
            {
                sum[i] += values[i];
            }
        }

        return sum;
    }
}

/// <summary>Wraps an exception thrown by the work on one record, so that <see cref="ClusterExchange"/> can name the record.</summary>
internal sealed class ItemException : Exception
{
    public ItemException(long item, Exception innerException)
        : base(innerException.Message, innerException)
    {
        Item = item;
    }

    public long Item { get; }
}
