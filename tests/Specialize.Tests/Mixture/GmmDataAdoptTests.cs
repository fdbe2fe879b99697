using Specialize.Mixture;
using Xunit;

namespace Specialize.Tests.Mixture;

public class GmmDataAdoptTests
{
    [Fact]
    public void Adopted_rows_are_not_copied_and_convert_as_checked_rows_do()
    {
        var values = new double[(GmmData.BlockSize + 5) * 3];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (i * 0.37) - 4;
        }

        GmmData adopted = GmmData.Adopt(values, 3);
        GmmData copied = GmmData.FromRows(values, 3);
        Assert.Same(values, adopted.RowArray);
        Assert.Equal(copied.Count, adopted.Count);
        Assert.Equal(copied.BlockCount, adopted.BlockCount);
        Assert.Equal(copied.BlockedArray, adopted.BlockedArray);
        Assert.Equal("float64", adopted.SourceType);
    }

    [Fact]
    public void Pieces_adopted_with_one_family_share_it_and_others_do_not()
    {
        var family = new object();
        GmmData first = GmmData.Adopt(new double[6], 3, family), second = GmmData.Adopt(new double[6], 3, family);
        Assert.Same(family, first.Family);
        Assert.Same(first.Family, second.Family);
        Assert.NotSame(GmmData.Adopt(new double[6], 3).Family, GmmData.Adopt(new double[6], 3).Family);
    }
}
