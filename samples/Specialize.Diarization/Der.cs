using System.Numerics;

namespace Specialize.Diarization;

/// <summary>
/// The diarization error rate and its parts, in seconds of scored reference speech: <c>DER = (Missed + FalseAlarm +
/// Confusion) / Speech</c>.
/// </summary>
/// <param name="Speech">Reference speech scored (speaker time: two speakers at once count twice).</param>
/// <param name="Missed">Reference speaker time with fewer hypothesis speakers than reference ones.</param>
/// <param name="FalseAlarm">Hypothesis speaker time beyond the reference speakers present.</param>
/// <param name="Confusion">Speaker time both sides call speech, given to another speaker than the mapped one.</param>
/// <param name="Mapping">Each reference speaker's hypothesis speaker under the best one-to-one mapping (absent when unmapped).</param>
public sealed record DerResult(double Speech, double Missed, double FalseAlarm, double Confusion, IReadOnlyDictionary<string, string> Mapping)
{
    /// <summary>The diarization error rate, a fraction (0.1 is 10%).</summary>
    public double Der => Speech > 0 ? (Missed + FalseAlarm + Confusion) / Speech : 0;

    /// <summary>One line: DER and its parts as percentages of reference speech.</summary>
    public override string ToString() =>
        FormattableString.Invariant(
            $"DER {100 * Der:0.00}% (missed speech {100 * Missed / Speech:0.00}%, false alarm {100 * FalseAlarm / Speech:0.00}%, speaker confusion {100 * Confusion / Speech:0.00}%) over {Speech:0.00} s of reference speech");
}

/// <summary>
/// Scores a hypothesis against a reference as NIST's md-eval does: time within <c>collar</c> seconds of a reference
/// turn's start or end is not scored, reference and hypothesis speakers are paired one to one so that the time they
/// share is largest (the Hungarian method), and at each instant the missed, false-alarm and confused speaker counts
/// follow from how many speakers each side has there and how many of the reference's mapped speakers are among the
/// hypothesis's. Time is resolved to the millisecond.
/// </summary>
public static class DerScorer
{
    /// <summary>The standard collar, seconds.</summary>
    public const double StandardCollar = 0.25;

    /// <summary>Scores <paramref name="hypothesis"/> against <paramref name="reference"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="collar"/> is negative, or a side has more than 64 speakers.</exception>
    public static DerResult Score(IReadOnlyList<Turn> reference, IReadOnlyList<Turn> hypothesis, double collar = StandardCollar)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(hypothesis);
        ArgumentOutOfRangeException.ThrowIfNegative(collar);
        string[] refNames = [.. reference.Select(t => t.Speaker).Distinct().Order(StringComparer.Ordinal)];
        string[] hypNames = [.. hypothesis.Select(t => t.Speaker).Distinct().Order(StringComparer.Ordinal)];
        if (refNames.Length > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(reference), refNames.Length, "At most 64 reference speakers are scored.");
        }

        if (hypNames.Length > 64)
        {
            throw new ArgumentOutOfRangeException(nameof(hypothesis), hypNames.Length, "At most 64 hypothesis speakers are scored.");
        }

        static int Ms(double seconds) => (int)Math.Round(seconds * 1000, MidpointRounding.AwayFromZero);
        int length = 1 + Math.Max(
            reference.Count == 0 ? 0 : reference.Max(t => Ms(t.End)),
            hypothesis.Count == 0 ? 0 : hypothesis.Max(t => Ms(t.End)));
        var refActive = Activity(reference, refNames, length);
        var hypActive = Activity(hypothesis, hypNames, length);

        var scored = new bool[length];
        Array.Fill(scored, true);
        int c = Ms(collar);
        foreach (var turn in reference)
        {
            foreach (int edge in (int[])[Ms(turn.Start), Ms(turn.End)])
            {
                for (int t = Math.Max(0, edge - c); t < Math.Min(length, edge + c); t++)
                {
                    scored[t] = false;
                }
            }
        }

        // Time each pair of speakers shares, then the pairing that maximizes it.
        var shared = new double[refNames.Length, hypNames.Length];
        for (int t = 0; t < length; t++)
        {
            if (!scored[t] || refActive[t] == 0 || hypActive[t] == 0)
            {
                continue;
            }

            for (ulong r = refActive[t]; r != 0; r &= r - 1)
            {
                int i = BitOperations.TrailingZeroCount(r);
                for (ulong h = hypActive[t]; h != 0; h &= h - 1)
                {
                    shared[i, BitOperations.TrailingZeroCount(h)] += 1;
                }
            }
        }

        int[] map = Hungarian.MaximumAssignment(shared);
        var mapping = new Dictionary<string, string>();
        var mappedMask = new ulong[refNames.Length];
        for (int i = 0; i < refNames.Length; i++)
        {
            if (map[i] >= 0 && shared[i, map[i]] > 0)
            {
                mapping[refNames[i]] = hypNames[map[i]];
                mappedMask[i] = 1UL << map[i];
            }
        }

        long speech = 0, missed = 0, falseAlarm = 0, confusion = 0;
        for (int t = 0; t < length; t++)
        {
            if (!scored[t])
            {
                continue;
            }

            int nRef = BitOperations.PopCount(refActive[t]), nHyp = BitOperations.PopCount(hypActive[t]);
            int correct = 0;
            for (ulong r = refActive[t]; r != 0; r &= r - 1)
            {
                if ((mappedMask[BitOperations.TrailingZeroCount(r)] & hypActive[t]) != 0)
                {
                    correct++;
                }
            }

            speech += nRef;
            missed += Math.Max(0, nRef - nHyp);
            falseAlarm += Math.Max(0, nHyp - nRef);
            confusion += Math.Min(nRef, nHyp) - correct;
        }

        return new DerResult(speech / 1000.0, missed / 1000.0, falseAlarm / 1000.0, confusion / 1000.0, mapping);

        static ulong[] Activity(IReadOnlyList<Turn> turns, string[] names, int length)
        {
            var active = new ulong[length];
            foreach (var turn in turns)
            {
                ulong bit = 1UL << Array.IndexOf(names, turn.Speaker);
                for (int t = Math.Max(0, Ms(turn.Start)); t < Math.Min(length, Ms(turn.End)); t++)
                {
                    active[t] |= bit;
                }
            }

            return active;
        }
    }
}

