using System.Reflection;
using Specialize.Futures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// A library compiled with Specialize exposes its twins; a program (or the library's own test
/// project) compiled against it with Specialize routes its calls of the library's methods to them.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class CrossAssemblyTests : IDisposable
{
    private readonly bool enabled = FutureRuntime.Enabled;
    private readonly bool always = FutureRuntime.SpawnAlways;

    private const string Library = """
        using System;
        using Specialize;

        namespace Sorting;

        public static partial class Sorter
        {
            [Pure]
            public static int[] Sort(int[] a)
            {
                if (a.Length <= 1)
                {
                    return a;
                }

                return Merge(Sort(a[..(a.Length / 2)]), Sort(a[(a.Length / 2)..]));
            }

            [Pure]
            public static int[] Merge(int[] left, int[] right)
            {
                var result = new int[left.Length + right.Length];
                int i = 0, j = 0, k = 0;
                while (i < left.Length && j < right.Length)
                {
                    result[k++] = left[i] <= right[j] ? left[i++] : right[j++];
                }

                while (i < left.Length)
                {
                    result[k++] = left[i++];
                }

                while (j < right.Length)
                {
                    result[k++] = right[j++];
                }

                return result;
            }

            internal static int[] SortInternal(int[] a) => Merge(Sort(a[..(a.Length / 2)]), Sort(a[(a.Length / 2)..]));
        }
        """;

    private const string Program = """
        namespace App;

        public static class Program
        {
            public static int[] SortAll(int[] data) => Sorting.Sorter.Sort(data);
        }
        """;

    [Fact]
    public void A_library_twin_is_public_hidden_and_names_its_original()
    {
        GeneratorRun library = GeneratorHarness.Run([Library], [], assemblyName: "Library");
        MethodInfo twin = library.Assembly.GetType("Sorting.Sorter")!.GetMethod("Sort_Parallel", BindingFlags.Public | BindingFlags.Static)!;

        Assert.NotNull(twin);
        Assert.Equal("M:Sorting.Sorter.Sort(System.Int32[])", twin.GetCustomAttribute<ParallelTwinAttribute>()!.Original);
        Assert.Equal(System.ComponentModel.EditorBrowsableState.Never, twin.GetCustomAttribute<System.ComponentModel.EditorBrowsableAttribute>()!.State);

        // An internal method's twin stays internal.
        Assert.Null(library.Assembly.GetType("Sorting.Sorter")!.GetMethod("SortInternal_Parallel", BindingFlags.Public | BindingFlags.Static));
        Assert.NotNull(library.Assembly.GetType("Sorting.Sorter")!.GetMethod("SortInternal_Parallel", BindingFlags.NonPublic | BindingFlags.Static));
    }

    [Fact]
    public void Calls_from_another_assembly_are_routed_to_the_library_twin_and_start_futures()
    {
        GeneratorRun library = GeneratorHarness.Run([Library], [], assemblyName: "Library");
        GeneratorRun app = GeneratorHarness.Run([Program], [library], assemblyName: "App");

        string interceptors = app.Source("Specialize.FutureInterceptors.g.cs");
        Assert.Contains("=> global::Sorting.Sorter.Sort_Parallel(@a);", interceptors, StringComparison.Ordinal);

        int[] data = Enumerable.Range(0, 20_000).Select(static i => (i * 7919) % 10007).ToArray();
        int[] expected = data.Order().ToArray();

        FutureRuntime.Enabled = true;
        FutureRuntime.SpawnAlways = true;
        long before = FutureRuntime.Spawned;
        int[] sorted = (int[])app.Assembly.GetType("App.Program")!.GetMethod("SortAll")!.Invoke(null, [data])!;
        long spawned = FutureRuntime.Spawned - before;
        FutureRuntime.SpawnAlways = false;

        Assert.Equal(expected, sorted);
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(spawned > 0, "the call from the other assembly started no future");
        }
    }

    [Fact]
    public void Without_access_to_a_twin_the_call_stays_a_plain_call()
    {
        GeneratorRun library = GeneratorHarness.Run([Library], [], assemblyName: "Library");
        GeneratorRun app = GeneratorHarness.Run(["""
            namespace App;

            public static class Program
            {
                public static int Count(int[] data) => Sorting.Sorter.Merge(data, data).Length;
            }
            """], [library], assemblyName: "App");

        // Merge has no twin (nothing in it can overlap): nothing to route, no interceptor file.
        Assert.DoesNotContain("Specialize.FutureInterceptors.g.cs", app.GeneratedSources.Keys);
        Assert.Equal(4, app.Invoke("App.Program", "Count", new[] { 2, 1 }));
    }

    [Fact]
    public void The_sample_program_runs_the_twins_of_the_sample_library_it_references()
    {
        // samples/Specialize.Sorting is a library compiled with Specialize; samples/Specialize.Sorting.App
        // calls its merge sort. Both are built by MSBuild like any user's projects (eng/test.sh builds
        // the solution first; built here when missing).
        string app = RepositoryPaths.Combine("samples", "Specialize.Sorting.App", "bin", "Release", "net10.0", "Specialize.Sorting.App.dll");
        if (!File.Exists(app))
        {
            ProcessRunner.Run("dotnet", "build samples/Specialize.Sorting.App -c Release -nologo", RepositoryPaths.Root, TimeSpan.FromMinutes(5))
                .EnsureSuccess("dotnet build of the sample program");
        }

        ProcessResult run = ProcessRunner.Run("dotnet", $"\"{app}\" 200000", RepositoryPaths.Root, TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["SPECIALIZE_FUTURES"] = "always" }).EnsureSuccess("the sample program");

        Assert.Contains("correct: True", run.Output, StringComparison.Ordinal);
        int spawned = int.Parse(System.Text.RegularExpressions.Regex.Match(run.Output, @"futures spawned: (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        if (Environment.ProcessorCount > 1)
        {
            Assert.True(spawned > 0, run.Output);

            // ChecksumPair's two calls overlap only in its twin: the program's call was routed to it.
            Assert.Contains("futures spawned by the checksums: 1", run.Output, StringComparison.Ordinal);
        }
    }

    public void Dispose()
    {
        FutureRuntime.Enabled = enabled;
        FutureRuntime.SpawnAlways = always;
    }
}
