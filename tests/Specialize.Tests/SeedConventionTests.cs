using System.Reflection;
using System.Runtime.CompilerServices;
using Specialize.Mixture;
using Specialize.Tests.Blb;
using Specialize.Tests.Mixture;
using Xunit;
using static Specialize.Tests.Blb.WeightedEstimators;

namespace Specialize.Tests;

/// <summary>
/// One convention for seeds and settings in every options type: an <see langword="int"/>? <c>Seed</c> (so a loop counter is
/// a seed), and init-only properties; an <see langword="int"/> seed draws what the same seed drew when it was a
/// <see langword="ulong"/>.
/// </summary>
public sealed class SeedConventionTests
{
    private static readonly double[] s_data = TestData.Normal(2_000, 1, 2, 99);

    private static BlbResult RunMean(BlbOptions options) =>
        BlbRuntime.Run(s_data.Length, sizeof(double), s_data, static (sample, data) => MeanWeighted(sample, data), null, null, options, null, CancellationToken.None);

    public static TheoryData<Type> OptionsTypes() => new() { typeof(BlbOptions), typeof(GaussianMixtureOptions) };

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void Seed_is_a_nullable_int(Type options)
    {
        Assert.Equal(typeof(int?), options.GetProperty("Seed")!.PropertyType);
    }

    [Theory]
    [MemberData(nameof(OptionsTypes))]
    public void Every_public_setter_is_init_only(Type options)
    {
        foreach (PropertyInfo property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            MethodInfo? setter = property.SetMethod;
            Assert.True(setter is not null, $"{options.Name}.{property.Name} has no init accessor");
            Assert.True(
                setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(IsExternalInit)),
                $"{options.Name}.{property.Name} is settable, not init-only");
        }
    }

    [Fact]
    public void An_int_loop_counter_seeds_both_options_types()
    {
        var x = new double[60, 1];
        for (int i = 0; i < 60; i++)
        {
            x[i, 0] = (i % 3) * 4 + (i % 11) * 0.3;
        }

        var standardErrors = new List<double>();
        var means = new List<double>();
        for (int k = 0; k < 3; k++)
        {
            standardErrors.Add(RunMean(new BlbOptions { Seed = k, Subsamples = 3, Bootstraps = 20 }).StandardError);
            var gmm = new GaussianMixture(new GaussianMixtureOptions { Components = 3, Seed = k, Init = GmmInit.Random, MaxIterations = 1, TuningStore = TestStores.Scratch }).Fit(x);
            means.Add(gmm.Means[0, 0]);
        }

        Assert.Equal(3, standardErrors.Distinct().Count());
        Assert.Equal(3, means.Distinct().Count());
        Assert.Equal(standardErrors[1], RunMean(new BlbOptions { Seed = 1, Subsamples = 3, Bootstraps = 20 }).StandardError);
    }

    // Values of this run before the seed became an int: (ulong seed, bits of the standard error, lower bound).
    [Theory]
    [InlineData(5, 0x3FAA5ECF959B4C84L, 0.8839129144550105)]
    [InlineData(0, 0x3FA5452F4511FBCFL, 0.8964818542654789)]
    [InlineData(-1, 0x3FA9107DB2D98A58L, 0.9005902923471487)] // was ulong.MaxValue: a negative seed k is the former 2^64 + k
    [InlineData(null, 0x3FA7214C9C211830L, 0.9169966080158382)] // was the default, 0x5EEDB1B020140001
    public void An_int_seed_draws_what_the_same_ulong_seed_drew(int? seed, long standardErrorBits, double lower)
    {
        BlbResult result = RunMean(new BlbOptions { Subsamples = 3, Bootstraps = 20, Seed = seed, MaxDegreeOfParallelism = 1 });
        Assert.Equal(standardErrorBits, BitConverter.DoubleToInt64Bits(result.StandardError));
        Assert.Equal(lower, result.Lower);
    }
}
