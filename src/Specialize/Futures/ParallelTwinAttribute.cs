using System;
using System.ComponentModel;

namespace Specialize.Futures;

/// <summary>
/// Marks a generated parallel twin and names the method it is the twin of. A compilation that
/// references the assembly and Specialize routes its own calls of that method to the twin, so that a
/// library's futures also run for the programs and test projects that use it.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class ParallelTwinAttribute : Attribute
{
    /// <summary>Marks a twin.</summary>
    /// <param name="original">The documentation comment id of the original method ("M:Namespace.Type.Method(System.Int32[])").</param>
    public ParallelTwinAttribute(string original)
    {
        ArgumentException.ThrowIfNullOrEmpty(original);
        Original = original;
    }

    /// <summary>The documentation comment id of the original method.</summary>
    public string Original { get; }
}
