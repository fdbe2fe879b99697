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
                    namespaces.Insert(0, new NamespaceScope(ns.Name.WithoutTrivia().ToString(), Directives(ns.Externs, ns.Usings), ns is FileScopedNamespaceDeclarationSyntax));
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

    /// <summary>
    /// Opens the namespaces, each with its directives; <see cref="GeneratedFile.CloseScopes"/> closes the returned number
    /// of scopes. With <paramref name="keepFileScoped"/>, a file-scoped namespace stays file-scoped, so that code copied
    /// from the user's file lines up with the declarations around it.
    /// </summary>
    public int OpenNamespaces(IndentedTextWriter writer, bool keepFileScoped = false)
    {
        int opened = 0;
        foreach (NamespaceScope scope in Namespaces)
        {
            if (keepFileScoped && scope.FileScoped)
            {
                writer.WriteLine($"namespace {scope.Name};");
                writer.WriteLineNoTabs(string.Empty);
            }
            else
            {
                writer.WriteLine($"namespace {scope.Name}");
                writer.WriteLine("{");
                writer.Indent++;
                opened++;
            }

            foreach (string directive in scope.Directives)
            {
                writer.WriteLine(directive);
            }

            if (scope.Directives.Length > 0)
            {
                writer.WriteLineNoTabs(string.Empty);
            }
        }

        return opened;
    }
}

/// <summary>
/// One namespace declaration around a declaration: its name as written, its extern aliases and using directives, and
/// whether it is file-scoped (<c>namespace N;</c>).
/// </summary>
internal sealed record NamespaceScope(string Name, EquatableArray<string> Directives, bool FileScoped = false);
