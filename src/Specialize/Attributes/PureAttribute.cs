using System;

namespace Specialize;

/// <summary>
/// Claims that a method is pure: it writes no state it did not allocate itself, calls only pure
/// methods, does no I/O and is deterministic. The claim is checked by the Specialize analyzers
/// (diagnostics <c>SPEC001</c>–<c>SPEC003</c>); a method that fails the check is never parallelized.
/// </summary>
/// <remarks>
/// <para>
/// Calls to a verified-pure method whose result is not needed at once are started as futures in a
/// generated parallel twin of the calling method, and forced at the first use of their value.
/// The runtime only spawns a future where the predicted work is well above the cost of spawning it.
/// </para>
/// <para>
/// <see cref="System.Diagnostics.Contracts.PureAttribute"/> is conditional on <c>CONTRACTS_FULL</c>
/// and vanishes from compiled assemblies, so Specialize has its own marker.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// public static partial class Kernels
/// {
///     [Pure]
///     public static double[] Scale(double[] x, double alpha, double beta)
///     {
///         var y = new double[x.Length];
///         for (int i = 0; i &lt; x.Length; i++) y[i] = alpha * x[i] + beta;
///         return y;
///     }
/// }
/// </code>
/// </example>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PureAttribute : Attribute
{
}
