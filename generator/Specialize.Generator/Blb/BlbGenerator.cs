using System;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Blb;
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

        // Runs only for estimators that changed; a failure here is SPEC900 on that estimator, and the others are
        // still generated.
        context.RegisterSourceOutput(estimators, static (production, result) =>
            SourceOutput.Guarded(production, result.Location, result.Name, output =>
            {
                if (result.Diagnostic is not null)
                {
                    output.ReportDiagnostic(result.Diagnostic.ToDiagnostic());
                }

                if (result.Spec is not null)
                {
                    output.AddSource(result.Spec.HintName, Emitter.Emit(result.Spec));
                }
            }));
    }

    private static EstimatorResult? ParseSafely(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        var syntax = (ClassDeclarationSyntax)context.TargetNode;
        LocationInfo location = LocationInfo.From(syntax.Identifier.GetLocation());
        try
        {
            FaultInjection.Check(GeneratorStep.Parse, syntax.Identifier.ValueText);
            BlbEstimatorSpec? spec = Parser.Parse((INamedTypeSymbol)context.TargetSymbol, context.SemanticModel.Compilation, cancellationToken);
            return spec is null ? null : new EstimatorResult(syntax.Identifier.ValueText, location, spec, null);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Never throw into the compiler: report, and generate nothing for this estimator.
            return new EstimatorResult(syntax.Identifier.ValueText, location, null, SourceOutput.InternalError(location, syntax.Identifier.ValueText, exception));
        }
    }

    /// <summary>An estimator's spec, or the internal failure that prevented one.</summary>
    /// <param name="Name">The class's name, for SPEC900.</param>
    /// <param name="Location">The class's name in the declaration carrying the attribute, where SPEC900 is reported.</param>
    /// <param name="Spec">What to generate.</param>
    /// <param name="Diagnostic">The internal failure that prevented a spec.</param>
    internal sealed record EstimatorResult(string Name, LocationInfo Location, BlbEstimatorSpec? Spec, DiagnosticInfo? Diagnostic);
}
