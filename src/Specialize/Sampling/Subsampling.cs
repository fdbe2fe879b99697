using System;
using System.Collections.Generic;

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
}
