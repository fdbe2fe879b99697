using System.Collections.Immutable;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Emit;

namespace Specialize.Testing;

/// <summary>What a run of the Specialize generators produced.</summary>
public sealed class GeneratorRun
{
    internal GeneratorRun(Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics, ImmutableDictionary<string, string> sources, GeneratorDriver driver,
        IReadOnlyList<GeneratorRun>? libraries = null)
    {
        Libraries = libraries ?? Array.Empty<GeneratorRun>();
        Output = output;
        GeneratorDiagnostics = generatorDiagnostics;
        GeneratedSources = sources;
        Driver = driver;
    }

    /// <summary>The compilation with the generated sources added.</summary>
    public Compilation Output { get; }

    /// <summary>Diagnostics the generators reported (SPEC9xx and friends).</summary>
    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    /// <summary>Generated sources by hint name.</summary>
    public ImmutableDictionary<string, string> GeneratedSources { get; }

    /// <summary>Earlier runs whose assemblies this compilation references (loaded beside it).</summary>
    public IReadOnlyList<GeneratorRun> Libraries { get; }

    /// <summary>The output compilation as a reference for another compilation.</summary>
    public MetadataReference ToReference() => MetadataReference.CreateFromImage(Image());

    /// <summary>The driver after the run, for incrementality checks.</summary>
    public GeneratorDriver Driver { get; }

    /// <summary>The one generated source whose hint name ends with <paramref name="suffix"/>.</summary>
    public string Source(string suffix)
    {
        var matches = GeneratedSources.Where(p => p.Key.EndsWith(suffix, StringComparison.Ordinal)).ToList();
        return matches.Count == 1
            ? matches[0].Value
            : throw new HarnessException($"Expected one generated source ending with '{suffix}', found {matches.Count}: {string.Join(", ", GeneratedSources.Keys)}");
    }

    /// <summary>
    /// Emits the output compilation and loads it into a collectible context (sharing this process's
    /// Specialize runtime), then calls a public static method and returns its result.
    /// </summary>
    public object? Invoke(string typeName, string methodName, params object?[] arguments)
    {
        Assembly assembly = Load();
        Type type = assembly.GetType(typeName, throwOnError: true)!;
        MethodInfo method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            ?? throw new HarnessException($"No static method '{methodName}' on '{typeName}'.");
        try
        {
            return method.Invoke(null, arguments);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            throw;
        }
    }

    /// <summary>The output compilation, emitted and loaded (once) into a collectible context.</summary>
    public Assembly Assembly => Load();

    /// <summary>Runs the program's entry point with the given arguments and returns what it wrote to the console.</summary>
    public string RunMain(params string[] args)
    {
        Assembly assembly = Load();
        MethodInfo entry = assembly.EntryPoint ?? throw new HarnessException("The compilation has no entry point.");
        lock (ConsoleLock)
        {
            TextWriter original = Console.Out;
            using var captured = new StringWriter();
            Console.SetOut(captured);
            try
            {
                object? result = entry.Invoke(null, entry.GetParameters().Length == 0 ? null : [args]);
                if (result is Task task)
                {
                    task.GetAwaiter().GetResult();
                }
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(exception.InnerException).Throw();
            }
            finally
            {
                Console.SetOut(original);
            }

            return captured.ToString();
        }
    }

    private static readonly object ConsoleLock = new();
    private Assembly? loaded;

    private Assembly Load()
    {
        if (loaded is not null)
        {
            return loaded;
        }

        var context = new AssemblyLoadContext("specialize-test-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        var libraries = Libraries.Select(library => context.LoadFromStream(new MemoryStream(library.Image()))).ToList();
        context.Resolving += (_, name) => libraries.FirstOrDefault(l => l.GetName().Name == name.Name);
        loaded = context.LoadFromStream(new MemoryStream(Image()));
        return loaded;
    }

    private byte[]? image;

    private byte[] Image()
    {
        if (image is not null)
        {
            return image;
        }

        using var stream = new MemoryStream();
        EmitResult result = Output.Emit(stream);
        if (!result.Success)
        {
            throw new HarnessException("Emit failed:\n" + string.Join("\n", result.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error)));
        }

        image = stream.ToArray();
        return image;
    }
}

/// <summary>
/// Runs the Specialize generators over source text with the runtime referenced, under strict
/// compilation settings, and fails when the result does not compile.
/// </summary>
public static class GeneratorHarness
{
    /// <summary>Every incremental generator in the Specialize.Generator assembly.</summary>
    public static ImmutableArray<IIncrementalGenerator> Generators { get; } = typeof(Specialize.Generator.Futures.FuturesGenerator).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t) && t.GetCustomAttribute<GeneratorAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (IIncrementalGenerator)Activator.CreateInstance(t)!)
        .ToImmutableArray();

    /// <summary>
    /// Runs the generators. Throws <see cref="HarnessException"/> if the input or the output
    /// compilation has errors, unless <paramref name="allowErrors"/> is set.
    /// </summary>
    public static GeneratorRun Run(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, bool allowErrors = false) =>
        Run([source], kind, allowErrors);

    /// <inheritdoc cref="Run(string, OutputKind, bool)"/>
    public static GeneratorRun Run(IEnumerable<string> sources, OutputKind kind = OutputKind.DynamicallyLinkedLibrary, bool allowErrors = false) =>
        Run(sources, Array.Empty<GeneratorRun>(), kind, allowErrors);

    /// <summary>
    /// Runs the generators over a compilation that references the assemblies of earlier runs (a
    /// library compiled with Specialize, say), named <paramref name="assemblyName"/>.
    /// </summary>
    public static GeneratorRun Run(IEnumerable<string> sources, IReadOnlyList<GeneratorRun> libraries, OutputKind kind = OutputKind.DynamicallyLinkedLibrary,
        bool allowErrors = false, string assemblyName = "Test")
    {
        CSharpCompilation input = References.Compile(sources, kind, assemblyName).AddReferences(libraries.Select(static l => l.ToReference()));
        GeneratorDriver driver = CSharpGeneratorDriver.Create(
            Generators.Select(GeneratorExtensions.AsSourceGenerator),
            parseOptions: References.ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));
        driver = driver.RunGeneratorsAndUpdateCompilation(input, out Compilation output, out ImmutableArray<Diagnostic> diagnostics);

        GeneratorDriverRunResult result = driver.GetRunResult();
        foreach (GeneratorRunResult generator in result.Results)
        {
            if (generator.Exception is not null)
            {
                throw new HarnessException($"Generator {generator.Generator.GetGeneratorType().Name} threw: {generator.Exception}");
            }
        }

        var sources2 = result.GeneratedTrees.ToImmutableDictionary(
            t => Path.GetFileName(t.FilePath),
            t => t.GetText().ToString(),
            StringComparer.Ordinal);

        if (!allowErrors)
        {
            var errors = output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                string generated = string.Join("\n\n", sources2.Select(p => $"// ---- {p.Key}\n{p.Value}"));
                throw new HarnessException("The compilation with generated code has errors:\n" + string.Join("\n", errors) + "\n\nGenerated:\n" + generated);
            }
        }

        return new GeneratorRun(output, diagnostics, sources2, driver, libraries);
    }
}
