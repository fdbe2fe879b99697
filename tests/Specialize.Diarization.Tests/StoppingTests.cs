using Xunit;

namespace Specialize.Diarization.Tests;

/// <summary>The stopping rule: merges of one speaker's clusters score high per frame, merges of two speakers low.</summary>
public sealed class StoppingTests
{
    private static MergeStep Step(int clusters, double perFrame) => new(clusters, perFrame * 1000, 1000, [], 0, 1);

    [Fact]
    public void The_cross_likelihood_rule_merges_while_the_ratio_is_at_least_minus_11_and_the_papers_score_positive()
    {
        var options = new DiarizerOptions { Stopping = StoppingRule.CrossLikelihood };

        Assert.Equal(-11, options.CrossLikelihoodThreshold);
        Assert.False(Diarizer.Stops(Step(5, 0.3) with { CrossLikelihood = -10.9 }, options));
        Assert.True(Diarizer.Stops(Step(5, 0.3) with { CrossLikelihood = -11.1 }, options));
        Assert.True(Diarizer.Stops(Step(5, -0.01) with { CrossLikelihood = -2 }, options));
        Assert.True(Diarizer.Stops(Step(5, 0.5), options with { Stopping = StoppingRule.PerFramePenalty, PerFramePenalty = 0.6 }));
        Assert.True(Diarizer.Stops(Step(5, -0.5), options with { Stopping = StoppingRule.Paper }));
        Assert.False(Diarizer.Stops(Step(5, 0.01) with { CrossLikelihood = -50 }, options with { Stopping = StoppingRule.Paper }));
    }

    [Fact]
    public void The_default_rule_asks_large_clusters_for_a_ratio_near_minus_7_5_and_small_ones_down_to_minus_11()
    {
        var options = new DiarizerOptions();
        MergeStep Pair(double ratio, int a, int b, double perFrame = 0.3) => Step(8, perFrame) with { CrossLikelihood = ratio, FramesA = a, FramesB = b };

        Assert.Equal(StoppingRule.SizeCorrected, options.Stopping);
        Assert.Equal(-7.5, options.SizeCorrectedThreshold);
        Assert.Equal(1000, options.SizeCorrection);

        // An impure cluster and another voice's, both large: -10.1 + 1000 (1/3783 + 1/4271) = -9.6 < -7.5, stop.
        Assert.True(Diarizer.Stops(Pair(-10.1, 3783, 4271), options));
        Assert.False(Diarizer.Stops(Pair(-10.1, 3783, 4271), options with { Stopping = StoppingRule.CrossLikelihood }));

        // Two small pieces of one voice: -10.9 + 1000 (1/244 + 1/520) = -4.9, merge.
        Assert.False(Diarizer.Stops(Pair(-10.9, 244, 520), options));

        // Large same-voice clusters near -6 merge; the ratio's floor and the papers' score still apply to small ones.
        Assert.False(Diarizer.Stops(Pair(-6.4, 3000, 2500), options));
        Assert.True(Diarizer.Stops(Pair(-7.9, 20000, 20000), options));
        Assert.True(Diarizer.Stops(Pair(-11.1, 210, 230), options));
        Assert.True(Diarizer.Stops(Pair(-3, 210, 230, perFrame: -0.01), options));
    }

    [Fact]
    public void The_size_corrected_ratio_needs_both_clusters_sizes()
    {
        var step = Step(5, 0.3) with { CrossLikelihood = -5, FramesA = 400 };

        Assert.Equal(-5 + 1000 * (1.0 / 400 + 1.0 / 100), (step with { FramesB = 100 }).SizeCorrected(1000), 12);
        var error = Assert.Throws<InvalidOperationException>(() => Diarizer.Stops(step, new DiarizerOptions()));
        Assert.Contains("FramesB", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_low_group_of_per_frame_scores_counts_the_speakers_beyond_the_first()
    {
        // Six merges of one speaker's pieces (1.2-3.0 nats per frame), then three merges of different speakers.
        MergeStep[] steps = [Step(10, 1.5), Step(9, 2.4), Step(8, 3.0), Step(7, 1.2), Step(6, 2.0), Step(5, 1.8), Step(4, 0.4), Step(3, 0.1), Step(2, -0.2)];

        Assert.Equal(6, Diarizer.ChooseCut(steps));
    }

    [Fact]
    public void The_rule_depends_on_the_scores_relative_to_each_other_not_on_their_scale()
    {
        MergeStep[] steps = [Step(6, 1.5), Step(5, 2.4), Step(4, 1.9), Step(3, 0.3), Step(2, 0.1)];
        MergeStep[] scaled = [.. steps.Select(s => Step(s.Clusters, 0.25 * s.PerFrame + 0.5))];

        Assert.Equal(3, Diarizer.ChooseCut(steps));
        Assert.Equal(3, Diarizer.ChooseCut(scaled));
    }

    [Fact]
    public void One_step_or_none_keeps_every_cluster()
    {
        Assert.Equal(0, Diarizer.ChooseCut([]));
        Assert.Equal(0, Diarizer.ChooseCut([Step(2, 1.0)]));
    }
}
