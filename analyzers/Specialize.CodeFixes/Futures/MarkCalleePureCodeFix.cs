using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Purity;

namespace Specialize.CodeFixes.Futures;

/// <summary>
/// SPEC002 — "Mark 'X' [Pure]": when a [Pure] method calls a method written in the same solution,
/// mark the callee so that the analyzer checks it (and reports, at the callee, what keeps it impure).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MarkCalleePureCodeFix))]
[Shared]
public sealed class MarkCalleePureCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PureMethodCallsImpureMember);

    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (model is null || root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            SyntaxNode node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            SyntaxNode callNode = node.AncestorsAndSelf().FirstOrDefault(static n => n is InvocationExpressionSyntax or ObjectCreationExpressionSyntax) ?? node;
            if (model.GetSymbolInfo(callNode, context.CancellationToken).Symbol is not IMethodSymbol callee)
            {
                continue;
            }

            callee = callee.OriginalDefinition;
            SyntaxReference? reference = callee.DeclaringSyntaxReferences.FirstOrDefault();

            // A callee marked [Pure] already is impure for what it does itself (SPEC001 inside it says what); a
            // second attribute would change nothing.
            if (reference is null || callee.IsAbstract || callee.IsExtern || PurityAnalysis.IsMarkedPure(callee))
            {
                continue;
            }

            Document? target = context.Document.Project.Solution.GetDocument(reference.SyntaxTree);
            if (target is null || await reference.GetSyntaxAsync(context.CancellationToken).ConfigureAwait(false) is not MethodDeclarationSyntax)
            {
                continue;
            }

            string title = $"Mark '{callee.Name}' [Pure]";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => PureAttributeEditor.AddPureAsync(target, new TextSpanReference(reference.Span), ct), equivalenceKey: nameof(MarkCalleePureCodeFix)),
                diagnostic);
        }
    }
}
