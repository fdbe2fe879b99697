using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Purity;

namespace Specialize.Analyzers.Futures;

/// <summary>SPEC004: a method that passes the purity check but is not marked <c>[Pure]</c>.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class UnmarkedPureMethodAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(DiagnosticDescriptors.MethodIsPureButNotMarked);

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
            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, analysis), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, PurityAnalysis analysis)
    {
        var method = (IMethodSymbol)context.Symbol;

        // Worth marking: an ordinary method that takes input and returns a value, whose call could
        // be a future. Overrides and virtual methods are excluded (an override may run instead).
        if (method.MethodKind != MethodKind.Ordinary || method.ReturnsVoid || method.Parameters.Length == 0
            || method.IsVirtual || method.IsOverride || method.IsAbstract || method.IsExtern || method.IsImplicitlyDeclared
            || method.IsAsync || method.Parameters.Any(static p => p.RefKind != RefKind.None)
            || PurityAnalysis.IsMarkedPure(method) || method.Locations.FirstOrDefault() is not { IsInSource: true } location)
        {
            return;
        }

        if (analysis.IsPure(method, context.CancellationToken))
        {
            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.MethodIsPureButNotMarked, location, method.Name));
        }
    }
}
