namespace Specialize;

/// <summary>Progress of a Bag of Little Bootstraps run, reported after each finished subsample.</summary>
/// <param name="SubsamplesDone">Subsamples whose bootstraps are all finished.</param>
/// <param name="SubsamplesTotal">Subsamples the run will compute at most (<see cref="BlbOptions.Subsamples"/>).</param>
public readonly record struct BlbProgress(int SubsamplesDone, int SubsamplesTotal);
