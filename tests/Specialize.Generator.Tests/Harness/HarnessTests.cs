using Specialize.Testing;
using Specialize.Tests;
using Xunit;

namespace Specialize.Generator.Tests.Harness;

/// <summary>The harnesses other tests rely on must themselves fail when they should.</summary>
public sealed class HarnessTests
{
    [Fact]
    public void Analyzer_harness_fails_when_a_marked_diagnostic_is_missing()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => AnalyzerHarness.Verify("""
            public static class C
            {
                public static int {|SPEC001:F|}() => 1;
            }
            """));
        Assert.Contains("Mismatch between number of diagnostics", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyzer_harness_fails_when_the_source_does_not_compile()
    {
        var failure = Assert.Throws<InvalidOperationException>(() => AnalyzerHarness.Verify("public static class C { int F() => \"not an int\"; }"));
        Assert.Contains("CS0029", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Generator_harness_fails_when_the_output_does_not_compile()
    {
        Assert.Throws<HarnessException>(() => GeneratorHarness.Run("public static class C { public static int F() => G(); }"));
    }

    [Fact]
    public void Unified_diff_shows_changed_lines_with_context()
    {
        string diff = UnifiedDiff.Create("a\nb\nc\nd\n", "a\nB\nc\nd\n");

        Assert.Contains("-b\n+B\n", diff, StringComparison.Ordinal);
        Assert.Contains("@@ -1,", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_mismatch_writes_received_file_and_fails_with_a_diff()
    {
        using var temporary = new TemporaryFolder("snapshot");
        string folder = temporary.Path;
        string verified = Path.Combine(folder, "Sample.verified.cs");
        File.WriteAllText(verified, "class A { }\n");

        var failure = Assert.Throws<HarnessException>(() => Snapshot.VerifyFile("class B { }\n", verified, accept: false));

        string received = Path.Combine(folder, "Sample.received.cs");
        Assert.True(File.Exists(received));
        Assert.Equal("class B { }\n", File.ReadAllText(received));
        Assert.Contains("-class A { }", failure.Message, StringComparison.Ordinal);
        Assert.Contains("+class B { }", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Snapshot_match_is_byte_for_byte()
    {
        using var temporary = new TemporaryFolder("snapshot");
        string folder = temporary.Path;
        string verified = Path.Combine(folder, "Sample.verified.cs");
        File.WriteAllText(verified, "class A { }\r\n");

        // Same text, different line ending: not the same bytes, so not the same snapshot.
        Assert.Throws<HarnessException>(() => Snapshot.VerifyFile("class A { }\n", verified, accept: false));
        Snapshot.VerifyFile("class A { }\r\n", verified, accept: false);
        Assert.False(File.Exists(Path.Combine(folder, "Sample.received.cs")));
    }
}
