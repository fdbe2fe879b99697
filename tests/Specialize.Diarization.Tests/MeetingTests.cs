using System.Diagnostics;
using Specialize.Tests;
using Xunit;

namespace Specialize.Diarization.Tests;

/// <summary>
/// A meeting generated at test time (five espeak-ng voices of the test set, about 120 s, pauses of 0.3-1.2 s, joined
/// by sox) diarized through the command line, as a user runs it, and scored against its reference.
/// </summary>
public sealed class MeetingTests
{
    [Fact]
    public void A_generated_meeting_of_five_speakers_is_diarized_within_10_percent_DER()
    {
        RequireTools();
        using var folder = new TemporaryFolder("diarization-meeting");
        var (voices, words) = MeetingGenerator.Named("test");
        var reference = MeetingGenerator.Generate(voices[..5], words, 120, seed: 1, folder.Combine("meeting.wav"), folder.Combine("meeting.ref.rttm"));
        Assert.Equal(5, reference.Select(t => t.Speaker).Distinct().Count());

        var (exit, output) = RunCli($"\"{folder.Combine("meeting.wav")}\" --rttm \"{folder.Combine("meeting.rttm")}\" --reference \"{folder.Combine("meeting.ref.rttm")}\"");

        Assert.True(exit == 0, output);
        var hypothesis = Rttm.Parse(File.ReadAllText(folder.Combine("meeting.rttm")));
        Assert.All(hypothesis, t => Assert.True(t.Duration > 0));
        var der = DerScorer.Score(reference, hypothesis);
        Assert.True(der.Der <= 0.10, $"{der}\n{output}");
        Assert.Contains($"DER {100 * der.Der:0.00}%".Replace(',', '.'), output, StringComparison.Ordinal);
    }

    [Fact]
    public void Under_mpiexec_two_ranks_write_what_one_process_writes()
    {
        RequireTools();
        Assert.True(MeetingGenerator.OnPath("mpiexec.mpich"), "mpiexec.mpich missing: eng/test.sh installs MPICH (apt-get) when run as root.");
        using var folder = new TemporaryFolder("diarization-mpi");
        var (voices, words) = MeetingGenerator.Named("test");
        MeetingGenerator.Generate(voices[..3], words, 45, seed: 2, folder.Combine("meeting.wav"), folder.Combine("meeting.ref.rttm"));

        var (exit, output) = RunCli($"\"{folder.Combine("meeting.wav")}\" --rttm \"{folder.Combine("one.rttm")}\"");
        Assert.True(exit == 0, output);
        (exit, output) = Run("mpiexec.mpich", $"-n 2 dotnet \"{typeof(Audio).Assembly.Location}\" \"{folder.Combine("meeting.wav")}\" --rttm \"{folder.Combine("two.rttm")}\"");
        Assert.True(exit == 0, output);

        Assert.Contains("on 2 process(es)", output, StringComparison.Ordinal);
        Assert.NotEmpty(Rttm.Parse(File.ReadAllText(folder.Combine("one.rttm"))));
        Assert.Equal(File.ReadAllText(folder.Combine("one.rttm")), File.ReadAllText(folder.Combine("two.rttm")));
    }

    [Fact]
    public void The_same_seed_makes_the_same_meeting()
    {
        RequireTools();
        using var folder = new TemporaryFolder("diarization-seed");
        var (voices, words) = MeetingGenerator.Named("test");

        var first = MeetingGenerator.Generate(voices[..2], words, 5, seed: 3, folder.Combine("a.wav"), folder.Combine("a.rttm"));
        var second = MeetingGenerator.Generate(voices[..2], words, 5, seed: 3, folder.Combine("b.wav"), folder.Combine("b.rttm"));

        Assert.Equal(first, second);
        Assert.Equal(File.ReadAllBytes(folder.Combine("a.wav")), File.ReadAllBytes(folder.Combine("b.wav")));
    }

    [Fact]
    public void The_command_line_refuses_what_it_cannot_read_with_a_message()
    {
        using var folder = new TemporaryFolder("diarization-cli");
        File.WriteAllText(folder.Combine("x.wav"), "not audio");

        var (exit, output) = RunCli($"\"{folder.Combine("x.wav")}\"");
        Assert.Equal(1, exit);
        Assert.Contains("not a WAVE file", output, StringComparison.Ordinal);

        new Audio(new float[4000], 4000).Write(folder.Combine("low.wav"));
        (exit, output) = RunCli($"\"{folder.Combine("low.wav")}\"");
        Assert.Equal(1, exit);
        Assert.Contains("4000 Hz", output, StringComparison.Ordinal);
    }

    private static void RequireTools() =>
        Assert.True(MeetingGenerator.MissingTools() is null, $"{MeetingGenerator.MissingTools()} missing: eng/test.sh installs espeak-ng and sox (apt-get) when run as root.");

    private static (int Exit, string Output) RunCli(string arguments) =>
        Run("dotnet", $"\"{typeof(Audio).Assembly.Location}\" {arguments}");

    private static (int Exit, string Output) Run(string program, string arguments)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), "the diarizer did not finish in 5 minutes");
        return (process.ExitCode, output + error.Result);
    }
}
