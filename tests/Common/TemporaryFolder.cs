namespace Specialize.Tests;

/// <summary>
/// A new, empty folder of its own under the system temporary folder, deleted with everything in it when disposed:
/// every file a test writes goes in one, so that a test run leaves nothing behind. Linked into each test project
/// (tests/Common), since the shared harness is a separate assembly.
/// </summary>
internal sealed class TemporaryFolder : IDisposable
{
    /// <summary>Creates the folder, named <c>specialize-&lt;purpose&gt;-&lt;unique id&gt;</c>.</summary>
    /// <param name="purpose">A word for what the folder holds, which shows in its name.</param>
    public TemporaryFolder(string purpose)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(purpose);
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"specialize-{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>A path in the folder.</summary>
    /// <param name="name">A file or folder name relative to the folder.</param>
    public string Combine(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>
    /// A folder removed when the test process exits, for files that several tests share through one process-wide
    /// object (a tuning store every fit uses, or the path in an environment variable the runtime reads once).
    /// </summary>
    /// <param name="purpose">A word for what the folder holds.</param>
    public static TemporaryFolder ForProcess(string purpose)
    {
        var folder = new TemporaryFolder(purpose);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                folder.Dispose();
            }
            catch (IOException)
            {
                // Nothing can report it any more at exit.
            }
        };
        return folder;
    }

    /// <summary>Deletes the folder and everything in it; nothing happens if it is gone already.</summary>
    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
