using System.Reflection;
using ILGPU;
using Specialize.Mixture;
using Specialize.Testing;
using Xunit;

namespace Specialize.Tests.Mixture.Ilgpu;

/// <summary>
/// Every GPU kernel compiled offline to PTX for SM_90 (an H100 or H200) in float and double, with no GPU present.
/// The CPU accelerator runs kernels through System.Math and hides what the PTX backend cannot compile (a math
/// function without an intrinsic, an unsupported type); this compile does not. One kernel's PTX is a snapshot.
/// </summary>
public sealed class PtxCompileTests
{
    public static TheoryData<string, string> Kernels()
    {
        var data = new TheoryData<string, string>();
        foreach (var (name, _, _) in KernelMethods())
        {
            data.Add(name, "float32");
            data.Add(name, "float64");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Kernels))]
    public void Kernel_compiles_to_ptx_for_sm_90(string kernel, string element)
    {
        var (_, method, grouped) = KernelMethods().Single(k => k.Name == kernel);
        string ptx = CompilePtx(Instantiate(method, element), grouped);
        Assert.Contains(".entry", ptx, StringComparison.Ordinal);
        Assert.Contains(".target sm_", ptx, StringComparison.Ordinal);
        if (kernel.Contains("Cook.V1", StringComparison.Ordinal) || kernel.Contains("TiledShared", StringComparison.Ordinal))
        {
            Assert.Contains("bar.sync", ptx, StringComparison.Ordinal); // the group barriers survived
        }
    }

    /// <summary>The float32 Mahalanobis kernel's PTX, numeric suffixes of generated names normalized; a reviewed diff when it changes.</summary>
    [Fact]
    public void Mahalanobis_float32_ptx_matches_the_snapshot()
    {
        var method = typeof(IlgpuEStepKernels).GetMethod(nameof(IlgpuEStepKernels.Mahalanobis), BindingFlags.Static | BindingFlags.NonPublic)!;
        string ptx = Normalize(CompilePtx(method.MakeGenericMethod(typeof(float)), explicitlyGrouped: false));
        Snapshot.VerifyFile(ptx, Path.Combine(SnapshotFolder(), "Mahalanobis.float32.sm_90.verified.ptx"));
    }

    private static string CompilePtx(MethodInfo method, bool explicitlyGrouped) => Ptx.Compile(method, explicitlyGrouped);

    private static string Normalize(string ptx) => Ptx.Normalize(ptx);

    /// <summary>The kernels, by name, with whether they are explicitly grouped (use Group and Grid indices).</summary>
    internal static IEnumerable<(string Name, MethodInfo Method, bool Grouped)> KernelMethods()
    {
        foreach (var (type, grouped) in new[] { (typeof(IlgpuEStepKernels), false), (typeof(IlgpuCovarianceCook), true), (typeof(IlgpuCovarianceTiled), true) })
        {
            foreach (var method in type.GetMethods(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (method.ReturnType != typeof(void) || method.GetParameters().Length == 0 || !method.GetParameters().Any(p => p.ParameterType.Name.StartsWith("ArrayView", StringComparison.Ordinal)))
                {
                    continue;
                }

                bool implicitIndex = method.GetParameters()[0].ParameterType == typeof(Index1D);
                yield return (type.Name + "." + method.Name, method, grouped && !implicitIndex);
            }
        }
    }

    private static MethodInfo Instantiate(MethodInfo method, string element)
    {
        if (!method.IsGenericMethodDefinition)
        {
            return method;
        }

        var (t, real) = element == "float32" ? (typeof(float), typeof(DeviceFloat32)) : (typeof(double), typeof(DeviceFloat64));
        return method.GetGenericArguments().Length == 1 ? method.MakeGenericMethod(t) : method.MakeGenericMethod(t, real);
    }

    private static string SnapshotFolder([System.Runtime.CompilerServices.CallerFilePath] string file = "") =>
        Path.Combine(Path.GetDirectoryName(file)!, "Snapshots");
}
