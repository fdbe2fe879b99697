using System;
using System.Threading;

namespace Specialize.Blb;

/// <summary>
/// A few objects kept between runs for reuse (scratch memory a run would otherwise allocate again), taken and
/// put back without locks. When every slot is taken, what is put back replaces one of the kept objects, so
/// that objects of a size no longer asked for give way.
/// </summary>
/// <typeparam name="T">What is kept.</typeparam>
internal sealed class Shelf<T>(int slots)
    where T : class
{
    private readonly T?[] _slots = new T?[Math.Max(1, slots)];
    private int _evict;

    /// <summary>Takes a kept object that <paramref name="fits"/>; the others stay.</summary>
    public T? Take<TArgument>(TArgument argument, Func<T, TArgument, bool> fits)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is { } kept && fits(kept, argument) && Interlocked.CompareExchange(ref _slots[i], null, kept) == kept)
            {
                return kept;
            }
        }
        return null;
    }

    /// <summary>Keeps <paramref name="item"/> in a free slot, or in place of a kept object when none is free.</summary>
    public void Put(T item)
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Interlocked.CompareExchange(ref _slots[i], item, null) is null)
            {
                return;
            }
        }
        int slot = (int)((uint)Interlocked.Increment(ref _evict) % (uint)_slots.Length);
        Volatile.Write(ref _slots[slot], item);
    }
}
