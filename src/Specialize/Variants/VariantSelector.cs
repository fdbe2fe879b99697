using System;
using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Specialize.Variants;

/// <summary>
/// Chooses a kernel variant for a problem: a forced name if given, otherwise the choice remembered in a
/// <see cref="TuningStore"/>, otherwise a measured trial of every candidate on the real problem, whose
/// winner is then remembered. The trial first runs every candidate once without ranking that run
/// (compilation and first touch are paid there; only a candidate far slower than any one-time cost
/// explains is dropped on it), then times the candidates in interleaved rounds (A B C, B C A, ...)
/// so that a drift in the machine's speed reaches all of them alike; each candidate's fastest run
/// counts, clearly slower candidates are dropped after each round, and the others are timed until each
/// has <see cref="TrialRepetitions"/> runs and <see cref="TrialMinimumSeconds"/> of measured time, or
/// <see cref="CloseRepetitions"/> runs while another candidate is within <see cref="CloseFactor"/> of the
/// best (at most <see cref="TrialMaxRounds"/> rounds). When the trial covers only part of a large problem, its
/// closest finishers race on the first real calls (<see cref="SelectOrRace"/>).
/// </summary>
public static class VariantSelector
{
    /// <summary>Environment variable naming a variant to force for every kernel that has one of that name.</summary>
    public const string ForceVariable = "SPECIALIZE_VARIANT";

    /// <summary>How many timed runs each candidate still in the trial gets at least; the fastest run counts.</summary>
    public const int TrialRepetitions = 3;

    /// <summary>
    /// How close another candidate's fastest run must be to the best one's for the trial to time the candidates
    /// <see cref="CloseRepetitions"/> times: there a run that other load on the machine slowed can decide.
    /// </summary>
    public const double CloseFactor = 1.2;

    /// <summary>How many timed runs each candidate still in the trial gets at least while the best two are within <see cref="CloseFactor"/>.</summary>
    public const int CloseRepetitions = 6;

    /// <summary>How much measured time (in seconds) each candidate still in the trial gets at least, so that a kernel of microseconds is timed many times.</summary>
    public const double TrialMinimumSeconds = 1e-3;

    /// <summary>How many timed rounds a trial runs at most.</summary>
    public const int TrialMaxRounds = 10;

    /// <summary>How much slower than the fastest untimed first run a candidate's first run must be (beyond <see cref="ColdAllowanceSeconds"/>) to be dropped without being timed.</summary>
    public const double ColdEliminationFactor = 4;

    /// <summary>One-time cost (compilation, first touch of memory), in seconds, that a candidate's first run may carry without counting against it.</summary>
    public const double ColdAllowanceSeconds = 0.02;

    /// <summary>How much slower than the best a candidate may be after one timed round and stay in the trial.</summary>
    public const double FirstRoundFactor = 2;

    /// <summary>How much slower than the best a candidate may be after two or more timed rounds and stay in the trial.</summary>
    public const double EliminationFactor = 1.5;

    /// <summary>How many of a partial trial's fastest candidates race on the real calls (see <see cref="SelectOrRace"/>).</summary>
    public const int RaceCandidates = 3;

    /// <summary>How much slower than a partial trial's best a candidate may be and still race.</summary>
    public const double RaceFactor = 1.5;

    /// <summary>How many real calls each racing candidate gets at most.</summary>
    public const int RaceRounds = 2;

    /// <summary>Picks the variant of <paramref name="registry"/> to run for <paramref name="key"/>.</summary>
    /// <typeparam name="TKernel">The kernel's delegate type.</typeparam>
    /// <param name="registry">The kernel's variants.</param>
    /// <param name="key">The problem.</param>
    /// <param name="store">Where choices are remembered.</param>
    /// <param name="trial">Runs one variant once on the real problem (its result may be discarded).</param>
    /// <param name="forced">A variant name to use if the registry has it for the key's device; otherwise ignored.</param>
    /// <param name="logger">Receives the outcome of a trial; <see langword="null"/> for none.</param>
    /// <returns>The chosen variant's name and implementation.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No variant of the registry applies to <paramref name="key"/>.</exception>
    public static KeyValuePair<string, TKernel> Select<TKernel>(
        VariantRegistry<TKernel> registry,
        VariantKey key,
        TuningStore store,
        Action<TKernel> trial,
        string? forced = null,
        ILogger? logger = null)
        where TKernel : Delegate
    {
        ArgumentNullException.ThrowIfNull(trial);
        return SelectOrRaceCore(registry, key, store, Timed(trial), partialTrial: false, forced, logger).Current;
    }

