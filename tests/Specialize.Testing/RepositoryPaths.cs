namespace Specialize.Testing;

/// <summary>Locates files of the repository (fixtures, data, snapshots) from a running test.</summary>
public static class RepositoryPaths
{
    private static readonly Lazy<string> root = new(FindRoot);

    /// <summary>The repository root: the nearest folder above the test binaries holding <c>Specialize.sln</c>.</summary>
    public static string Root => root.Value;

    /// <summary>The shared folder beside the repository (papers, fixtures, data), or <see langword="null"/>.</summary>
    public static string? Shared
    {
        get
        {
            string candidate = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>A path under the repository root.</summary>
    public static string Combine(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Specialize.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException(
            $"No Specialize.sln above '{AppContext.BaseDirectory}': tests must run from a build inside the repository.");
    }
}
