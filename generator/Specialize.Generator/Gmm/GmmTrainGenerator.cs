using System;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
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
        // Methods carrying [GmmTrain] (found by the compiler's attribute index), parsed into plain specs. A
        // declaration with problems gets a stand-in that throws, and its problems are reported here: without an
        // implementation the command-line compiler would stop at "partial method must have an implementation part"
        // before running the analyzer that explains them. Internal failures become SPEC900.
        IncrementalValuesProvider<SpecResult> specs = context.SyntaxProvider
            .ForAttributeWithMetadataName(
                GmmTrainDeclaration.AttributeName,
                static (node, _) => node is MethodDeclarationSyntax,
                static (attributeContext, cancellationToken) => ParseSafely(attributeContext, cancellationToken))
            .Where(static result => result is not null)
            .Select(static (result, _) => result!)
            .WithTrackingName(TrackingNames.GmmTrainMethods);

        // Runs only for specs that changed; a failure here is SPEC900 on that method, and the others are still generated.
        context.RegisterSourceOutput(specs, static (production, result) =>
            SourceOutput.Guarded(production, result.Location, result.Name, output =>
            {
                foreach (DiagnosticInfo diagnostic in result.Diagnostics)
                {
                    output.ReportDiagnostic(diagnostic.ToDiagnostic());
                }

                if (result.Spec is not null)
                {
                    output.AddSource(result.Spec.Frame.HintName, Emitter.Emit(result.Spec));
                }
                else if (result.StandIn is not null)
                {
                    output.AddSource(result.StandIn.Frame.HintName, Emitter.EmitStandIn(result.StandIn));
                }
            }));
    }

    private static SpecResult? ParseSafely(GeneratorAttributeSyntaxContext context, System.Threading.CancellationToken cancellationToken)
    {
        var syntax = (MethodDeclarationSyntax)context.TargetNode;
        try
        {
            FaultInjection.Check(GeneratorStep.Parse, syntax.Identifier.ValueText);
            if (context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length == 0)
            {
                return null;
            }

            return Parser.Parse(syntax, method, context.Attributes[0], cancellationToken);
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // Never throw into the compiler: report, and leave the method unimplemented.
            LocationInfo location = LocationInfo.From(syntax.Identifier.GetLocation());
            return new SpecResult(syntax.Identifier.ValueText, location, null, null,
                new EquatableArray<DiagnosticInfo>([SourceOutput.InternalError(location, syntax.Identifier.ValueText, exception)]));
        }
    }

    /// <summary>What one <c>[GmmTrain]</c> method yields: an implementation, a stand-in, or neither; and what to report.</summary>
    /// <param name="Name">The method's name, for SPEC900.</param>
    /// <param name="Location">The method's name in its declaration, where SPEC900 is reported.</param>
    /// <param name="Spec">The implementation of a valid declaration.</param>
    /// <param name="StandIn">The stand-in for a declaration with problems.</param>
    /// <param name="Diagnostics">The declaration's problems (with a stand-in), or the internal failure that prevented a spec.</param>
    internal sealed record SpecResult(string Name, LocationInfo Location, GmmTrainSpec? Spec, GmmStandInSpec? StandIn, EquatableArray<DiagnosticInfo> Diagnostics);
}
