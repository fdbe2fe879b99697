using System.Text;

namespace Specialize.Testing;

/// <summary>A line-based unified diff (longest common subsequence), for readable test failures.</summary>
public static class UnifiedDiff
{
    /// <summary>The diff from <paramref name="expected"/> to <paramref name="actual"/>, with three lines of context.</summary>
    public static string Create(string expected, string actual, string expectedName = "verified", string actualName = "received")
    {
        string[] a = Split(expected);
        string[] b = Split(actual);
        int[,] lcs = new int[a.Length + 1, b.Length + 1];
        for (int i = a.Length - 1; i >= 0; i--)
        {
            for (int j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        // Edit script: ' ' keep, '-' remove from expected, '+' add from actual.
        var edits = new List<(char Op, string Line, int A, int B)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                edits.Add((' ', a[x], x++, y++));
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                edits.Add(('-', a[x], x++, y));
            }
            else
            {
                edits.Add(('+', b[y], x, y++));
            }
        }

        var text = new StringBuilder();
        text.Append("--- ").Append(expectedName).Append('\n');
        text.Append("+++ ").Append(actualName).Append('\n');
        const int context = 3;
        int k = 0;
        while (k < edits.Count)
        {
            if (edits[k].Op == ' ')
            {
                k++;
                continue;
            }

            int start = Math.Max(0, k - context);
            int end = k;
            int lastChange = k;
            while (end < edits.Count && end - lastChange <= 2 * context)
            {
                if (edits[end].Op != ' ')
                {
                    lastChange = end;
                }

                end++;
            }

            end = Math.Min(edits.Count, lastChange + context + 1);
            int aStart = edits[start].A, bStart = edits[start].B;
            int aCount = 0, bCount = 0;
            for (int i = start; i < end; i++)
            {
                if (edits[i].Op != '+')
                {
                    aCount++;
                }

                if (edits[i].Op != '-')
                {
                    bCount++;
                }
            }

            text.Append($"@@ -{aStart + 1},{aCount} +{bStart + 1},{bCount} @@\n");
            for (int i = start; i < end; i++)
            {
                text.Append(edits[i].Op).Append(edits[i].Line).Append('\n');
            }

            k = end;
        }

        return text.ToString();
    }

    private static string[] Split(string text) => text.Replace("\r\n", "\n").Split('\n');
}
