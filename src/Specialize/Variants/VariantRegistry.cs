using System;
using System.Collections.Generic;

namespace Specialize.Variants;

/// <summary>
/// The named implementations (variants) of one kernel. Every variant computes the same result;
/// they differ in how the work is split and ordered, and so in speed on a given problem and machine.
/// Each variant runs on one family of devices (<see cref="CpuDevices"/>, the C# kernels, or
/// <see cref="IlgpuDevices"/>, ILGPU kernels on CUDA or on ILGPU's CPU accelerator) and is a candidate only for
/// problems on such a device (<see cref="VariantKey.Device"/>). Thread-safe.
/// </summary>
/// <typeparam name="TKernel">The delegate type every variant implements.</typeparam>
public sealed class VariantRegistry<TKernel>
    where TKernel : Delegate
{
    private readonly object gate = new();
    private readonly List<Entry> entries = [];

    /// <summary>The family of the C# kernels, which run on the processor (device <c>"cpu"</c>).</summary>
    public const string CpuDevices = "cpu";

    /// <summary>The family of the ILGPU kernels, which run on CUDA devices (<c>"cuda:N"</c>) and ILGPU's CPU accelerator (<c>"ilgpu-cpu"</c>).</summary>
    public const string IlgpuDevices = "ilgpu";

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
    /// <param name="appliesTo">Which problems the variant can solve; <see langword="null"/> for all on its devices.</param>
    /// <param name="devices">The family of devices it runs on: <see cref="CpuDevices"/> (the default) or <see cref="IlgpuDevices"/>.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="devices"/> is null or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="implementation"/> is <see langword="null"/>.</exception>
    public void Register(string name, TKernel implementation, Func<VariantKey, bool>? appliesTo = null, string devices = CpuDevices)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(implementation);
        ArgumentException.ThrowIfNullOrWhiteSpace(devices);
        lock (gate)
        {
            entries.RemoveAll(e => string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase));
            entries.Add(new Entry(name, implementation, appliesTo, devices));
        }
    }

    /// <summary>The family of devices a device belongs to: <see cref="IlgpuDevices"/> for <c>"ilgpu-cpu"</c> and <c>"cuda:N"</c>, otherwise the device itself.</summary>
    /// <param name="device">A device, as in <see cref="VariantKey.Device"/>.</param>
    /// <returns>The family whose variants run on it.</returns>
    public static string FamilyOf(string device) =>
        device == "ilgpu-cpu" || device.StartsWith("cuda", StringComparison.Ordinal) ? IlgpuDevices : device;

    /// <summary>Finds a variant by name (ignoring case) among those that run on <paramref name="device"/>.</summary>
    /// <param name="name">The variant's name.</param>
    /// <param name="device">A device, as in <see cref="VariantKey.Device"/>.</param>
    /// <param name="implementation">The implementation, when found.</param>
    /// <returns>Whether a variant of that name runs on that device.</returns>
    public bool TryGet(string name, string device, out TKernel implementation)
    {
        string family = FamilyOf(device);
        lock (gate)
        {
            foreach (var e in entries)
            {
                if (string.Equals(e.Name, name, StringComparison.OrdinalIgnoreCase) && e.Devices == family)
                {
                    implementation = e.Implementation;
                    return true;
                }
            }
        }

        implementation = null!;
        return false;
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
        string family = FamilyOf(key.Device);
        lock (gate)
        {
            foreach (var e in entries)
            {
                if (e.Devices == family && (e.AppliesTo is null || e.AppliesTo(key)))
                {
                    result.Add(new KeyValuePair<string, TKernel>(e.Name, e.Implementation));
                }
            }
        }

        return result;
    }

    private sealed record Entry(string Name, TKernel Implementation, Func<VariantKey, bool>? AppliesTo, string Devices);
}
