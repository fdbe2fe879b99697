using Specialize.Blb;
using Specialize.Devices;
using Specialize.Sampling;
using Specialize.Tests.Mixture.Ilgpu;
using Xunit;

namespace Specialize.Tests.Blb.Device;

/// <summary>
/// The bootstraps' multinomial weights drawn on the device are the processor's, bit for bit: the same counter-based
/// stream per (subsample, bootstrap), the same Poisson counts from the run's table, a Poisson pass drawn again when its
/// total exceeds n, and the units left over from the stream's next outputs, a rejected output replaced by the next one.
/// On ILGPU's CPU accelerator, which runs the same kernels the GPU compiles.
/// </summary>
[Collection(IlgpuCollection.Name)]
public sealed class DeviceWeightsTests
{
    /// <summary>
    /// n = 4,000,000 rows in subsamples of b = 3965: about 6,000 uniform units per bootstrap, each rejected with
    /// probability 3961 / 2^32 (b is the size in [1500, 4000] with the largest rejection threshold), and a Poisson total
    /// above n once in about 740 bootstraps. Over 2,000 bootstraps of this seed both happen, so every path of the draw
    /// is compared.
    /// </summary>
    [Fact]
    public void Weights_drawn_on_the_device_equal_the_processors_bit_for_bit_including_redraws_and_rejected_units()
    {
        const int n = 4_000_000, b = 3965, r = 100, s = 20;
        const ulong seed = 7;
        var multinomial = new UniformMultinomial(n, b);
        Assert.True(multinomial.UsesPoissonTable);
        using var session = new BlbDeviceSession(DeviceRuntime.IlgpuCpu, new BoundDeviceForm<double[]>(DeviceMean.Form, new double[n]), n, b, s, r, 1, sizeof(double), seed, multinomial, subsamplesPerLaunch: s);

        session.DrawWeights(new BlbWeightsFrame(seed, n, b, r, firstSubsample: 3, multinomial.GuideShift, multinomial.First), s * r);
        int[] device = session.DownloadWeights(s * r);

        Assert.True(session.PoissonRedraws > 0, "no Poisson total exceeded n: the redraw was not compared");
        Assert.True(session.UnitRetries > 0, "no uniform unit was rejected: the retry was not compared");
        var counts = new int[b];
        for (int slot = 0; slot < s * r; slot++)
        {
            var random = new CounterRandom(seed, CounterRandom.StreamId(3 + (slot / r), slot % r));
            multinomial.Sample(ref random, counts);
            Assert.True(counts.AsSpan().SequenceEqual(device.AsSpan(slot * b, b)), $"slot {slot} (subsample {3 + (slot / r)}, bootstrap {slot % r}) differs");
        }
    }

    [Fact]
    public void A_ranks_share_of_every_third_subsample_draws_each_subsamples_own_weights()
    {
        // A rank of three in a cluster run has subsamples 1, 4, 7: one launch, slots from their own streams.
        const int n = 50_000, b = 1000, r = 10, s = 3, stride = 3;
        const ulong seed = 4;
        var multinomial = new UniformMultinomial(n, b);
        using var session = new BlbDeviceSession(DeviceRuntime.IlgpuCpu, new BoundDeviceForm<double[]>(DeviceMean.Form, new double[n]), n, b, s, r, 1, sizeof(double), seed, multinomial, subsamplesPerLaunch: s);

        session.DrawWeights(new BlbWeightsFrame(seed, n, b, r, firstSubsample: 1, multinomial.GuideShift, multinomial.First, subsampleStride: stride), s * r);
        int[] device = session.DownloadWeights(s * r);

        var counts = new int[b];
        for (int slot = 0; slot < s * r; slot++)
        {
            int subsample = 1 + ((slot / r) * stride);
            var random = new CounterRandom(seed, CounterRandom.StreamId(subsample, slot % r));
            multinomial.Sample(ref random, counts);
            Assert.True(counts.AsSpan().SequenceEqual(device.AsSpan(slot * b, b)), $"slot {slot} (subsample {subsample}, bootstrap {slot % r}) differs");
        }
    }
}
