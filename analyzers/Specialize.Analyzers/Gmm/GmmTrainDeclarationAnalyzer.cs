using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Gmm;

namespace Specialize.Analyzers.Gmm;

/// <summary>
/// SPEC201 to SPEC204: a <c>[GmmTrain]</c> declaration the generator cannot implement (not static
/// partial, an unsupported row type, an option out of range, the wrong return type or parameters). Where the
/// generator implements such a declaration with a body that throws, it reports the same problems itself (the
/// command-line compiler runs no analyzer while a partial method lacks its implementation); its body carries
/// <c>[GeneratedCode]</c>, which makes the method generated code that this analyzer does not analyze, so each problem
/// is reported once.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class GmmTrainDeclarationAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.GmmTrainMethodNotStaticPartial,
        DiagnosticDescriptors.GmmTrainUnsupportedRowType,
        DiagnosticDescriptors.GmmTrainInvalidOption,
        DiagnosticDescriptors.GmmTrainInvalidSignature);

    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(static start =>
        {
            INamedTypeSymbol? attributeType = start.Compilation.GetTypeByMetadataName(GmmTrainDeclaration.AttributeName);
            if (attributeType is null)
            {
                return;
            }

            start.RegisterSymbolAction(symbolContext => Analyze(symbolContext, attributeType), SymbolKind.Method);
        });
    }

    private static void Analyze(SymbolAnalysisContext context, INamedTypeSymbol attributeType)
    {
        var method = (IMethodSymbol)context.Symbol;

        // A partial method is checked once, through its definition.
        if (method.PartialDefinitionPart is not null)
        {
            return;
        }

        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, attributeType))
            {
                foreach (GmmTrainProblem problem in GmmTrainDeclaration.Analyze(method, attribute, context.CancellationToken).Problems)
                {
                    context.ReportDiagnostic(problem.ToDiagnostic());
                }

                return;
            }
        }
    }
}
