using System;
using System.Text.Json;

namespace Specialize.Fixtures;

/// <summary>
/// Arrays of numbers in the scikit-learn fixtures' JSON (nested lists, as numpy's <c>tolist()</c> writes them) as
/// .NET arrays. Shared by the tests and the GPU check's runner, which read the same fixtures.
/// </summary>
internal static class JsonArrays
{
    public static double[] Vector(JsonElement e)
    {
        var r = new double[e.GetArrayLength()];
        int i = 0;
        foreach (var v in e.EnumerateArray())
        {
            r[i++] = v.GetDouble();
        }

        return r;
    }

    public static double[,] Matrix(JsonElement e)
    {
        int n = e.GetArrayLength(), d = e[0].GetArrayLength();
        var r = new double[n, d];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < d; j++)
            {
                r[i, j] = e[i][j].GetDouble();
            }
        }

        return r;
    }

    public static double[,,] Cube(JsonElement e)
    {
        int a = e.GetArrayLength(), b = e[0].GetArrayLength(), c = e[0][0].GetArrayLength();
        var r = new double[a, b, c];
        for (int i = 0; i < a; i++)
        {
            for (int j = 0; j < b; j++)
            {
                for (int k = 0; k < c; k++)
                {
                    r[i, j, k] = e[i][j][k].GetDouble();
                }
            }
        }

        return r;
    }

    /// <summary>A vector, matrix or cube, by the nesting of the list.</summary>
    public static Array AnyArray(JsonElement e)
    {
        if (e[0].ValueKind != JsonValueKind.Array)
        {
            return Vector(e);
        }

        return e[0][0].ValueKind == JsonValueKind.Array ? Cube(e) : Matrix(e);
    }
}
