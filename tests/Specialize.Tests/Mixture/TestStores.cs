using Specialize.Variants;

namespace Specialize.Tests.Mixture;

/// <summary>Tuning stores in a temporary folder, so that tests never touch the user's cache.</summary>
internal static class TestStores
{
    private static readonly Lazy<TuningStore> scratch = new(() => new TuningStore(NewPath()));

    /// <summary>One store shared by the tests that do not look at it.</summary>
    public static TuningStore Scratch => scratch.Value;

    /// <summary>A path for a new tuning file in a fresh temporary folder.</summary>
    public static string NewPath()
    {
        string dir = Path.Combine(Path.GetTempPath(), "specialize-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, "tuning.json");
    }
}
