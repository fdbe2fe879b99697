using System.Globalization;

namespace Specialize.Samples;

/// <summary>A hash of the bits of every result (FNV-1a over their bytes), to compare what the ranks of a job computed.</summary>
internal sealed class Digest
{
    private ulong hash = 14695981039346656037UL;

    public void Add(double value)
    {
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(value);
        for (int i = 0; i < 8; i++)
        {
            hash = (hash ^ ((bits >> (8 * i)) & 0xFF)) * 1099511628211UL;
        }
    }

    public void Add(IEnumerable<double> values)
    {
        foreach (double value in values)
        {
            Add(value);
        }
    }

    public override string ToString() => hash.ToString("x16", CultureInfo.InvariantCulture);
}
