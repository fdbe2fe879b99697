using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Specialize.Variants;

/// <summary>
/// Remembers which variant won for each <see cref="VariantKey"/> on this machine: in memory, and in one
/// JSON file tagged with a hardware fingerprint. A file that cannot be read, is not a tuning file or was
/// written on other hardware is ignored (with a <see cref="Warning"/>) and replaced on the next write;
/// writes go to a temporary file that is then moved over the old one, so a reader never sees half a file.
/// Thread-safe; nothing here throws because of the file.
/// </summary>
public sealed class TuningStore
{
    /// <summary>Environment variable that overrides the path of <see cref="Default"/>.</summary>
    public const string PathVariable = "SPECIALIZE_TUNING_FILE";

    private const string Format = "specialize-tuning/1";

    private static readonly Lazy<TuningStore> DefaultStore = new(() => new TuningStore(DefaultPath()));

    private readonly object gate = new();
    private readonly Dictionary<VariantKey, Entry> entries = [];
    private bool loaded;

    /// <summary>Creates a store backed by the file at <paramref name="path"/> (read on first use, created on first write).</summary>
    /// <param name="path">The tuning file.</param>
    /// <param name="logger">Receives the warnings as well as <see cref="Warning"/>; <see langword="null"/> for none.</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or white space.</exception>
    public TuningStore(string path, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Logger = logger;
    }

    /// <summary>
    /// The store every model uses unless told otherwise: <c>$SPECIALIZE_TUNING_FILE</c> if set, otherwise
    /// <c>specialize/tuning.json</c> under <c>$XDG_CACHE_HOME</c> or the local application data folder.
    /// </summary>
    public static TuningStore Default => DefaultStore.Value;

    /// <summary>
    /// This machine's fingerprint: processor count, OS and architecture, vector support, runtime version, and
    /// this library's build (its kernels' speed is what was measured, so another build measures again).
    /// </summary>
    public static string Fingerprint { get; } = string.Join(
        ";",
        $"cpus={Environment.ProcessorCount}",
        $"rid={RuntimeInformation.RuntimeIdentifier}",
        $"arch={RuntimeInformation.ProcessArchitecture}",
        $"avx2={Avx2.IsSupported}",
        $"v512={Vector512.IsHardwareAccelerated}",
        $"runtime={Environment.Version}",
        $"specialize={LibraryVersion()}");

    private static string LibraryVersion()
    {
        var assembly = typeof(TuningStore).Assembly;
        return assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
            ?? assembly.GetName().Version?.ToString()
            ?? "unknown";
    }

    /// <summary>The tuning file.</summary>
    public string Path { get; }

    /// <summary>Receives the warnings as well as <see cref="Warning"/>; <see langword="null"/> for none.</summary>
    public ILogger? Logger { get; set; }

    /// <summary>Raised when the file was ignored (corrupt, not a tuning file, other hardware) or could not be written.</summary>
    public event EventHandler<TuningStoreWarningEventArgs>? Warning;

    /// <summary>Looks up the remembered variant for <paramref name="key"/>.</summary>
    /// <param name="key">The problem.</param>
    /// <param name="variant">The remembered variant's name, when found.</param>
    /// <returns>Whether a choice is remembered.</returns>
    public bool TryGet(VariantKey key, out string variant)
    {
        lock (gate)
        {
            EnsureLoaded();
            if (entries.TryGetValue(key, out var e))
            {
                variant = e.Variant;
                return true;
            }
        }

        variant = string.Empty;
        return false;
    }

    /// <summary>
    /// Looks up the remembered variant for <paramref name="key"/>, but only a choice that was made among
    /// exactly <paramref name="candidates"/>: once a variant is added or removed (a new version of the
    /// library, a kernel that now applies), the old winner is stale and the problem is measured again.
    /// </summary>
    /// <param name="key">The problem.</param>
    /// <param name="candidates">The names of the variants that apply to <paramref name="key"/> now, in any order.</param>
    /// <param name="variant">The remembered variant's name, when found.</param>
    /// <returns>Whether a choice among the same candidates is remembered.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="candidates"/> is <see langword="null"/>.</exception>
    public bool TryGet(VariantKey key, IEnumerable<string> candidates, out string variant)
    {
        string set = CandidateSet(candidates);
        lock (gate)
        {
            EnsureLoaded();
            if (entries.TryGetValue(key, out var e) && e.Candidates == set)
            {
                variant = e.Variant;
                return true;
            }
        }

        variant = string.Empty;
        return false;
    }

    /// <summary>Remembers <paramref name="variant"/> as the choice for <paramref name="key"/> and writes the file.</summary>
    /// <param name="key">The problem.</param>
    /// <param name="variant">The chosen variant's name.</param>
    /// <param name="seconds">The chosen variant's measured time, in seconds (kept for inspection).</param>
    /// <exception cref="ArgumentException"><paramref name="variant"/> is null or white space.</exception>
    public void Record(VariantKey key, string variant, double seconds) => Record(key, variant, seconds, null);

