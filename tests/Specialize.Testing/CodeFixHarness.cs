using System.Collections.Immutable;
using System.Reflection;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace Specialize.Testing;

/// <summary>
/// Code-fix tests: a <see cref="SpecializeCodeFixTest"/> (Roslyn's testing library) whose test code marks the
/// diagnostics and whose fixed code is the expected text, with the diagnostics that remain after the fix marked in it.
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
    /// Applies the code fix titled <paramref name="title"/> to the marked diagnostics (again while it is offered, and as
    /// Fix All where the provider has one) and asserts the text after it, in which every diagnostic that remains is
    /// marked; <paramref name="otherSources"/> stay as they are. Returns the fixed text without its markup.
    /// </summary>
    public static string Verify(string markup, string expectedFixed, string title, params string[] otherSources)
    {
        var test = new SpecializeCodeFixTest
        {
            TestCode = markup,
            FixedCode = expectedFixed,
            FixedState = { MarkupHandling = MarkupMode.Allow },
            CodeActionVerifier = (action, verifier) => verifier.Equal(title, action.Title, $"The code action applied is '{action.Title}', not '{title}'."),
        };
        foreach (string other in otherSources)
        {
            test.TestState.Sources.Add(other);
            test.FixedState.Sources.Add(other);
        }

        test.Run();
        TestFileMarkupParser.GetSpans(expectedFixed, out string plain, out ImmutableDictionary<string, ImmutableArray<TextSpan>> _);
        return plain;
    }

    /// <summary>Asserts the marked diagnostics and that no code fix is offered for them.</summary>
    public static void VerifyNoFix(string markup, params string[] otherSources)
    {
        var test = new SpecializeCodeFixTest { TestCode = markup, FixedCode = markup, FixedState = { MarkupHandling = MarkupMode.Allow } };
        foreach (string other in otherSources)
        {
            test.TestState.Sources.Add(other);
            test.FixedState.Sources.Add(other);
        }

        test.Run();
    }
}
