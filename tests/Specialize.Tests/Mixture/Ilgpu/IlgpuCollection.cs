using Xunit;

namespace Specialize.Tests.Mixture.Ilgpu;

/// <summary>
/// The tests that run GPU kernels on ILGPU's CPU accelerator run one at a time: the accelerator and the data
/// resident on it are shared by the process, and its simulated groups are slow enough without competing.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IlgpuCollection
{
    public const string Name = "ilgpu";
}