    /// <summary>
    /// Remembers <paramref name="variant"/> as the choice for <paramref name="key"/>, made among
    /// <paramref name="candidates"/>, and writes the file.
    /// </summary>
    /// <param name="key">The problem.</param>
    /// <param name="variant">The chosen variant's name.</param>
    /// <param name="seconds">The chosen variant's measured time, in seconds (kept for inspection).</param>
    /// <param name="candidates">The names of the variants it was chosen among; <see langword="null"/> when unknown.</param>
    /// <exception cref="ArgumentException"><paramref name="variant"/> is null or white space.</exception>
    public void Record(VariantKey key, string variant, double seconds, IEnumerable<string>? candidates)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(variant);
        string? set = candidates is null ? null : CandidateSet(candidates);
        lock (gate)
        {
            EnsureLoaded();
            entries[key] = new Entry(variant, seconds, set);
            Save();
        }
    }

    private static string CandidateSet(IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var names = new List<string>(candidates);
        names.Sort(StringComparer.Ordinal);
        return string.Join(",", names);
    }

    /// <summary>Forgets what is in memory, so that the next look-up reads the file again.</summary>
    public void Reload()
    {
        lock (gate)
        {
            entries.Clear();
            loaded = false;
        }
    }

    private static string DefaultPath()
    {
        string? overridePath = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(overridePath))
        {
            return overridePath;
        }

        string? root = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (string.IsNullOrWhiteSpace(root))
        {
            root = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        }

        if (string.IsNullOrWhiteSpace(root))
        {
            root = System.IO.Path.GetTempPath();
        }

        return System.IO.Path.Combine(root, "specialize", "tuning.json");
    }

    private void EnsureLoaded()
    {
        if (loaded)
        {
            return;
        }

        loaded = true;
        if (!File.Exists(Path))
        {
            return;
        }

        try
        {
            using var stream = File.OpenRead(Path);
            using var doc = JsonDocument.Parse(stream);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("format", out var format) || format.GetString() != Format)
            {
                Warn($"'{Path}' is not a tuning file of format {Format}; it is ignored and will be rewritten.", null);
                return;
            }

            string? fingerprint = root.TryGetProperty("fingerprint", out var fp) ? fp.GetString() : null;
            if (fingerprint != Fingerprint)
            {
                Warn($"'{Path}' was written on other hardware ({fingerprint}); it is ignored and will be rewritten.", null);
                return;
            }

            var read = new Dictionary<VariantKey, Entry>();
            foreach (var item in root.GetProperty("entries").EnumerateArray())
            {
                var key = new VariantKey(
                    item.GetProperty("device").GetString()!,
                    item.GetProperty("kernel").GetString()!,
                    item.GetProperty("dtype").GetString()!,
                    item.GetProperty("d").GetInt32(),
                    item.GetProperty("m").GetInt32(),
                    item.GetProperty("rows").GetInt64());
                string? set = item.TryGetProperty("candidates", out var c) ? c.GetString() : null;
                read[key] = new Entry(item.GetProperty("variant").GetString()!, item.GetProperty("seconds").GetDouble(), set);
            }

            foreach (var pair in read)
            {
                entries[pair.Key] = pair.Value;
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException
                                       or InvalidOperationException or KeyNotFoundException or FormatException
                                       or ArgumentException)
        {
            entries.Clear();
            Warn($"'{Path}' could not be read ({ex.Message}); it is ignored and will be rewritten.", ex);
        }
    }

    private void Save()
    {
        string temp = Path + "." + Environment.ProcessId + "." + Guid.NewGuid().ToString("N") + ".tmp";
        try
        {
            string? dir = System.IO.Path.GetDirectoryName(Path);
            if (!string.IsNullOrEmpty(dir))
            {
                Directory.CreateDirectory(dir);
            }

            using (var stream = File.Create(temp))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("format", Format);
                writer.WriteString("fingerprint", Fingerprint);
                writer.WriteStartArray("entries");
                foreach (var pair in entries)
                {
                    writer.WriteStartObject();
                    writer.WriteString("device", pair.Key.Device);
                    writer.WriteString("kernel", pair.Key.Kernel);
                    writer.WriteString("dtype", pair.Key.DataType);
                    writer.WriteNumber("d", pair.Key.Dimension);
                    writer.WriteNumber("m", pair.Key.Components);
                    writer.WriteNumber("rows", pair.Key.RowBucket);
                    writer.WriteString("variant", pair.Value.Variant);
                    writer.WriteNumber("seconds", pair.Value.Seconds);
                    if (pair.Value.Candidates is not null)
                    {
                        writer.WriteString("candidates", pair.Value.Candidates);
                    }
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            File.Move(temp, Path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            try
            {
                File.Delete(temp);
            }
            catch (Exception deleteError) when (deleteError is IOException or UnauthorizedAccessException)
            {
                // Nothing more to do: the temporary file is harmless.
            }

            Warn($"'{Path}' could not be written ({ex.Message}); choices are kept in memory only.", ex);
        }
    }

    private void Warn(string message, Exception? exception)
    {
        Logger?.LogWarning(exception, "{Message}", message);
        Warning?.Invoke(this, new TuningStoreWarningEventArgs(Path, message, exception));
    }

    private readonly record struct Entry(string Variant, double Seconds, string? Candidates);
}
