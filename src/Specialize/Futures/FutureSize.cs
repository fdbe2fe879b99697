using System;
using System.Collections.Generic;

namespace Specialize.Futures;

/// <summary>
/// Size features that generated twins pass to the cost model. Each is the obvious measure of the
/// argument and is 0 for <see langword="null"/>: measuring never throws, so it cannot move an
/// exception ahead of the call that the sequential program would have made first.
/// </summary>
public static class FutureSize
{
    /// <summary>The number of elements of an array (all dimensions).</summary>
    public static long Of(Array? array) => array?.LongLength ?? 0;

    /// <summary>The length of a string.</summary>
    public static long Of(string? text) => text?.Length ?? 0;

    /// <summary>The number of elements of a read-only collection.</summary>
    public static long OfCollection<T>(IReadOnlyCollection<T>? collection) => collection?.Count ?? 0;

    /// <summary>The number of elements of a collection.</summary>
    public static long OfCollection<T>(ICollection<T>? collection) => collection?.Count ?? 0;
}
