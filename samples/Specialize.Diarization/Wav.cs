using System.Buffers.Binary;
using NWaves.Operations;
using NWaves.Signals;

namespace Specialize.Diarization;

/// <summary>A mono signal and its sampling rate.</summary>
/// <param name="Samples">The samples, full scale at 1.</param>
/// <param name="SampleRate">Samples per second.</param>
public sealed record Audio(float[] Samples, int SampleRate)
{
    /// <summary>The rate the diarizer's features are computed at.</summary>
    public const int FeatureRate = 16000;

    /// <summary>Length in seconds.</summary>
    public double Seconds => (double)Samples.Length / SampleRate;

    /// <summary>
    /// Reads a RIFF WAVE file: PCM of 8, 16, 24 or 32 bits, or 32/64-bit IEEE float, any number of channels (averaged
    /// into one) and any rate.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not a WAVE file of one of those encodings.</exception>
    public static Audio Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var span = bytes.AsSpan();
        if (span.Length < 12 || !span[..4].SequenceEqual("RIFF"u8) || !span[8..12].SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException($"{path} is not a WAVE file (no RIFF/WAVE header).");
        }

        int format = 0, channels = 0, rate = 0, bits = 0;
        int position = 12;
        while (position + 8 <= span.Length)
        {
            var id = span.Slice(position, 4);
            long size = BinaryPrimitives.ReadUInt32LittleEndian(span.Slice(position + 4, 4));
            int start = position + 8;
            if (id.SequenceEqual("fmt "u8))
            {
                format = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(start, 2));
                channels = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(start + 2, 2));
                rate = BinaryPrimitives.ReadInt32LittleEndian(span.Slice(start + 4, 4));
                bits = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(start + 14, 2));
                if (format == 0xFFFE && size >= 26)
                {
                    // WAVE_FORMAT_EXTENSIBLE: the sub-format's first two bytes are the format code.
                    format = BinaryPrimitives.ReadUInt16LittleEndian(span.Slice(start + 24, 2));
                }
            }
            else if (id.SequenceEqual("data"u8))
            {
                if (channels == 0)
                {
                    throw new InvalidDataException($"{path}: the data chunk comes before the fmt chunk.");
                }

                // Streams written without knowing their length (sox to a pipe) put 0 or 0xFFFFFFFF here.
                long available = span.Length - start;
                long length = size == 0 || size > available ? available : size;
                return new Audio(Decode(span.Slice(start, (int)length), format, channels, bits, path), rate);
            }

            position = start + (int)Math.Min(size + (size & 1), span.Length - start);
        }

        throw new InvalidDataException($"{path} has no data chunk.");
    }

    private static float[] Decode(ReadOnlySpan<byte> data, int format, int channels, int bits, string path)
    {
        int width = bits / 8;
        bool pcm = format == 1 && bits is 8 or 16 or 24 or 32;
        bool ieee = format == 3 && bits is 32 or 64;
        if (!pcm && !ieee)
        {
            throw new InvalidDataException(
                $"{path}: unsupported WAVE encoding (format {format}, {bits} bits); expected PCM of 8-32 bits or IEEE float.");
        }

        int frames = data.Length / (width * channels);
        var samples = new float[frames];
        for (int i = 0; i < frames; i++)
        {
            double sum = 0;
            for (int c = 0; c < channels; c++)
            {
                var s = data.Slice((i * channels + c) * width, width);
                sum += (pcm, bits) switch
                {
                    (true, 8) => (s[0] - 128) / 128.0,
                    (true, 16) => BinaryPrimitives.ReadInt16LittleEndian(s) / 32768.0,
                    (true, 24) => ((s[0] | (s[1] << 8) | (s[2] << 16)) << 8 >> 8) / 8388608.0,
                    (true, _) => BinaryPrimitives.ReadInt32LittleEndian(s) / 2147483648.0,
                    (false, 32) => BinaryPrimitives.ReadSingleLittleEndian(s),
                    _ => BinaryPrimitives.ReadDoubleLittleEndian(s),
                };
            }

            samples[i] = (float)(sum / channels);
        }

        return samples;
    }

    /// <summary>This audio at <see cref="FeatureRate"/>: itself when it is already there, else resampled (NWaves' band-limited resampler).</summary>
    /// <exception cref="InvalidDataException">The rate is below 8 kHz, too low for the features' 0-8 kHz band to mean anything.</exception>
    public Audio At16k()
    {
        if (SampleRate == FeatureRate)
        {
            return this;
        }

        if (SampleRate < 8000)
        {
            throw new InvalidDataException(
                $"The audio is sampled at {SampleRate} Hz; the diarizer needs 16 kHz and resamples rates from 8 kHz up, not below.");
        }

        var resampled = new Resampler().Resample(new DiscreteSignal(SampleRate, Samples), FeatureRate);
        return new Audio(resampled.Samples, FeatureRate);
    }

    /// <summary>Writes 16-bit PCM mono.</summary>
    public void Write(string path)
    {
        using var stream = File.Create(path);
        using var writer = new BinaryWriter(stream);
        int dataBytes = Samples.Length * 2;
        writer.Write("RIFF"u8);
        writer.Write(36 + dataBytes);
        writer.Write("WAVEfmt "u8);
        writer.Write(16);
        writer.Write((short)1);
        writer.Write((short)1);
        writer.Write(SampleRate);
        writer.Write(SampleRate * 2);
        writer.Write((short)2);
        writer.Write((short)16);
        writer.Write("data"u8);
        writer.Write(dataBytes);
        foreach (float s in Samples)
        {
            writer.Write((short)Math.Clamp(Math.Round(s * 32767.0), short.MinValue, short.MaxValue));
        }
    }
}
