using System;
using System.Buffers;
using System.Collections.Generic;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Threading.Tasks;
using Specialize.Variants;

namespace Specialize.Mixture;

// The vector operations the CPU kernels are written over, once per vector width.
public static partial class GmmKernels
{
    /// <summary>
    /// The vector operations of the kernels written once for both widths and both element types
    /// (<see cref="TiledRows{TLanes, T, TVector}"/>, <see cref="ChunkTiles{TLanes, T, TVector}"/>,
    /// <see cref="SyrkTiles{TLanes, TVector}"/>, <see cref="MahalanobisBlocked{TLanes, TVector}"/>), one implementation per
    /// width and element type: doubles for float64 EM, floats (twice the lanes) for float32 EM.
    /// </summary>
    /// <typeparam name="T">The element type, double or float.</typeparam>
    /// <typeparam name="TVector">The vector of elements.</typeparam>
    private interface ITileLanes<T, TVector>
        where T : unmanaged
        where TVector : struct
    {
        /// <summary>Gets the number of elements per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Gets the vector of zeros.</summary>
        static abstract TVector Zero { get; }

        /// <summary>Reads a vector at <paramref name="offset"/> elements from <paramref name="source"/>.</summary>
        static abstract TVector Load(ref T source, nuint offset);

        /// <summary>A vector with <paramref name="value"/> in every lane.</summary>
        static abstract TVector Broadcast(T value);

        /// <summary><c>a - b</c>.</summary>
        static abstract TVector Subtract(TVector a, TVector b);

        /// <summary><c>a * b + addend</c>, rounded once.</summary>
        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

        /// <summary>The lanes added down to four doubles (a 512-bit vector's two halves added, floats widened first; a 256-bit vector of doubles as it is).</summary>
        static abstract Vector256<double> Fold(TVector value);

        /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> elements from <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref T destination, nuint offset);
    }

    /// <summary>256-bit vectors: 4 rows each.</summary>
    private readonly struct Tile256 : ITileLanes<double, Vector256<double>>
    {
        public static int Count => Vector256<double>.Count;

        public static Vector256<double> Zero => Vector256<double>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Load(ref double source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Broadcast(double value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Subtract(Vector256<double> a, Vector256<double> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> MultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> addend) => Vector256.FusedMultiplyAdd(a, b, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fold(Vector256<double> value) => value;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>512-bit vectors: 8 rows each.</summary>
    private readonly struct Tile512 : ITileLanes<double, Vector512<double>>
    {
        public static int Count => Vector512<double>.Count;

        public static Vector512<double> Zero => Vector512<double>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Load(ref double source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Broadcast(double value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> Subtract(Vector512<double> a, Vector512<double> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<double> MultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> addend) => Vector512.FusedMultiplyAdd(a, b, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fold(Vector512<double> value) => value.GetLower() + value.GetUpper();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<double> value, ref double destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>256-bit vectors of floats: 8 rows each.</summary>
    private readonly struct Tile256F : ITileLanes<float, Vector256<float>>
    {
        public static int Count => Vector256<float>.Count;

        public static Vector256<float> Zero => Vector256<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source, nuint offset) => Vector256.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) => Vector256.FusedMultiplyAdd(a, b, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fold(Vector256<float> value) => Vector256.WidenLower(value) + Vector256.WidenUpper(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }

    /// <summary>512-bit vectors of floats: 16 rows each.</summary>
    private readonly struct Tile512F : ITileLanes<float, Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;

        public static Vector512<float> Zero => Vector512<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source, nuint offset) => Vector512.LoadUnsafe(ref source, offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) => Vector512.FusedMultiplyAdd(a, b, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<double> Fold(Vector512<float> value)
        {
            var wide = Vector512.WidenLower(value) + Vector512.WidenUpper(value);
            return wide.GetLower() + wide.GetUpper();
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, nuint offset) => value.StoreUnsafe(ref destination, offset);
    }
}
