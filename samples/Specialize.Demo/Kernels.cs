using Specialize;

namespace Specialize.Demo;

/// <summary>
/// Listing 1 of the Intrepydd paper in C#: my_func(x, alpha, beta) = (x + alpha) * beta, called twice
/// on the same data. The two calls are independent, so the generated twin of <see cref="Listing1"/>
/// may run them at once; on the paper's 5 x 6 array the cost model keeps both inline, because
/// spawning would cost more than the work.
/// </summary>
public static partial class Kernels
{
    [Pure]
    public static double[] MyFunc(double[] x, double alpha, double beta)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            y[i] = (x[i] + alpha) * beta;
        }

        return y;
    }

    [Pure]
    public static double[] Add(double[] a, double[] b)
    {
        var sum = new double[a.Length];
        for (int i = 0; i < a.Length; i++)
        {
            sum[i] = a[i] + b[i];
        }

        return sum;
    }

    public static double[] Listing1(double[] a)
    {
        var b = MyFunc(a, 1.0, 0.5);
        var c = MyFunc(a, 1.0, 3.4);
        return Add(b, c);
    }

    /// <summary>A compute-heavy pure kernel: each element goes through a short fixed-point iteration.</summary>
    [Pure]
    public static double[] Relax(double[] x, int sweeps)
    {
        var y = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            double v = x[i];
            for (int s = 0; s < sweeps; s++)
            {
                v = System.Math.Cos(v) + (0.001 * s);
            }

            y[i] = v;
        }

        return y;
    }

    /// <summary>Two independent heavy calls: here the futures pay for themselves.</summary>
    public static double[] RelaxBoth(double[] a, int sweeps)
    {
        var left = Relax(a, sweeps);
        var right = Relax(a, sweeps + 1);
        return Add(left, right);
    }
}
