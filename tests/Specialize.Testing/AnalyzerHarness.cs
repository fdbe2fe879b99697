using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace Specialize.Testing;

/// <summary>
/// Asserts that the Specialize analyzers report exactly the diagnostics marked in test source
/// (<c>{|SPEC001:text|}</c>, in any of the sources): a <see cref="SpecializeCodeFixTest"/> without a fix, so the rules
/// are the testing library's (see there).
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

    /// <summary>Asserts the marked diagnostics, and returns the Specialize diagnostics reported, in source order.</summary>
    public static ImmutableArray<Diagnostic> Verify(string markup, params string[] otherSources) =>
        VerifyIncluding([], markup, otherSources);

    /// <summary>As <see cref="Verify"/>, also comparing the info-level ids in <paramref name="alsoCheck"/>.</summary>
    public static ImmutableArray<Diagnostic> VerifyIncluding(IEnumerable<string> alsoCheck, string markup, params string[] otherSources)
    {
        var test = new SpecializeCodeFixTest { TestCode = markup };
        foreach (string other in otherSources)
        {
            test.TestState.Sources.Add(other);
        }

        test.AlsoCheck.UnionWith(alsoCheck);
        test.Run();
        return test.Reported;
    }
}
