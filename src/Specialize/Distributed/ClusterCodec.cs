using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Specialize.Distributed;

/// <summary>
/// How values travel between ranks. As bytes: unmanaged types (primitives, enums and structs with no
/// references), written as their bytes; <see cref="string"/> (UTF-8 with its length); one-dimensional arrays of
/// such types (their length, then the elements: one block of bytes for unmanaged elements); and
/// multi-dimensional arrays of unmanaged types (their lengths, then their bytes). <see langword="null"/>
/// strings and arrays travel as <see langword="null"/>. Every rank runs the same program on the same
/// architecture, so bytes mean the same on both sides. Any other type (classes and records, structs holding
/// strings, lists, dictionaries) travels as UTF-8 JSON written by <c>System.Text.Json</c> with its public
/// properties and fields, doubles written exactly and NaN and infinities by name; it must read back to an equal
/// value (a constructor <c>System.Text.Json</c> can call, settable or constructor-bound members). Types that
/// cannot be read back at all (<see cref="object"/>, interfaces, abstract classes, delegates, pointers,
/// multi-dimensional arrays of other than unmanaged types) are refused.
/// </summary>
/// <typeparam name="T">The type.</typeparam>
internal abstract class ClusterCodec<T>
{
    private static ClusterCodec<T>? s_instance;

    /// <summary>The codec of <typeparamref name="T"/>.</summary>
    /// <exception cref="NotSupportedException"><typeparamref name="T"/> is not a supported type.</exception>
    public static ClusterCodec<T> Instance => s_instance ??= (ClusterCodec<T>)ClusterCodecs.Create(typeof(T));

    public abstract void Write(ByteWriter writer, T value);

    public abstract T Read(ref ByteReader reader);
}

/// <summary>Creates codecs by the shape of a type; see <see cref="ClusterCodec{T}"/>.</summary>
internal static class ClusterCodecs
{
    public const string Supported =
        "unmanaged types (primitives, enums, and structs without reference fields), string, and arrays of them travel as bytes; " +
        "other concrete types (classes, records, lists) as JSON";

    /// <summary>Whether values of <paramref name="type"/> travel as bytes (not as JSON).</summary>
    public static bool IsBinary(Type type)
    {
        if (type == typeof(string) || IsUnmanaged(type))
        {
            return true;
        }

        if (type.IsArray && type.GetElementType() is Type element)
        {
            return type.IsSZArray ? IsBinary(element) : IsUnmanaged(element);
        }

        return false;
    }

    /// <summary>Whether values of <paramref name="type"/> can travel between ranks at all (as bytes, or as JSON).</summary>
    public static bool IsSupported(Type type) => IsBinary(type) || JsonReason(type) is null;

    public static object Create(Type type)
    {
        if (!IsBinary(type))
        {
            if (JsonReason(type) is string reason)
            {
                throw new NotSupportedException(
                    $"Values of type {type.FullName} cannot be sent between ranks: {reason}. Unmanaged types (primitives, enums, and structs without " +
                    "reference fields), string and arrays of them travel as bytes; other concrete types (classes, records, lists) as JSON.");
            }

            return Activator.CreateInstance(typeof(JsonCodec<>).MakeGenericType(type))!;
        }

        Type definition = type == typeof(string) ? typeof(StringCodec)
            : IsUnmanaged(type) ? typeof(UnmanagedCodec<>).MakeGenericType(type)
            : type.IsSZArray && IsUnmanaged(type.GetElementType()!) ? typeof(UnmanagedArrayCodec<>).MakeGenericType(type.GetElementType()!)
            : type.IsSZArray ? typeof(ArrayCodec<>).MakeGenericType(type.GetElementType()!)
            : typeof(MultiDimensionalCodec<,>).MakeGenericType(type, type.GetElementType()!);
        return Activator.CreateInstance(definition)!;
    }

    /// <summary>Why values of <paramref name="type"/> could not be read back from JSON, or <see langword="null"/> when they can.</summary>
    private static string? JsonReason(Type type) =>
        type == typeof(object) ? "an object's type is not known where it is read back"
        : type.IsInterface || type.IsAbstract ? "an interface or abstract type cannot be created where it is read back"
        : typeof(Delegate).IsAssignableFrom(type) ? "a delegate is code, not data"
        : type.IsPointer || type.IsByRefLike || type.ContainsGenericParameters ? "it is not a data type"
        : type.IsArray && !type.IsSZArray ? "a multi-dimensional array of other than an unmanaged type cannot be written as JSON"
        : type.IsArray ? JsonReason(type.GetElementType()!)
        : null;

    /// <summary>Serializes one value.</summary>
    public static byte[] ToBytes<T>(T value)
    {
        var writer = new ByteWriter();
        ClusterCodec<T>.Instance.Write(writer, value);
        return writer.ToArray();
    }

    /// <summary>Deserializes one value written by <see cref="ToBytes{T}"/>.</summary>
    public static T FromBytes<T>(ReadOnlySpan<byte> bytes)
    {
        var reader = new ByteReader(bytes);
        T value = ClusterCodec<T>.Instance.Read(ref reader);
        reader.EnsureEnd();
        return value;
    }

