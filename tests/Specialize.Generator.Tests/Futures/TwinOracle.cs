using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// Runs a program three ways and asserts they agree: compiled without Specialize's generators (the
/// program as written), with its twins and futures off, and with its twins spawning every call.
/// </summary>
internal static class TwinOracle
{
    /// <summary>A pure call with enough of a loop to be worth a future, for programs that need two of them.</summary>
    public const string Work = """
        public static class Work
        {
            [Specialize.Pure]
            public static double W(double v)
            {
                double s = 0;
                for (int i = 0; i < 1000; i++)
                {
                    s += v * i;
                }

                return s;
            }
        }
        """;

    /// <summary>
    /// Calls the public static method of the type in all three builds; the outcome (value with its
    /// type, or exception type and message) must be the same, and the spawning run must really have
    /// spawned. Returns the outcome.
    /// </summary>
    public static string AssertSame(GeneratorRun run, string type, string method, params object?[] arguments) =>
        AssertSame(run, type, method, requireSpawn: true, arguments);

    /// <inheritdoc cref="AssertSame(GeneratorRun, string, string, object?[])"/>
    public static string AssertSame(GeneratorRun run, string type, string method, bool requireSpawn, params object?[] arguments)
    {
        string original = Outcome(Plain(run), type, method, arguments);

        FutureRuntime.Enabled = false;
        FutureRuntime.SpawnAlways = false;
        string sequential = Outcome(run.Assembly, type, method, arguments);
        Assert.Equal(original, sequential);

        FutureRuntime.Enabled = true;
        FutureRuntime.SpawnAlways = true;
        long before = FutureRuntime.Spawned;
        string parallel;
        try
        {
            parallel = Outcome(run.Assembly, type, method, arguments);
        }
        finally
        {
            FutureRuntime.SpawnAlways = false;
        }

        long spawned = FutureRuntime.Spawned - before;
        Assert.Equal(original, parallel);
        if (requireSpawn && Environment.ProcessorCount > 1)
        {
            Assert.True(spawned > 0, $"{type}.{method}: nothing was spawned, so the comparison proved nothing");
        }

        Assert.Equal(0, FutureRuntime.InFlight);
        return parallel;
    }

    private static readonly Dictionary<GeneratorRun, Assembly> plain = new();

    /// <summary>The same sources compiled without any generator.</summary>
    public static Assembly Plain(GeneratorRun run)
    {
        lock (plain)
        {
            if (plain.TryGetValue(run, out Assembly? loaded))
            {
                return loaded;
            }

            Compilation original = run.Output.RemoveSyntaxTrees(run.Output.SyntaxTrees.Where(static t => t.FilePath.EndsWith(".g.cs", StringComparison.Ordinal)));
            using var stream = new MemoryStream();
            Microsoft.CodeAnalysis.Emit.EmitResult result = original.Emit(stream);
            Assert.True(result.Success, string.Join("\n", result.Diagnostics));
            var context = new AssemblyLoadContext("plain-" + Guid.NewGuid().ToString("N"), isCollectible: true);
            stream.Position = 0;
            loaded = context.LoadFromStream(stream);
            plain[run] = loaded;
            return loaded;
        }
    }

    private static string Outcome(Assembly assembly, string type, string method, object?[] arguments)
    {
        try
        {
            object? value = assembly.GetType(type, throwOnError: true)!.GetMethod(method)!.Invoke(null, arguments);
            return value switch
            {
                null => "null",
                int[] array => "int[]:" + string.Join(",", array),
                _ => value.GetType().Name + ":" + value,
            };
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            return exception.InnerException.GetType().Name + ": " + exception.InnerException.Message;
        }
    }
}
