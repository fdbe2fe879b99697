using System;
using Microsoft.CodeAnalysis;
using Specialize.Analysis.Diagnostics;

namespace Specialize.Generator.Helpers;

/// <summary>
/// The output step of a generator, guarded: whatever fails while one declaration's source is emitted or added (a bug in
/// an emitter, <c>AddSource</c> refusing a name) becomes SPEC900 on that declaration, and the generator's other outputs
/// are unaffected. An exception that left the callback would reach the compiler's driver, which then drops every
/// output of the generator.
/// </summary>
internal static class SourceOutput
{
    /// <summary>
    /// Runs <paramref name="produce"/>, which reports one declaration's diagnostics and adds its source; a failure is
    /// reported as SPEC900 at <paramref name="declaration"/>, naming <paramref name="name"/>.
    /// </summary>
    public static void Guarded(SourceProductionContext production, LocationInfo declaration, string name, Action<SourceProductionContext> produce)
    {
        try
        {
            FaultInjection.Check(GeneratorStep.Emit, name);
            produce(production);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            production.ReportDiagnostic(InternalError(declaration, name, exception).ToDiagnostic());
        }
    }

    /// <summary>SPEC900 for a failure while processing the declaration <paramref name="name"/>.</summary>
    public static DiagnosticInfo InternalError(LocationInfo declaration, string name, Exception exception) =>
        DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorInternalError, declaration, name, exception.GetType().Name + ": " + exception.Message);
}

/// <summary>The steps of the generators, for <see cref="FaultInjection"/>.</summary>
internal enum GeneratorStep
{
    /// <summary>Reading a declaration into a spec.</summary>
    Parse,

    /// <summary>Writing a spec's source and adding it to the compilation.</summary>
    Emit,
}

/// <summary>
/// Tests only: given a step and a declaration's name, returns an exception to throw there, so that the failure paths
/// (SPEC900, the other declarations still generated) can be exercised.
/// </summary>
internal static class FaultInjection
{
    private static System.Collections.Immutable.ImmutableList<Func<GeneratorStep, string, Exception?>> hooks =
        System.Collections.Immutable.ImmutableList<Func<GeneratorStep, string, Exception?>>.Empty;

    /// <summary>Adds a hook; every hook is asked, so test classes running side by side each add their own.</summary>
    public static void Add(Func<GeneratorStep, string, Exception?> hook) =>
        System.Collections.Immutable.ImmutableInterlocked.Update(ref hooks, list => list.Add(hook));

    public static void Check(GeneratorStep step, string name)
    {
        foreach (Func<GeneratorStep, string, Exception?> hook in System.Threading.Volatile.Read(ref hooks))
        {
            if (hook(step, name) is { } injected)
            {
                throw injected;
            }
        }
    }
}