    /// <summary>A 64-bit hash of <paramref name="bytes"/> (four multiply-rotate lanes over 8-byte words), to tell whether two ranks hold the same data.</summary>
    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        const ulong P1 = 11400714785074694791UL, P2 = 14029467366897019727UL, P3 = 1609587929392839161UL;
        ulong a = unchecked(P1 + P2), b = P2, c = 0, d = unchecked(0 - P1);
        ReadOnlySpan<ulong> words = MemoryMarshal.Cast<byte, ulong>(bytes);
        int i = 0;
        for (; i + 4 <= words.Length; i += 4)
        {
            a = BitOperations.RotateLeft(a + (words[i] * P2), 31) * P1;
            b = BitOperations.RotateLeft(b + (words[i + 1] * P2), 31) * P1;
            c = BitOperations.RotateLeft(c + (words[i + 2] * P2), 31) * P1;
            d = BitOperations.RotateLeft(d + (words[i + 3] * P2), 31) * P1;
        }

        ulong h = BitOperations.RotateLeft(a, 1) + BitOperations.RotateLeft(b, 7) + BitOperations.RotateLeft(c, 12) + BitOperations.RotateLeft(d, 18);
        for (; i < words.Length; i++)
        {
            h = (BitOperations.RotateLeft(h ^ (BitOperations.RotateLeft(words[i] * P2, 31) * P1), 27) * P1) + P3;
        }

        for (int t = words.Length * sizeof(ulong); t < bytes.Length; t++)
        {
            h = BitOperations.RotateLeft(h ^ (bytes[t] * P3), 11) * P1;
        }

        h ^= (ulong)bytes.Length;
        h ^= h >> 33;
        h *= P2;
        h ^= h >> 29;
        h *= P3;
        return h ^ (h >> 32);
    }

    private static bool IsUnmanaged(Type type) =>
        type.IsValueType && !(bool)typeof(RuntimeHelpers).GetMethod(nameof(RuntimeHelpers.IsReferenceOrContainsReferences))!
            .MakeGenericMethod(type).Invoke(null, null)!;

    private sealed class UnmanagedCodec<T> : ClusterCodec<T>
    {
        public override void Write(ByteWriter writer, T value) => Unsafe.WriteUnaligned(ref writer.Reserve(Unsafe.SizeOf<T>()), value);

        public override T Read(ref ByteReader reader) => Unsafe.ReadUnaligned<T>(ref reader.Take(Unsafe.SizeOf<T>()));
    }

    private sealed class StringCodec : ClusterCodec<string>
    {
        public override void Write(ByteWriter writer, string value)
        {
            if (value is null)
            {
                writer.WriteLength(-1);
                return;
            }

            int count = Encoding.UTF8.GetByteCount(value);
            writer.WriteLength(count);
            Encoding.UTF8.GetBytes(value, MemoryMarshal.CreateSpan(ref writer.Reserve(count), count));
        }

        public override string Read(ref ByteReader reader)
        {
            int count = reader.ReadLength();
            return count < 0 ? null! : Encoding.UTF8.GetString(MemoryMarshal.CreateReadOnlySpan(ref reader.Take(count), count));
        }
    }

    private sealed class UnmanagedArrayCodec<TElement> : ClusterCodec<TElement[]>
    {
        public override void Write(ByteWriter writer, TElement[] value)
        {
            if (value is null)
            {
                writer.WriteLength(-1);
                return;
            }

            writer.WriteLength(value.Length);
            int bytes = checked(value.Length * Unsafe.SizeOf<TElement>());
            Unsafe.CopyBlockUnaligned(ref writer.Reserve(bytes), ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetArrayDataReference(value)), (uint)bytes);
        }

        public override TElement[] Read(ref ByteReader reader)
        {
            int length = reader.ReadLength();
            if (length < 0)
            {
                return null!;
            }

            var value = new TElement[length];
            int bytes = checked(length * Unsafe.SizeOf<TElement>());
            Unsafe.CopyBlockUnaligned(ref Unsafe.As<TElement, byte>(ref MemoryMarshal.GetArrayDataReference(value)), ref reader.Take(bytes), (uint)bytes);
            return value;
        }
    }

    private sealed class ArrayCodec<TElement> : ClusterCodec<TElement[]>
    {
        private readonly ClusterCodec<TElement> element = ClusterCodec<TElement>.Instance;

        public override void Write(ByteWriter writer, TElement[] value)
        {
            writer.WriteLength(value is null ? -1 : value.Length);
            if (value is not null)
            {
                foreach (TElement item in value)
                {
                    element.Write(writer, item);
                }
            }
        }

        public override TElement[] Read(ref ByteReader reader)
        {
            int length = reader.ReadLength();
            if (length < 0)
            {
                return null!;
            }

            var value = new TElement[length];
            for (int i = 0; i < length; i++)
            {
                value[i] = element.Read(ref reader);
            }

            return value;
        }
    }

    private sealed class JsonCodec<T> : ClusterCodec<T>
    {
        private static readonly System.Text.Json.JsonSerializerOptions s_options = new()
        {
            IncludeFields = true,
            NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
        };

        public override void Write(ByteWriter writer, T value)
        {
            if (value is null)
            {
                writer.WriteLength(-1);
                return;
            }

            byte[] json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(value, s_options);
            writer.WriteLength(json.Length);
            writer.Write(json);
        }

        public override T Read(ref ByteReader reader)
        {
            int length = reader.ReadLength();
            if (length < 0)
            {
                return default!;
            }

            try
            {
                return System.Text.Json.JsonSerializer.Deserialize<T>(reader.ReadBytes(length), s_options)!;
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new NotSupportedException($"A value of type {typeof(T).FullName} was sent as JSON but cannot be read back: {e.Message}", e);
            }
        }
    }

    private sealed class MultiDimensionalCodec<TArray, TElement> : ClusterCodec<TArray>
    {
        private readonly int rank = typeof(TArray).GetArrayRank();

        public override void Write(ByteWriter writer, TArray value)
        {
            if (value is not Array array)
            {
                writer.WriteLength(-1);
                return;
            }

            for (int r = 0; r < rank; r++)
            {
                if (array.GetLowerBound(r) != 0)
                {
                    throw new NotSupportedException($"Arrays with a non-zero lower bound cannot be sent between ranks ({typeof(TArray)}, dimension {r}).");
                }

                writer.WriteLength(array.GetLength(r));
            }

            int bytes = checked(array.Length * Unsafe.SizeOf<TElement>());
            Unsafe.CopyBlockUnaligned(ref writer.Reserve(bytes), ref MemoryMarshal.GetArrayDataReference(array), (uint)bytes);
        }

        public override TArray Read(ref ByteReader reader)
        {
            int first = reader.ReadLength();
            if (first < 0)
            {
                return default!;
            }

            var lengths = new int[rank];
            lengths[0] = first;
            for (int r = 1; r < rank; r++)
            {
                lengths[r] = reader.ReadLength();
            }

            var array = Array.CreateInstance(typeof(TElement), lengths);
            int bytes = checked(array.Length * Unsafe.SizeOf<TElement>());
            Unsafe.CopyBlockUnaligned(ref MemoryMarshal.GetArrayDataReference(array), ref reader.Take(bytes), (uint)bytes);
            return (TArray)(object)array;
        }
    }
}

