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

    /// <summary>
    /// The length of the range between two bounds, in either order (a call on
    /// <c>a[lo..hi]</c> is sized by <c>hi - lo</c>, not by the whole array's length), at most
    /// <see cref="long.MaxValue"/>.
    /// </summary>
    /// <param name="bound">One end of the range.</param>
    /// <param name="otherBound">The other end.</param>
    public static long Between(long bound, long otherBound)
    {
        ulong distance = bound <= otherBound ? unchecked((ulong)otherBound - (ulong)bound) : unchecked((ulong)bound - (ulong)otherBound);
        return distance > long.MaxValue ? long.MaxValue : (long)distance;
    }
}
