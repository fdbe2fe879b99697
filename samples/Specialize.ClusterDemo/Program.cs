using System.Globalization;
using ClusterDemo;
using Specialize;
using Specialize.Mixture;
using Specialize.Samples;

// The same program alone and under mpiexec: a Gaussian mixture, a Bag of Little Bootstraps and a map over records
// with data every record shares. Started as `mpiexec -n P dotnet Specialize.ClusterDemo.dll`, Specialize spreads
// the work over the P ranks; every rank gets the same results, and rank 0 prints them.
//
//   Specialize.ClusterDemo [all | gmm | blb | map | fail-map | fail-exit] [--rows N] [--checkpoint FILE] [--stop-after K]
//                          [--device cpu|ilgpu-cpu|cuda] [--float32]
//
// --device and --float32 choose where and in which precision the Gaussian mixture computes (each rank on its own
// device; by default as SPECIALIZE_DEVICE and the data say).
// fail-map maps a record that throws; fail-exit makes the last rank exit with code 3: both must end the whole job
// with a non-zero exit code and the reason in the output.
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string mode = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
int rows = Option("--rows", 30_000);
string? checkpoint = OptionText("--checkpoint");
int stopAfter = Option("--stop-after", 0);
string? device = OptionText("--device");
bool float32 = args.Contains("--float32");

Say($"cluster: {Cluster.Size} ranks");
var digest = new Digest();
switch (mode)
{
    case "all":
        Gmm();
        Blb();
        Map();
        break;
    case "gmm":
        Gmm();
        break;
    case "blb":
        Blb();
        break;
    case "map":
        Map();
        break;
    case "fail-map":
        Cluster.Map(Enumerable.Range(0, 1000).ToArray(), r => r == 777 ? throw new InvalidOperationException($"record {r} cannot be scored") : r);
        break;
    case "fail-exit":
        if (Cluster.Rank == Cluster.Size - 1)
        {
            Console.WriteLine($"rank {Cluster.Rank}: exiting with code 3");
            Environment.Exit(3);
        }

        Map();
        break;
    default:
        Console.Error.WriteLine($"unknown mode '{mode}'");
        return 2;
}

// Every rank prints the digest of everything it computed: all ranks must print the same one.
Console.WriteLine($"rank {Cluster.Rank}: digest {digest}");
return 0;

void Gmm()
{
    // Four elongated clusters in 6 dimensions.
    var random = new Random(11);
    const int d = 6, m = 4;
    var x = new double[rows, d];
    for (int n = 0; n < rows; n++)
    {
        int k = n % m;
        double t = Normal(random);
        for (int i = 0; i < d; i++)
        {
            x[n, i] = (1.2 * k * Math.Cos(i + k)) + (t * (i % 3 == 0 ? 1.5 : 0.3)) + (0.8 * Normal(random));
        }
    }

    var options = new GaussianMixtureOptions
    {
        Components = m,
        CovarianceType = CovarianceType.Full,
        Seed = 0,
        Initializations = 2,
        Tolerance = 1e-4,
        CheckpointPath = checkpoint,
        CheckpointInterval = 3,
        Device = device,
        Precision = float32 ? ComputePrecision.Single : ComputePrecision.Auto,
    };
    var model = new GaussianMixture(options);
    using var stop = new CancellationTokenSource();
    int iterations = 0;
    var progress = new Progress(() =>
    {
        if (++iterations == stopAfter)
        {
            stop.Cancel();
        }
    });
    try
    {
        model.Fit(x, progress, stop.Token);
    }
    catch (OperationCanceledException)
    {
        Say($"gmm: stopped after {iterations} iterations");
        return;
    }

    Say($"gmm: iterations {model.Iterations}, lower bound {model.LowerBound:R}, converged {model.Converged}");
    Say($"gmm ran on {model.Device} in {model.ComputeType}");
    Say($"gmm weights: {string.Join(" ", model.Weights.Select(w => w.ToString("R")))}");
    Say($"gmm means[0]: {string.Join(" ", Enumerable.Range(0, d).Select(i => model.Means[0, i].ToString("R")))}");
    digest.Add(model.LowerBound);
    digest.Add(model.Weights);
    digest.Add(model.Means.Cast<double>());
    digest.Add(model.Covariances.Cast<double>());
}

void Blb()
{
    var random = new Random(5);
    var values = new double[rows * 10];
    for (int i = 0; i < values.Length; i++)
    {
        values[i] = 3.0 + (2.0 * Normal(random));
    }

    BlbResult result = MeanOfValues.Run(values, new BlbOptions { Seed = 42 });
    Say($"blb: estimate {result.Estimate:R}, standard error {result.StandardError:R}, interval [{result.Lower:R}, {result.Upper:R}], {result.Subsamples} subsamples of {result.SubsampleSize}");
    digest.Add(result.Estimate);
    digest.Add(result.StandardError);
    digest.Add(result.Lower);
    digest.Add(result.Upper);
    digest.Add(result.SubsampleQualities);
}

void Map()
{
    // The FTDock pattern: many small records scored against one large structure every record shares.
    var random = new Random(9);
    var grid = new double[65_536];
    for (int i = 0; i < grid.Length; i++)
    {
        grid[i] = random.NextDouble() - 0.5;
    }

    Pose[] poses = Enumerable.Range(0, rows / 3).Select(i => new Pose(i, (i * 7919) % grid.Length, 1 + (i % 5))).ToArray();
    double[] scores = Cluster.Map(poses, grid, static (pose, g) =>
    {
        double score = 0;
        for (int s = 0; s < 64 * pose.Reach; s++)
        {
            score += g[(pose.Offset + (s * s)) % g.Length] * Math.Cos(pose.Id + s);
        }

        return score;
    });
    Say($"map: {scores.Length} scores, first {scores[0]:R}, last {scores[^1]:R}, best {scores.Max():R} at {Array.IndexOf(scores, scores.Max())}");
    digest.Add(scores);
}

static double Normal(Random random)
{
    double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
    return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
}

void Say(string line)
{
    if (Cluster.IsRoot)
    {
        Console.WriteLine(line);
    }
}

int Option(string name, int fallback) => OptionText(name) is string text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

string? OptionText(string name)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}

/// <summary>One record: where a probe sits in the grid and how far it reaches.</summary>
internal readonly record struct Pose(int Id, int Offset, int Reach);


/// <summary>Calls back on the fitting thread, once per EM iteration.</summary>
internal sealed class Progress(Action report) : IProgress<GmmProgress>
{
    public void Report(GmmProgress value) => report();
}
