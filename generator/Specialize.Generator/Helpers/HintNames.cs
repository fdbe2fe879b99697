using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;

namespace Specialize.Generator.Helpers;

/// <summary>
/// File names of generated sources, unique by construction. The compiler requires every hint name of one generator to
/// be unique, compared ignoring case, and throws on a second one: every output of the generator is then lost. The name
/// is the declaration's readable path (<c>Demo.Trainer.Train</c>); where that path could be shared by another
/// declaration (a generic type beside a non-generic one of the same name, overloads, names that differ only in case,
/// characters a file name does not keep), a short hash of the declaration's documentation-comment id follows it.
/// </summary>
internal static class HintNames
{
    /// <summary>The hint name of the source generated for <paramref name="symbol"/>, ending with <paramref name="suffix"/> (".Blb.g.cs").</summary>
    public static string For(ISymbol symbol, string suffix)
    {
        var path = new List<ISymbol>();
        for (ISymbol? s = symbol; s is not null && s is not INamespaceSymbol { IsGlobalNamespace: true }; s = s.ContainingSymbol)
        {
            path.Insert(0, s);
        }

        var name = new StringBuilder();
        bool ambiguous = false;
        foreach (ISymbol part in path)
        {
            if (name.Length > 0)
            {
                name.Append('.');
            }

            foreach (char c in part.Name)
            {
                bool kept = char.IsLetterOrDigit(c) || c == '_';
                name.Append(kept ? c : '_');
                ambiguous |= !kept;
            }

            ambiguous |= part is INamedTypeSymbol { IsGenericType: true } or IMethodSymbol { IsGenericMethod: true }
                || HasNamesakes(part);
        }

        if (ambiguous)
        {
            string id = symbol.GetDocumentationCommentId() ?? symbol.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
            name.Append('.').Append(Fnv1a(id).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        }

        return name.Append(suffix).ToString();
    }

    /// <summary>
    /// Whether another member of the same container has this name ignoring case (a method's overloads included), so
    /// that the readable path alone would not tell the two apart.
    /// </summary>
    private static bool HasNamesakes(ISymbol symbol)
    {
        IEnumerable<ISymbol> siblings = symbol.ContainingSymbol switch
        {
            INamespaceOrTypeSymbol container => container.GetMembers(),
            _ => Enumerable.Empty<ISymbol>(),
        };
        return siblings.Any(s => !SymbolEqualityComparer.Default.Equals(s, symbol)
            && string.Equals(s.Name, symbol.Name, System.StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>32-bit FNV-1a of the UTF-16 code units: stable across runs and platforms, unlike string.GetHashCode.</summary>
    private static uint Fnv1a(string text)
    {
        uint hash = 2166136261;
        foreach (char c in text)
        {
            hash = unchecked((hash ^ c) * 16777619);
        }

        return hash;
    }
}
