using System.Text.Json;
using Specialize.Fixtures;
using Specialize.Testing;
using Xunit;

namespace Specialize.Tests.Glm;

/// <summary>One scikit-learn 1.2.1 <c>LogisticRegression(solver="newton-cholesky")</c> result from Fixtures/ (made by Fixtures/make_fixtures.py).</summary>
internal sealed class LogisticFixture
{
    public static readonly string[] Names =
    [
        "breast_cancer-standardized-C1",
        "breast_cancer-standardized-C0.05",
        "breast_cancer-raw-C1",
        "synthetic-3000-12-s7-C1",
        "synthetic-8000-6-s11-C10",
    ];

    private readonly JsonElement root;

    private LogisticFixture(JsonElement root) => this.root = root;

    /// <summary>Every fixture's name, as theory data.</summary>
    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (string name in Names)
        {
            data.Add(name);
        }

        return data;
    }

    public static LogisticFixture Load(string name)
    {
        string path = RepositoryPaths.Combine("tests", "Specialize.Tests", "Glm", "Fixtures", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new LogisticFixture(doc.RootElement.Clone());
    }

    public double[,] X => JsonArrays.Matrix(root.GetProperty("X"));

    public int[] Y => root.GetProperty("y").EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public double C => root.GetProperty("params").GetProperty("C").GetDouble();

    public double Tolerance => root.GetProperty("params").GetProperty("tol").GetDouble();

    public JsonElement Expected => root.GetProperty("expected");

    public double[] Coefficients => JsonArrays.Vector(Expected.GetProperty("coef"));

    public double Intercept => Expected.GetProperty("intercept").GetDouble();

    /// <summary>scikit-learn's <c>n_iter_</c> at tolerance <paramref name="tolerance"/> (<c>"0.0001"</c> or <c>"1e-08"</c>).</summary>
    public int IterationsAt(string tolerance) => root.GetProperty("n_iter_at").GetProperty(tolerance).GetInt32();
}
