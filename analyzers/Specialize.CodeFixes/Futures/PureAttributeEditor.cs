using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Specialize.CodeFixes.Futures;

/// <summary>Adds <c>[Pure]</c> to a method declaration, keeping its layout.</summary>
internal static class PureAttributeEditor
{
    public static async Task<Solution> AddPureAsync(Document document, TextSpanReference method, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var declaration = (MethodDeclarationSyntax)root.FindNode(method.Span);
        return document.WithSyntaxRoot(root.ReplaceNode(declaration, WithPure(declaration, root))).Project.Solution;
    }

    private static MethodDeclarationSyntax WithPure(MethodDeclarationSyntax method, SyntaxNode root)
    {
        // [Pure] reads best; spell it out only where no 'using Specialize;' is in scope.
        bool imported = root is CompilationUnitSyntax unit
            && (unit.Usings.Any(static u => u.Name?.ToString() == "Specialize")
                || method.Ancestors().OfType<BaseNamespaceDeclarationSyntax>().Any(static ns => ns.Usings.Any(static u => u.Name?.ToString() == "Specialize")
                    || ns.Name.ToString() == "Specialize" || ns.Name.ToString().StartsWith("Specialize.", System.StringComparison.Ordinal)));
        AttributeListSyntax attribute = SyntaxFactory.AttributeList(SyntaxFactory.SingletonSeparatedList(
            SyntaxFactory.Attribute(SyntaxFactory.ParseName(imported ? "Pure" : "Specialize.Pure"))));

        SyntaxTriviaList leading = method.GetLeadingTrivia();
        SyntaxTrivia indentation = leading.LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        SyntaxTriviaList indent = indentation == default ? SyntaxTriviaList.Empty : SyntaxFactory.TriviaList(indentation);
        MethodDeclarationSyntax stripped = method.WithoutLeadingTrivia();

        // The first token after the new attribute list takes the method's indentation.
        SyntaxToken firstToken = stripped.GetFirstToken();
        stripped = stripped.ReplaceToken(firstToken, firstToken.WithLeadingTrivia(indent));
        return stripped.WithAttributeLists(stripped.AttributeLists.Insert(0, attribute.WithLeadingTrivia(leading).WithTrailingTrivia(SyntaxFactory.EndOfLine("\n"))));
    }
}

/// <summary>Where a declaration is, carried from registering a fix to applying it.</summary>
internal readonly struct TextSpanReference
{
    public TextSpanReference(Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        Span = span;
    }

    public Microsoft.CodeAnalysis.Text.TextSpan Span { get; }
}
