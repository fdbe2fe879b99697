using System.Globalization;
using System.Reflection;
using Specialize.Futures;

namespace Specialize.Bench;

/// <summary>
/// With <c>--sites</c>: what each future site of this program has learned (the smallest size it
/// spawns, its recent cost per unit of size and how many timed samples it took), to see why the
/// runtime spawned or did not.
/// </summary>
internal static class SiteReport
{
    public static void Print(string filter)
    {
        // The generated sites live in file-local classes; reading them is for this report only.
        foreach (Type type in typeof(SiteReport).Assembly.GetTypes().Where(static t => t.Name.EndsWith("FutureSites", StringComparison.Ordinal)))
        {
            foreach (FieldInfo field in type.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public))
            {
                if (field.GetValue(null) is FutureSite site && site.Description.StartsWith(filter, StringComparison.Ordinal))
                {
                    string spawns = site.MinimumSpawnSize == long.MaxValue ? "never" : site.MinimumSpawnSize.ToString("N0", CultureInfo.InvariantCulture);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"    site {site.Description,-44} samples {site.Samples,8}   spawns from size {spawns,12}   {site.NanosecondsPerUnit,12:F2} ns per unit of size"));
                }
            }
        }
    }
}
