using Specialize.Generator.Helpers;

namespace Specialize.Generator.Futures.Model;

/// <summary>
/// One method that gets a parallel twin: everything the emitter needs, as text, no symbols.
/// </summary>
/// <param name="HintName">File name of the generated twin (made unique among all twins when they are emitted).</param>
/// <param name="MethodKey">Identifies the original method (its documentation comment id).</param>
/// <param name="NullableEnabled">Whether the original method is in a nullable-enabled context.</param>
/// <param name="Scopes">The original file's directives and the namespace declarations around the method, each with its own.</param>
/// <param name="TypeHeaders">Declarations of the containing types, outermost first ("public static partial class Kernels").</param>
/// <param name="TwinName">Name of the twin method.</param>
/// <param name="TwinSource">The twin method, as source, indented as the original.</param>
/// <param name="Sites">Descriptions of the call sites that may run as futures.</param>
/// <param name="Interceptor">How to intercept calls of the original method.</param>
/// <param name="Location">Where the original method is declared (its name), for SPEC900.</param>
internal sealed record FutureTwinSpec(
    string HintName,
    string MethodKey,
    bool NullableEnabled,
    SourceScopes Scopes,
    EquatableArray<string> TypeHeaders,
    string TwinName,
    string TwinSource,
    EquatableArray<string> Sites,
    InterceptorSignature Interceptor,
    LocationInfo Location);

/// <summary>The signature of an interceptor for the original method, fully qualified.</summary>
/// <param name="Name">The original method's name.</param>
/// <param name="ReturnType">Fully qualified return type ("void" included).</param>
/// <param name="Parameters">Fully qualified parameter list, including "this T @this" for instance methods.</param>
/// <param name="Call">The call of the twin, with arguments.</param>
internal sealed record InterceptorSignature(string Name, string ReturnType, string Parameters, string Call);

/// <summary>A twin in a referenced assembly, which calls in this compilation can be routed to.</summary>
/// <param name="MethodKey">The documentation comment id of its original.</param>
/// <param name="Interceptor">How to intercept calls of the original.</param>
internal sealed record ReferencedTwin(string MethodKey, InterceptorSignature Interceptor);

/// <summary>One call site of a method that has a twin.</summary>
internal sealed record FutureCallSite(string MethodKey, int Version, string Data, string DisplayLocation);
