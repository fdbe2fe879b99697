using Specialize.Mixture;
using Specialize.Tests.Mixture;
using Specialize.Variants;
using Xunit;

namespace Specialize.Tests.Variants;

[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection
{
}

/// <summary>Tests that set process environment variables run alone.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class VariantForcingTests
{
    [Fact]
    public void Environment_variable_forces_a_variant()
    {
        var f = GmmFixture.Load("iris-full-m3-s1");
        Environment.SetEnvironmentVariable(VariantSelector.ForceVariable, "V4-B128");
        try
        {
            var gmm = new GaussianMixture(f.Options(device: "cpu")).Fit(f.X);
            Assert.Equal("V4-B128", gmm.KernelVariants[GmmKernels.CovarianceKernelName]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(VariantSelector.ForceVariable, null);
        }
    }

    [Fact]
    public void Unknown_name_in_the_environment_variable_throws_naming_it()
    {
        var f = GmmFixture.Load("iris-full-m3-s1");
        Environment.SetEnvironmentVariable(VariantSelector.ForceVariable, "fastest-please");
        try
        {
            var ex = Assert.Throws<ArgumentException>(() => new GaussianMixture(f.Options()).Fit(f.X));
            Assert.Equal(VariantSelector.ForceVariable, ex.ParamName);
            Assert.Contains("V1", ex.Message);
        }
        finally
        {
            Environment.SetEnvironmentVariable(VariantSelector.ForceVariable, null);
        }
    }

    [Fact]
    public void Option_takes_precedence_over_the_environment_variable()
    {
        var f = GmmFixture.Load("iris-full-m3-s1");
        Environment.SetEnvironmentVariable(VariantSelector.ForceVariable, "V1");
        try
        {
            var gmm = new GaussianMixture(f.Options("V3", "cpu")).Fit(f.X);
            Assert.Equal("V3", gmm.KernelVariants[GmmKernels.CovarianceKernelName]);
        }
        finally
        {
            Environment.SetEnvironmentVariable(VariantSelector.ForceVariable, null);
        }
    }

    [Fact]
    public void A_registered_variant_for_one_dimension_is_a_candidate_only_there_and_can_be_forced()
    {
        int calls = 0;
        GmmKernels.Covariance.TryGet("V3", out var v3);
        GmmKernels.Covariance.Register("Test-D4", input => { calls++; v3(input); }, key => key.Dimension == 4);
        try
        {
            var key4 = new VariantKey("cpu", GmmKernels.CovarianceKernelName, "float64", 4, 3, 256);
            var key5 = key4 with { Dimension = 5 };
            Assert.Contains(GmmKernels.Covariance.GetCandidates(key4), c => c.Key == "Test-D4");
            Assert.DoesNotContain(GmmKernels.Covariance.GetCandidates(key5), c => c.Key == "Test-D4");

            var f = GmmFixture.Load("iris-full-m3-s1");
            var gmm = new GaussianMixture(f.Options("Test-D4", "cpu")).Fit(f.X);
            Assert.Equal("Test-D4", gmm.KernelVariants[GmmKernels.CovarianceKernelName]);
            Assert.Equal(gmm.Iterations, calls);
            Assert.Equal(f.Expected.GetProperty("n_iter").GetInt32(), gmm.Iterations);
        }
        finally
        {
            GmmKernels.Covariance.Register("Test-D4", v3, static _ => false);
        }
    }

    [Fact]
    public void Models_fitted_on_one_converted_data_set_match_models_fitted_on_the_matrix()
    {
        var f = GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2");
        var data = GmmData.FromMatrix(f.X);
        for (int m = 1; m <= 4; m++)
        {
            var options = new GaussianMixtureOptions { Components = m, Seed = 3, Device = "cpu", TuningStore = TestStores.Scratch };
            var fromData = new GaussianMixture(options).Fit(data);
            var fromMatrix = new GaussianMixture(options).Fit(f.X);
            Assert.Equal(fromMatrix.LowerBound, fromData.LowerBound);
            Assert.Equal(fromMatrix.Iterations, fromData.Iterations);
        }
    }
}
