using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Specialize.Testing;

/// <summary>Compilation settings shared by every harness: strict, like a careful user's project.</summary>
public static class References
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> all = new(Load);

    /// <summary>The framework's reference assemblies as loaded in this process, plus the Specialize runtime.</summary>
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
        string trusted = (string)(AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? string.Empty);
        var paths = trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)
                || Path.GetFileName(p) is "mscorlib.dll" or "netstandard.dll")
            .ToList();

        // The runtime, and what it references from beside it (System.Numerics.Tensors, ...), so that
        // generated code can call everything a consumer of the package can call.
        System.Reflection.Assembly runtime = typeof(Specialize.PureAttribute).Assembly;
        paths.Add(runtime.Location);
        foreach (System.Reflection.AssemblyName name in runtime.GetReferencedAssemblies())
        {
            string location = System.Reflection.Assembly.Load(name).Location;
            if (location.Length > 0)
            {
                paths.Add(location);
            }
        }
        return paths.Distinct(StringComparer.Ordinal).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToImmutableArray();
    }
}
