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
        DiagnosticDescriptors.PureCallsCannotHostTwin,
        DiagnosticDescriptors.PureCallsKeptApart);

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
        (SyntaxNode Container, IReadOnlyList<StatementSyntax> Statements)? body = context.Node switch
        {
            MethodDeclarationSyntax { Body: { } block } => (block, block.Statements),
            LocalFunctionStatementSyntax { Body: { } block } => (block, block.Statements),
            AnonymousFunctionExpressionSyntax { Block: { } block } => (block, block.Statements),
            CompilationUnitSyntax unit => (unit, unit.Members.OfType<GlobalStatementSyntax>().Select(static g => g.Statement).ToList()),
            _ => null,
        };
        if (body is not { } found || found.Statements.Count == 0 || CountCalls(found.Statements) < 2)
        {
            return;
        }

        ISymbol? owner = context.Node switch
        {
            CompilationUnitSyntax => context.SemanticModel.GetEnclosingSymbol(found.Statements[0].SpanStart, context.CancellationToken),
            AnonymousFunctionExpressionSyntax lambda => context.SemanticModel.GetSymbolInfo(lambda, context.CancellationToken).Symbol,
            _ => context.SemanticModel.GetDeclaredSymbol(context.Node, context.CancellationToken),
        };
        if (owner is not IMethodSymbol host)
        {
            return;
        }

        FuturePlan plan = FuturePlan.ForStatements(found.Container, found.Statements, context.SemanticModel, analysis, host, context.CancellationToken);
        if (plan.HasRuns)
        {
            ReportPlace(context, plan);
        }

        foreach (FuturePlan part in plan.AllPlans())
        {
            ReportCallsThatCannotOverlap(context, part);
        }
    }

    /// <summary>Calls outside lambdas and local functions (two are the least that can overlap).</summary>
    private static int CountCalls(IReadOnlyList<StatementSyntax> statements) =>
        statements.Sum(static s => s.DescendantNodesAndSelf(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Count(static n => n is InvocationExpressionSyntax));

    private static void ReportPlace(SyntaxNodeAnalysisContext context, FuturePlan plan)
    {
        (string Place, string Reason)? unsupported = context.Node switch
        {
            CompilationUnitSyntax => ("the top-level statements", "the entry point has no call site to route to a parallel twin"),
            LocalFunctionStatementSyntax local => ($"local function '{local.Identifier.ValueText}'", "calls of a local function cannot be intercepted"),
            AnonymousFunctionExpressionSyntax => ("a lambda", "calls of a lambda cannot be intercepted"),
            MethodDeclarationSyntax method => Classify(context, method),
            _ => null,
        };

        // What could run at once: the first run of overlapping calls, or the first parallel map.
        FutureRun? firstRun = plan.AllPlans().FirstOrDefault(static p => p.Runs.Length > 0)?.Runs[0];
        FutureMap? firstMap = plan.AllPlans().SelectMany(static p => p.Steps).Select(static s => s.Map).FirstOrDefault(static m => m is not null);
        if (firstRun is not null && firstMap is not null && firstMap.Loop.SpanStart < firstRun.Calls[0].InvocationSyntax.SpanStart)
        {
            firstRun = null;
        }

        if (unsupported is { } place)
        {
            string calls = firstRun is not null
                ? string.Join(" and ", firstRun.Calls.Select(static c => $"'{c.Callee.Name}'").Distinct())
                : $"'{firstMap!.Call.Callee.Name}' in a loop";
            SyntaxNode at = firstRun is not null ? firstRun.Calls[0].InvocationSyntax : firstMap!.Call.InvocationSyntax;

            // The extent (in statements) of the local declarations that start a run of the body's own
            // statements travels with the diagnostic, so that "extract method" moves exactly them.
            ImmutableDictionary<string, string?> properties = ImmutableDictionary<string, string?>.Empty;
            if (firstRun is not null && plan.Runs.Length > 0 && plan.Runs[0] == firstRun)
            {
                int length = 0;
                while (firstRun.First + length <= firstRun.Last && plan.Statements[firstRun.First + length] is LocalDeclarationStatementSyntax)
                {
                    length++;
                }

                if (length >= 2)
                {
                    properties = properties.Add(DiagnosticProperties.RunLength, length.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            context.ReportDiagnostic(Diagnostic.Create(
                DiagnosticDescriptors.PureCallsCannotHostTwin, at.GetLocation(), properties, calls, place.Place, place.Reason));
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

    /// <summary>
    /// SPEC005 and SPEC008: calls that could have overlapped another pure call of the same statements
    /// but run alone, and what keeps them apart.
    /// </summary>
    private static void ReportCallsThatCannotOverlap(SyntaxNodeAnalysisContext context, FuturePlan plan)
    {
        var inRun = new HashSet<FutureCall>(plan.Runs.SelectMany(static r => r.Calls));
        foreach (FutureCall call in plan.Calls)
        {
            if (inRun.Contains(call))
            {
                continue;
            }

            int step = plan.StepOf(call);
            int forced = plan.ForcePoint(call);
            if (forced >= plan.Steps.Length)
            {
                continue;
            }

            // A later pure call that does not need this one's value could have run alongside it.
            FutureCall? later = plan.Steps.Skip(forced + 1).Select(static s => s.Call).FirstOrDefault(other => other is not null && !Needs(other, call, plan));
            if (later is null)
            {
                continue;
            }

            FutureStep forcing = plan.Steps[forced];
            if (forcing.ForcesAllBecause is { } reason && !Reads(forcing, call))
            {
                Location at = forcing.Statement.GetLocation();
                int line = at.GetLineSpan().StartLinePosition.Line + 1;
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PureCallsKeptApart, call.InvocationSyntax.GetLocation(),
                    ImmutableArray.Create(at), call.Callee.Name, later.Callee.Name,
                    $"the statement at line {line} ('{Shorten(forcing.Statement)}') runs between them and forces it first, because {reason}; move the independent pure calls before that statement"));
            }
            else if (!call.IsTemporary && step >= 0 && Reads(forcing, call))
            {
                context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PureCallCannotOverlap, call.InvocationSyntax.GetLocation(), call.Callee.Name, call.Variable));
            }
        }

        foreach (KeptApart kept in plan.KeptApart)
        {
            FutureCall? other = plan.Calls.FirstOrDefault(c => c.Candidate.Statement == kept.Call.Statement);
            string otherName = other?.Callee.Name ?? plan.Calls.FirstOrDefault()?.Callee.Name ?? string.Empty;
            if (otherName.Length == 0)
            {
                continue;
            }

            context.ReportDiagnostic(Diagnostic.Create(DiagnosticDescriptors.PureCallsKeptApart, kept.Call.InvocationSyntax.GetLocation(),
                ImmutableArray.Create(kept.By.GetLocation()), kept.Call.Callee.Name, otherName,
                $"'{Shorten(kept.By)}', evaluated before it in the same expression, {kept.Reason}; evaluate it in a statement of its own after the call, or call '{kept.Call.Callee.Name}' first"));
        }
    }

    /// <summary>True when a step reads the call's value.</summary>
    private static bool Reads(FutureStep step, FutureCall call)
    {
        IEnumerable<SyntaxNode> nodes = step.Call is { } own ? new SyntaxNode[] { own.InvocationSyntax.ArgumentList } : new SyntaxNode[] { step.Statement };
        return step.Replacements.Values.Contains(call)
            || nodes.Any(n => n.DescendantNodesAndSelf().OfType<IdentifierNameSyntax>().Any(id => id.Identifier.ValueText == call.Name));
    }

    private static bool Needs(FutureCall later, FutureCall earlier, FuturePlan plan) =>
        later.Mentions.Contains(earlier.Variable) || later.Mentions.Contains(earlier.Name);

    private static string Shorten(SyntaxNode node)
    {
        string text = string.Join(" ", node.ToString().Split(new[] { '\r', '\n' }, System.StringSplitOptions.RemoveEmptyEntries).Select(static l => l.Trim()));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
