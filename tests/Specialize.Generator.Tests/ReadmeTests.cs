using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Generator.Tests.Gmm;
using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests;

/// <summary>
/// The README's C# blocks, as they are, are one program: their statements in order, then their types, with the generators
/// run and under the harness's strict settings. What the blocks leave to the reader (the data, <c>Email</c>, <c>Model</c>,
/// <c>Mfcc19</c>) comes from <see cref="Support"/>, and the usings a new console project has implicitly are added.
/// </summary>
public sealed class ReadmeTests
{
    static ReadmeTests()
    {
        GeneratedCodeTuning.EnsureConfigured();
    }

    /// <summary>What <c>dotnet new console</c> brings in with ImplicitUsings.</summary>
    private static readonly string[] ImplicitUsings =
        ["System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks"];

    private const string Support = """
        using System;
        using Specialize;

        public struct Mfcc19
        {
            public float C0, C1, C2, C3, C4, C5, C6, C7, C8, C9, C10, C11, C12, C13, C14, C15, C16, C17, C18;
        }

        public struct Email
        {
            public int Length;
            public int Tag;
        }

        public sealed class Model
        {
            [Pure]
            public int Classify(Email e) => e.Length > 40 ? 1 : 0;
        }

        public static class ReadmeData
        {
            // Three blobs in two columns, 4 apart: a mixture of 3 components fits them.
            public static double[,] Rows()
            {
                var random = new Random(1);
                var x = new double[300, 2];
                for (int n = 0; n < 300; n++)
                {
                    x[n, 0] = (n % 3) * 4 + random.NextDouble();
                    x[n, 1] = (n % 3) * -4 + random.NextDouble();
                }

                return x;
            }

            public static float[,] FloatRows()
            {
                double[,] rows = Rows();
                var x = new float[rows.GetLength(0), rows.GetLength(1)];
                for (int n = 0; n < rows.GetLength(0); n++)
                {
                    x[n, 0] = (float)rows[n, 0];
                    x[n, 1] = (float)rows[n, 1];
                }

                return x;
            }

            public static Email[] Emails()
            {
                var random = new Random(2);
                var emails = new Email[2000];
                for (int i = 0; i < emails.Length; i++)
                {
                    emails[i] = new Email { Length = random.Next(80), Tag = random.Next(10) < 8 ? (i % 80 > 40 ? 1 : 0) : 1 };
                }

                return emails;
            }

            public static Mfcc19[] Frames()
            {
                var random = new Random(3);
                var frames = new Mfcc19[400];
                Span<float> values = System.Runtime.InteropServices.MemoryMarshal.Cast<Mfcc19, float>(frames.AsSpan());
                for (int i = 0; i < values.Length; i++)
                {
                    values[i] = (float)(random.NextDouble() + (i / 19 % 4));
                }

                return frames;
            }
        }
        """;

    private static IReadOnlyList<CompilationUnitSyntax> Blocks()
    {
        string readme = File.ReadAllText(RepositoryPaths.Combine("README.md"));
        return Regex.Matches(readme, @"^```csharp\n(.*?)^```", RegexOptions.Singleline | RegexOptions.Multiline)
            .Select(static m => (CompilationUnitSyntax)CSharpSyntaxTree.ParseText(m.Groups[1].Value, References.ParseOptions).GetRoot())
            .ToList();
    }

    private static string Program(string rows)
    {
        IReadOnlyList<CompilationUnitSyntax> blocks = Blocks();
        IEnumerable<string> usings = ImplicitUsings.Select(static u => $"using {u};")
            .Concat(blocks.SelectMany(static b => b.Usings).Select(static u => u.ToString()))
            .Distinct(StringComparer.Ordinal);
        string data = $"""
            var x = {rows};
            Email[] emails = ReadmeData.Emails();
            var model = new Model();
            Mfcc19[] frames = ReadmeData.Frames();
            """;
        IEnumerable<string> statements = blocks.SelectMany(static b => b.Members.OfType<GlobalStatementSyntax>()).Select(static s => s.ToFullString());
        IEnumerable<string> types = blocks.SelectMany(static b => b.Members.Where(static m => m is not GlobalStatementSyntax)).Select(static t => t.ToFullString());
        return string.Join("\n", usings) + "\n\n" + data + "\n" + string.Concat(statements) + "\n" + string.Concat(types);
    }

    [Fact]
    public void Readme_has_code_for_each_pattern()
    {
        string all = string.Concat(Blocks().Select(static b => b.ToFullString()));
        Assert.Contains("[Pure]", all, StringComparison.Ordinal);
        Assert.Contains("[GmmTrain(", all, StringComparison.Ordinal);
        Assert.Contains("[BlbEstimator]", all, StringComparison.Ordinal);
        // A block may show its types before its statements (CS8803 alone); the program puts the statements first.
        Assert.All(Blocks(), static b => Assert.DoesNotContain(b.GetDiagnostics(), static d => d.Id != "CS8803"));
    }

    [Theory]
    [InlineData("ReadmeData.FloatRows()")]
    [InlineData("ReadmeData.Rows()")]
    public void Readme_code_compiles_and_runs(string rows)
    {
        GeneratorRun run = GeneratorHarness.Run([Program(rows), Support], OutputKind.ConsoleApplication);

        string output = run.RunMain();

        Assert.Contains(" ± ", output, StringComparison.Ordinal);
        Assert.DoesNotContain(run.Output.GetDiagnostics(), static d => d.Severity >= DiagnosticSeverity.Warning);
    }
}
