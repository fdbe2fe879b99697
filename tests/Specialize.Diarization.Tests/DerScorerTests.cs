using Xunit;

namespace Specialize.Diarization.Tests;

/// <summary>The DER scorer against cases computed by hand (the times and sums are in the comments).</summary>
public sealed class DerScorerTests
{
    // Reference: A speaks 0-10 s, B 10-20 s. Hypothesis: x 0-8 s, y 9-20 s, z 20-21 s.
    private static readonly Turn[] Reference = [new(0, 10, "A"), new(10, 10, "B")];
    private static readonly Turn[] Hypothesis = [new(0, 8, "x"), new(9, 11, "y"), new(20, 1, "z")];

    [Fact]
    public void Without_a_collar_every_second_counts()
    {
        // Mapping A->x (8 s shared), B->y (10 s). Missed 8-9 (nobody), confusion 9-10 (y for A), false alarm 20-21 (z).
        var der = DerScorer.Score(Reference, Hypothesis, collar: 0);

        Assert.Equal(20.0, der.Speech, 9);
        Assert.Equal(1.0, der.Missed, 9);
        Assert.Equal(1.0, der.FalseAlarm, 9);
        Assert.Equal(1.0, der.Confusion, 9);
        Assert.Equal(3.0 / 20.0, der.Der, 9);
        Assert.Equal("x", der.Mapping["A"]);
        Assert.Equal("y", der.Mapping["B"]);
    }

    [Fact]
    public void The_standard_collar_leaves_a_quarter_second_around_each_reference_boundary_unscored()
    {
        // Unscored: 0-0.25, 9.75-10.25, 19.75-20.25. Speech: A 0.25-9.75 and B 10.25-19.75 = 19 s.
        // Missed 8-9 = 1 s, confusion 9-9.75 = 0.75 s, false alarm 20.25-21 = 0.75 s.
        var der = DerScorer.Score(Reference, Hypothesis);

        Assert.Equal(19.0, der.Speech, 9);
        Assert.Equal(1.0, der.Missed, 9);
        Assert.Equal(0.75, der.FalseAlarm, 9);
        Assert.Equal(0.75, der.Confusion, 9);
        Assert.Equal(2.5 / 19.0, der.Der, 9);
        Assert.StartsWith("DER 13.16% (missed speech 5.26%, false alarm 3.95%, speaker confusion 3.95%)", der.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Overlapping_reference_speakers_count_twice()
    {
        // A 0-4 and B 2-6 (8 s of speaker time); one hypothesis speaker 0-6 maps to one of them. Either way: 2-4 misses
        // one speaker (2 s) and the 2 s the other speaks alone are confused.
        var der = DerScorer.Score([new(0, 4, "A"), new(2, 4, "B")], [new(0, 6, "x")], collar: 0);

        Assert.Equal(8.0, der.Speech, 9);
        Assert.Equal(2.0, der.Missed, 9);
        Assert.Equal(0.0, der.FalseAlarm, 9);
        Assert.Equal(2.0, der.Confusion, 9);
        Assert.Equal(0.5, der.Der, 9);
    }

    [Fact]
    public void Speaker_names_do_not_matter_only_the_mapping()
    {
        var renamed = Hypothesis.Select(t => t with { Speaker = t.Speaker.ToUpperInvariant() + "99" }).ToArray();

        Assert.Equal(DerScorer.Score(Reference, Hypothesis).Der, DerScorer.Score(Reference, renamed).Der, 12);
        Assert.Equal(0.0, DerScorer.Score(Reference, [new(0, 10, "p"), new(10, 10, "q")]).Der, 12);
    }

    [Fact]
    public void The_mapping_is_the_best_one_to_one_not_the_greedy_one()
    {
        // Greedy takes (0,0) = 10 and is left with (1,1) = 1; the best pairing is (0,1) + (1,0) = 18.
        Assert.Equal([1, 0], Hungarian.MaximumAssignment(new double[,] { { 10, 9 }, { 9, 1 } }));

        // More rows than columns: one row is left out. (2,0) + (1,1) = 13 beats every other pairing.
        Assert.Equal([-1, 1, 0], Hungarian.MaximumAssignment(new double[,] { { 1, 5 }, { 4, 6 }, { 7, 2 } }));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("reference", Assert.Throws<ArgumentNullException>(() => DerScorer.Score(null!, Hypothesis)).ParamName);
        Assert.Equal("collar", Assert.Throws<ArgumentOutOfRangeException>(() => DerScorer.Score(Reference, Hypothesis, -1)).ParamName);
    }
}
