using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;

namespace Specialize.CodeFixes.Futures;

/// <summary>SPEC006 — "Make 'X' partial", so the generator can add the parallel twin to it.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MakeTypePartialCodeFix))]
[Shared]
public sealed class MakeTypePartialCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.TypeWithParallelCallsIsNotPartial);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not TypeDeclarationSyntax type)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Make '{type.Identifier.ValueText}' partial",
                    ct => MakePartialAsync(context.Document, type.Span, ct),
                    equivalenceKey: nameof(MakeTypePartialCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> MakePartialAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        SyntaxNode root = (await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false))!;
        var type = (TypeDeclarationSyntax)root.FindNode(span);
        return document.WithSyntaxRoot(root.ReplaceNode(type, PartialModifier.Add(type)));
    }
}
