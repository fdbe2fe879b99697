using System;
using System.Globalization;
using System.IO;

namespace Specialize.Blb;

/// <summary>
/// The model that picks load-in or indirection for a run.
/// </summary>
/// <remarks>
/// <para>
/// The BLB specializer paper loads a subsample in only when one thread's copy takes at most 40% of the L2
/// cache. Measured here that rule is too cautious: a bootstrap reads every subsample row once, in order, so
/// a gathered copy is streamed sequentially (prefetched) by each of the r bootstraps, while indirection pays
/// a scattered gather on every bootstrap. For the mean of n = 2e7 doubles (b = 129,040, a 1 MiB copy, past
/// the paper's threshold on a 1 MiB L2), 5 subsamples x 100 bootstraps on one thread took 1.2-1.6 s of CPU
/// with load-in and 2.0-2.9 s with indirection; at n = 1e6 (a 124 KiB copy) the two were within noise.
/// </para>
/// <para>
/// The model therefore loads in whenever the copy is reused (more than one bootstrap) and the copies a run
/// holds at once fit in a memory budget (<see cref="LoadInBudgetBytes"/>); it reads through indices otherwise.
/// A subsample's copy is made once and shared by the threads computing its bootstraps; a run on several
/// threads holds the copies of at most 2 x threads + 1 subsamples (those being computed, and those drawn
/// ahead), a run on one thread one.
/// The L2 size is still read and reported (<see cref="L2Bytes"/>) for the paper's rule,
/// <see cref="ChoosePaperRule"/>, kept for comparison.
/// </para>
/// </remarks>
internal static class BlbLayoutModel
{
    /// <summary>Share of the L2 cache one thread's subsample copy may use under the paper's rule.</summary>
    public const double CacheShare = 0.4;

    /// <summary>L2 size assumed when the platform does not say.</summary>
    public const long DefaultL2Bytes = 1L << 20;

    /// <summary>Most memory the load-in copies a run holds at once may take.</summary>
    public const long LoadInBudgetBytes = 256L << 20;

    private static readonly Lazy<long> s_l2Bytes = new(ReadL2Bytes);

    /// <summary>The L2 cache size of the first CPU in bytes, or <see cref="DefaultL2Bytes"/> when unknown.</summary>
    public static long L2Bytes => s_l2Bytes.Value;

    /// <summary>Chooses the layout for subsamples of <paramref name="subsampleSize"/> rows of <paramref name="bytesPerRow"/> bytes.</summary>
    public static BlbDataLayout Choose(int subsampleSize, int bytesPerRow, int bootstraps, int threads)
    {
        if (bootstraps <= 1)
        {
            return BlbDataLayout.Indirection;
        }
        long footprint = (long)subsampleSize * Math.Max(bytesPerRow, 1) * CopiesHeld(threads);
        return footprint <= LoadInBudgetBytes ? BlbDataLayout.LoadIn : BlbDataLayout.Indirection;
    }

    /// <summary>How many subsamples' copies a run on <paramref name="threads"/> threads holds at most at once.</summary>
    public static int CopiesHeld(int threads) => threads <= 1 ? 1 : (2 * threads) + 1;

    /// <summary>The paper's rule: load in when one thread's copy takes at most 40% of <paramref name="l2Bytes"/>.</summary>
    public static BlbDataLayout ChoosePaperRule(int subsampleSize, int bytesPerRow, long l2Bytes)
    {
        long footprint = (long)subsampleSize * Math.Max(bytesPerRow, 1);
        return footprint <= CacheShare * l2Bytes ? BlbDataLayout.LoadIn : BlbDataLayout.Indirection;
    }

    /// <summary>Parses a Linux cache size such as <c>1024K</c> or <c>2M</c>; null when it is not one.</summary>
    public static long? ParseCacheSize(string text)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            return null;
        }
        long scale = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            _ => 1,
        };
        string digits = scale == 1 ? text : text[..^1];
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long value) && value > 0
            ? value * scale
            : null;
    }

    private static long ReadL2Bytes()
    {
        try
        {
            const string path = "/sys/devices/system/cpu/cpu0/cache/index2/size";
            if (OperatingSystem.IsLinux() && File.Exists(path))
            {
                return ParseCacheSize(File.ReadAllText(path)) ?? DefaultL2Bytes;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return DefaultL2Bytes;
    }
}
