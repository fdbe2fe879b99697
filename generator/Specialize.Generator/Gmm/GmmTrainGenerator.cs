using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Gmm;
using Specialize.Generator.Gmm.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Gmm;

/// <summary>
/// Compile-time specialization for <c>[GmmTrain]</c>: implements each marked static partial method with
/// the row dimension, the element type and the options fixed, and registers kernels specialized to that
/// dimension as extra variants that compete in the runtime's measured selection.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class GmmTrainGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Methods carrying [GmmTrain] (found by the compiler's attribute index), parsed into plain specs.
        // Invalid declarations produce nothing here: GmmTrainDeclarationAnalyzer reports them.
        // Internal failures become SPEC900.
        IncrementalValuesProvider<SpecResult> specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                GmmTrainDeclaration.AttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (attributeContext, cancellationToken) => ParseSafely(attributeContext, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(TrackingNames.GmmTrainMethods);

        // Runs only for specs that changed.
        context.RegisterSourceOutput(specs, static (production, result) =>
        {
            if (result.Diagnostic is not null)
            {
                production.ReportDiagnostic(result.Diagnostic.ToDiagnostic());
            }

            if (result.Spec is not null)
            {
                production.AddSource(result.Spec.HintName, Emitter.Emit(result.Spec));
            }
        });
    }

    private static SpecResult? ParseSafely(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
    {
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        try
        {
            if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length == 0)
            {
                return null;
            }

            GmmTrainSpec? spec = Parser.Parse(syntax, method, context.Attributes[0], cancellationToken);
            return spec is null ? null : new SpecResult(spec, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Never throw into the compiler: report, and leave the method unimplemented.
            return new SpecResult(null, DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorInternalError, syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, exception.GetType().Name + ": " + exception.Message));
        }
    }

    /// <summary>A spec, or the internal failure that prevented one.</summary>
    internal sealed record SpecResult(GmmTrainSpec? Spec, DiagnosticInfo? Diagnostic);
}
