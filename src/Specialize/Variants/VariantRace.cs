using System;
using System.Collections.Generic;

namespace Specialize.Variants;

/// <summary>
/// A choice between a few variants settled on the real calls of an iterative algorithm: the candidates
/// take turns (<see cref="Current"/>), the caller reports how long each call took
/// (<see cref="Report"/>), and after <see cref="Rounds"/> rounds the candidate with the fastest call wins.
/// A candidate more than <see cref="EliminationFactor"/> times slower than the best so far is dropped
/// after the first round. Used when a trial could only afford part of the problem (for example a
/// prefix of the rows), whose ranking of close candidates may not hold on the whole problem; since
/// every call does real work, the race costs only the difference in speed between the candidates.
/// </summary>
/// <typeparam name="TKernel">The kernel's delegate type.</typeparam>
public sealed class VariantRace<TKernel>
    where TKernel : Delegate
{
    /// <summary>How much slower than the best a candidate may be after the first round and still run again.</summary>
    public const double EliminationFactor = 1.25;

    private readonly KeyValuePair<string, TKernel>[] candidates;
    private readonly double[] best;
    private readonly bool[] dropped;
    private readonly Action<KeyValuePair<string, TKernel>, double>? decided;
    private int round;
    private int turn;
    private int winner = -1;

    /// <summary>Starts a race.</summary>
    /// <param name="candidates">The candidates, most promising first (it wins ties).</param>
    /// <param name="rounds">How many calls each candidate gets (fewer once dropped); at least 1.</param>
    /// <param name="decided">Called once with the winner and its fastest call in seconds.</param>
    /// <exception cref="ArgumentNullException"><paramref name="candidates"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="candidates"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="rounds"/> is less than 1.</exception>
    public VariantRace(IReadOnlyList<KeyValuePair<string, TKernel>> candidates, int rounds, Action<KeyValuePair<string, TKernel>, double>? decided = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("Expected at least one candidate.", nameof(candidates));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        this.candidates = [.. candidates];
        best = new double[candidates.Count];
        Array.Fill(best, double.PositiveInfinity);
        dropped = new bool[candidates.Count];
        Rounds = rounds;
        this.decided = decided;
        if (candidates.Count == 1)
        {
            winner = 0; // nothing to measure
        }
    }

    /// <summary>How many calls each candidate gets at most.</summary>
    public int Rounds { get; }

    /// <summary>Whether the race is over; <see cref="Current"/> is then the winner.</summary>
    public bool IsDecided => winner >= 0;

    /// <summary>The candidate to run on the next call: the winner once <see cref="IsDecided"/>.</summary>
    public KeyValuePair<string, TKernel> Current => candidates[winner >= 0 ? winner : turn];

    /// <summary>The fastest call of each candidate so far, in seconds (infinity before its first call), in candidate order.</summary>
    public IReadOnlyList<double> BestSeconds => best;

    /// <summary>Records how long the call to <see cref="Current"/> took, and moves on to the next candidate.</summary>
    /// <param name="seconds">The call's duration, non-negative and finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is negative, infinite or NaN.</exception>
    /// <exception cref="InvalidOperationException">The race is already decided.</exception>
    public void Report(double seconds)
    {
        if (!(seconds >= 0) || double.IsInfinity(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Expected a non-negative, finite duration in seconds.");
        }

        if (IsDecided)
        {
            throw new InvalidOperationException("The race is decided; run the winner without reporting.");
        }

        best[turn] = Math.Min(best[turn], seconds);
        Advance();
    }

    /// <summary>
    /// Ends the race early (the calls ran out): the fastest candidate measured so far wins, as after the
    /// last round; with none measured yet, the first candidate is kept without a decision being reported.
    /// Does nothing once decided.
    /// </summary>
    public void Conclude()
    {
        if (IsDecided)
        {
            return;
        }

        if (double.IsPositiveInfinity(Fastest()))
        {
            winner = 0;
            return;
        }

        Decide();
    }

    private void Advance()
    {
        while (true)
        {
            turn++;
            if (turn == candidates.Length)
            {
                turn = 0;
                round++;
                if (round == Rounds)
                {
                    Decide();
                    return;
                }

                // After the first round, drop the clearly slower candidates.
                double fastest = Fastest();
                int left = 0;
                for (int i = 0; i < candidates.Length; i++)
                {
                    dropped[i] |= best[i] > EliminationFactor * fastest;
                    left += dropped[i] ? 0 : 1;
                }

                if (left == 1)
                {
                    Decide();
                    return;
                }
            }

            if (!dropped[turn])
            {
                return;
            }
        }
    }

    private double Fastest()
    {
        double fastest = double.PositiveInfinity;
        foreach (double s in best)
        {
            fastest = Math.Min(fastest, s);
        }

        return fastest;
    }

    private void Decide()
    {
        int w = 0;
        for (int i = 1; i < candidates.Length; i++)
        {
            if (best[i] < best[w])
            {
                w = i;
            }
        }

        winner = w;
        decided?.Invoke(candidates[w], best[w]);
    }
}
