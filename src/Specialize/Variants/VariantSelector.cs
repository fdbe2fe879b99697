using System;
using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Specialize.Variants;

/// <summary>
/// Chooses a kernel variant for a problem: a forced name if given, otherwise the choice remembered in a
/// <see cref="TuningStore"/>, otherwise a measured trial of every candidate on the real problem (the
/// fastest of a few repetitions each, one run only for a candidate more than four times slower than the
/// best so far), whose winner is then remembered. When the trial covers only part of a large problem,
/// its closest finishers race on the first real calls (<see cref="SelectOrRace"/>).
/// </summary>
public static class VariantSelector
{
    /// <summary>Environment variable naming a variant to force for every kernel that has one of that name.</summary>
    public const string ForceVariable = "SPECIALIZE_VARIANT";

    /// <summary>How many times each candidate runs in a trial; the fastest run counts.</summary>
    public const int TrialRepetitions = 2;

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
    /// <param name="forced">A variant name to use if the registry has it; otherwise ignored.</param>
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

        if (forced is not null && registry.TryGet(forced, out var forcedKernel))
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

        // Latest registrations first: specialized variants are usually the fast ones, and once a fast
        // time is known a clearly slower candidate is measured only once.
        var seconds = new double[candidates.Count];
        double bestSeconds = double.PositiveInfinity;
        int best = -1;
        for (int i = candidates.Count - 1; i >= 0; i--)
        {
            seconds[i] = double.PositiveInfinity;
            for (int r = 0; r < TrialRepetitions; r++)
            {
                seconds[i] = Math.Min(seconds[i], measure(candidates[i].Value));
                if (seconds[i] > 4 * bestSeconds)
                {
                    break; // clearly slower: a second run would not change the outcome
                }
            }

            if (seconds[i] < bestSeconds)
            {
                bestSeconds = seconds[i];
                best = i;
            }
        }

        var winner = candidates[best];
        logger?.LogInformation("Variant {Variant} chosen for {Key} ({Seconds:F6} s).", winner.Key, key, bestSeconds);
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
