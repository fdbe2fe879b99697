using System.Diagnostics;
using System.Globalization;
using GlmSample;
using Specialize;
using Specialize.Glm;
using Specialize.Samples;

// Logistic regression alone and under mpiexec: Specialize.Glm.LogisticRegression fitted from a CSV file (or on synthetic
// rows), its coefficients printed by rank 0, and with --blb their standard errors and intervals from the Bag of Little
// Bootstraps. Started as `mpiexec -n P dotnet Specialize.Glm.dll ...`, the rows are sharded over the P ranks and every
// rank gets the coefficients of the program run alone.
//
//   Specialize.Glm [fit] [FILE.csv] [--C c] [--tol t] [--max-iter k] [--device cpu|ilgpu-cpu|cuda] [--standardize] [--blb]
//   Specialize.Glm synthetic [--rows N] [--dim D] [--seed S] [--C c] [--tol t] [--device cpu|ilgpu-cpu|cuda] [--repeat K]
//
// FILE.csv: one row per line, the features then the label (0 or 1) in the last column; a first line that does not
// have as many numbers as the second is a header and skipped (scikit-learn's breast_cancer.csv has one). Without a file,
// samples/data/breast_cancer.csv. --standardize scales every feature to mean 0 and standard deviation 1 first.
// synthetic fits N x D correlated Gaussian rows with labels from a known linear model, K times, and prints each fit's time.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) && !args[0].EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? args[0] : "fit";
var options = new LogisticRegressionOptions
{
    C = OptionDouble("--C", 1.0),
    Tolerance = OptionDouble("--tol", 1e-8),
    MaxIterations = (int)OptionDouble("--max-iter", 100),
    Device = OptionText("--device"),
};
var digest = new Digest();
switch (mode)
{
    case "fit":
    {
        string file = args.FirstOrDefault(a => a.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            ?? Path.Combine(AppContext.BaseDirectory, "data", "breast_cancer.csv");
        (double[,] x, int[] y) = ReadCsv(file);
        if (args.Contains("--standardize"))
        {
            Standardize(x);
        }

        var model = new LogisticRegression(options).Fit(x, y);
        Report(model, x.GetLength(0));
        if (args.Contains("--blb"))
        {
            Blb(x, y);
        }

        break;
    }

    case "synthetic":
    {
        int rows = (int)OptionDouble("--rows", 100_000), dim = (int)OptionDouble("--dim", 10), repeat = (int)OptionDouble("--repeat", 1);
        (double[,] x, int[] y) = SyntheticRows.Make(rows, dim, (int)OptionDouble("--seed", 1));
        LogisticRegression model = null!;
        for (int k = 0; k < repeat; k++)
        {
            long start = Stopwatch.GetTimestamp();
            model = new LogisticRegression(options).Fit(x, y);
            Say($"time: fit {k + 1} took {Stopwatch.GetElapsedTime(start).TotalSeconds:F3} s");
        }

        Report(model, rows);
        break;
    }

    default:
        Console.Error.WriteLine($"unknown mode '{mode}': fit or synthetic");
        return 2;
}

// Every rank prints the digest of everything it computed: all ranks must print the same one.
WriteLine($"rank {Cluster.Rank}: digest {digest}");
return 0;

void Report(LogisticRegression model, int rows)
{
    Say($"glm: {rows} rows, {model.Coefficients.Length} features, {Cluster.Size} ranks, C {options.C:R}, tolerance {options.Tolerance:R}");
    Say($"glm: iterations {model.Iterations}, converged {model.Converged}");
    Say($"glm ran its passes over the rows on {model.Device}");
    Say($"glm intercept: {model.Intercept:R}");
    Say($"glm coefficients: {string.Join(" ", model.Coefficients.Select(w => w.ToString("R")))}");
    digest.Add(model.Intercept);
    digest.Add(model.Coefficients);
}

void Blb(double[,] x, int[] y)
{
    // The coefficients' quality: BLB's standard error and 95% interval of each (the intercept last), from small subsamples.
    int n = x.GetLength(0), d = x.GetLength(1);
    var rows = new DesignRow[n];
    for (int r = 0; r < n; r++)
    {
        var design = new double[d + 1];
        for (int i = 0; i < d; i++)
        {
            design[i] = x[r, i];
        }

        design[d] = 1.0;
        rows[r] = new DesignRow(design, y[r]);
    }

    BlbVectorResult result = LogisticCoefficients.Run(rows, d + 1, options.C, new BlbOptions { Seed = 42 });
    for (int i = 0; i <= d; i++)
    {
        string name = i < d ? $"coef[{i}]" : "intercept";
        Say($"blb {name}: estimate {result.Estimate[i]:R}, standard error {result.StandardError[i]:R}, interval [{result.Lower[i]:R}, {result.Upper[i]:R}]");
    }

    digest.Add(result.Estimate);
    digest.Add(result.StandardError);
}

(double[,] X, int[] Y) ReadCsv(string file)
{
    string[] lines = File.ReadAllLines(file).Where(l => l.Trim().Length > 0).ToArray();
    int first = lines.Length > 1 && Fields(lines[0]) is var head && (head.Length != Fields(lines[1]).Length || !head.All(IsNumber)) ? 1 : 0;
    int n = lines.Length - first, columns = Fields(lines[first]).Length;
    var x = new double[n, columns - 1];
    var y = new int[n];
    for (int r = 0; r < n; r++)
    {
        string[] fields = Fields(lines[first + r]);
        if (fields.Length != columns)
        {
            throw new FormatException($"{file}: line {first + r + 1} has {fields.Length} fields, expected {columns}.");
        }

        for (int i = 0; i < columns - 1; i++)
        {
            x[r, i] = double.Parse(fields[i], CultureInfo.InvariantCulture);
        }

        y[r] = (int)double.Parse(fields[^1], CultureInfo.InvariantCulture);
    }

    return (x, y);
}

static string[] Fields(string line) => line.Split(',').Select(f => f.Trim()).ToArray();

static bool IsNumber(string field) => double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

static void Standardize(double[,] x)
{
    int n = x.GetLength(0), d = x.GetLength(1);
    for (int i = 0; i < d; i++)
    {
        double mean = 0, squares = 0;
        for (int r = 0; r < n; r++)
        {
            mean += x[r, i];
        }

        mean /= n;
        for (int r = 0; r < n; r++)
        {
            squares += (x[r, i] - mean) * (x[r, i] - mean);
        }

        double scale = squares > 0 ? Math.Sqrt(squares / n) : 1;
        for (int r = 0; r < n; r++)
        {
            x[r, i] = (x[r, i] - mean) / scale;
        }
    }
}

void Say(string line)
{
    if (Cluster.IsRoot)
    {
        WriteLine(line);
    }
}

// One write per line, its newline included: under mpiexec the ranks' output is merged, and a line written in two
// parts (text, then newline) can have another rank's line land between them.
static void WriteLine(string line) => Console.Out.Write(line + "\n");

double OptionDouble(string name, double fallback) => OptionText(name) is string text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
