using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

public sealed class InitializationTests
{
    public static TheoryData<GmmInit> Inits() => new() { GmmInit.KMeans, GmmInit.KMeansPlusPlus, GmmInit.Random, GmmInit.RandomFromData };

    private static GaussianMixtureOptions Options(GmmInit init, int seed) => new()
    {
        Components = 4,
        CovarianceType = CovarianceType.Full,
        Init = init,
        Seed = seed,
        TuningStore = TestStores.Scratch,
    };

    [Theory]
    [MemberData(nameof(Inits))]
    public void Same_seed_gives_the_same_model(GmmInit init)
    {
        var x = GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2").X;
        var a = new GaussianMixture(Options(init, 7)).Fit(x);
        var b = new GaussianMixture(Options(init, 7)).Fit(x);
        Assert.Equal(a.LowerBound, b.LowerBound);
        Assert.Equal(a.Iterations, b.Iterations);
        Assert.Equal(a.Means, b.Means);
    }

    [Fact]
    public void KMeans_init_finds_the_optimum_scikit_learn_found_from_its_start()
    {
        // The blobs are well separated: from k-means labels EM reaches the same maximum as the fixture.
        var f = GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2");
        var gmm = new GaussianMixture(Options(GmmInit.KMeans, 0)).Fit(f.X);
        double expected = f.Expected.GetProperty("lower_bound").GetDouble();
        Assert.True(Math.Abs(gmm.LowerBound - expected) < 1e-3 * Math.Abs(expected), $"{gmm.LowerBound} vs {expected}");
        Assert.True(gmm.Converged);
    }

    [Fact]
    public void More_initializations_never_lower_the_bound()
    {
        var x = GmmFixture.Load("iris-full-m3-s1").X;
        var one = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Init = GmmInit.Random, Seed = 5, TuningStore = TestStores.Scratch }).Fit(x);
        var five = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Init = GmmInit.Random, Seed = 5, Initializations = 5, TuningStore = TestStores.Scratch }).Fit(x);
        Assert.True(five.LowerBound >= one.LowerBound);
    }

    [Fact]
    public void Warm_start_continues_from_the_previous_fit()
    {
        var f = GmmFixture.Load("iris-full-m3-s1");
        var baseOptions = f.Options();
        var options = new GaussianMixtureOptions
        {
            Components = baseOptions.Components,
            WeightsInit = baseOptions.WeightsInit,
            MeansInit = baseOptions.MeansInit,
            PrecisionsInit = baseOptions.PrecisionsInit,
            MaxIterations = 3,
            WarmStart = true,
            TuningStore = TestStores.Scratch,
        };
        var gmm = new GaussianMixture(options).Fit(f.X);
        double first = gmm.LowerBound;
        gmm.Fit(f.X);
        Assert.True(gmm.LowerBound >= first);
    }

    [Fact]
    public void Samples_are_grouped_by_component_and_follow_the_weights()
    {
        var f = GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2");
        var gmm = new GaussianMixture(f.Options()).Fit(f.X);
        var (x, labels) = gmm.Sample(4000, seed: 1);
        Assert.Equal(4000, x.GetLength(0));
        Assert.Equal(5, x.GetLength(1));
        for (int i = 1; i < labels.Length; i++)
        {
            Assert.True(labels[i] >= labels[i - 1]);
        }

        var weights = gmm.Weights;
        for (int k = 0; k < weights.Length; k++)
        {
            double share = labels.Count(l => l == k) / 4000.0;
            Assert.True(Math.Abs(share - weights[k]) < 0.05, $"component {k}: {share} vs {weights[k]}");
        }

        // Rows drawn from a component are mostly predicted as that component.
        var predicted = gmm.Predict(x);
        int agree = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            agree += predicted[i] == labels[i] ? 1 : 0;
        }

        Assert.True(agree > 0.9 * labels.Length);
    }
}
