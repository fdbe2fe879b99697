using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

/// <summary>
/// float32 EM (float rows, or <see cref="ComputePrecision.Single"/>) against float64 EM from the same initial
/// parameters: the bound docs/gmm.md states. Same iterations and labels, the lower bound within 1e-6 relative,
/// weights, means and covariances within 1e-4 of each array's largest entry.
/// </summary>
public sealed class SinglePrecisionComputeTests
{
    public static TheoryData<string> Fixtures() => GmmFixture.All();

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Float32_em_stays_within_the_stated_bound_of_float64_em(string name)
    {
        var f = GmmFixture.Load(name);
        var x = f.X;
        var xf = new float[x.GetLength(0), x.GetLength(1)];
        for (int i = 0; i < x.GetLength(0); i++)
        {
            for (int j = 0; j < x.GetLength(1); j++)
            {
                xf[i, j] = (float)x[i, j];
            }
        }

        // The same float values both ways: only the precision of the computation differs.
        var single = new GaussianMixture(f.Options(device: "cpu")).Fit(xf);
        var reference = new GaussianMixture(Precision(f.Options(device: "cpu"), ComputePrecision.Double)).Fit(xf);
        Assert.Equal("float64", reference.ComputeType);
        if (f.Type is CovarianceType.Full or CovarianceType.Tied)
        {
            Assert.Equal("float32", single.ComputeType);
            Assert.EndsWith("-F32", single.KernelVariants[GmmKernels.MahalanobisKernelName], StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("float64", single.ComputeType); // on the processor these stay in double
        }

        Assert.Equal(reference.Iterations, single.Iterations);
        Assert.Equal(reference.Predict(x), single.Predict(x));
        ScikitLearnFixtureTests.AssertClose(reference.LowerBound, single.LowerBound, 1e-6);
        ScikitLearnFixtureTests.AssertAll(reference.Weights, single.Weights, 1e-4);
        ScikitLearnFixtureTests.AssertAll(ScikitLearnFixtureTests.Flatten(reference.Means), ScikitLearnFixtureTests.Flatten(single.Means), 1e-4);
        ScikitLearnFixtureTests.AssertAll(ScikitLearnFixtureTests.Flatten(reference.Covariances), ScikitLearnFixtureTests.Flatten(single.Covariances), 1e-4);
    }

    [Fact]
    public void Double_rows_run_in_float32_when_asked()
    {
        var f = GmmFixture.Load("blobs-2000-5-4-7-full-m4-s2");
        var single = new GaussianMixture(Precision(f.Options(device: "cpu"), ComputePrecision.Single)).Fit(f.X);
        var reference = new GaussianMixture(f.Options(device: "cpu")).Fit(f.X);
        Assert.Equal("float32", single.ComputeType);
        Assert.Equal("float64", reference.ComputeType);
        Assert.Equal(reference.Iterations, single.Iterations);
        ScikitLearnFixtureTests.AssertClose(reference.LowerBound, single.LowerBound, 1e-6);
        Assert.NotEqual(reference.LowerBound, single.LowerBound); // it did compute in float
    }

    [Fact]
    public void An_undefined_precision_is_rejected_naming_it()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianMixtureOptions { Precision = (ComputePrecision)7 });
        Assert.Equal(nameof(GaussianMixtureOptions.Precision), e.ParamName);
    }

    internal static GaussianMixtureOptions Precision(GaussianMixtureOptions o, ComputePrecision precision) => new()
    {
        Components = o.Components,
        CovarianceType = o.CovarianceType,
        Tolerance = o.Tolerance,
        Regularization = o.Regularization,
        MaxIterations = o.MaxIterations,
        WeightsInit = o.WeightsInit,
        MeansInit = o.MeansInit,
        PrecisionsInit = o.PrecisionsInit,
        Variant = o.Variant,
        Device = o.Device,
        TuningStore = o.TuningStore,
        Precision = precision,
    };
}
