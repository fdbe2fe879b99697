using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Specialize.Analysis.Blb;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Purity;

namespace Specialize.Analyzers.Blb;

/// <summary>
/// Checks every <c>[BlbEstimator]</c> class against the estimator language (SPEC101-SPEC110): the
/// shape of the class and its Estimate method, and every construct in Estimate that the weighted-loop
/// rewrite cannot make correct. The generator runs the same checks and emits nothing when one fails.
/// An estimator without errors whose bootstraps cannot run on a GPU gets SPEC111, naming the construct
/// (the generator then emits no kernel).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlbEstimatorAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.SubsampledDataReadByPosition,
        DiagnosticDescriptors.OuterVariableCannotBeWeighted,
        DiagnosticDescriptors.JumpOutOfWeightedLoop,
        DiagnosticDescriptors.EstimatorCallsImpureMember,
        DiagnosticDescriptors.EstimatorNotStaticOrGeneric,
        DiagnosticDescriptors.SubsampledParameterTypeUnsupported,
        DiagnosticDescriptors.EstimatorTypeNotPartial,
        DiagnosticDescriptors.EstimateMethodMissing,
        DiagnosticDescriptors.ReducerShapeInvalid,
        DiagnosticDescriptors.EstimatorTypeFileLocal,
        DiagnosticDescriptors.EstimatorStaysOnCpu);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(BlbEstimatorAnalysis.AttributeName) is null)
            {
                return;
            }

            var purity = new PurityAnalysis(start.Compilation);
            start.RegisterSymbolAction(symbolContext => AnalyzeType(symbolContext, purity), SymbolKind.NamedType);
        });
    }

    private static void AnalyzeType(SymbolAnalysisContext context, PurityAnalysis purity)
    {
        var type = (INamedTypeSymbol)context.Symbol;
        if (!BlbEstimatorAnalysis.IsEstimator(type))
        {
            return;
        }

        BlbEstimatorAnalysis analysis = BlbEstimatorAnalysis.Analyze(type, context.Compilation, purity, context.CancellationToken);
        foreach (Diagnostic diagnostic in analysis.Diagnostics)
        {
            context.ReportDiagnostic(diagnostic);
        }

        if (analysis.Estimate is not null && analysis.EstimateSyntax is not null && !analysis.Diagnostics.Any(static d => d.Severity == DiagnosticSeverity.Error)
            && BlbDeviceLowering.Analyze(analysis, context.Compilation, context.CancellationToken).Obstacle is { } obstacle)
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.EstimatorStaysOnCpu, obstacle.Location, type.Name, obstacle.Construct, obstacle.Reason));
        }
    }
}
