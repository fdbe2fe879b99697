using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using Specialize;
using Specialize.Digits;
using Specialize.Samples;

// Figure 1 of the BLB specializer paper as a program: train a linear classifier on part of the UCI
// handwritten digits, then assess its test error on the rest with the Bag of Little Bootstraps, and
// compare with the exact test error and with a classic bootstrap of the same estimator.

List<Digit> digits = Load(Path.Combine(AppContext.BaseDirectory, "data", "digits.csv.gz"));
var shuffle = new Random(2024);
Digit[] shuffled = digits.OrderBy(_ => shuffle.Next()).ToArray();
int trainCount = (int)(shuffled.Length * 0.6);
Digit[] training = shuffled[..trainCount];
Digit[] test = shuffled[trainCount..];
LinearModel model = LinearModel.Train(training, classes: 10, ridge: 10.0);

double exact = TestError.Estimate(test, model);
Console.WriteLine($"digits: {digits.Count} images, trained on {training.Length}, tested on {test.Length}");
Console.WriteLine($"exact test error: {exact:P2}");
Console.WriteLine();

var options = new BlbOptions { Seed = 42 };
TestError.Run(test, model, options); // warm up (JIT), as for the classic bootstrap below
Classic(test, model, 100);

// Medians of 5 rounds that alternate the two, so that neither side is favoured by other load on the machine.
const int Rounds = 5;
var blbTimes = new double[Rounds];
var classicTimes = new double[Rounds];
BlbResult blb = null!;
double[] estimates = [];
ConsoleProgress.Run($"BLB and the classic bootstrap, {Rounds} rounds", Rounds, steps =>
{
    for (int round = 0; round < Rounds; round++)
    {
        long start = Stopwatch.GetTimestamp();
        blb = TestError.Run(test, model, options);
        blbTimes[round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;

        // The classic bootstrap: 100 resamples of all n test rows with replacement, the estimator on each.
        start = Stopwatch.GetTimestamp();
        estimates = Classic(test, model, 100);
        classicTimes[round] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        steps.Done();
    }

    return 0;
});

double blbMs = Median(blbTimes);
double classicMs = Median(classicTimes);
Console.WriteLine($"Bag of Little Bootstraps ({blb.Subsamples} subsamples of {blb.SubsampleSize} rows, {options.Bootstraps} resamples each, {blb.Threads} threads, {blb.Layout}):");
Console.WriteLine($"  standard error {blb.StandardError:P2}, 95% interval [{blb.Lower:P2}, {blb.Upper:P2}] around {blb.Estimate:P2}   {blbMs,8:F1} ms (median of {Rounds})");

double mean = estimates.Average();
double se = Math.Sqrt(estimates.Sum(e => (e - mean) * (e - mean)) / (estimates.Length - 1));
Array.Sort(estimates);
Console.WriteLine("Classic bootstrap (100 resamples of every row):");
Console.WriteLine($"  standard error {se:P2}, 95% interval [{estimates[2]:P2}, {estimates[97]:P2}]   {classicMs,8:F1} ms (median of {Rounds})");
Console.WriteLine($"  time ratio classic / BLB: {classicMs / blbMs:F2}x (BLB's advantage grows with n: it touches only b = n^0.7 rows per resample)");

static double Median(double[] times)
{
    double[] sorted = (double[])times.Clone();
    Array.Sort(sorted);
    return sorted[sorted.Length / 2];
}

static double[] Classic(Digit[] test, LinearModel model, int resamples)
{
    var random = new Random(42);
    var estimates = new double[resamples];
    var resample = new Digit[test.Length];
    for (int r = 0; r < estimates.Length; r++)
    {
        for (int i = 0; i < resample.Length; i++)
        {
            resample[i] = test[random.Next(test.Length)];
        }

        estimates[r] = TestError.Estimate(resample, model);
    }

    return estimates;
}

static List<Digit> Load(string path)
{
    using var file = File.OpenRead(path);
    using var gzip = new GZipStream(file, CompressionMode.Decompress);
    using var reader = new StreamReader(gzip);
    var digits = new List<Digit>();
    for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
    {
        if (line.Length == 0)
        {
            continue;
        }

        string[] fields = line.Split(',');
        var pixels = new double[fields.Length - 1];
        for (int j = 0; j < pixels.Length; j++)
        {
            pixels[j] = double.Parse(fields[j], CultureInfo.InvariantCulture) / 16.0;
        }

        digits.Add(new Digit(pixels, (int)double.Parse(fields[^1], CultureInfo.InvariantCulture)));
    }

    return digits;
}
