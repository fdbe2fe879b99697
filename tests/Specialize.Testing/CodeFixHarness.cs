using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Specialize.Testing;

/// <summary>
/// Applies a Specialize code fix through an <see cref="AdhocWorkspace"/> and compares the document
/// text after the fix with the expected text.
/// </summary>
public static class CodeFixHarness
{
    /// <summary>Every code fix provider in the Specialize.CodeFixes assembly.</summary>
    public static ImmutableArray<CodeFixProvider> Providers { get; } = typeof(Specialize.CodeFixes.CodeFixAssembly).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t) && t.GetCustomAttribute<ExportCodeFixProviderAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>
    /// Finds the marked diagnostic (the markup must mark exactly the diagnostics reported), applies the
    /// code action titled <paramref name="title"/> for it, and asserts the resulting text.
    /// </summary>
    public static string Verify(string markup, string expectedFixed, string title, params string[] otherSources)
    {
        (AdhocWorkspace workspace, Diagnostic diagnostic, DocumentId documentId, List<CodeAction> actions) = Offer(markup, otherSources);
        using AdhocWorkspace owned = workspace;
        CodeAction chosen = actions.FirstOrDefault(a => a.Title == title)
            ?? throw new HarnessException($"No code action titled '{title}' for {diagnostic.Id}. Offered: {string.Join(", ", actions.Select(a => "'" + a.Title + "'"))}");

        ImmutableArray<CodeActionOperation> operations = chosen.GetOperationsAsync(CancellationToken.None).GetAwaiter().GetResult();
        Solution changed = operations.OfType<ApplyChangesOperation>().Single().ChangedSolution;
        string actual = changed.GetDocument(documentId)!.GetTextAsync().GetAwaiter().GetResult().ToString();

        string Normalize(string s) => s.Replace("\r\n", "\n");
        if (Normalize(actual) != Normalize(expectedFixed))
        {
            throw new HarnessException($"The fix '{title}' produced different text:\n" + UnifiedDiff.Create(Normalize(expectedFixed), Normalize(actual), "expected", "actual"));
        }

        return actual;
    }

    /// <summary>
    /// The titles of the code actions offered for the marked diagnostic (the markup must mark exactly
    /// the diagnostics reported), for tests that a fix is offered only where it is correct.
    /// </summary>
    public static IReadOnlyList<string> OfferedTitles(string markup, params string[] otherSources)
    {
        (AdhocWorkspace workspace, _, _, List<CodeAction> actions) = Offer(markup, otherSources);
        using AdhocWorkspace owned = workspace;
        return actions.Select(a => a.Title).ToList();
    }

    private static (AdhocWorkspace Workspace, Diagnostic Diagnostic, DocumentId DocumentId, List<CodeAction> Actions) Offer(string markup, string[] otherSources)
    {
        (string source, IReadOnlyList<ExpectedDiagnostic> expected) = Markup.Parse(markup);
        AnalyzerHarness.Verify(markup, otherSources);
        if (expected.Count == 0)
        {
            throw new HarnessException("Mark the diagnostic to fix with {|SPECxxx:...|}.");
        }

        var workspace = new AdhocWorkspace();
        ProjectId projectId = ProjectId.CreateNewId();
        DocumentId documentId = DocumentId.CreateNewId(projectId);
        Solution solution = workspace.CurrentSolution
            .AddProject(ProjectInfo.Create(projectId, VersionStamp.Create(), "Test", "Test", LanguageNames.CSharp,
                compilationOptions: References.CompilationOptions(),
                parseOptions: References.ParseOptions,
                metadataReferences: References.All))
            .AddDocument(documentId, "Source0.cs", SourceText.From(source));
        for (int i = 0; i < otherSources.Length; i++)
        {
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), $"Source{i + 1}.cs", SourceText.From(otherSources[i]));
        }

        Document document = solution.GetDocument(documentId)!;

        Compilation compilation = document.Project.GetCompilationAsync().GetAwaiter().GetResult()!;
        ImmutableArray<Diagnostic> diagnostics = compilation.WithAnalyzers(AnalyzerHarness.Analyzers)
            .GetAnalyzerDiagnosticsAsync().GetAwaiter().GetResult();
        ExpectedDiagnostic target = expected[0];
        Diagnostic diagnostic = diagnostics.Single(d => d.Id == target.Id && d.Location.SourceSpan == target.Span);

        var actions = new List<CodeAction>();
        foreach (CodeFixProvider provider in Providers.Where(p => p.FixableDiagnosticIds.Contains(diagnostic.Id)))
        {
            var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
            provider.RegisterCodeFixesAsync(context).GetAwaiter().GetResult();
        }

        return (workspace, diagnostic, documentId, actions);
    }
}
