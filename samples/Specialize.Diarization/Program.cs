using System.Diagnostics;
using System.Globalization;
using Specialize;
using Specialize.Diarization;

// Who spoke when: see README.md ("Speaker diarization") and docs/diarization.md.
return Cli.Run(args);

internal static class Cli
{
    private const string Usage = """
        usage:
          Specialize.Diarization <meeting.wav> [--rttm out.rttm] [--reference ref.rttm] [--stopping size-corrected|cross-likelihood|two-groups|paper|penalty] [--trace]
              diarizes a WAV file (16 kHz mono; other rates from 8 kHz up are resampled, channels averaged), writes RTTM
              (to --rttm, or standard output), and with --reference prints the DER (0.25 s collar) and its parts.
              Settings for experiments (docs/diarization.md): --init uniform|segment-means, --ordering cross-likelihood|merge,
              --covariance diag|full, --k 16, --m 5, --rounds 2, --snapshots <folder> (every cut of the dendrogram as RTTM).
          Specialize.Diarization generate --out <prefix> [--speakers 4] [--seconds 120] [--seed 1] [--set test|tuning|heldout]
              writes <prefix>.wav and <prefix>.rttm: a meeting of espeak-ng voices made with sox, and its reference.
          Specialize.Diarization score <reference.rttm> <hypothesis.rttm> [--collar 0.25]
              prints the DER of a hypothesis.
        """;

    public static int Run(string[] args)
    {
        try
        {
            return args.Length == 0 ? Fail("no input") : args[0] switch
            {
                "generate" => Generate(args[1..]),
                "score" => Score(args[1..]),
                "-h" or "--help" => Help(),
                _ => Diarize(args),
            };
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IOException or InvalidDataException or InvalidOperationException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return 1;
        }
    }

    private static int Help()
    {
        Console.WriteLine(Usage);
        return 0;
    }

    private static int Fail(string why)
    {
        Console.Error.WriteLine($"error: {why}");
        Console.Error.WriteLine(Usage);
        return 2;
    }

