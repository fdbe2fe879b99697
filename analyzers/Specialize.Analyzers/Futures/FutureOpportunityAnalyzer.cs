using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Futures;
using Specialize.Analysis.Purity;

namespace Specialize.Analyzers.Futures;

/// <summary>
/// Explains pure calls that could overlap but will not: SPEC005 (the result is needed before another
/// pure call starts), SPEC006 (the type cannot receive a twin because it is not partial), SPEC007 (the
/// calls are in an entry point, lambda, local function, iterator or async method).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class FutureOpportunityAnalyzer : DiagnosticAnalyzer
{
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(
        DiagnosticDescriptors.PureCallCannotOverlap,
        DiagnosticDescriptors.TypeWithParallelCallsIsNotPartial,
        DiagnosticDescriptors.PureCallsCannotHostTwin);

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
            start.RegisterSyntaxNodeAction(
                nodeContext => AnalyzeBody(nodeContext, analysis),
                SyntaxKind.MethodDeclaration, SyntaxKind.LocalFunctionStatement, SyntaxKind.ParenthesizedLambdaExpression,
                SyntaxKind.SimpleLambdaExpression, SyntaxKind.AnonymousMethodExpression, SyntaxKind.CompilationUnit);
        });
    }

    private static void AnalyzeBody(SyntaxNodeAnalysisContext context, PurityAnalysis analysis)
    {
        IReadOnlyList<StatementSyntax>? statements = context.Node switch
        {
            MethodDeclarationSyntax { Body: { } body } => body.Statements,
            LocalFunctionStatementSyntax { Body: { } body } => body.Statements,
            AnonymousFunctionExpressionSyntax { Block: { } body } => body.Statements,
            CompilationUnitSyntax unit => unit.Members.OfType<GlobalStatementSyntax>().Select(static g => g.Statement).ToList(),
            _ => null,
        };
        if (statements is null || statements.Count < 2)
        {
            return;
        }

        FuturePlan plan = FuturePlan.Create(statements, context.SemanticModel, analysis, context.CancellationToken);
        if (plan.Candidates.Length == 0)
        {
            return;
        }

        if (plan.Runs.Length > 0)
        {
            ReportPlace(context, plan.Runs);
        }

        ReportCallsThatCannotOverlap(context, statements, plan);
    }

    private static void ReportPlace(SyntaxNodeAnalysisContext context, ImmutableArray<FutureRun> runs)
    {
        (string Place, string Reason)? unsupported = context.Node switch
        {
            CompilationUnitSyntax => ("the top-level statements", "the entry point has no call site to route to a parallel twin"),
            LocalFunctionStatementSyntax local => ($"local function '{local.Identifier.ValueText}'", "calls of a local function cannot be intercepted"),
            AnonymousFunctionExpressionSyntax => ("a lambda", "calls of a lambda cannot be intercepted"),
            MethodDeclarationSyntax method => Classify(context, method),
            _ => null,
        };

        FutureCandidate first = runs[0].Calls[0];
        if (unsupported is { } place)
        {
            string calls = string.Join(" and ", runs[0].Calls.Select(static c => $"'{c.Callee.Name}'").Distinct());
            // The run's extent (in statements) travels with the diagnostic, so that "extract method" moves exactly it.
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty
                .Add(DiagnosticProperties.RunLength, runs[0].Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.PureCallsCannotHostTwin, first.InvocationSyntax.GetLocation(), properties, calls, place.Place, place.Reason));
            return;
        }

        if (context.Node is MethodDeclarationSyntax declaration)
        {
            for (SyntaxNode? node = declaration.Parent; node is TypeDeclarationSyntax type; node = node.Parent)
            {
                if (!type.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    context.ReportDiagnostic(Diagnostic.Create(
                        DiagnosticDescriptors.TypeWithParallelCallsIsNotPartial, type.Identifier.GetLocation(), type.Identifier.ValueText, declaration.Identifier.ValueText));
                }
            }
        }
    }

    private static (string Place, string Reason)? Classify(SyntaxNodeAnalysisContext context, MethodDeclarationSyntax method)
    {
        if (context.SemanticModel.GetDeclaredSymbol(method, context.CancellationToken) is not { } symbol)
        {
            return null;
        }

        string name = $"'{symbol.Name}'";
        // The compiler's entry point, or in a library a method C# would take as one.
        IMethodSymbol? entryPoint = context.Compilation.GetEntryPoint(context.CancellationToken);
        if (SymbolEqualityComparer.Default.Equals(entryPoint, symbol) || (entryPoint is null && symbol is { IsStatic: true, Name: "Main" }))
        {
            return ($"the entry point {name}", "the entry point has no call site to route to a parallel twin");
        }

        if (symbol.IsAsync)
        {
            return ($"async method {name}", "an async method is rewritten into a state machine");
        }

        if (method.Body!.DescendantNodes().Any(static n => n is YieldStatementSyntax))
        {
            return ($"iterator {name}", "an iterator is rewritten into a state machine");
        }

        return null;
    }

    private static void ReportCallsThatCannotOverlap(SyntaxNodeAnalysisContext context, IReadOnlyList<StatementSyntax> statements, FuturePlan plan)
    {
        // Only worth saying when there is other pure work the call could have overlapped.
        if (plan.Candidates.Length < 2)
        {
            return;
        }

        var inRun = new HashSet<SyntaxNode>(plan.Runs.SelectMany(static r => r.Calls.Select(static c => (SyntaxNode)c.Statement)));
        foreach (FutureCandidate candidate in plan.Candidates)
        {
            if (inRun.Contains(candidate.Statement))
            {
                continue;
            }

            // Not in a run: no other pure call starts before the value is forced. Say so when a use
            // of the value forces it (not an impure statement or the end of the block) ...
            int forced = plan.ForcePoint(candidate);
            if (forced >= statements.Count)
            {
                continue;
            }

            string variable = candidate.Variable;
            bool Uses(StatementSyntax statement) => statement.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == variable);

            // ... and a later pure call does not need this result, so it could be moved up.
            bool movable = plan.Candidates.Any(other => IndexOf(statements, other.Statement) > forced && !Uses(other.Statement));
            if (Uses(statements[forced]) && movable)
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PureCallCannotOverlap, candidate.InvocationSyntax.GetLocation(), candidate.Callee.Name, variable));
            }
        }
    }

    private static int IndexOf(IReadOnlyList<StatementSyntax> statements, StatementSyntax statement)
    {
        for (int i = 0; i < statements.Count; i++)
        {
            if (statements[i] == statement)
            {
                return i;
            }
        }

        return -1;
    }
}
