using System.Runtime.CompilerServices;
using System.Text;

namespace Specialize.Testing;

/// <summary>
/// Byte-for-byte snapshot files. <c>Snapshot.Verify(text, "Name")</c> compares the text with
/// <c>Snapshots/Name.verified.cs</c> beside the calling test file. On a mismatch (or a missing
/// file) it writes <c>Name.received.cs</c> next to it and fails with a unified diff. With the
/// environment variable <c>SPECIALIZE_ACCEPT_SNAPSHOTS=1</c> it writes the verified file instead.
/// </summary>
public static class Snapshot
{
    public const string AcceptVariable = "SPECIALIZE_ACCEPT_SNAPSHOTS";

    private static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Compares <paramref name="actual"/> with the checked-in snapshot named <paramref name="name"/>.</summary>
    public static void Verify(string actual, string name, [CallerFilePath] string callerFile = "")
    {
        string folder = Path.Combine(Path.GetDirectoryName(callerFile) ?? ".", "Snapshots");
        VerifyFile(actual, Path.Combine(folder, name + ".verified.cs"));
    }

    /// <summary>Compares <paramref name="actual"/> with the file at <paramref name="verifiedPath"/>.</summary>
    /// <param name="actual">The text produced now.</param>
    /// <param name="verifiedPath">The checked-in snapshot.</param>
    /// <param name="accept">Whether to accept a difference; by default, from the environment variable.</param>
    public static void VerifyFile(string actual, string verifiedPath, bool? accept = null)
    {
        string receivedPath = verifiedPath.Replace(".verified.", ".received.", StringComparison.Ordinal);
        byte[] actualBytes = Utf8NoBom.GetBytes(actual);
        byte[]? expectedBytes = File.Exists(verifiedPath) ? File.ReadAllBytes(verifiedPath) : null;

        if (expectedBytes is not null && expectedBytes.AsSpan().SequenceEqual(actualBytes))
        {
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }

            return;
        }

        if (accept ?? Environment.GetEnvironmentVariable(AcceptVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(verifiedPath)!);
            File.WriteAllBytes(verifiedPath, actualBytes);
            if (File.Exists(receivedPath))
            {
                File.Delete(receivedPath);
            }

            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(receivedPath)!);
        File.WriteAllBytes(receivedPath, actualBytes);
        string expected = expectedBytes is null ? string.Empty : Utf8NoBom.GetString(expectedBytes);
        string reason = expectedBytes is null
            ? $"No snapshot at {verifiedPath}."
            : $"Snapshot {Path.GetFileName(verifiedPath)} differs.";
        throw new HarnessException(
            $"{reason} Wrote {receivedPath}; review it, then accept with {AcceptVariable}=1 or copy it over the verified file.\n"
            + UnifiedDiff.Create(expected, actual, Path.GetFileName(verifiedPath), Path.GetFileName(receivedPath)));
    }
}
