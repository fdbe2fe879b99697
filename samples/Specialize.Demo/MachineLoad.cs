using System.Globalization;

namespace Specialize.Demo;

/// <summary>
/// Other load on the machine (Linux: /proc/loadavg and /proc/pressure/cpu; unknown elsewhere). Parallel code measured
/// while other programs use the cores competes with them for the cores it would use, so a time that says nothing of
/// the load explains nothing. The bench reports the same figures beside its tables (it links this file).
/// </summary>
/// <param name="LoadAverage">The 1-minute load average, or null where unknown.</param>
/// <param name="CpuPressure">The share (percent) of the last 10 s in which some task waited for a core, or null.</param>
/// <param name="Cores">The cores this process may use.</param>
public sealed record MachineLoad(double? LoadAverage, double? CpuPressure, int Cores)
{
    /// <summary>CPU pressure from which the machine counts as busy: some task waited for a core a tenth of the time.</summary>
    public const double BusyPressure = 10.0;

    /// <summary>Whether other work is competing for the cores: CPU pressure of 10% or more, or a load average of at least one task per core.</summary>
    public bool Busy => CpuPressure >= BusyPressure || LoadAverage >= Cores;

    /// <summary>The load now.</summary>
    public static MachineLoad Now()
    {
        double? average = null, pressure = null;
        const string loadAverage = "/proc/loadavg", cpuPressure = "/proc/pressure/cpu";
        if (File.Exists(loadAverage)
            && double.TryParse(File.ReadAllText(loadAverage).Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double a))
        {
            average = a;
        }

        if (File.Exists(cpuPressure) && File.ReadLines(cpuPressure).FirstOrDefault() is { } some
            && some.Split(' ').FirstOrDefault(static f => f.StartsWith("avg10=", StringComparison.Ordinal)) is { } avg10
            && double.TryParse(avg10["avg10=".Length..], NumberStyles.Float, CultureInfo.InvariantCulture, out double p))
        {
            pressure = p;
        }

        return new MachineLoad(average, pressure, Environment.ProcessorCount);
    }

    /// <summary>The load in one sentence (empty where nothing is known).</summary>
    public string Describe()
    {
        if (LoadAverage is not double average)
        {
            return string.Empty;
        }

        string text = string.Create(CultureInfo.InvariantCulture, $"1-minute load average {average:0.00} on {Cores} cores");
        if (CpuPressure is double pressure)
        {
            text += string.Create(CultureInfo.InvariantCulture, $", CPU pressure {pressure:0.00}% (share of the last 10 s in which some task waited for a core)");
        }

        return text;
    }

    /// <summary>
    /// Why futures were slower than the sequential run (off/on below 1), or an empty string when they were not: the
    /// machine was busy, or no future ran (both sides ran the same code, so the difference is noise between rounds), or
    /// the futures that ran cost more than they saved.
    /// </summary>
    /// <param name="ratio">Sequential time over time with futures.</param>
    /// <param name="spawned">Futures spawned in the timed rounds.</param>
    public string ExplainRatio(double ratio, long spawned)
    {
        if (!(ratio < 1))
        {
            return string.Empty;
        }

        string load = Describe();
        if (Busy)
        {
            return $"below 1x because the machine is busy ({load}): other programs held the cores the futures needed; on an idle machine they do not slow the program down";
        }

        if (spawned == 0)
        {
            return "below 1x with no future spawned: both sides ran every call inline, the same work, so the difference is noise between rounds"
                + (load.Length > 0 ? $" (the machine is not busy: {load})" : string.Empty);
        }

        return "below 1x with futures spawned on a machine that is not busy" + (load.Length > 0 ? $" ({load})" : string.Empty)
            + ": their start cost more than the work they overlapped; the cost model learns each call site's cost from such runs and spawns only where the predicted work is well above it";
    }
}
