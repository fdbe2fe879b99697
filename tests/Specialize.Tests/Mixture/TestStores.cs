using Specialize.Variants;

namespace Specialize.Tests.Mixture;

/// <summary>The tuning store of the tests that do not look at theirs, so that tests never touch the user's cache.</summary>
internal static class TestStores
{
    private static readonly Lazy<TuningStore> scratch = new(() => new TuningStore(TemporaryFolder.ForProcess("tuning").Combine("tuning.json")));

    /// <summary>One store shared by the tests that do not look at it, in a folder removed when the tests end.</summary>
    public static TuningStore Scratch => scratch.Value;
}
