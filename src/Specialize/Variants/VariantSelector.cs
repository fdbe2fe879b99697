using System;
using System.Collections.Generic;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Specialize.Variants;

/// <summary>
/// Chooses a kernel variant for a problem: a forced name if given, otherwise the choice remembered in a
/// <see cref="TuningStore"/>, otherwise a measured trial of every candidate on the real problem (the
/// fastest of a few repetitions each, one run only for a candidate more than four times slower than the
/// best so far), whose winner is then remembered.
/// </summary>
public static class VariantSelector
{
    /// <summary>Environment variable naming a variant to force for every kernel that has one of that name.</summary>
    public const string ForceVariable = "SPECIALIZE_VARIANT";

    /// <summary>How many times each candidate runs in a trial; the fastest run counts.</summary>
    public const int TrialRepetitions = 2;

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
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(trial);

        if (forced is not null && registry.TryGet(forced, out var forcedKernel))
        {
            return new KeyValuePair<string, TKernel>(CanonicalName(registry, forced), forcedKernel);
        }

        var candidates = registry.GetCandidates(key);
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"No variant of kernel '{registry.Kernel}' applies to {key}.");
        }

        if (store.TryGet(key, out string remembered))
        {
            foreach (var c in candidates)
            {
                if (string.Equals(c.Key, remembered, StringComparison.OrdinalIgnoreCase))
                {
                    return c;
                }
            }
        }

        if (candidates.Count == 1)
        {
            return candidates[0];
        }

        // Latest registrations first: specialized variants are usually the fast ones, and once a fast
        // time is known a clearly slower candidate is measured only once.
        int best = -1;
        double bestSeconds = double.PositiveInfinity;
        for (int i = candidates.Count - 1; i >= 0; i--)
        {
            double seconds = double.PositiveInfinity;
            for (int r = 0; r < TrialRepetitions; r++)
            {
                long start = Stopwatch.GetTimestamp();
                trial(candidates[i].Value);
                seconds = Math.Min(seconds, Stopwatch.GetElapsedTime(start).TotalSeconds);
                if (seconds > 4 * bestSeconds)
                {
                    break; // clearly slower: a second run would not change the outcome
                }
            }

            if (seconds < bestSeconds)
            {
                bestSeconds = seconds;
                best = i;
            }
        }

        var winner = candidates[best];
        logger?.LogInformation("Variant {Variant} chosen for {Key} ({Seconds:F6} s).", winner.Key, key, bestSeconds);
        store.Record(key, winner.Key, bestSeconds);
        return winner;
    }

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
