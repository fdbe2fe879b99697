using Specialize;

namespace Specialize.Demo;

/// <summary>
/// Recursive workloads, written as a user would write them: plain recursive C# with the callees
/// marked <c>[Pure]</c>. Nothing here mentions threads; the generated twins decide what runs at once.
/// </summary>
public static partial class RecursiveKernels
{
    // ---- functional quicksort -------------------------------------------------------------------

    /// <summary>Below this length a plain insertion sort on a copy is faster than recursing.</summary>
    private const int InsertionSortLength = 16;

    /// <summary>
    /// Sorts into a new array: partition into new arrays of the smaller, equal and greater
    /// elements, sort the smaller and the greater parts (two independent recursive calls), join.
    /// </summary>
    [Pure]
    public static int[] QuickSort(int[] items)
    {
        if (items.Length <= InsertionSortLength)
        {
            return InsertionSorted(items);
        }

        int pivot = MedianOfThree(items[0], items[items.Length / 2], items[items.Length - 1]);
        int lessCount = 0;
        int equalCount = 0;
        foreach (int item in items)
        {
            if (item < pivot)
            {
                lessCount++;
            }
            else if (item == pivot)
            {
                equalCount++;
            }
        }

        var less = new int[lessCount];
        var greater = new int[items.Length - lessCount - equalCount];
        int l = 0;
        int g = 0;
        foreach (int item in items)
        {
            if (item < pivot)
            {
                less[l++] = item;
            }
            else if (item > pivot)
            {
                greater[g++] = item;
            }
        }

        var sortedLess = QuickSort(less);
        var sortedGreater = QuickSort(greater);
        return Concatenate(sortedLess, pivot, equalCount, sortedGreater);
    }

    [Pure]
    private static int MedianOfThree(int a, int b, int c) =>
        a < b ? (b < c ? b : (a < c ? c : a)) : (a < c ? a : (b < c ? c : b));

    [Pure]
    private static int[] InsertionSorted(int[] items)
    {
        var sorted = new int[items.Length];
        for (int i = 0; i < items.Length; i++)
        {
            int item = items[i];
            int j = i - 1;
            while (j >= 0 && sorted[j] > item)
            {
                sorted[j + 1] = sorted[j];
                j--;
            }

            sorted[j + 1] = item;
        }

        return sorted;
    }

    [Pure]
    private static int[] Concatenate(int[] less, int pivot, int pivotCount, int[] greater)
    {
        var result = new int[less.Length + pivotCount + greater.Length];
        int at = 0;
        foreach (int item in less)
        {
            result[at++] = item;
        }

        for (int i = 0; i < pivotCount; i++)
        {
            result[at++] = pivot;
        }

        foreach (int item in greater)
        {
            result[at++] = item;
        }

        return result;
    }

    // ---- divide-and-conquer matrix multiplication -----------------------------------------------

    /// <summary>
    /// C = A B for n x n row-major matrices, n a power of two: split each into quadrants, form the
    /// eight quadrant products (independent recursive calls), add them pairwise and join. Matrices of
    /// order <paramref name="leaf"/> or less are multiplied directly.
    /// </summary>
    [Pure]
    public static double[] Multiply(double[] a, double[] b, int n, int leaf)
    {
        if (n <= leaf)
        {
            return MultiplyDirect(a, b, n);
        }

        int h = n / 2;
        var a11 = Quadrant(a, n, 0, 0);
        var a12 = Quadrant(a, n, 0, h);
        var a21 = Quadrant(a, n, h, 0);
        var a22 = Quadrant(a, n, h, h);
        var b11 = Quadrant(b, n, 0, 0);
        var b12 = Quadrant(b, n, 0, h);
        var b21 = Quadrant(b, n, h, 0);
        var b22 = Quadrant(b, n, h, h);

        var p1 = Multiply(a11, b11, h, leaf);
        var p2 = Multiply(a12, b21, h, leaf);
        var p3 = Multiply(a11, b12, h, leaf);
        var p4 = Multiply(a12, b22, h, leaf);
        var p5 = Multiply(a21, b11, h, leaf);
        var p6 = Multiply(a22, b21, h, leaf);
        var p7 = Multiply(a21, b12, h, leaf);
        var p8 = Multiply(a22, b22, h, leaf);

        var c11 = Add(p1, p2);
        var c12 = Add(p3, p4);
        var c21 = Add(p5, p6);
        var c22 = Add(p7, p8);
        return Join(c11, c12, c21, c22, h);
    }

    /// <summary>The straightforward triple loop (i-k-j order, so the inner loop walks rows).</summary>
    [Pure]
    public static double[] MultiplyDirect(double[] a, double[] b, int n)
    {
        var c = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < n; k++)
            {
                double aik = a[(i * n) + k];
                for (int j = 0; j < n; j++)
                {
                    c[(i * n) + j] += aik * b[(k * n) + j];
                }
            }
        }

        return c;
    }

    /// <summary>The h x h quadrant of an n x n matrix that starts at (row, column), as a new matrix.</summary>
    [Pure]
    internal static double[] Quadrant(double[] m, int n, int row, int column)
    {
        int h = n / 2;
        var q = new double[h * h];
        for (int i = 0; i < h; i++)
        {
            for (int j = 0; j < h; j++)
            {
                q[(i * h) + j] = m[((row + i) * n) + column + j];
            }
        }

        return q;
    }

    [Pure]
    internal static double[] Add(double[] x, double[] y)
    {
        var sum = new double[x.Length];
        for (int i = 0; i < x.Length; i++)
        {
            sum[i] = x[i] + y[i];
        }

        return sum;
    }

    /// <summary>The 2h x 2h matrix with the given quadrants.</summary>
    [Pure]
    internal static double[] Join(double[] c11, double[] c12, double[] c21, double[] c22, int h)
    {
        int n = 2 * h;
        var c = new double[n * n];
        for (int i = 0; i < h; i++)
        {
            for (int j = 0; j < h; j++)
            {
                c[(i * n) + j] = c11[(i * h) + j];
                c[(i * n) + h + j] = c12[(i * h) + j];
                c[((h + i) * n) + j] = c21[(i * h) + j];
                c[((h + i) * n) + h + j] = c22[(i * h) + j];
            }
        }

        return c;
    }

    // ---- a tiny pure function in a loop ---------------------------------------------------------

    /// <summary>A few nanoseconds of work: never worth a thread.</summary>
    [Pure]
    public static double Tiny(double x) => (x * x) + 1.0;

    /// <summary>Two independent tiny calls: this method gets a twin, and every call of it runs the twin.</summary>
    public static double Step(double x)
    {
        var a = Tiny(x);
        var b = Tiny(x + 0.5);
        return a - b;
    }

    /// <summary>Calls <see cref="Step"/> in a loop.</summary>
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
