using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Specialize.Testing;

/// <summary>Compilation settings shared by every harness: strict, like a careful user's project.</summary>
public static class References
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> all = new(Load);

    /// <summary>The net10.0 reference assemblies, plus the Specialize runtime and the packages it depends on.</summary>
    public static ImmutableArray<MetadataReference> All => all.Value;

    /// <summary>
    /// Parse options: the latest language, with interceptors enabled for the generated namespace
    /// exactly as the package's Specialize.props enables them.
    /// </summary>
    public static CSharpParseOptions ParseOptions { get; } = new CSharpParseOptions(LanguageVersion.Preview)
        .WithFeatures([new KeyValuePair<string, string>("InterceptorsNamespaces", "Specialize.Generated")]);

    /// <summary>Compilation options: nullable on, warnings as errors, no implicit usings.</summary>
    public static CSharpCompilationOptions CompilationOptions(OutputKind kind = OutputKind.DynamicallyLinkedLibrary) =>
        new CSharpCompilationOptions(kind)
            .WithNullableContextOptions(NullableContextOptions.Enable)
            .WithGeneralDiagnosticOption(ReportDiagnostic.Error)
            .WithOptimizationLevel(OptimizationLevel.Release)
            .WithAllowUnsafe(true)
            .WithSpecificDiagnosticOptions(new Dictionary<string, ReportDiagnostic>
            {
                // Infos and hidden diagnostics are not warnings; keep them out of "warnings as errors".
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });

    /// <summary>Creates a compilation of the given sources with every reference.</summary>
    public static CSharpCompilation Compile(IEnumerable<string> sources, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, string assemblyName = "Test") =>
        CSharpCompilation.Create(
            assemblyName,
            sources.Select((s, i) => CSharpSyntaxTree.ParseText(s, ParseOptions, path: $"Source{i}.cs")),
            All,
            CompilationOptions(kind));

    private static ImmutableArray<MetadataReference> Load()
    {
        // The net10.0 reference assemblies a project compiles against (not this process's implementation
        // assemblies), then the runtime and what it references from outside the shared framework
        // (System.Numerics.Tensors, ...), so that generated code can call everything a consumer of the package can call.
        var references = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        System.Reflection.Assembly runtime = typeof(Specialize.PureAttribute).Assembly;
        string framework = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
        var paths = new List<string> { runtime.Location };
        foreach (System.Reflection.AssemblyName name in runtime.GetReferencedAssemblies())
        {
            string location = System.Reflection.Assembly.Load(name).Location;
            if (location.Length > 0 && !string.Equals(Path.GetDirectoryName(location), framework, StringComparison.Ordinal))
            {
                paths.Add(location);
            }
        }

        references.AddRange(paths.Distinct(StringComparer.Ordinal).Select(static p => (MetadataReference)MetadataReference.CreateFromFile(p)));
        return references.ToImmutableArray();
    }
}
