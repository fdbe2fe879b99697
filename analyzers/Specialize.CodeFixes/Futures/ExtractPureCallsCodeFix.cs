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
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Specialize.Analysis.Diagnostics;

namespace Specialize.CodeFixes.Futures;

/// <summary>
/// SPEC007 — "Extract method 'X'": moves the run of overlapping pure calls out of a place that cannot
/// host a parallel twin (entry point, lambda, local function, iterator, async method) into a new
/// method of the containing type, which can. The new method takes what the run reads and returns what
/// it declares and the rest of the body uses; the containing types are made partial if they are not,
/// so the generator gives the new method its twin and intercepts the call that replaces the run.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ExtractPureCallsCodeFix))]
[Shared]
public sealed class ExtractPureCallsCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(DiagnosticIds.PureCallsCannotHostTwin);

    // Extractions into the same type would each pick the same free name; they are applied one at a time.
    public override FixAllProvider? GetFixAllProvider() => null;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (PureCallExtraction.TryPlan(root, model, diagnostic, context.CancellationToken) is not { } extraction)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    $"Extract method '{extraction.Name}'",
                    ct => ApplyAsync(context.Document, extraction, ct),
                    equivalenceKey: nameof(ExtractPureCallsCodeFix)),
                diagnostic);
        }
    }

    private static async Task<Document> ApplyAsync(Document document, PureCallExtraction extraction, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);

        // New lines follow the document's own line breaks.
        string lineBreak = editor.OriginalRoot.DescendantTrivia().FirstOrDefault(static t => t.IsKind(SyntaxKind.EndOfLineTrivia)).ToFullString();
        lineBreak = lineBreak.Length == 0 ? "\n" : lineBreak;
        editor.InsertAfter(extraction.Anchor, extraction.BuildMethod(lineBreak));
        editor.ReplaceNode(extraction.Run[0], extraction.BuildCall());
        for (int i = 1; i < extraction.Run.Count; i++)
        {
            editor.RemoveNode(extraction.Run[i], SyntaxRemoveOptions.KeepNoTrivia);
        }

        // The generator gives twins only to methods of partial types.
        foreach (TypeDeclarationSyntax type in extraction.TypesToMakePartial)
        {
            editor.ReplaceNode(type, static (current, _) => PartialModifier.Add((TypeDeclarationSyntax)current));
        }

        Document changed = editor.GetChangedDocument();
        Microsoft.CodeAnalysis.Options.OptionSet options = (await changed.GetOptionsAsync(cancellationToken).ConfigureAwait(false))
            .WithChangedOption(FormattingOptions.NewLine, LanguageNames.CSharp, lineBreak);
        return await Formatter.FormatAsync(changed, Formatter.Annotation, options, cancellationToken).ConfigureAwait(false);
    }
}
