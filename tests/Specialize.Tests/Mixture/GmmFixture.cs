using System.Text.Json;
using Specialize.Fixtures;
using Specialize.Mixture;
using Specialize.Testing;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>One scikit-learn 1.2.1 result from Fixtures/ (see /work/shared/fixtures/README.md for the format).</summary>
internal sealed class GmmFixture
{
    public static readonly string[] Names =
    [
        "iris-full-m3-s1",
        "iris-tied-m3-s1",
        "iris-diag-m3-s1",
        "iris-spherical-m3-s1",
        "blobs-2000-5-4-7-full-m4-s2",
        "blobs-2000-5-4-7-diag-m4-s2",
    ];

    private readonly JsonElement root;

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

    private GmmFixture(JsonElement root) => this.root = root;

    public static GmmFixture Load(string name)
    {
        string path = RepositoryPaths.Combine("tests", "Specialize.Tests", "Mixture", "Fixtures", name + ".json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        return new GmmFixture(doc.RootElement.Clone());
    }

    public double[,] X => Matrix(root.GetProperty("X"));

    public JsonElement Params => root.GetProperty("params");

    public JsonElement Init => root.GetProperty("init");

    public JsonElement Expected => root.GetProperty("expected");

    public CovarianceType Type => Params.GetProperty("covariance_type").GetString() switch
    {
        "full" => CovarianceType.Full,
        "tied" => CovarianceType.Tied,
        "diag" => CovarianceType.Diagonal,
        _ => CovarianceType.Spherical,
    };

    public GaussianMixtureOptions Options(string? variant = null, string? device = null) => new()
    {
        Components = Params.GetProperty("n_components").GetInt32(),
        CovarianceType = Type,
        Tolerance = Params.GetProperty("tol").GetDouble(),
        Regularization = Params.GetProperty("reg_covar").GetDouble(),
        MaxIterations = Params.GetProperty("max_iter").GetInt32(),
        WeightsInit = Vector(Init.GetProperty("weights")),
        MeansInit = Matrix(Init.GetProperty("means")),
        PrecisionsInit = AnyArray(Init.GetProperty("precisions")),
        Variant = variant,
        Device = device,
        TuningStore = TestStores.Scratch,
    };

    public static double[] Vector(JsonElement e) => JsonArrays.Vector(e);

    public static double[,] Matrix(JsonElement e) => JsonArrays.Matrix(e);

    public static double[,,] Cube(JsonElement e) => JsonArrays.Cube(e);

    public static Array AnyArray(JsonElement e) => JsonArrays.AnyArray(e);

    /// <summary>A scikit-learn covariance-shaped array (by type) expanded to full M x D x D.</summary>
    public double[,,] ExpandToFull(JsonElement e, int m, int d)
    {
        var full = new double[m, d, d];
        switch (Type)
        {
            case CovarianceType.Full:
                return Cube(e);
            case CovarianceType.Tied:
                var t = Matrix(e);
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        for (int j = 0; j < d; j++)
                        {
                            full[k, i, j] = t[i, j];
                        }
                    }
                }

                return full;
            case CovarianceType.Diagonal:
                var g = Matrix(e);
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        full[k, i, i] = g[k, i];
                    }
                }

                return full;
            default:
                var s = Vector(e);
                for (int k = 0; k < m; k++)
                {
                    for (int i = 0; i < d; i++)
                    {
                        full[k, i, i] = s[k];
                    }
                }

                return full;
        }
    }
}
