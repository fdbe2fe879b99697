using System.Text;
using Microsoft.CodeAnalysis.Text;

namespace Specialize.Testing;

/// <summary>An expected diagnostic: its id and the exact span it covers.</summary>
public sealed record ExpectedDiagnostic(string Id, TextSpan Span);

/// <summary>
/// Span markup in test sources: <c>{|SPEC001:text|}</c> marks where a diagnostic with that id is
/// expected. Markup may nest. <see cref="Parse"/> returns the plain source and the expectations.
/// </summary>
public static class Markup
{
    public static (string Source, IReadOnlyList<ExpectedDiagnostic> Expected) Parse(string markup)
    {
        var source = new StringBuilder(markup.Length);
        var expected = new List<ExpectedDiagnostic>();
        var open = new Stack<(string Id, int Start)>();
        int i = 0;
        while (i < markup.Length)
        {
            if (markup[i] == '{' && i + 1 < markup.Length && markup[i + 1] == '|')
            {
                int colon = markup.IndexOf(':', i + 2);
                if (colon < 0)
                {
                    throw new HarnessException($"Markup '{{|' at {i} has no ':' after its id.");
                }

                open.Push((markup.Substring(i + 2, colon - i - 2), source.Length));
                i = colon + 1;
                continue;
            }

            if (markup[i] == '|' && i + 1 < markup.Length && markup[i + 1] == '}' && open.Count > 0)
            {
                (string id, int start) = open.Pop();
                expected.Add(new ExpectedDiagnostic(id, TextSpan.FromBounds(start, source.Length)));
                i += 2;
                continue;
            }

            source.Append(markup[i]);
            i++;
        }

        if (open.Count > 0)
        {
            throw new HarnessException($"Markup for '{open.Peek().Id}' is not closed with '|}}'.");
        }

        return (source.ToString(), expected.OrderBy(e => e.Span.Start).ThenBy(e => e.Id, StringComparer.Ordinal).ToList());
    }
}
