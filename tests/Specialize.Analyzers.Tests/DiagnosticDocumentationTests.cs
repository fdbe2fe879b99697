using System.Reflection;
using Microsoft.CodeAnalysis;
using Specialize.Analysis.Diagnostics;
using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests;

/// <summary>Every diagnostic Specialize can report is documented where its help link and the README point.</summary>
public sealed class DiagnosticDocumentationTests
{
    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (DiagnosticDescriptor descriptor in Descriptors())
        {
            data.Add(descriptor.Id);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Diagnostic_has_a_help_page_a_readme_row_and_a_release_entry(string id)
    {
        DiagnosticDescriptor descriptor = Descriptors().Single(d => d.Id == id);

        Assert.Equal($"docs/diagnostics/{id}.md", descriptor.HelpLinkUri);
        string page = RepositoryPaths.Combine("docs", "diagnostics", id + ".md");
        Assert.True(File.Exists(page), $"missing {page}");
        Assert.StartsWith($"# {id}", File.ReadAllText(page), StringComparison.Ordinal);
        Assert.Contains($"[{id}](docs/diagnostics/{id}.md)", File.ReadAllText(RepositoryPaths.Combine("README.md")), StringComparison.Ordinal);
        Assert.Contains(id + " |", File.ReadAllText(RepositoryPaths.Combine("analyzers", "Specialize.Analysis", "AnalyzerReleases.Unshipped.md")), StringComparison.Ordinal);
    }

    [Fact]
    public void Every_diagnostic_id_is_unique()
    {
        var ids = Descriptors().Select(d => d.Id).ToList();
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
    }

    private static IEnumerable<DiagnosticDescriptor> Descriptors() =>
        typeof(DiagnosticDescriptors).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.FieldType == typeof(DiagnosticDescriptor))
            .Select(f => (DiagnosticDescriptor)f.GetValue(null)!);
}
