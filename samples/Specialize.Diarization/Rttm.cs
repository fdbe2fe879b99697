using System.Globalization;

namespace Specialize.Diarization;

/// <summary>One speaker's turn: who spoke from <see cref="Start"/> for <see cref="Duration"/> seconds.</summary>
public readonly record struct Turn(double Start, double Duration, string Speaker)
{
    /// <summary>Where the turn ends, in seconds.</summary>
    public double End => Start + Duration;
}

/// <summary>Reads and writes RTTM (<c>SPEAKER file 1 start duration &lt;NA&gt; &lt;NA&gt; speaker &lt;NA&gt; &lt;NA&gt;</c>).</summary>
public static class Rttm
{
    /// <summary>The SPEAKER lines of <paramref name="turns"/> for recording <paramref name="file"/>, in time order.</summary>
    public static string Format(string file, IEnumerable<Turn> turns)
    {
        var text = new System.Text.StringBuilder();
        foreach (var turn in turns.OrderBy(t => t.Start))
        {
            text.Append(CultureInfo.InvariantCulture,
                $"SPEAKER {file} 1 {turn.Start:0.000} {turn.Duration:0.000} <NA> <NA> {turn.Speaker} <NA> <NA>\n");
        }

        return text.ToString();
    }

    /// <summary>The SPEAKER turns of RTTM text (other line types and blank lines are skipped).</summary>
    /// <exception cref="FormatException">A SPEAKER line has too few fields or times that are not numbers.</exception>
    public static List<Turn> Parse(string text)
    {
        var turns = new List<Turn>();
        int number = 0;
        foreach (string raw in text.Split('\n'))
        {
            number++;
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith(';'))
            {
                continue;
            }

            string[] fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields[0] != "SPEAKER")
            {
                continue;
            }

            if (fields.Length < 8
                || !double.TryParse(fields[3], NumberStyles.Float, CultureInfo.InvariantCulture, out double start)
                || !double.TryParse(fields[4], NumberStyles.Float, CultureInfo.InvariantCulture, out double duration))
            {
                throw new FormatException($"RTTM line {number} is not 'SPEAKER file channel start duration <NA> <NA> speaker ...': {line}");
            }

            turns.Add(new Turn(start, duration, fields[7]));
        }

        return turns;
    }
}
