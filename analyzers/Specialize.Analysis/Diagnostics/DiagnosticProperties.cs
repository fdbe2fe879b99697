namespace Specialize.Analysis.Diagnostics;

/// <summary>Keys of <see cref="Microsoft.CodeAnalysis.Diagnostic.Properties"/> that analyzers set for code fixes.</summary>
public static class DiagnosticProperties
{
    /// <summary>
    /// SPEC007: how many consecutive statements, starting with the one holding the reported call,
    /// make up the run of pure calls that could overlap.
    /// </summary>
    public const string RunLength = "RunLength";
}
