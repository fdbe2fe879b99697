namespace Specialize.Generator.Helpers;

internal static class GeneratorInfo
{
    public const string AssemblyName = "Specialize.Generator";
}
