using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;

namespace Specialize.CodeFixes.Futures;

/// <summary>SPEC004 — "Mark 'X' [Pure]" on a method that is pure by analysis.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddPureAttributeCodeFix))]
[Shared]
public sealed class AddPureAttributeCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.MethodIsPureButNotMarked);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root?.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not MethodDeclarationSyntax method)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Mark '{method.Identifier.ValueText}' [Pure]",
                    ct => PureAttributeEditor.AddPureAsync(context.Document, new TextSpanReference(method.Span), ct),
                    equivalenceKey: nameof(AddPureAttributeCodeFix)),
                diagnostic);
        }
    }
}