/// <summary>A growable byte buffer that codecs write into.</summary>
internal sealed class ByteWriter
{
    private byte[] buffer;

    public ByteWriter(int capacity = 256) => buffer = new byte[Math.Max(16, capacity)];

    public int Length { get; private set; }

    /// <summary>Makes room for <paramref name="count"/> bytes at the end and returns a reference to the first.</summary>
    public ref byte Reserve(int count)
    {
        if (buffer.Length - Length < count)
        {
            Array.Resize(ref buffer, (int)Math.Min(Array.MaxLength, Math.Max((long)buffer.Length * 2, (long)Length + count)));
        }

        // A reference to the first reserved byte, valid even when count is 0 (it is never read then).
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(buffer), Length);
        Length += count;
        return ref start;
    }

    public void WriteLength(int length) => Unsafe.WriteUnaligned(ref Reserve(sizeof(int)), length);

    public void WriteLong(long value) => Unsafe.WriteUnaligned(ref Reserve(sizeof(long)), value);

    public void Write(ReadOnlySpan<byte> bytes) => bytes.CopyTo(MemoryMarshal.CreateSpan(ref Reserve(bytes.Length), bytes.Length));

    public ReadOnlySpan<byte> WrittenSpan => buffer.AsSpan(0, Length);

    public byte[] ToArray() => buffer.AsSpan(0, Length).ToArray();
}

/// <summary>Reads what a <see cref="ByteWriter"/> wrote, checking every length against what is left.</summary>
internal ref struct ByteReader
{
    private readonly ReadOnlySpan<byte> bytes;
    private int position;

    public ByteReader(ReadOnlySpan<byte> bytes)
    {
        this.bytes = bytes;
        position = 0;
    }

    public readonly int Remaining => bytes.Length - position;

    public ref byte Take(int count)
    {
        if (count < 0 || count > Remaining)
        {
            throw new ClusterException($"A message from another rank is shorter than its contents say ({count} bytes wanted, {Remaining} left).");
        }

        // A reference to the first byte, valid even when count is 0 (the span's end is never read then).
        ref byte start = ref Unsafe.Add(ref MemoryMarshal.GetReference(bytes), position);
        position += count;
        return ref start;
    }

    public int ReadLength() => Unsafe.ReadUnaligned<int>(ref Take(sizeof(int)));

    public long ReadLong() => Unsafe.ReadUnaligned<long>(ref Take(sizeof(long)));

    public ReadOnlySpan<byte> ReadBytes(int count) => MemoryMarshal.CreateReadOnlySpan(ref Take(count), count);

    public readonly void EnsureEnd()
    {
        if (Remaining != 0)
        {
            throw new ClusterException($"A message from another rank has {Remaining} bytes more than its contents.");
        }
    }
}
