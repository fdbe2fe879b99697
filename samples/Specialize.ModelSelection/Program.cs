using System.Globalization;
using Specialize.Mixture;
using Specialize.Samples;

// Gaussian-mixture model selection by BIC, as in scikit-learn's "GMM model selection" example,
// on the UCI wine recognition data (178 wines, 13 chemical measurements, 3 cultivars).
// Every covariance type and 1..6 components are fitted; the lowest BIC wins.

string path = Path.Combine(AppContext.BaseDirectory, "data", "wine_data.csv");
(double[,] x, int[] cultivar) = LoadStandardized(path);
int n = x.GetLength(0), d = x.GetLength(1);
Console.WriteLine($"wine: {n} samples, {d} features (standardized), {cultivar.Max() + 1} cultivars");
Console.WriteLine();

CovarianceType[] types = [CovarianceType.Spherical, CovarianceType.Diagonal, CovarianceType.Tied, CovarianceType.Full];
GaussianMixture? best = null;
double bestBic = double.PositiveInfinity;

// 24 fits of 5 initializations each: progress while they run, the table after.
double[,] bics = ConsoleProgress.Run("fitting 1 to 6 components x 4 covariance types", 6 * types.Length, steps =>
{
    var table = new double[6, types.Length];
    for (int m = 1; m <= 6; m++)
    {
        for (int t = 0; t < types.Length; t++)
        {
            var model = new GaussianMixture(new GaussianMixtureOptions
            {
                Components = m,
                CovarianceType = types[t],
                Initializations = 5,
                Seed = 0,
            }).Fit(x);
            table[m - 1, t] = model.Bic(x);
            if (table[m - 1, t] < bestBic)
            {
                bestBic = table[m - 1, t];
                best = model;
            }

            steps.Done();
        }
    }

    return table;
});

Console.Write("components ");
foreach (CovarianceType type in types)
{
    Console.Write($"{type,14}");
}

Console.WriteLine();
for (int m = 1; m <= 6; m++)
{
    Console.Write($"{m,10} ");
    for (int t = 0; t < types.Length; t++)
    {
        Console.Write($"{bics[m - 1, t],14:F1}");
    }

    Console.WriteLine();
}

Console.WriteLine();
Console.WriteLine($"lowest BIC: {best!.Options.Components} components, {best.Options.CovarianceType} covariance (BIC {bestBic:F1}, converged in {best.Iterations} iterations)");

// How the chosen mixture's components line up with the cultivars it never saw.
int[] labels = best.Predict(x);
int k = best.Options.Components;
var table = new int[k, 3];
for (int i = 0; i < n; i++)
{
    table[labels[i], cultivar[i]]++;
}

Console.WriteLine("component  cultivar 0  cultivar 1  cultivar 2");
for (int c = 0; c < k; c++)
{
    Console.WriteLine($"{c,9}  {table[c, 0],10}  {table[c, 1],10}  {table[c, 2],10}");
}

static (double[,] X, int[] Labels) LoadStandardized(string path)
{
    string[] lines = File.ReadAllLines(path);
    string[] header = lines[0].Split(',');
    int rows = int.Parse(header[0], CultureInfo.InvariantCulture);
    int columns = int.Parse(header[1], CultureInfo.InvariantCulture);
    var x = new double[rows, columns];
    var labels = new int[rows];
    for (int i = 0; i < rows; i++)
    {
        string[] fields = lines[i + 1].Split(',');
        for (int j = 0; j < columns; j++)
        {
            x[i, j] = double.Parse(fields[j], CultureInfo.InvariantCulture);
        }

        labels[i] = int.Parse(fields[columns], CultureInfo.InvariantCulture);
    }

    // Zero mean, unit variance per feature: the features span five orders of magnitude.
    for (int j = 0; j < columns; j++)
    {
        double mean = 0, square = 0;
        for (int i = 0; i < rows; i++)
        {
            mean += x[i, j];
        }

        mean /= rows;
        for (int i = 0; i < rows; i++)
        {
            square += (x[i, j] - mean) * (x[i, j] - mean);
        }

        double sd = Math.Sqrt(square / rows);
        for (int i = 0; i < rows; i++)
        {
            x[i, j] = (x[i, j] - mean) / sd;
        }
    }

    return (x, labels);
}
