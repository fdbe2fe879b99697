namespace Specialize.Sorting;

/// <summary>Functional sorts: each returns a sorted copy and leaves its input as it is.</summary>
public static partial class Sorts
{
    /// <summary>Merge sort; the two halves are sorted at once when they are large enough.</summary>
    [Pure]
    public static int[] MergeSort(int[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length <= 32)
        {
            return InsertionSort(values);
        }

        int middle = values.Length / 2;
        return Merge(MergeSort(values[..middle]), MergeSort(values[middle..]));
    }

    /// <summary>Sorts every array of <paramref name="batches"/>; the sorts run at once when they are large enough.</summary>
    public static int[][] SortEach(int[][] batches)
    {
        ArgumentNullException.ThrowIfNull(batches);
        var sorted = new int[batches.Length][];
        for (int i = 0; i < batches.Length; i++)
        {
            sorted[i] = MergeSort(batches[i]);
        }

        return sorted;
    }

    /// <summary>
    /// Order-independent checksums of two arrays, combined; the two run at once when they are large
    /// enough (the program's call of this method is what shows that calls from another assembly are
    /// routed to the library's twin: nothing else in it can start a future).
    /// </summary>
    public static long ChecksumPair(int[] first, int[] second) => Checksum(first) * 31 + Checksum(second);

    [Pure]
    private static long Checksum(int[] values)
    {
        long sum = 0;
        foreach (int value in values)
        {
            sum += (value * 2654435761L) >> 7;
        }

        return sum;
    }

    [Pure]
    private static int[] Merge(int[] left, int[] right)
    {
        var result = new int[left.Length + right.Length];
        int i = 0, j = 0, k = 0;
        while (i < left.Length && j < right.Length)
        {
            result[k++] = left[i] <= right[j] ? left[i++] : right[j++];
        }

        while (i < left.Length)
        {
            result[k++] = left[i++];
        }

        while (j < right.Length)
        {
            result[k++] = right[j++];
        }

        return result;
    }

    [Pure]
    private static int[] InsertionSort(int[] values)
    {
        var result = (int[])values.Clone();
        for (int i = 1; i < result.Length; i++)
        {
            int value = result[i];
            int j = i - 1;
            while (j >= 0 && result[j] > value)
            {
                result[j + 1] = result[j];
                j--;
            }

            result[j + 1] = value;
        }

        return result;
    }
}
