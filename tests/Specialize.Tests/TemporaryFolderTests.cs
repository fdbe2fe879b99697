using Specialize.Testing;
using Xunit;

namespace Specialize.Tests;

/// <summary>Tests leave nothing in the system temporary folder: each test's files go in a <see cref="TemporaryFolder"/>.</summary>
public sealed class TemporaryFolderTests
{
    [Fact]
    public void Disposing_removes_the_folder_and_everything_in_it()
    {
        var folder = new TemporaryFolder("check");
        Directory.CreateDirectory(folder.Combine("inner"));
        File.WriteAllText(folder.Combine(Path.Combine("inner", "tuning.json")), "{}");
        Assert.StartsWith(Path.GetTempPath(), folder.Path, StringComparison.Ordinal);

        folder.Dispose();

        Assert.False(Directory.Exists(folder.Path));
        folder.Dispose(); // twice is harmless
    }

    [Fact]
    public void Each_folder_is_new_and_empty()
    {
        using var one = new TemporaryFolder("check");
        using var other = new TemporaryFolder("check");
        Assert.NotEqual(one.Path, other.Path);
        Assert.Empty(Directory.EnumerateFileSystemEntries(one.Path));
    }

    /// <summary>
    /// A test that builds a path under the system temporary folder itself leaves its files behind (the tuning files of
    /// specialize-tests/ and specialize-gmmtrain-tests-&lt;pid&gt;.json did); only the helper may name that folder.
    /// </summary>
    [Fact]
    public void No_test_names_the_system_temporary_folder_but_the_helper()
    {
        string tests = RepositoryPaths.Combine("tests");
        string helper = Path.Combine(tests, "Common", "TemporaryFolder.cs");
        string[] offenders = Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories)
            .Where(static f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => f != helper && Path.GetFileName(f) != nameof(TemporaryFolderTests) + ".cs")
            .Where(static f => File.ReadAllText(f) is string text
                && (text.Contains("GetTempPath", StringComparison.Ordinal) || text.Contains("GetTempFileName", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(tests, f))
            .ToArray();
        Assert.Empty(offenders);
    }
}
