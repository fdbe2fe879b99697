namespace Specialize.CodeFixes;

/// <summary>Anchors the code-fix assembly for tools and tests that load its providers.</summary>
public static class CodeFixAssembly
{
}
