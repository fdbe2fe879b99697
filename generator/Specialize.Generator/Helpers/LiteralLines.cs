using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Text;

namespace Specialize.Generator.Helpers;

/// <summary>
/// Which lines of a piece of C# begin inside a token: the second and later lines of a string literal that spans
/// lines (a raw <c>"""</c> string, a verbatim <c>@"..."</c> string, an interpolated one). Such a line, and the end of
/// the line before it, are part of the literal's value; code that re-indents text line by line must copy them as
/// they are, or it changes the string.
/// </summary>
internal static class LiteralLines
{
    /// <summary>
    /// For each line of <paramref name="text"/> split at <c>'\n'</c>, whether it starts inside a token. Text the
    /// lexer cannot read is lexed as far as it goes; nothing here throws.
    /// </summary>
    public static bool[] StartInsideToken(string text)
    {
        var lineStarts = new List<int> { 0 };
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lineStarts.Add(i + 1);
            }
        }

        var inside = new bool[lineStarts.Count];
        if (text.IndexOf('\n') < 0)
        {
            return inside;
        }

        foreach (SyntaxToken token in SyntaxFactory.ParseTokens(text))
        {
            TextSpan span = token.Span;
            if (span.Length < 2 || text.IndexOf('\n', span.Start, span.Length) < 0)
            {
                continue;
            }

            // Lines that start after the token's first character and before its end.
            int line = LineOf(lineStarts, span.Start) + 1;
            for (; line < lineStarts.Count && lineStarts[line] < span.End; line++)
            {
                inside[line] = true;
            }
        }

        return inside;
    }

    private static int LineOf(List<int> lineStarts, int position)
    {
        int index = lineStarts.BinarySearch(position);
        return index >= 0 ? index : ~index - 1;
    }
}
