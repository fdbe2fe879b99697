using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace Specialize.Sampling;

/// <summary>Sampling of row indices without replacement.</summary>
internal static class Subsampling
{
    /// <summary>
    /// Writes <paramref name="destination"/>.Length distinct indices drawn uniformly from [0, <paramref name="n"/>)
    /// into <paramref name="destination"/>, sorted ascending (Floyd's algorithm: one random draw per index).
    /// </summary>
    /// <param name="random">The subsample's stream.</param>
    /// <param name="n">Population size.</param>
    /// <param name="destination">Receives the indices; its length is the sample size, at most <paramref name="n"/>.</param>
    /// <param name="seen">Scratch set, cleared here; reused across calls to avoid allocation.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DrawSorted(ref CounterRandom random, int n, Span<int> destination, HashSet<int> seen)
    {
        int size = destination.Length;
        if (size == n)
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = i;
            }
            return;
        }
        seen.Clear();
        int count = 0;
        for (int j = n - size; j < n; j++)
        {
            int t = (int)random.NextUInt32((uint)j + 1);
            int chosen = seen.Add(t) ? t : j;
            if (chosen == j)
            {
                seen.Add(j);
            }
            destination[count++] = chosen;
        }
        destination.Sort();
    }

    /// <summary>
    /// The same draws as <see cref="DrawSorted(ref CounterRandom, int, Span{int}, HashSet{int})"/>, hence the same
    /// indices, with the chosen set kept as a bitmap of <paramref name="n"/> bits: no hashing, and the ascending order
    /// is read off the bitmap instead of sorting. Costs <c>O(size + n / 64)</c>, so it pays where the bitmap is not
    /// much longer than the sample (<see cref="BitmapPays"/>).
    /// </summary>
    /// <param name="random">The subsample's stream.</param>
    /// <param name="n">Population size.</param>
    /// <param name="destination">Receives the indices; its length is the sample size, at most <paramref name="n"/>.</param>
    /// <param name="bits">Scratch bitmap of at least <see cref="BitmapWords"/>(<paramref name="n"/>) words, cleared here.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void DrawSorted(ref CounterRandom random, int n, Span<int> destination, Span<ulong> bits)
    {
        int size = destination.Length;
        if (size == n)
        {
            for (int i = 0; i < n; i++)
            {
                destination[i] = i;
            }
            return;
        }
        int words = BitmapWords(n);
        if (bits.Length < words)
        {
            throw new ArgumentException($"The bitmap needs {words} words for n = {n}; it has {bits.Length}.", nameof(bits));
        }
        bits = bits.Slice(0, words);
        bits.Clear();
        for (int j = n - size; j < n; j++)
        {
            // Floyd: every index chosen so far is below j, so j itself is always free.
            int t = (int)random.NextUInt32((uint)j + 1);
            ref ulong word = ref bits[t >> 6];
            ulong mask = 1UL << (t & 63);
            if ((word & mask) == 0)
            {
                word |= mask;
            }
            else
            {
                bits[j >> 6] |= 1UL << (j & 63);
            }
        }
        int count = 0;
        for (int w = 0; w < words; w++)
        {
            ulong x = bits[w];
            while (x != 0)
            {
                destination[count++] = (w << 6) + BitOperations.TrailingZeroCount(x);
                x &= x - 1;
            }
        }
    }

    /// <summary>Words of the bitmap <see cref="DrawSorted(ref CounterRandom, int, Span{int}, Span{ulong})"/> needs for <paramref name="n"/> rows.</summary>
    public static int BitmapWords(int n) => (int)(((long)n + 63) >> 6);

    /// <summary>
    /// Whether the bitmap form is the cheaper one for <paramref name="size"/> of <paramref name="n"/> rows: clearing and
    /// scanning a word costs far less than hashing and sorting an index, so up to 32 words per index; and the bitmap
    /// stays within 16 MiB per thread.
    /// </summary>
    public static bool BitmapPays(int n, int size)
    {
        long words = BitmapWords(n);
        return words <= 32L * size && words <= MaxBitmapWords;
    }

    /// <summary>Largest bitmap one thread keeps: 16 MiB, rows up to 2^27.</summary>
    public const int MaxBitmapWords = 1 << 21;
}