/// <summary>The assignment problem (Kuhn-Munkres, O(n^3) with potentials).</summary>
public static class Hungarian
{
    /// <summary>
    /// For each row of <paramref name="gain"/> the column it is assigned to (at most one row per column) so that the
    /// total gain is largest; -1 for rows left over when there are more rows than columns.
    /// </summary>
    public static int[] MaximumAssignment(double[,] gain)
    {
        ArgumentNullException.ThrowIfNull(gain);
        int rows = gain.GetLength(0), cols = gain.GetLength(1), n = Math.Max(rows, cols);
        double max = 0;
        foreach (double g in gain)
        {
            max = Math.Max(max, g);
        }

        // Square cost matrix, 1-based as in the classic formulation; padding costs as much as no gain.
        var cost = new double[n + 1, n + 1];
        for (int i = 1; i <= n; i++)
        {
            for (int j = 1; j <= n; j++)
            {
                cost[i, j] = max - (i <= rows && j <= cols ? gain[i - 1, j - 1] : 0);
            }
        }

        var u = new double[n + 1];
        var v = new double[n + 1];
        var p = new int[n + 1];
        var way = new int[n + 1];
        for (int i = 1; i <= n; i++)
        {
            p[0] = i;
            int j0 = 0;
            var minv = new double[n + 1];
            Array.Fill(minv, double.PositiveInfinity);
            var used = new bool[n + 1];
            do
            {
                used[j0] = true;
                int i0 = p[j0], j1 = 0;
                double delta = double.PositiveInfinity;
                for (int j = 1; j <= n; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }

                    double current = cost[i0, j] - u[i0] - v[j];
                    if (current < minv[j])
                    {
                        minv[j] = current;
                        way[j] = j0;
                    }

                    if (minv[j] < delta)
                    {
                        delta = minv[j];
                        j1 = j;
                    }
                }

                for (int j = 0; j <= n; j++)
                {
                    if (used[j])
                    {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minv[j] -= delta;
                    }
                }

                j0 = j1;
            }
            while (p[j0] != 0);

            do
            {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            }
            while (j0 != 0);
        }

        var result = new int[rows];
        Array.Fill(result, -1);
        for (int j = 1; j <= n; j++)
        {
            if (p[j] <= rows && j <= cols)
            {
                result[p[j] - 1] = j - 1;
            }
        }

        return result;
    }
}
