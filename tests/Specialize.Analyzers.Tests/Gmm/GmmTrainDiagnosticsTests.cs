using System.Linq;
using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Gmm;

public sealed class GmmTrainDiagnosticsTests
{
    private const string Rows = """
        using System.Runtime.CompilerServices;
        using System.Runtime.InteropServices;
        public struct Point3 { public double X; public double Y; public double Z; }
        public struct Mixed { public double X; public float Y; }
        public struct Named { public double X; public string Name; }
        public struct Counts { public int A; public int B; }
        public struct Empty { }
        public class Boxed { public double X; }
        [InlineArray(4)] public struct Four { private float first; }
        [InlineArray(3)] public struct Ints { private int first; }
        [StructLayout(LayoutKind.Explicit)] public struct Overlaid { [FieldOffset(0)] public double X; [FieldOffset(0)] public double Y; }
        public struct Properties { public double X { get; set; } public double Y { get; set; } }
        """;

    /// <summary>A declaration and the implementing part the generator would add, so that the test source compiles without it.</summary>
    private static string Declaration(string attribute, string signature, string name = "Train") => $$"""
        using System;
        using Specialize;
        using Specialize.Mixture;
        public static partial class Trainer
        {
            [GmmTrain({{attribute}})]
            public static partial {{signature.Replace("NAME", name, StringComparison.Ordinal)}};
            public static partial {{signature.Replace("NAME", "Train", StringComparison.Ordinal).Replace("{|", string.Empty, StringComparison.Ordinal).Replace("|}", string.Empty, StringComparison.Ordinal).Replace("SPEC202:", string.Empty, StringComparison.Ordinal).Replace("SPEC204:", string.Empty, StringComparison.Ordinal)}} => null!;
        }
        """;

    [Fact]
    public void Valid_declarations_are_silent()
    {
        AnalyzerHarness.Verify(Declaration("Components = 16, CovarianceType = CovarianceType.Full", "GaussianMixture NAME(ReadOnlySpan<Point3> rows)"), Rows);
        AnalyzerHarness.Verify(Declaration("Components = 2, Tolerance = 0, Regularization = 0, MaxIterations = 1", "GaussianMixture NAME(Four[] rows)"), Rows);
        AnalyzerHarness.Verify(Declaration("Seed = -3", "GaussianMixture NAME(ReadOnlySpan<Properties> rows)"), Rows);
    }

    [Fact]
    public void SPEC201_fires_on_a_method_that_is_not_partial()
    {
        var diagnostics = AnalyzerHarness.Verify("""
            using System;
            using Specialize;
            using Specialize.Mixture;
            public static class Trainer
            {
                [GmmTrain]
                public static GaussianMixture {|SPEC201:Train|}(ReadOnlySpan<Point3> rows) => new(new GaussianMixtureOptions());
            }
            """, Rows);

        Assert.Equal("[GmmTrain] method 'Train' must be declared 'static partial' without a body, so that Specialize can supply the implementation", diagnostics.Single().GetMessage());
    }

    [Fact]
    public void SPEC201_fires_on_an_instance_partial_method()
    {
        AnalyzerHarness.Verify("""
            using System;
            using Specialize;
            using Specialize.Mixture;
            public partial class Trainer
            {
                [GmmTrain]
                public partial GaussianMixture {|SPEC201:Train|}(ReadOnlySpan<Point3> rows);
                public partial GaussianMixture Train(ReadOnlySpan<Point3> rows) => null!;
            }
            """, Rows);
    }

    [Theory]
    [InlineData("Mixed", "its fields mix float and double ('X' is double, 'Y' is float)")]
    [InlineData("Named", "'Name' is of reference type 'string'; every field must be float or double")]
    [InlineData("Counts", "'A' is of type 'int'; every field must be float or double")]
    [InlineData("Empty", "it has no instance fields (D = 0)")]
    [InlineData("Boxed", "it is not a struct")]
    [InlineData("Ints", "its [InlineArray] element type must be float or double")]
    [InlineData("Overlaid", "it does not have sequential layout")]
    public void SPEC202_fires_on_an_unsupported_row_type(string row, string reason)
    {
        var diagnostics = AnalyzerHarness.Verify(Declaration("Components = 2", $"GaussianMixture NAME(ReadOnlySpan<{row}> {{|SPEC202:rows|}})"), Rows);

        Assert.Equal($"[GmmTrain] method 'Train' cannot train on rows of type '{row}': {reason}", diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("Components = 0", "Components = 0; it must be at least 1")]
    [InlineData("MaxIterations = -1", "MaxIterations = -1; it must be at least 1")]
    [InlineData("Tolerance = -0.5", "Tolerance = -0.5; it must be a finite number >= 0")]
    [InlineData("Regularization = -1e-6", "Regularization = -1E-06; it must be a finite number >= 0")]
    public void SPEC203_fires_on_an_option_out_of_range(string option, string message)
    {
        var diagnostics = AnalyzerHarness.Verify(Declaration("{|SPEC203:" + option + "|}", "GaussianMixture NAME(ReadOnlySpan<Point3> rows)"), Rows);

        Assert.Equal($"[GmmTrain] method 'Train' sets {message}", diagnostics.Single().GetMessage());
    }

    [Fact]
    public void SPEC204_fires_on_a_wrong_return_type()
    {
        var diagnostics = AnalyzerHarness.Verify(Declaration("Components = 2", "object NAME(ReadOnlySpan<Point3> rows)", "{|SPEC204:Train|}"), Rows);

        Assert.Equal("[GmmTrain] method 'Train' must return 'Specialize.Mixture.GaussianMixture', not 'object'", diagnostics.Single().GetMessage());
    }

    [Theory]
    [InlineData("GaussianMixture NAME(ReadOnlySpan<Point3> rows, int m)")]
    [InlineData("GaussianMixture NAME(Span<Point3> rows)")]
    [InlineData("GaussianMixture NAME()")]
    public void SPEC204_fires_on_wrong_parameters(string signature)
    {
        AnalyzerHarness.Verify(Declaration("Components = 2", signature, "{|SPEC204:Train|}"), Rows);
    }

    /// <summary>
    /// The generator implements a declaration with problems by a body that throws, marked as generated code, and
    /// reports the problems itself (the command-line compiler runs no analyzer while a partial method has no
    /// implementation): the analyzer, which does not analyze generated code, leaves that declaration to it, so that each
    /// problem is reported once. An implementation the user wrote is analyzed.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void SPEC203_is_left_to_the_generator_where_it_implemented_the_declaration(bool generated)
    {
        string marker = generated ? string.Empty : "{|SPEC203:";
        string end = generated ? string.Empty : "|}";
        string attribute = generated ? "[global::System.CodeDom.Compiler.GeneratedCode(\"Specialize.Generator\", \"0.1.0\")]" : string.Empty;
        AnalyzerHarness.Verify($$"""
            using System;
            using Specialize;
            using Specialize.Mixture;
            public static partial class Trainer
            {
                [GmmTrain({{marker}}Components = 0{{end}})]
                public static partial GaussianMixture Train(ReadOnlySpan<Point3> rows);

                {{attribute}}
                public static partial GaussianMixture Train(ReadOnlySpan<Point3> rows) => throw new InvalidOperationException();
            }
            """, Rows);
    }
}
