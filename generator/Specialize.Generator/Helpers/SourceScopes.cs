using System.CodeDom.Compiler;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Specialize.Generator.Helpers;

/// <summary>
/// The scopes around a declaration in the user's file, for generated code that copies the user's code (a rewritten
/// body) and must see its names as the user's file does: the file's extern aliases and using directives, then each
/// enclosing namespace declaration, outermost first, with its own. A using directive inside a namespace is resolved
/// relative to that namespace (<c>namespace Demo { using Shapes; }</c> names <c>Demo.Shapes</c>), and alias directives
/// of one scope do not see each other, so each directive is written back in the scope it came from.
/// </summary>
/// <param name="FileDirectives">The compilation unit's extern aliases and using directives (not global ones).</param>
/// <param name="Namespaces">The enclosing namespace declarations, outermost first.</param>
internal sealed record SourceScopes(EquatableArray<string> FileDirectives, EquatableArray<NamespaceScope> Namespaces)
{
    /// <summary>The scopes around <paramref name="node"/>.</summary>
    public static SourceScopes Of(SyntaxNode node)
    {
        var namespaces = new List<NamespaceScope>();
        EquatableArray<string> file = default;
        for (SyntaxNode? current = node.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case BaseNamespaceDeclarationSyntax ns:
                    namespaces.Insert(0, new NamespaceScope(ns.Name.WithoutTrivia().ToString(), Directives(ns.Externs, ns.Usings)));
                    break;
                case CompilationUnitSyntax unit:
                    file = Directives(unit.Externs, unit.Usings);
                    break;
            }
        }

        return new SourceScopes(file, new EquatableArray<NamespaceScope>(namespaces));
    }

    /// <summary>Extern aliases first (the language requires it), then the using directives in ordinal order; global usings apply to every file already.</summary>
    private static EquatableArray<string> Directives(SyntaxList<ExternAliasDirectiveSyntax> externs, SyntaxList<UsingDirectiveSyntax> usings)
    {
        var sorted = usings.Where(static u => u.GlobalKeyword == default).Select(static u => u.WithoutTrivia().ToString()).ToList();
        sorted.Sort(static (a, b) => System.StringComparer.Ordinal.Compare(a.TrimEnd(';'), b.TrimEnd(';')));
        return new EquatableArray<string>(externs.Select(static e => e.WithoutTrivia().ToString()).Concat(sorted));
    }

    /// <summary>Opens the namespaces, each with its directives; <see cref="GeneratedFile.CloseScopes"/> closes the returned number of scopes.</summary>
    public int OpenNamespaces(IndentedTextWriter writer)
    {
        foreach (NamespaceScope scope in Namespaces)
        {
            writer.WriteLine($"namespace {scope.Name}");
            writer.WriteLine("{");
            writer.Indent++;
            foreach (string directive in scope.Directives)
            {
                writer.WriteLine(directive);
            }

            if (scope.Directives.Length > 0)
            {
                writer.WriteLineNoTabs(string.Empty);
            }
        }

        return Namespaces.Length;
    }
}

/// <summary>One namespace declaration around a declaration: its name as written, and its extern aliases and using directives.</summary>
internal sealed record NamespaceScope(string Name, EquatableArray<string> Directives);
