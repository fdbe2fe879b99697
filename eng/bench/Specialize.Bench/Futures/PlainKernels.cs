using Specialize;

// This class is deliberately not partial: it gets no parallel twin, so it is the user's code exactly
// as written, without Specialize. (SPEC006 would suggest making it partial.)
#pragma warning disable SPEC006

using Specialize.Demo;

namespace Specialize.Bench.Futures;

/// <summary>
/// The small workloads once more, in a type that cannot host a twin: the baseline "plain C#" that
/// shows what the generated code costs even with futures off.
/// </summary>
public static class PlainKernels
{
    /// <summary><see cref="RecursiveKernels.Multiply"/>, word for word.</summary>
    public static double[] Multiply(double[] a, double[] b, int n, int leaf)
    {
        if (n <= leaf)
        {
            return RecursiveKernels.MultiplyDirect(a, b, n);
        }

        int h = n / 2;
        var a11 = RecursiveKernels.Quadrant(a, n, 0, 0);
        var a12 = RecursiveKernels.Quadrant(a, n, 0, h);
        var a21 = RecursiveKernels.Quadrant(a, n, h, 0);
        var a22 = RecursiveKernels.Quadrant(a, n, h, h);
        var b11 = RecursiveKernels.Quadrant(b, n, 0, 0);
        var b12 = RecursiveKernels.Quadrant(b, n, 0, h);
        var b21 = RecursiveKernels.Quadrant(b, n, h, 0);
        var b22 = RecursiveKernels.Quadrant(b, n, h, h);

        var p1 = Multiply(a11, b11, h, leaf);
        var p2 = Multiply(a12, b21, h, leaf);
        var p3 = Multiply(a11, b12, h, leaf);
        var p4 = Multiply(a12, b22, h, leaf);
        var p5 = Multiply(a21, b11, h, leaf);
        var p6 = Multiply(a22, b21, h, leaf);
        var p7 = Multiply(a21, b12, h, leaf);
        var p8 = Multiply(a22, b22, h, leaf);

        var c11 = RecursiveKernels.Add(p1, p2);
        var c12 = RecursiveKernels.Add(p3, p4);
        var c21 = RecursiveKernels.Add(p5, p6);
        var c22 = RecursiveKernels.Add(p7, p8);
        return RecursiveKernels.Join(c11, c12, c21, c22, h);
    }

    /// <summary><see cref="RecursiveKernels.Step"/>, word for word.</summary>
    public static double Step(double x)
    {
        var a = RecursiveKernels.Tiny(x);
        var b = RecursiveKernels.Tiny(x + 0.5);
        return a - b;
    }

    /// <summary><see cref="RecursiveKernels.SumOfSteps"/>, word for word.</summary>
    public static double SumOfSteps(int count)
    {
        double sum = 0;
        for (int i = 0; i < count; i++)
        {
            sum += Step(i);
        }

        return sum;
    }
}
