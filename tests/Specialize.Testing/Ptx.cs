using System.Reflection;
using System.Text.RegularExpressions;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace Specialize.Testing;

/// <summary>
/// Offline PTX compiles of GPU kernels for SM_90 (H100, H200), with no GPU present: what the CUDA driver would be
/// handed. The CPU accelerator runs kernels through System.Math and hides what the PTX backend cannot compile; this
/// does not.
/// </summary>
public static partial class Ptx
{
    /// <summary>PTX text for <paramref name="method"/> (a static kernel, generic arguments given), compiled in a fresh context with the algorithms library, as the runtime's.</summary>
    /// <param name="method">The kernel.</param>
    /// <param name="explicitlyGrouped">Whether it uses Group and Grid indices (launched with a kernel configuration) rather than an index parameter.</param>
    public static string Compile(MethodInfo method, bool explicitlyGrouped)
    {
        // A fresh context per compile: after one kernel fails, later compiles in the same context can fail too.
        using var context = Context.Create(static builder => builder.EnableAlgorithms());
        using var backend = new PTXBackend(context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, null);
        var entry = explicitlyGrouped
            ? EntryPointDescription.FromExplicitlyGroupedKernel(method)
            : EntryPointDescription.FromImplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    /// <summary>Whether <paramref name="method"/> is an implicitly grouped kernel (its first parameter is the index).</summary>
    public static bool IsImplicitlyGrouped(MethodInfo method) =>
        method.GetParameters() is { Length: > 0 } parameters && parameters[0].ParameterType == typeof(Index1D);

    /// <summary>PTX with the numeric suffixes of generated names (<c>_X_495</c>), which vary with compilation order, made <c>_N</c>.</summary>
    public static string Normalize(string ptx) => NumericSuffix().Replace(ptx.Replace("\r\n", "\n", StringComparison.Ordinal), "_N");

    [GeneratedRegex(@"(?<!sm)_\d+")]
    private static partial Regex NumericSuffix();
}
