using System;
using System.Collections.Generic;

namespace Specialize.Variants;

/// <summary>
/// The named implementations (variants) of one kernel. Every variant computes the same result;
/// they differ in how the work is split and ordered, and so in speed on a given problem and machine.
/// Thread-safe.
/// </summary>
/// <typeparam name="TKernel">The delegate type every variant implements.</typeparam>
public sealed class VariantRegistry<TKernel>
    where TKernel : Delegate
{
    private readonly object gate = new();
    private readonly List<Entry> entries = [];

    /// <summary>Creates an empty registry for the kernel named <paramref name="kernel"/>.</summary>
    /// <param name="kernel">The kernel's name, for example <c>"gmm.covariance.full"</c>.</param>
    /// <exception cref="ArgumentException"><paramref name="kernel"/> is null or white space.</exception>
    public VariantRegistry(string kernel)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kernel);
        Kernel = kernel;
    }

    /// <summary>The kernel's name.</summary>
    public string Kernel { get; }

    /// <summary>The names of the registered variants, in registration order.</summary>
    public IReadOnlyList<string> Names
    {
        get
        {
            lock (gate)
            {
                var names = new string[entries.Count];
                for (int i = 0; i < names.Length; i++)
                {
                    names[i] = entries[i].Name;
                }

                return names;
            }
        }
    }

    /// <summary>Adds a variant, or replaces the one of the same name.</summary>
    /// <param name="name">The variant's name, unique within this kernel (compared ignoring case).</param>
    /// <param name="implementation">The implementation.</param>
    /// <param name="appliesTo">Which problems the variant can solve; <see langword="null"/> for all.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="implementation"/> is <see langword="null"/>.</exception>
    public void Register(string name, TKernel implementation, Func<VariantKey, bool>? appliesTo = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(implementation);
        lock (gate)
        {
            entries.RemoveAll(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            entries.Add(new Entry(name, implementation, appliesTo));
        }
    }

    /// <summary>Finds a variant by name (ignoring case).</summary>
    /// <param name="name">The variant's name.</param>
    /// <param name="implementation">The implementation, when found.</param>
    /// <returns>Whether a variant of that name is registered.</returns>
    public bool TryGet(string name, out TKernel implementation)
    {
        lock (gate)
        {
            foreach (var e in entries)
            {
                if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    implementation = e.Implementation;
                    return true;
                }
            }
        }

        implementation = null!;
        return false;
    }

    /// <summary>The variants that can solve <paramref name="key"/>, in registration order.</summary>
    /// <param name="key">The problem.</param>
    public IReadOnlyList<KeyValuePair<string, TKernel>> GetCandidates(VariantKey key)
    {
        var result = new List<KeyValuePair<string, TKernel>>();
        lock (gate)
        {
            foreach (var e in entries)
            {
                if (e.AppliesTo is null || e.AppliesTo(key))
                {
                    result.Add(new KeyValuePair<string, TKernel>(e.Name, e.Implementation));
                }
            }
        }

        return result;
    }

    private sealed record Entry(string Name, TKernel Implementation, Func<VariantKey, bool>? AppliesTo);
}
