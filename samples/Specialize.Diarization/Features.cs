using NWaves.FeatureExtractors;
using NWaves.FeatureExtractors.Options;
using NWaves.Windows;

namespace Specialize.Diarization;

/// <summary>
/// What the diarizer sees of a recording: 19 MFCCs (c1..c19 of 26 mel filters over 25 ms Hamming windows) every
/// 10 ms, and which of those frames are speech.
/// </summary>
public sealed class Features
{
    /// <summary>Seconds between frames.</summary>
    public const double Hop = 0.010;

    /// <summary>Coefficients per frame.</summary>
    public const int Dimension = 19;

    /// <summary>Frames whose energy is more than this many dB below the loud frames' (the 99th percentile) are silence.</summary>
    public const double SpeechRangeDb = 40;

    private Features(double[,] mfcc, double[] energyDb, bool[] speech)
    {
        Mfcc = mfcc;
        EnergyDb = energyDb;
        Speech = speech;
    }

    /// <summary>The MFCCs, frames x <see cref="Dimension"/>.</summary>
    public double[,] Mfcc { get; }

    /// <summary>Each frame's energy, dB relative to full scale.</summary>
    public double[] EnergyDb { get; }

    /// <summary>Whether each frame is speech.</summary>
    public bool[] Speech { get; }

    /// <summary>Number of frames.</summary>
    public int Count => Speech.Length;

    /// <summary>Computes the features of 16 kHz audio.</summary>
    /// <exception cref="ArgumentException">The audio is not at 16 kHz, or shorter than one 25 ms frame.</exception>
    public static Features Extract(Audio audio)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate != Audio.FeatureRate)
        {
            throw new ArgumentException($"Features are computed at {Audio.FeatureRate} Hz; resample first (Audio.At16k).", nameof(audio));
        }

        const int frameSize = 400, hopSize = 160;
        if (audio.Samples.Length < frameSize)
        {
            throw new ArgumentException("The audio is shorter than one 25 ms frame.", nameof(audio));
        }

        var extractor = new MfccExtractor(new MfccOptions
        {
            SamplingRate = Audio.FeatureRate,
            FeatureCount = Dimension + 1,
            FrameSize = frameSize,
            HopSize = hopSize,
            FilterBankSize = 26,
            PreEmphasis = 0.97,
            Window = WindowType.Hamming,
        });
        var vectors = extractor.ComputeFrom(audio.Samples);
        int frames = vectors.Count;
        var mfcc = new double[frames, Dimension];
        var energy = new double[frames];
        for (int f = 0; f < frames; f++)
        {
            for (int i = 0; i < Dimension; i++)
            {
                mfcc[f, i] = vectors[f][i + 1];
            }

            double sum = 0;
            for (int s = f * hopSize; s < f * hopSize + frameSize; s++)
            {
                sum += (double)audio.Samples[s] * audio.Samples[s];
            }

            energy[f] = 10 * Math.Log10(sum / frameSize + 1e-12);
        }

        return new Features(mfcc, energy, DetectSpeech(energy));
    }

    /// <summary>
    /// Speech from frame energy: frames within <see cref="SpeechRangeDb"/> of the 99th percentile, and above the
    /// threshold that best splits the energies into two classes (Otsu's, but never above 25 dB below the loud frames),
    /// so that a steady noise floor is not speech;
    /// then pauses shorter than 0.15 s inside speech are filled, and bursts shorter than 50 ms dropped.
    /// </summary>
    public static bool[] DetectSpeech(double[] energyDb)
    {
        ArgumentNullException.ThrowIfNull(energyDb);
        int n = energyDb.Length;
        var speech = new bool[n];
        if (n == 0)
        {
            return speech;
        }

        double[] sorted = [.. energyDb.Order()];
        double loud = sorted[(int)Math.Min(n - 1, Math.Floor(0.99 * (n - 1)))];
        double threshold = Math.Max(loud - SpeechRangeDb, Math.Min(Otsu.Threshold(sorted), loud - 25));
        for (int f = 0; f < n; f++)
        {
            speech[f] = energyDb[f] >= threshold;
        }

        Fill(speech, value: false, shorterThan: 15);
        Fill(speech, value: true, shorterThan: 5);
        return speech;
    }

    /// <summary>Flips runs of <paramref name="value"/> shorter than <paramref name="shorterThan"/> frames that have the other value on both sides.</summary>
    public static void Fill(bool[] mask, bool value, int shorterThan)
    {
        ArgumentNullException.ThrowIfNull(mask);
        int f = 0;
        while (f < mask.Length)
        {
            if (mask[f] != value)
            {
                f++;
                continue;
            }

            int start = f;
            while (f < mask.Length && mask[f] == value)
            {
                f++;
            }

            if (start > 0 && f < mask.Length && f - start < shorterThan)
            {
                Array.Fill(mask, !value, start, f - start);
            }
        }
    }

}

/// <summary>Otsu's method over sorted values: the split into a low and a high group with the largest between-group variance.</summary>
public static class Otsu
{
    /// <summary>How many of the <paramref name="sorted"/> values (ascending, at least two) fall in the low group.</summary>
    public static int LowCount(IReadOnlyList<double> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        int n = sorted.Count, low = 1;
        double total = sorted.Sum(), left = 0, best = double.NegativeInfinity;
        for (int i = 1; i < n; i++)
        {
            left += sorted[i - 1];
            if (sorted[i] == sorted[i - 1])
            {
                continue;
            }

            double w0 = (double)i / n, w1 = 1 - w0, m0 = left / i, m1 = (total - left) / (n - i);
            double between = w0 * w1 * (m0 - m1) * (m0 - m1);
            if (between > best)
            {
                best = between;
                low = i;
            }
        }

        return low;
    }

    /// <summary>The threshold between the groups: halfway between the highest low value and the lowest high one.</summary>
    public static double Threshold(IReadOnlyList<double> sorted)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        if (sorted.Count < 2)
        {
            return sorted.Count == 0 ? 0 : sorted[0];
        }

        int low = LowCount(sorted);
        return 0.5 * (sorted[low - 1] + sorted[low]);
    }
}
