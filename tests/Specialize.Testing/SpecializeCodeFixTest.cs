using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Testing.Model;

namespace Specialize.Testing;

/// <summary>
/// An analyzer or code-fix test of Roslyn's testing library (Microsoft.CodeAnalysis.Testing) with every Specialize
/// analyzer and code fix, compiled under <see cref="References"/>' strict settings against the net10.0 reference
/// assemblies. The library does the work: span markup (<c>{|SPEC001:text|}</c>) for the expected diagnostics in test
/// and fixed code, a compiler error fails the test, the diagnostics must go away under <c>#pragma warning disable</c>
/// and in generated code, code fixes are applied once per diagnostic until nothing changes (iterations), and Fix All in
/// document, project and solution must give the same text where the provider offers Fix All.
/// </summary>
/// <remarks>
/// Errors and warnings are always compared; an info-level id (suggestions: SPEC004, SPEC005, SPEC007, ...) only when a
/// source's markup names it or the test adds it to <see cref="AlsoCheck"/>, so that a test about one rule is not a test
/// of all of them: the other infos are switched off for the run.
/// </remarks>
public sealed class SpecializeCodeFixTest : CodeFixTest<DefaultVerifier>
{
    private static readonly Regex MarkedId = new(@"\{\|(?<id>[A-Z]+[0-9]+):", RegexOptions.CultureInvariant);

    /// <summary>
    /// Ids reported away from the code whose analysis finds them, which Roslyn counts as non-local: SPEC006 is
    /// reported at a type's name by the analysis of a method in it. The library refuses code fixes for non-local
    /// diagnostics (an editor computes them only with full-solution analysis); for these its check is off.
    /// </summary>
    private static readonly HashSet<string> NonLocal = new(StringComparer.Ordinal) { "SPEC006" };

    private ImmutableArray<Diagnostic>? reported;

    public SpecializeCodeFixTest()
    {
        // Nothing is resolved from a package feed: References supplies every assembly (see CreateSolutionAsync).
        ReferenceAssemblies = new ReferenceAssemblies("net10.0");
    }

    /// <summary>Info-level ids compared although no markup names them.</summary>
    public ISet<string> AlsoCheck { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>
    /// The Specialize diagnostics reported for the test code (<see cref="AnalyzerTest{TVerifier}.TestState"/>), in
    /// source order, once <see cref="Run"/> has returned: for assertions on their messages.
    /// </summary>
    public ImmutableArray<Diagnostic> Reported => reported ?? throw new InvalidOperationException("Run the test first.");

    public override string Language => LanguageNames.CSharp;

    public override Type SyntaxKindType => typeof(SyntaxKind);

    protected override string DefaultFileExt => "cs";

    /// <summary>Runs the test; a difference throws <see cref="InvalidOperationException"/> with the library's report.</summary>
    public void Run()
    {
        IEnumerable<string> marked = TestState.Sources.Concat(FixedState.Sources)
            .SelectMany(static source => MarkedId.Matches(source.content.ToString()).Select(static m => m.Groups["id"].Value));
        var markedIds = new HashSet<string>(marked, StringComparer.Ordinal);
        var compared = new HashSet<string>(markedIds.Concat(AlsoCheck), StringComparer.Ordinal);

        // Fix All is checked where a provider for a marked diagnostic offers it (extract method does not).
        if (!CodeFixHarness.Providers.Any(p => p.FixableDiagnosticIds.Any(markedIds.Contains) && p.GetFixAllProvider() is not null))
        {
            CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipFixAllCheck;
        }

        if (markedIds.Overlaps(NonLocal))
        {
            CodeFixTestBehaviors |= CodeFixTestBehaviors.SkipLocalDiagnosticCheck;
        }

        foreach (DiagnosticDescriptor descriptor in AnalyzerHarness.Analyzers.SelectMany(static a => a.SupportedDiagnostics))
        {
            if (descriptor.DefaultSeverity < DiagnosticSeverity.Warning && !compared.Contains(descriptor.Id) && !DisabledDiagnostics.Contains(descriptor.Id))
            {
                DisabledDiagnostics.Add(descriptor.Id);
            }
        }

        // Off the test's synchronization context: the library awaits Roslyn's asynchronous APIs throughout.
        Task.Run(() => RunAsync(CancellationToken.None)).GetAwaiter().GetResult();
    }

    protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => AnalyzerHarness.Analyzers;

    protected override IEnumerable<CodeFixProvider> GetCodeFixProviders() => CodeFixHarness.Providers;

    protected override CompilationOptions CreateCompilationOptions() => References.CompilationOptions();

    protected override ParseOptions CreateParseOptions() => References.ParseOptions;

    /// <summary>
    /// As the library's, with <see cref="References.All"/> as the project's references: the library's own
    /// resolution of reference assemblies goes through NuGet and a folder of its own in the system temporary folder.
    /// </summary>
    protected override async Task<Solution> CreateSolutionAsync(ProjectId projectId, EvaluatedProjectState projectState, CancellationToken cancellationToken)
    {
        Workspace workspace = await CreateWorkspaceAsync().ConfigureAwait(false);
        Microsoft.CodeAnalysis.Options.OptionSet options = workspace.Options;
        foreach (Func<Microsoft.CodeAnalysis.Options.OptionSet, Microsoft.CodeAnalysis.Options.OptionSet> transform in OptionsTransforms)
        {
            options = transform(options);
        }

        if (!workspace.TryApplyChanges(workspace.CurrentSolution.WithOptions(options)))
        {
            throw new InvalidOperationException("Failed to apply workspace option transforms.");
        }

        return workspace.CurrentSolution
            .AddProject(projectId, projectState.Name, projectState.Name, projectState.Language)
            .WithProjectCompilationOptions(projectId, CreateCompilationOptions().WithOutputKind(projectState.OutputKind))
            .WithProjectParseOptions(projectId, CreateParseOptions())
            .AddMetadataReferences(projectId, References.All);
    }

    /// <summary>As the library's; the first call is the test code's analysis, whose diagnostics <see cref="Reported"/> keeps.</summary>
    protected override ImmutableArray<(Project project, Diagnostic diagnostic)> FilterDiagnostics(ImmutableArray<(Project project, Diagnostic diagnostic)> diagnostics)
    {
        ImmutableArray<(Project project, Diagnostic diagnostic)> filtered = base.FilterDiagnostics(diagnostics);
        reported ??= filtered
            .Select(static d => d.diagnostic)
            .Where(static d => d.Id.StartsWith("SPEC", StringComparison.Ordinal))
            .OrderBy(static d => d.Location.GetLineSpan().Path, StringComparer.Ordinal)
            .ThenBy(static d => d.Location.SourceSpan.Start)
            .ThenBy(static d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
        return filtered;
    }
}
