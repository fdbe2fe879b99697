using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Purity;

namespace Specialize.Analyzers.Futures;

/// <summary>
/// Checks every method marked <c>[Pure]</c>: SPEC001 for a write to state it does not own, SPEC002
/// for a call to a member not known to be pure, SPEC003 for a read of a mutable static field.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class PureMethodAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.PureMethodWritesSharedState,
        DiagnosticDescriptors.PureMethodCallsImpureMember,
        DiagnosticDescriptors.PureMethodReadsMutableStatic);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            if (start.Compilation.GetTypeByMetadataName(PurityAnalysis.PureAttributeName) is null)
            {
                return;
            }

            var analysis = new PurityAnalysis(start.Compilation);
            start.RegisterSymbolAction(symbolContext => AnalyzeMethod(symbolContext, analysis), SymbolKind.Method);
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, PurityAnalysis analysis)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!PurityAnalysis.IsMarkedPure(method))
        {
            return;
        }

        foreach (PurityViolation violation in analysis.Analyze(method, context.CancellationToken))
        {
            Diagnostic diagnostic = violation.Kind switch
            {
                PurityViolationKind.WritesSharedState => Diagnostic.Create(
                    DiagnosticDescriptors.PureMethodWritesSharedState, violation.Location, method.Name, violation.What),
                PurityViolationKind.CallsImpureMember => Diagnostic.Create(
                    DiagnosticDescriptors.PureMethodCallsImpureMember, violation.Location, method.Name, violation.What, violation.Reason),
                _ => Diagnostic.Create(
                    DiagnosticDescriptors.PureMethodReadsMutableStatic, violation.Location, method.Name, violation.What),
            };
            context.ReportDiagnostic(diagnostic);
        }
    }
}
