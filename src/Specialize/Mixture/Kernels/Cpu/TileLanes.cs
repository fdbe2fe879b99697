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
    /// <summary>The vector operations of the kernels written once for both widths (<see cref="TiledRows{TLanes, TVector}"/>, <see cref="ChunkTiles{TLanes, TVector}"/>, <see cref="SyrkTiles{TLanes, TVector}"/>, <see cref="MahalanobisBlocked{TLanes, TVector}"/>), one implementation per width.</summary>
    /// <typeparam name="TVector">The vector of doubles.</typeparam>
    private interface ITileLanes<TVector>
        where TVector : struct
    {
        /// <summary>Gets the number of doubles per vector.</summary>
        static abstract int Count { get; }

        /// <summary>Gets the vector of zeros.</summary>
        static abstract TVector Zero { get; }

        /// <summary>Reads a vector at <paramref name="offset"/> doubles from <paramref name="source"/>.</summary>
        static abstract TVector Load(ref double source, nuint offset);

        /// <summary>A vector with <paramref name="value"/> in every lane.</summary>
        static abstract TVector Broadcast(double value);

        /// <summary><c>a - b</c>.</summary>
        static abstract TVector Subtract(TVector a, TVector b);

        /// <summary><c>a * b + addend</c>, rounded once.</summary>
        static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

        /// <summary>The lanes added down to four (a 512-bit vector's two halves added; a 256-bit vector as it is).</summary>
        static abstract Vector256<double> Fold(TVector value);

        /// <summary>Writes <paramref name="value"/> at <paramref name="offset"/> doubles from <paramref name="destination"/>.</summary>
        static abstract void Store(TVector value, ref double destination, nuint offset);
    }

    /// <summary>256-bit vectors: 4 rows each.</summary>
    private readonly struct Tile256 : ITileLanes<Vector256<double>>
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
    private readonly struct Tile512 : ITileLanes<Vector512<double>>
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
}
