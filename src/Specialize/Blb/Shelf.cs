using System;
using System.Threading;

namespace Specialize.Blb;

/// <summary>
/// A few objects kept between runs for reuse (scratch memory a run would otherwise allocate again), taken and
/// put back without locks. A full shelf drops what is put back; an empty one gives nothing.
/// </summary>
/// <typeparam name="T">What is kept.</typeparam>
internal sealed class Shelf<T>(int slots)
    where T : class
{
    private readonly T?[] _slots = new T?[Math.Max(1, slots)];

    /// <summary>Takes a kept object that <paramref name="fits"/>; those that do not fit are dropped on the way.</summary>
    public T? Take<TArgument>(TArgument argument, Func<T, TArgument, bool> fits)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is not null && Interlocked.Exchange(ref _slots[i], null) is { } kept && fits(kept, argument))
            {
                return kept;
            }
        }
        return null;
    }

    /// <summary>Keeps <paramref name="item"/> where a slot is free.</summary>
    public void Put(T item)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _slots[i], item, null) is null)
            {
                return;
            }
        }
    }
}