    /// <summary>
    /// Like <see cref="Select"/>, for a kernel that is then called many times on the same problem (an
    /// iteration). When <paramref name="partialTrial"/> says the trial covers only part of the problem,
    /// its winner is remembered at once, but up to <see cref="RaceCandidates"/> candidates within
    /// <see cref="RaceFactor"/> of the trial's best go on to a <see cref="VariantRace{TKernel}"/> on the
    /// real calls, whose winner then replaces the remembered choice.
    /// </summary>
    /// <typeparam name="TKernel">The kernel's delegate type.</typeparam>
    /// <param name="registry">The kernel's variants.</param>
    /// <param name="key">The problem.</param>
    /// <param name="store">Where choices are remembered.</param>
    /// <param name="trial">Runs one variant once on the trial problem (its result may be discarded).</param>
    /// <param name="partialTrial">Whether <paramref name="trial"/> runs on part of the real problem only.</param>
    /// <param name="forced">A variant name to use if the registry has it; otherwise ignored.</param>
    /// <param name="logger">Receives the outcome of a trial and of a race; <see langword="null"/> for none.</param>
    /// <returns>A race, already decided unless candidates remain to be measured on the real calls.</returns>
    /// <exception cref="ArgumentNullException">An argument is <see langword="null"/>.</exception>
    /// <exception cref="InvalidOperationException">No variant of the registry applies to <paramref name="key"/>.</exception>
    public static VariantRace<TKernel> SelectOrRace<TKernel>(
        VariantRegistry<TKernel> registry,
        VariantKey key,
        TuningStore store,
        Action<TKernel> trial,
        bool partialTrial,
        string? forced = null,
        ILogger? logger = null)
        where TKernel : Delegate
    {
        ArgumentNullException.ThrowIfNull(trial);
        return SelectOrRaceCore(registry, key, store, Timed(trial), partialTrial, forced, logger);
    }

    /// <summary><see cref="SelectOrRace"/> with the trial's clock supplied: <paramref name="measure"/> runs a variant once and returns its seconds.</summary>
    internal static VariantRace<TKernel> SelectOrRaceCore<TKernel>(
        VariantRegistry<TKernel> registry,
        VariantKey key,
        TuningStore store,
        Func<TKernel, double> measure,
        bool partialTrial,
        string? forced,
        ILogger? logger)
        where TKernel : Delegate
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(measure);

        // A forced name applies where a variant of that name runs on the problem's device.
        if (forced is not null && registry.TryGet(forced, key.Device, out var forcedKernel))
        {
            return Decided(new KeyValuePair<string, TKernel>(CanonicalName(registry, forced), forcedKernel));
        }

