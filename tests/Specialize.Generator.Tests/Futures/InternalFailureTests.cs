using Microsoft.CodeAnalysis;
using Specialize.Generator.Helpers;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

public sealed class InternalFailureTests
{
    private static string Source(string method) => $$"""
        using Specialize;

        public static partial class Kernels
        {
            [Pure]
            public static int[] Twice(int[] x)
            {
                var y = new int[x.Length];
                for (int i = 0; i < x.Length; i++)
                {
                    y[i] = 2 * x[i];
                }

                return y;
            }

            public static int {{method}}(int[] a)
            {
                var b = Twice(a);
                var c = Twice(a);
                return b[0] + c[0];
            }

            public static int Call(int[] a) => {{method}}(a);
        }
        """;

    static InternalFailureTests()
    {
        // Only a method with this name fails, so tests running beside this one are unaffected.
        FaultInjection.Add((step, name) => (step, name) switch
        {
            (GeneratorStep.Parse, "FailsInsideTheGenerator") => new InvalidOperationException("injected failure"),
            (GeneratorStep.Emit, "FailsWhileItsTwinIsWritten") => new ArgumentException("The hintName of the added source file must be unique within a generator.", "hintName"),
            _ => null,
        });
    }

    [Fact]
    public void SPEC900_reports_an_internal_failure_and_leaves_the_method_sequential()
    {
        GeneratorRun run = GeneratorHarness.Run(Source("FailsInsideTheGenerator"));

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SPEC900", diagnostic.Id);
        Assert.Contains("'FailsInsideTheGenerator'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Contains("injected failure", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Empty(run.GeneratedSources);
        Assert.Equal(4, run.Invoke("Kernels", "Call", new[] { 1, 2 })); // Twice([1, 2])[0] twice: 2 + 2
    }

    [Fact]
    public void SPEC900_on_a_twin_that_fails_to_be_written_leaves_the_other_twins_generated()
    {
        GeneratorRun run = GeneratorHarness.Run([Source("FailsWhileItsTwinIsWritten"), Source("Succeeds").Replace("class Kernels", "class Others", StringComparison.Ordinal)]);

        Diagnostic diagnostic = Assert.Single(run.GeneratorDiagnostics);
        Assert.Equal("SPEC900", diagnostic.Id);
        Assert.Contains("'FailsWhileItsTwinIsWritten'", diagnostic.GetMessage(), StringComparison.Ordinal);
        Assert.Equal("Source0.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Contains("Others.Succeeds_int__.Parallel.g.cs", run.GeneratedSources.Keys);
        Assert.Equal(4, run.Invoke("Others", "Call", new[] { 1, 2 }));
    }

    [Fact]
    public void SPEC900_is_silent_when_the_generator_succeeds()
    {
        GeneratorRun run = GeneratorHarness.Run(Source("Succeeds"));

        Assert.DoesNotContain(run.GeneratorDiagnostics, d => d.Id == "SPEC900");
        Assert.NotEmpty(run.GeneratedSources);
        Assert.Equal(4, run.Invoke("Kernels", "Call", new[] { 1, 2 })); // Twice([1, 2])[0] twice: 2 + 2
    }
}
