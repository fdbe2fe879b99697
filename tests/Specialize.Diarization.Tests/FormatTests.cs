using Specialize.Tests;
using Xunit;

namespace Specialize.Diarization.Tests;

/// <summary>RTTM and WAV in and out, and the speech detector's smoothing.</summary>
public sealed class FormatTests
{
    [Fact]
    public void Rttm_lines_are_the_standard_ten_fields_and_read_back()
    {
        Turn[] turns = [new(3.5, 1.25, "spk01"), new(0.01, 2, "spk00")];

        string text = Rttm.Format("meeting", turns);

        Assert.Equal(
            "SPEAKER meeting 1 0.010 2.000 <NA> <NA> spk00 <NA> <NA>\nSPEAKER meeting 1 3.500 1.250 <NA> <NA> spk01 <NA> <NA>\n",
            text);
        Assert.Equal(turns.OrderBy(t => t.Start), Rttm.Parse(";; comment\n" + text + "SPKR-INFO meeting 1 <NA> <NA> <NA> unknown spk00 <NA>\n"));
    }

    [Fact]
    public void A_malformed_rttm_line_is_refused_with_its_number()
    {
        var e = Assert.Throws<FormatException>(() => Rttm.Parse("SPEAKER m 1 0.0 1.0 <NA> <NA> a <NA> <NA>\nSPEAKER m 1 zero 1.0 <NA> <NA> b\n"));
        Assert.Contains("line 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Wav_round_trips_at_16_bits_and_other_rates_are_resampled_or_refused()
    {
        using var folder = new TemporaryFolder("diarization-wav");
        var tone = new Audio([.. Enumerable.Range(0, 8000).Select(i => (float)(0.5 * Math.Sin(2 * Math.PI * 440 * i / 8000.0)))], 8000);
        string path = folder.Combine("tone.wav");
        tone.Write(path);

        var read = Audio.Read(path);
        Assert.Equal(8000, read.SampleRate);
        Assert.Equal(tone.Samples.Length, read.Samples.Length);
        Assert.All(Enumerable.Range(0, tone.Samples.Length), i => Assert.Equal(tone.Samples[i], read.Samples[i], 1e-4));

        // One second at 8 kHz is one second at 16 kHz: 16000 samples, still a 440 Hz tone (zero crossings 880 a second).
        var up = read.At16k();
        Assert.Equal(16000, up.SampleRate);
        Assert.InRange(up.Samples.Length, 15990, 16010);
        int crossings = Enumerable.Range(1000, 14000).Count(i => Math.Sign(up.Samples[i - 1]) != Math.Sign(up.Samples[i]) && up.Samples[i] != 0);
        Assert.InRange(crossings, 880 * 14 / 16 - 3, 880 * 14 / 16 + 3);

        var low = new Audio(new float[4000], 4000);
        Assert.Contains("4000 Hz", Assert.Throws<InvalidDataException>(low.At16k).Message, StringComparison.Ordinal);

        string text = folder.Combine("not.wav");
        File.WriteAllText(text, "hello, not a wave file");
        Assert.Contains("not a WAVE file", Assert.Throws<InvalidDataException>(() => Audio.Read(text)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_pauses_inside_speech_are_filled_and_short_bursts_dropped()
    {
        // 1 s of silence, 1 s of speech with a 0.1 s dip, 1 s of silence with a 30 ms click, then 1 s of speech.
        var energy = new double[400];
        Array.Fill(energy, -100.0);
        Array.Fill(energy, -20.0, 100, 100);
        Array.Fill(energy, -90.0, 150, 10);
        Array.Fill(energy, -20.0, 250, 3);
        Array.Fill(energy, -20.0, 300, 100);

        bool[] speech = Features.DetectSpeech(energy);

        Assert.Equal(200, speech.Count(s => s));
        Assert.All(Enumerable.Range(100, 100), f => Assert.True(speech[f]));
        Assert.All(Enumerable.Range(300, 100), f => Assert.True(speech[f]));
    }
}
