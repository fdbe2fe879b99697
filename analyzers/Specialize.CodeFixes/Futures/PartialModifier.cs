using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Specialize.CodeFixes.Futures;

/// <summary>Adds <c>partial</c> to a type declaration, keeping its layout.</summary>
internal static class PartialModifier
{
    public static TypeDeclarationSyntax Add(TypeDeclarationSyntax type)
    {
        if (type.Modifiers.Any(SyntaxKind.PartialKeyword))
        {
            return type;
        }

        // 'partial' goes last among the modifiers, just before the type keyword, as C# requires.
        SyntaxToken partial = SyntaxFactory.Token(SyntaxKind.PartialKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        if (type.Modifiers.Count == 0)
        {
            SyntaxToken keyword = type.Keyword;
            return type.WithKeyword(keyword.WithLeadingTrivia(SyntaxTriviaList.Empty))
                .WithModifiers(SyntaxFactory.TokenList(partial.WithLeadingTrivia(keyword.LeadingTrivia)));
        }

        return type.WithModifiers(type.Modifiers.Add(partial));
    }
}
