using System.Numerics;

namespace Specialize.Mixture;

/// <summary>
/// The conversions the GPU kernels need between their element type and double, as static members of a struct
/// (ILGPU compiles these; <c>double.CreateChecked</c> it cannot), so that each kernel is written once for float
/// and double.
/// </summary>
/// <typeparam name="T">The element type the kernel computes in.</typeparam>
internal interface IDeviceReal<T>
    where T : unmanaged, INumber<T>
{
    /// <summary>The element type's name in variant keys: <c>"float32"</c> or <c>"float64"</c>.</summary>
    static abstract string Name { get; }

    /// <summary><paramref name="value"/> widened to double.</summary>
    static abstract double ToDouble(T value);

    /// <summary><paramref name="value"/> rounded to the element type.</summary>
    static abstract T FromDouble(double value);
}

/// <summary>Kernels computing in float32.</summary>
internal readonly struct DeviceFloat32 : IDeviceReal<float>
{
    public static string Name => "float32";

    public static double ToDouble(float value) => value;

    public static float FromDouble(double value) => (float)value;
}

/// <summary>Kernels computing in float64.</summary>
internal readonly struct DeviceFloat64 : IDeviceReal<double>
{
    public static string Name => "float64";

    public static double ToDouble(double value) => value;

    public static double FromDouble(double value) => value;
}
