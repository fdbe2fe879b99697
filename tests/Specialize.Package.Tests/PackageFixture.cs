using System.IO.Compression;
using Specialize.Testing;
using Specialize.Tests;

namespace Specialize.Package.Tests;

/// <summary>
/// Packs the Specialize package once for all package tests, under a version no other run uses, so
/// that NuGet's global cache can never hand a consumer a stale copy.
/// </summary>
public sealed class PackageFixture : IDisposable
{
    public PackageFixture()
    {
        Root = temporary.Path;
        PackagesFolder = Path.Combine(Root, "packages");
        Directory.CreateDirectory(PackagesFolder);

        string suffix = "pkgtest." + DateTime.UtcNow.ToString("yyyyMMddHHmmss") + "." + Environment.ProcessId;
        string project = RepositoryPaths.Combine("src", "Specialize", "Specialize.csproj");

        // eng/test.sh has built Release already; reuse it rather than rebuilding under a test.
        bool built = File.Exists(RepositoryPaths.Combine("src", "Specialize", "bin", "Release", "net10.0", "Specialize.dll"));
        string noBuild = built ? " --no-build" : string.Empty;
        ProcessRunner.Run("dotnet", $"pack \"{project}\" -c Release{noBuild} -o \"{PackagesFolder}\" -p:VersionSuffix={suffix}", RepositoryPaths.Root, TimeSpan.FromMinutes(5))
            .EnsureSuccess("dotnet pack");

        PackagePath = Directory.GetFiles(PackagesFolder, "Specialize.*.nupkg").Single();
        Version = Path.GetFileNameWithoutExtension(PackagePath)["Specialize.".Length..];
        using ZipArchive archive = ZipFile.OpenRead(PackagePath);
        Entries = archive.Entries.Select(e => e.FullName).ToHashSet(StringComparer.Ordinal);
        using var nuspec = new StreamReader(archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        Nuspec = nuspec.ReadToEnd();
    }

    private readonly TemporaryFolder temporary = new("package");

    public string Root { get; }

    public string PackagesFolder { get; }

    public string PackagePath { get; }

    public string Version { get; }

    public IReadOnlySet<string> Entries { get; }

    public string Nuspec { get; }

    /// <summary>A new empty folder for one consumer, with a NuGet.config: our packages, then the normal feed.</summary>
    public string NewConsumerFolder(string name)
    {
        string folder = Path.Combine(Root, name);
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="specialize-local" value="{PackagesFolder}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        return folder;
    }

    /// <summary>Removes a version of the package from NuGet's global packages folder, where a restore put it.</summary>
    public static void RemoveFromGlobalCache(string version)
    {
        string cached = Path.Combine(Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"), "specialize", version.ToLowerInvariant());
        if (Directory.Exists(cached))
        {
            Directory.Delete(cached, recursive: true);
        }
    }

    public void Dispose()
    {
        try
        {
            temporary.Dispose();
            RemoveFromGlobalCache(Version);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is not a test failure.
        }
    }
}
