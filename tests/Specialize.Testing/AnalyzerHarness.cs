using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace Specialize.Testing;

/// <summary>
/// Runs the Specialize analyzers over marked-up source and asserts that exactly the marked
/// diagnostics appear: same ids, same spans, nothing more. Compiler errors in the test source fail
/// the test too, so a test cannot pass by not compiling. Errors and warnings are always compared;
/// an info-level id (SPEC004, SPEC005, SPEC007: suggestions) is compared only when the markup marks
/// it or the test names it in <c>alsoCheck</c>, so that a test about one rule is not about all of them.
/// </summary>
public static class AnalyzerHarness
{
    /// <summary>Every analyzer in the Specialize.Analyzers assembly.</summary>
    public static ImmutableArray<DiagnosticAnalyzer> Analyzers { get; } = typeof(Specialize.Analyzers.Futures.PureMethodAnalyzer).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>Asserts the marked diagnostics, and returns every Specialize diagnostic reported.</summary>
    public static ImmutableArray<Diagnostic> Verify(string markup, params string[] otherSources) =>
        VerifyIncluding([], markup, otherSources);

    /// <summary>As <see cref="Verify"/>, also comparing the info-level ids in <paramref name="alsoCheck"/>.</summary>
    public static ImmutableArray<Diagnostic> VerifyIncluding(IEnumerable<string> alsoCheck, string markup, params string[] otherSources)
    {
        (string source, IReadOnlyList<ExpectedDiagnostic> expected) = Markup.Parse(markup);
        var checkedInfos = new HashSet<string>(alsoCheck.Concat(expected.Select(e => e.Id)), StringComparer.Ordinal);
        ImmutableArray<Diagnostic> actual = Analyze(source, otherSources)
            .Where(d => d.Severity >= DiagnosticSeverity.Warning || checkedInfos.Contains(d.Id))
            .ToImmutableArray();

        var actualPairs = actual
            .Select(d => new ExpectedDiagnostic(d.Id, d.Location.SourceSpan))
            .OrderBy(e => e.Span.Start).ThenBy(e => e.Id, StringComparer.Ordinal)
            .ToList();
        if (!actualPairs.SequenceEqual(expected))
        {
            SourceText text = SourceText.From(source);
            string Describe(ExpectedDiagnostic e)
            {
                LinePosition position = text.Lines.GetLinePosition(e.Span.Start);
                Diagnostic? diagnostic = actual.FirstOrDefault(d => d.Id == e.Id && d.Location.SourceSpan == e.Span);
                string message = diagnostic is null ? string.Empty : " — " + diagnostic.GetMessage();
                return $"  {e.Id} at ({position.Line + 1},{position.Character + 1}) '{text.ToString(e.Span)}'{message}";
            }

            throw new HarnessException(
                "Diagnostics differ from the markup.\nExpected:\n" + string.Join("\n", expected.Select(Describe))
                + "\nActual:\n" + string.Join("\n", actualPairs.Select(Describe)));
        }

        return actual;
    }

    /// <summary>The Specialize diagnostics (ids starting with SPEC) the analyzers report for plain source.</summary>
    public static ImmutableArray<Diagnostic> Analyze(string source, params string[] otherSources)
    {
        Compilation compilation = References.Compile([source, .. otherSources]);
        var errors = compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
        {
            throw new HarnessException("The test source does not compile:\n" + string.Join("\n", errors));
        }

        CompilationWithAnalyzers withAnalyzers = compilation.WithAnalyzers(Analyzers, new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false));
        ImmutableArray<Diagnostic> all = withAnalyzers.GetAllDiagnosticsAsync().GetAwaiter().GetResult();
        var analyzerFailures = all.Where(d => d.Id == "AD0001").ToList();
        if (analyzerFailures.Count > 0)
        {
            throw new HarnessException("An analyzer threw:\n" + string.Join("\n", analyzerFailures.Select(d => d.GetMessage())));
        }

        SyntaxTree tree = compilation.SyntaxTrees.First();
        return all.Where(d => d.Id.StartsWith("SPEC", StringComparison.Ordinal) && d.Location.SourceTree == tree).ToImmutableArray();
    }
}
