using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Blb;
using Specialize.Analysis.Diagnostics;
using Specialize.Generator.Blb.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Blb;

/// <summary>
/// The Bag of Little Bootstraps pattern: for each <c>[BlbEstimator]</c> class, emits the weighted form of
/// its Estimate method (<c>EstimateWeighted</c>: loops over subsampled data co-iterate with the
/// multinomial weights) and a typed <c>Run</c> entry point that validates the data and calls the runtime.
/// </summary>
[Generator(LanguageNames.CSharp)]
public sealed partial class BlbGenerator : IIncrementalGenerator
{
    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        // Classes marked [BlbEstimator] (found by the compiler's attribute index), checked against the
        // estimator language and rewritten into a spec. An estimator with a SPEC1xx error yields
        // nothing here: the analyzer reports it. Internal failures become SPEC900.
        IncrementalValuesProvider<EstimatorResult> estimators = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                BlbEstimatorAnalysis.AttributeName,
                static (node, _) => node is ClassDeclarationSyntax,
                static (attributeContext, cancellationToken) => ParseSafely(attributeContext, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(TrackingNames.BlbEstimators);

        context.RegisterSourceOutput(estimators, static (production, result) =>
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

    private static EstimatorResult? ParseSafely(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var syntax = (ClassDeclarationSyntax)context.TargetNode;
        try
        {
            BlbEstimatorSpec? spec = Parser.Parse((INamedTypeSymbol)context.TargetSymbol, context.SemanticModel.Compilation, cancellationToken);
            return spec is null ? null : new EstimatorResult(spec, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Never throw into the compiler: report, and generate nothing for this estimator.
            return new EstimatorResult(null, DiagnosticInfo.Create(DiagnosticDescriptors.GeneratorInternalError, syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, exception.GetType().Name + ": " + exception.Message));
        }
    }

    /// <summary>An estimator's spec, or the internal failure that prevented one.</summary>
    internal sealed record EstimatorResult(BlbEstimatorSpec? Spec, DiagnosticInfo? Diagnostic);
}