        var candidates = registry.GetCandidates(key);
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"No variant of kernel '{registry.Kernel}' applies to {key}.");
        }

        var names = new string[candidates.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = candidates[i].Key;
        }

        // A choice made among other candidates (a variant added since, or one that no longer applies)
        // is stale: measure again.
        if (store.TryGet(key, names, out string remembered))
        {
            foreach (var c in candidates)
            {
                if (string.Equals(c.Key, remembered, StringComparison.OrdinalIgnoreCase))
                {
                    return Decided(c);
                }
            }
        }

        if (candidates.Count == 1)
        {
            return Decided(candidates[0]);
        }

        var trial = RunTrial(candidates, measure);
        double[] seconds = trial.Seconds;
        int best = trial.Best;
        double bestSeconds = seconds[best];
        var winner = candidates[best];
        if (logger is not null && logger.IsEnabled(LogLevel.Debug))
        {
            for (int i = 0; i < candidates.Count; i++)
            {
                logger.LogDebug("Variant {Variant} for {Key}: {Seconds:F6} s.", candidates[i].Key, key, seconds[i]);
            }
        }

        logger?.LogInformation(
            "Variant {Variant} chosen for {Key} ({Seconds:F6} s; the trial made {Runs} calls in {Rounds} timed rounds, {TrialSeconds:F6} s in all).",
            winner.Key,
            key,
            bestSeconds,
            trial.Runs,
            trial.Rounds,
            trial.TotalSeconds);
        store.Record(key, winner.Key, bestSeconds, names);
        if (!partialTrial)
        {
            return Decided(winner);
        }

        // The trial's close finishers, fastest first, race on the real calls.
        var order = new List<int>();
        for (int i = 0; i < candidates.Count; i++)
        {
            if (seconds[i] <= RaceFactor * bestSeconds)
            {
                order.Add(i);
            }
        }

        order.Sort((a, b) => a == b ? 0 : a == best ? -1 : b == best ? 1 : seconds[a] != seconds[b] ? seconds[a].CompareTo(seconds[b]) : a.CompareTo(b));
        var finalists = new List<KeyValuePair<string, TKernel>>();
        for (int i = 0; i < order.Count && i < RaceCandidates; i++)
        {
            finalists.Add(candidates[order[i]]);
        }

        return new VariantRace<TKernel>(finalists, RaceRounds, (w, s) =>
        {
            logger?.LogInformation("Variant {Variant} chosen for {Key} on the full problem ({Seconds:F6} s).", w.Key, key, s);
            store.Record(key, w.Key, s, names);
        });
    }

    /// <summary>
    /// Times <paramref name="candidates"/> with <paramref name="measure"/> (see <see cref="VariantSelector"/>):
    /// an untimed first run of each (the first candidate twice: the very first run also pays for starting
    /// worker threads), then interleaved timed rounds among the candidates not yet dropped.
    /// </summary>
    /// <returns>Each candidate's fastest timed run (its untimed first run if it was never timed), the winner, and what the trial cost.</returns>
    internal static TrialResult RunTrial<TKernel>(IReadOnlyList<KeyValuePair<string, TKernel>> candidates, Func<TKernel, double> measure)
        where TKernel : Delegate
    {
        int count = candidates.Count;
        var fastest = new double[count];
        var measured = new double[count];
        var timedRuns = new int[count];
        var active = new bool[count];
        double total = 0;
        int runs = 0;

        double Run(int i)
        {
            double s = measure(candidates[i].Value);
            if (!(s >= 0) || double.IsInfinity(s))
            {
                throw new InvalidOperationException($"The trial clock returned {s} s for variant '{candidates[i].Key}'.");
            }

            total += s;
            runs++;
            return s;
        }

        // Untimed round, latest registrations first (specialized variants are usually the fast ones).
        // Only a candidate whose first run is far slower than the fastest first run, by more than any
        // one-time cost explains, is dropped here: it would be as slow to time again.
        Run(count - 1);
        double fastestCold = double.PositiveInfinity;
        for (int i = count - 1; i >= 0; i--)
        {
            fastest[i] = Run(i);
            fastestCold = Math.Min(fastestCold, fastest[i]);
        }

        for (int i = 0; i < count; i++)
        {
            active[i] = fastest[i] <= (ColdEliminationFactor * fastestCold) + ColdAllowanceSeconds;
            if (active[i])
            {
                fastest[i] = double.PositiveInfinity;
            }
        }

        // Timed rounds, each starting one candidate later than the one before (A B C, B C A, C A B),
        // until every candidate left has enough runs and measured time. The rotation gives every
        // candidate every place in a round, so neither what ran just before it nor a disturbance that
        // recurs every few calls always hits the same candidate.
        int rounds = 0;
        while (rounds < TrialMaxRounds)
        {
            for (int j = 0; j < count; j++)
            {
                int i = (j + rounds) % count;
                if (active[i])
                {
                    double s = Run(i);
                    fastest[i] = Math.Min(fastest[i], s);
                    measured[i] += s;
                    timedRuns[i]++;
                }
            }

            rounds++;
            double best = double.PositiveInfinity;
            for (int i = 0; i < count; i++)
            {
                if (active[i])
                {
                    best = Math.Min(best, fastest[i]);
                }
            }

            double factor = rounds == 1 ? FirstRoundFactor : EliminationFactor;
            int left = 0, close = 0;
            for (int i = 0; i < count; i++)
            {
                active[i] &= fastest[i] <= factor * best;
                if (active[i])
                {
                    left++;
                    close += fastest[i] <= CloseFactor * best ? 1 : 0;
                }
            }

            // The best is among the close ones; a second close one makes the leaders a near tie.
            int repetitions = close > 1 ? CloseRepetitions : TrialRepetitions;
            bool done = true;
            for (int i = 0; i < count; i++)
            {
                if (active[i])
                {
                    done &= timedRuns[i] >= repetitions && measured[i] >= TrialMinimumSeconds;
                }
            }

            if (done || left == 1)
            {
                break;
            }
        }

        // The fastest timed candidate wins; a tie goes to the later registration.
        int winner = -1;
        for (int i = count - 1; i >= 0; i--)
        {
            if (timedRuns[i] > 0 && (winner < 0 || fastest[i] < fastest[winner]))
            {
                winner = i;
            }
        }

        return new TrialResult(fastest, winner, rounds, runs, total);
    }

    /// <summary>What a trial found: each candidate's fastest run in seconds, the winner's index, how many timed rounds and calls it made, and the seconds all its calls took.</summary>
    internal readonly record struct TrialResult(double[] Seconds, int Best, int Rounds, int Runs, double TotalSeconds);

    private static VariantRace<TKernel> Decided<TKernel>(KeyValuePair<string, TKernel> choice)
        where TKernel : Delegate => new([choice], 1);

    private static Func<TKernel, double> Timed<TKernel>(Action<TKernel> trial)
        where TKernel : Delegate => kernel =>
        {
            long start = Stopwatch.GetTimestamp();
            trial(kernel);
            return Stopwatch.GetElapsedTime(start).TotalSeconds;
        };

    private static string CanonicalName<TKernel>(VariantRegistry<TKernel> registry, string name)
        where TKernel : Delegate
    {
        foreach (string n in registry.Names)
        {
            if (string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            {
                return n;
            }
        }

        return name;
    }
}