    private static Dictionary<string, string?> Options(string[] args, out List<string> positional, params string[] flags)
    {
        var options = new Dictionary<string, string?>();
        positional = [];
        for (int i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal))
            {
                if (flags.Contains(args[i]))
                {
                    options[args[i]] = null;
                }
                else if (i + 1 < args.Length)
                {
                    options[args[i]] = args[++i];
                }
                else
                {
                    throw new ArgumentException($"{args[i]} needs a value.");
                }
            }
            else
            {
                positional.Add(args[i]);
            }
        }

        return options;
    }

    private static int Diarize(string[] args)
    {
        var options = Options(args, out var positional, "--trace");
        if (positional.Count != 1)
        {
            return Fail("expected one WAV file");
        }

        var stopping = options.GetValueOrDefault("--stopping") switch
        {
            null or "size-corrected" => StoppingRule.SizeCorrected,
            "cross-likelihood" => StoppingRule.CrossLikelihood,
            "two-groups" => StoppingRule.TwoGroups,
            "paper" => StoppingRule.Paper,
            "penalty" => StoppingRule.PerFramePenalty,
            string other => throw new ArgumentException($"Unknown --stopping '{other}'; expected size-corrected, cross-likelihood, two-groups, paper or penalty."),
        };
        string wav = positional[0];
        var clock = Stopwatch.StartNew();
        var audio = Audio.Read(wav);
        if (audio.SampleRate != Audio.FeatureRate && Cluster.IsRoot)
        {
            Console.Error.WriteLine($"{wav}: {audio.SampleRate} Hz, resampled to {Audio.FeatureRate} Hz");
        }

        var features = Features.Extract(audio.At16k());
        double featureSeconds = clock.Elapsed.TotalSeconds;
        Action<string>? trace = options.ContainsKey("--trace") && Cluster.IsRoot ? line => Console.Error.WriteLine(line) : null;
        int Int(string name, int fallback) => options.GetValueOrDefault(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var settings = new DiarizerOptions
        {
            InitialClusters = Int("--k", 16),
            InitialComponents = Int("--m", 5),
            ResegmentationRounds = Int("--rounds", 2),
            CovarianceType = options.GetValueOrDefault("--covariance") == "full" ? Specialize.Mixture.CovarianceType.Full : Specialize.Mixture.CovarianceType.Diagonal,
            Initialization = options.GetValueOrDefault("--init") == "segment-means" ? Initialization.SegmentMeans : Initialization.Uniform,
            Ordering = options.GetValueOrDefault("--ordering") == "merge" ? PairOrdering.MergeScore : PairOrdering.CrossLikelihood,
            Stopping = stopping,
            SnapshotFolder = options.GetValueOrDefault("--snapshots"),
        };
        var result = Diarizer.Run(features, settings, trace);
        clock.Stop();
        if (!Cluster.IsRoot)
        {
            return 0;
        }

        string rttm = Rttm.Format(Path.GetFileNameWithoutExtension(wav), result.Turns);
        if (options.GetValueOrDefault("--rttm") is { } output)
        {
            File.WriteAllText(output, rttm);
        }
        else
        {
            Console.Write(rttm);
        }

        Console.Error.WriteLine(FormattableString.Invariant(
            $"{wav}: {audio.Seconds:0.0} s of audio, {features.Speech.Count(s => s) * Features.Hop:0.0} s of speech, {result.Speakers} speakers, diarized in {clock.Elapsed.TotalSeconds:0.00} s (features {featureSeconds:0.00} s) on {Cluster.Size} process(es)"));
        if (options.GetValueOrDefault("--reference") is { } reference)
        {
            var der = DerScorer.Score(Rttm.Parse(File.ReadAllText(reference)), result.Turns);
            Console.Error.WriteLine(der.ToString());
            if (trace is not null)
            {
                TracePurity(result, Rttm.Parse(File.ReadAllText(reference)));
            }
        }

        return 0;
    }

    // For each merge step, the reference speaker most of each cluster's frames belong to, and how many do.
    private static void TracePurity(Diarization result, List<Turn> reference)
    {
        string Who(int frame)
        {
            double t = (frame + 0.5) * Features.Hop;
            return reference.FirstOrDefault(r => r.Start <= t && t < r.End).Speaker ?? "-";
        }

        string[] who = [.. result.SpeechFrames.Select(Who)];
        foreach (var step in result.Steps)
        {
            string Describe(int c)
            {
                var frames = Enumerable.Range(0, who.Length).Where(f => step.PairFrameLabels[f] == c).Select(f => who[f]).ToList();
                var top = frames.GroupBy(s => s).OrderByDescending(g => g.Count()).First();
                return FormattableString.Invariant($"{top.Key} {100.0 * top.Count() / frames.Count:0}% of {frames.Count}");
            }

            Console.Error.WriteLine(FormattableString.Invariant($"{step.Clusters,3}: {step.PerFrame,7:0.000} {step.CrossLikelihood,7:0.000}  [{Describe(step.A)}] + [{Describe(step.B)}]"));
        }
    }

    private static int Generate(string[] args)
    {
        var options = Options(args, out var positional);
        if (positional.Count != 0 || options.GetValueOrDefault("--out") is not { } prefix)
        {
            return Fail("generate needs --out <prefix> and no other arguments");
        }

        int Int(string name, int fallback) => options.GetValueOrDefault(name) is { } v ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        int speakers = Int("--speakers", 4);
        var (voices, words) = MeetingGenerator.Named(options.GetValueOrDefault("--set") ?? "test");
        if (speakers < 2 || speakers > voices.Length)
        {
            throw new ArgumentException($"--speakers must be 2 to {voices.Length}.");
        }

        var turns = MeetingGenerator.Generate(voices[..speakers], words, Int("--seconds", 120), Int("--seed", 1), prefix + ".wav", prefix + ".rttm");
        Console.WriteLine(FormattableString.Invariant($"{prefix}.wav: {turns.Count} turns by {speakers} speakers, {turns[^1].End:0.0} s; reference {prefix}.rttm"));
        return 0;
    }

    private static int Score(string[] args)
    {
        var options = Options(args, out var positional);
        if (positional.Count != 2)
        {
            return Fail("score needs a reference and a hypothesis RTTM");
        }

        double collar = options.GetValueOrDefault("--collar") is { } c ? double.Parse(c, CultureInfo.InvariantCulture) : DerScorer.StandardCollar;
        var der = DerScorer.Score(Rttm.Parse(File.ReadAllText(positional[0])), Rttm.Parse(File.ReadAllText(positional[1])), collar);
        Console.WriteLine(der.ToString());
        return 0;
    }
}
