using System;
using System.Globalization;
using System.IO;

namespace Specialize.Blb;

/// <summary>
/// The cache model that picks load-in or indirection: load a subsample in when one thread's copy of it
/// takes at most 40% of the L2 cache (the rule the BLB specializer paper reports), read through indices otherwise.
/// </summary>
internal static class BlbLayoutModel
{
    /// <summary>Share of the L2 cache one thread's subsample copy may use.</summary>
    public const double CacheShare = 0.4;

    /// <summary>L2 size assumed when the platform does not say.</summary>
    public const long DefaultL2Bytes = 1L << 20;

    private static readonly Lazy<long> s_l2Bytes = new(ReadL2Bytes);

    /// <summary>The L2 cache size of the first CPU in bytes, or <see cref="DefaultL2Bytes"/> when unknown.</summary>
    public static long L2Bytes => s_l2Bytes.Value;

    /// <summary>Chooses the layout for subsamples of <paramref name="subsampleSize"/> rows of <paramref name="bytesPerRow"/> bytes.</summary>
    public static BlbDataLayout Choose(int subsampleSize, int bytesPerRow, long l2Bytes)
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
