namespace Specialize.Generator.Helpers;

/// <summary>What generated code says about its origin in <c>[GeneratedCode]</c>.</summary>
internal static class GeneratorInfo
{
    public const string AssemblyName = "Specialize.Generator";

    public static readonly string Version = typeof(GeneratorInfo).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

    public static string GeneratedCodeAttribute =>
        $"[global::System.CodeDom.Compiler.GeneratedCode(\"{AssemblyName}\", \"{Version}\")]";

    /// <summary>The namespace interceptors live in; Specialize.props adds it to InterceptorsNamespaces.</summary>
    public const string InterceptorsNamespace = "Specialize.Generated";
}
