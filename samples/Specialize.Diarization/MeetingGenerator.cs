using System.Diagnostics;
using System.Globalization;

namespace Specialize.Diarization;

/// <summary>An espeak-ng voice: a base voice with a variant, a pitch (0-99) and a speed (words per minute).</summary>
public readonly record struct Voice(string Name, int Pitch, int Speed)
{
    /// <summary>As the generator's --voices option writes it: <c>name:pitch:speed</c>.</summary>
    public override string ToString() => FormattableString.Invariant($"{Name}:{Pitch}:{Speed}");

    /// <summary>Reads <c>name:pitch:speed</c>.</summary>
    /// <exception cref="FormatException">The text is not of that form.</exception>
    public static Voice Parse(string text)
    {
        string[] parts = text.Split(':');
        if (parts.Length != 3 || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out int pitch) || !int.TryParse(parts[2], CultureInfo.InvariantCulture, out int speed))
        {
            throw new FormatException($"A voice is name:pitch:speed (for example en-us+m3:40:165), not '{text}'.");
        }

        return new Voice(parts[0], pitch, speed);
    }
}

/// <summary>
/// Makes a meeting to diarize: turns of espeak-ng voices (different base voices, variants and pitch) reading random
/// word sequences, with pauses between turns, concatenated with sox into 16 kHz mono 16-bit WAV, and the reference
/// RTTM of who spoke when (each turn from its first to its last sample louder than -50 dBFS).
/// </summary>
public static class MeetingGenerator
{
    /// <summary>The voices and words the tests use.</summary>
    public static readonly (Voice[] Voices, string Text) TestSet = (
        [
            new("en-us+m3", 35, 165), new("en-gb+f2", 60, 170), new("en-gb-scotland+m1", 48, 160),
            new("en-029+f4", 72, 175), new("en-us-nyc+m7", 25, 155), new("en-gb-x-rp+f1", 55, 180),
        ],
        "the meeting starts with a short review of last quarter and then we discuss the budget for the new building " +
        "please send the report before friday because the committee needs time to read every page carefully " +
        "our team finished the prototype and measured the latency on three different machines in the lab");

    /// <summary>Voices and words that the stopping criterion was chosen on (see docs/diarization.md).</summary>
    public static readonly (Voice[] Voices, string Text) TuningSet = (
        [
            new("en-gb-x-gbclan+m2", 40, 160), new("en-us+f3", 65, 170), new("en-gb-x-gbcwmd+m5", 30, 150),
            new("en-gb+m6", 50, 175), new("en-us+f5", 78, 165), new("en-gb-x-rp+m4", 38, 185),
        ],
        "weather forecasts predict heavy rain across the northern valleys while farmers prepare their fields for " +
        "harvest season markets open early and traders bring apples cheese bread honey and wool from distant villages " +
        "children walk along the river to school where teachers explain history music and simple geometry");

    /// <summary>Voices and words held out of every choice: the criterion is checked on them after it was fixed.</summary>
    public static readonly (Voice[] Voices, string Text) HeldOutSet = (
        [
            new("en-029+m8", 42, 160), new("en-us-nyc+f2", 68, 170), new("en-gb-scotland+f1", 58, 165),
            new("en-gb+m2", 33, 150), new("en-us+m1", 47, 185), new("en-gb-x-gbclan+f4", 74, 175),
        ],
        "astronomers observed a distant comet whose bright tail stretched across the winter sky for several nights " +
        "engineers repaired the old bridge using steel cables concrete pillars and a crane borrowed from the harbour " +
        "the orchestra rehearsed a symphony by candlelight after a storm cut the power in the concert hall");

    private static string[] Words(string text) => text.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static (Voice[] Voices, string[] Words) Set((Voice[] Voices, string Text) set) => (set.Voices, Words(set.Text));

    /// <summary>The named set: <c>test</c>, <c>tuning</c> or <c>heldout</c>.</summary>
    /// <exception cref="ArgumentException">The name is none of those.</exception>
    public static (Voice[] Voices, string[] Words) Named(string name) => name switch
    {
        "test" => Set(TestSet),
        "tuning" => Set(TuningSet),
        "heldout" => Set(HeldOutSet),
        _ => throw new ArgumentException($"Unknown set '{name}'; expected test, tuning or heldout.", nameof(name)),
    };

