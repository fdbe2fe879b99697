using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;
using Specialize.Generator.Futures.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Futures;

/// <summary>
/// Future synthesis for <c>[Pure]</c>: for each method whose verified-pure calls can overlap, emits a
/// parallel twin in a partial of the same type, and intercepts every call site of the original so
/// that it runs the twin. The runtime decides per call whether a future is worth spawning.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class FuturesGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Methods with at least two calls in local declarations (a syntax test), then the semantic
        // check: which runs of those calls are verified pure and independent. Failures become SPEC900.
        IncrementalValuesProvider<TwinResult> twins = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => Parser.IsCandidate(node),
                static (syntaxContext, cancellationToken) => ParseSafely((MethodDeclarationSyntax)syntaxContext.Node, syntaxContext.SemanticModel, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(TrackingNames.FutureTwins);

        // Invocations, by name only: the semantic look-up happens once the twin names are known.
        IncrementalValuesProvider<InvocationExpressionSyntax> invocations = context.SyntaxProvider
            .CreateSyntaxProvider(
                static (node, _) => node is InvocationExpressionSyntax,
                static (syntaxContext, _) => (InvocationExpressionSyntax)syntaxContext.Node)
            .WithTrackingName(TrackingNames.FutureCallSites);

        context.RegisterSourceOutput(twins, static (production, result) =>
        {
            if (result.Diagnostic is not null)
            {
                production.ReportDiagnostic(result.Diagnostic.ToDiagnostic());
            }
        });

        // Twins in referenced assemblies compiled with Specialize: calls of their originals here are
        // intercepted too. (Only assemblies that reference Specialize are searched.)
        IncrementalValueProvider<EquatableArray<ReferencedTwin>> referenced = context.CompilationProvider
            .Select(static (compilation, cancellationToken) =>
            {
                try
                {
                    return new EquatableArray<ReferencedTwin>(Parser.ParseReferencedTwins(compilation, cancellationToken));
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    // A reference that cannot be read leaves its twins out; the calls stay plain calls.
                    return new EquatableArray<ReferencedTwin>(ImmutableArray<ReferencedTwin>.Empty);
                }
            })
            .WithTrackingName(TrackingNames.ReferencedTwins);

        IncrementalValueProvider<((ImmutableArray<TwinResult> Twins, EquatableArray<ReferencedTwin> Referenced) Known, (ImmutableArray<InvocationExpressionSyntax> Calls, Compilation Compilation) Input)> all =
            twins.Collect().Combine(referenced).Combine(invocations.Collect().Combine(context.CompilationProvider));

        // The twins, then the interceptors that route calls to them (and to referenced twins), in one
        // output: a twin that fails to be written (SPEC900) is then never the target of a call.
        context.RegisterSourceOutput(all, static (production, input) =>
        {
            var specs = WriteTwins(production, input.Known.Twins.Where(static t => t.Twin is not null).Select(static t => t.Twin!))
                .Select(static t => new ReferencedTwin(t.MethodKey, t.Interceptor))
                .Concat(input.Known.Referenced)
                .ToList();
            if (specs.Count == 0)
            {
                return;
            }

            var names = new HashSet<string>(specs.Select(static s => s.Interceptor.Name), StringComparer.Ordinal);
            var keys = new HashSet<string>(specs.Select(static s => s.MethodKey), StringComparer.Ordinal);
            var sites = new List<FutureCallSite>();
            Compilation compilation = input.Input.Compilation;
            foreach (InvocationExpressionSyntax invocation in input.Input.Calls)
            {
                production.CancellationToken.ThrowIfCancellationRequested();
                string? name = invocation.Expression switch
                {
                    IdentifierNameSyntax identifier => identifier.Identifier.ValueText,
                    MemberAccessExpressionSyntax member => member.Name.Identifier.ValueText,
                    _ => null,
                };
                if (name is null || !names.Contains(name))
                {
                    continue;
                }

                try
                {
                    SemanticModel model = compilation.GetSemanticModel(invocation.SyntaxTree);
                    FutureCallSite? site = Parser.ParseCallSite(invocation, model, production.CancellationToken);
                    if (site is not null && keys.Contains(site.MethodKey))
                    {
                        sites.Add(site);
                    }
                }
                catch (Exception exception) when (exception is not OperationCanceledException)
                {
                    production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorInternalError, invocation.GetLocation(), name, exception.Message));
                }
            }

            if (sites.Count > 0)
            {
                try
                {
                    production.AddSource("Specialize.FutureInterceptors.g.cs", Emitter.EmitInterceptors(specs, sites));
                }
                catch (System.Exception exception) when (exception is not System.OperationCanceledException)
                {
                    production.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.GeneratorInternalError, Location.None, "interceptors", exception.GetType().Name + ": " + exception.Message));
                }
            }
        });
    }

    /// <summary>
    /// Writes the twins, telling apart file names that coincide (overloads whose parameter types
    /// print alike); one that fails is SPEC900 and cannot take the others with it. Returns the twins
    /// written.
    /// </summary>
    private static List<FutureTwinSpec> WriteTwins(SourceProductionContext production, IEnumerable<FutureTwinSpec> specs)
    {
        var written = new List<FutureTwinSpec>();
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (FutureTwinSpec spec in specs.OrderBy(static s => s.MethodKey, StringComparer.Ordinal))
        {
            production.CancellationToken.ThrowIfCancellationRequested();
            string hintName = spec.HintName;
            for (int n = 2; !used.Add(hintName); n++)
            {
                hintName = spec.HintName.Substring(0, spec.HintName.Length - ".Parallel.g.cs".Length) + "_" + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ".Parallel.g.cs";
            }

            SourceOutput.Guarded(production, spec.Location, spec.Interceptor.Name, p =>
            {
                p.AddSource(hintName, Emitter.EmitTwin(spec));
                written.Add(spec);
            });
        }

        return written;
    }

    private static TwinResult? ParseSafely(MethodDeclarationSyntax syntax, SemanticModel model, System.Threading.CancellationToken cancellationToken)
    {
        try
        {
            FaultInjection.Check(GeneratorStep.Parse, syntax.Identifier.ValueText);

            FutureTwinSpec? twin = Parser.Parse(syntax, model, cancellationToken);
            return twin is null ? null : new TwinResult(twin, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Never throw into the compiler: report, and leave the method sequential.
            return new TwinResult(null, DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorInternalError, syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, exception.GetType().Name + ": " + exception.Message));
        }
    }

    /// <summary>A twin, or the internal failure that prevented one.</summary>
    internal sealed record TwinResult(FutureTwinSpec? Twin, DiagnosticInfo? Diagnostic);
}