    /// <summary>
    /// Writes <paramref name="wavPath"/> and <paramref name="rttmPath"/>: about <paramref name="seconds"/> seconds of
    /// turns by the <paramref name="voices"/>, each turn 4-14 words, the next speaker always another one, pauses of
    /// 0.3-1.2 s between turns.
    /// </summary>
    /// <returns>The reference turns.</returns>
    /// <exception cref="InvalidOperationException">espeak-ng or sox is missing or fails.</exception>
    public static List<Turn> Generate(IReadOnlyList<Voice> voices, IReadOnlyList<string> words, double seconds, int seed, string wavPath, string rttmPath)
    {
        ArgumentNullException.ThrowIfNull(voices);
        ArgumentNullException.ThrowIfNull(words);
        if (voices.Count < 2)
        {
            throw new ArgumentException("A meeting needs at least two voices.", nameof(voices));
        }

        var random = new Random(seed);
        string work = Path.Combine(Path.GetTempPath(), $"meeting-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            var parts = new List<string>();
            var turns = new List<Turn>();
            double time = 0;
            int previous = -1, index = 0;
            var spoken = new HashSet<int>();
            while (time < seconds || spoken.Count < voices.Count)
            {
                int speaker;
                do
                {
                    // Every voice speaks at least once: the first turns go round the table.
                    speaker = spoken.Count < voices.Count ? spoken.Count : random.Next(voices.Count);
                }
                while (speaker == previous);

                spoken.Add(speaker);
                previous = speaker;
                var voice = voices[speaker];
                string text = string.Join(' ', Enumerable.Range(0, random.Next(4, 15)).Select(_ => words[random.Next(words.Count)]));
                string raw = Path.Combine(work, $"raw{index}.wav"), turn = Path.Combine(work, $"turn{index}.wav");
                Run("espeak-ng", ["-v", voice.Name, "-p", voice.Pitch.ToString(CultureInfo.InvariantCulture), "-s", voice.Speed.ToString(CultureInfo.InvariantCulture), "-w", raw, text]);

                // 16 kHz mono, without the leading and trailing silence espeak-ng adds, so that the reference turn is the speech.
                Run("sox", ["-R", "-D", raw, "-r", "16000", "-c", "1", "-b", "16", turn, "silence", "1", "0.01", "-50d", "reverse", "silence", "1", "0.01", "-50d", "reverse"]);
                double duration = Audio.Read(turn).Seconds;
                turns.Add(new Turn(time, duration, $"S{speaker + 1}"));
                parts.Add(turn);
                time += duration;

                double pause = Math.Round(0.3 + 0.9 * random.NextDouble(), 2);
                string silence = Path.Combine(work, $"pause{index}.wav");
                Run("sox", ["-R", "-D", "-n", "-r", "16000", "-c", "1", "-b", "16", silence, "trim", "0", pause.ToString("0.00", CultureInfo.InvariantCulture)]);
                parts.Add(silence);
                time += pause;
                index++;
            }

            // sox concatenates its inputs; -R -D (no random dither) make the same seed give the same file.
            Run("sox", ["-R", "-D", .. parts, wavPath]);
            File.WriteAllText(rttmPath, Rttm.Format(Path.GetFileNameWithoutExtension(wavPath), turns));
            return turns;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Whether espeak-ng and sox can be run.</summary>
    public static string? MissingTools()
    {
        var missing = new[] { "espeak-ng", "sox" }.Where(tool => !OnPath(tool)).ToArray();
        return missing.Length == 0 ? null : string.Join(" and ", missing);

    }

    /// <summary>Whether <paramref name="tool"/> is a file in a folder of PATH.</summary>
    public static bool OnPath(string tool) =>
        (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, tool)));

    private static void Run(string tool, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(tool) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start.");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{tool} is needed to generate meetings (apt-get install espeak-ng sox): {e.Message}", e);
        }

        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{tool} {string.Join(' ', arguments.Take(6))} ... failed ({process.ExitCode}): {error.Result.Trim()}");
            }
        }
    }
}
