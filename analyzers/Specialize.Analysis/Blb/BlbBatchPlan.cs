using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Specialize.Analysis.Blb;

/// <summary>
/// Whether an estimator's bootstraps can share one pass over a subsample's rows, and what the estimator is made of
/// then: the batched form on the processor (<c>EstimateWeightedBatch</c>: one pass for several bootstraps) and the
/// GPU form (<see cref="BlbDeviceLowering"/>: each bootstrap's sums on the device, the rest on the host) are built on
/// it. Only the shape "declare accumulators; weighted loops that only add to them; compute the result from them"
/// qualifies, and only when that is provable from the syntax:
/// <list type="bullet">
/// <item>the body is a block: statements before the loops (the prefix), the weighted loops one after another at its
/// top level, and statements after them (the suffix); no local functions, labels or <c>goto</c>, no <c>return</c> in the prefix;</item>
/// <item>every scaled update is a statement whose target is an accumulator: a local of a built-in numeric type, or an
/// array of one created with <c>new T[length]</c>, declared with an initial value at the top level of the prefix (alone
/// or beside other locals of its type) and indexed by an <c>int</c>;</item>
/// <item>accumulators are named nowhere else in the prefix and the loops (never read, aliased or passed), so each
/// bootstrap's sums depend only on its weights, and the rows can be visited once for all bootstraps;</item>
/// <item>other prefix locals that the loops or the suffix use are plain values (numbers, <c>bool</c>, <c>char</c>,
/// strings, enums) and, like the parameters, are not written in the suffix, which runs once per bootstrap on state
/// the prefix computed once.</item>
/// </list>
/// Anything else: no plan (<see cref="Create"/> says why), no batched form, and the runtime calls <c>EstimateWeighted</c>
/// per bootstrap on the processor.
/// </summary>
public sealed class BlbBatchPlan
{
    private BlbBatchPlan()
    {
    }

    /// <summary>Statements before the weighted loops.</summary>
    public List<StatementSyntax> Prefix { get; } = new();

    /// <summary>The weighted loops, consecutive statements at the top level of the body.</summary>
    public List<StatementSyntax> Loops { get; } = new();

    /// <summary>Statements after the weighted loops: the result, from the accumulators.</summary>
    public List<StatementSyntax> Suffix { get; } = new();

    /// <summary>Accumulators in order of declaration.</summary>
    public List<BlbAccumulator> Accumulators { get; } = new();

    /// <summary>The scaled updates (the expression of each update statement).</summary>
    public Dictionary<SyntaxNode, BlbBatchUpdate> Updates { get; } = new();

    /// <summary>
    /// True when a row's terms cost more than adding them up (the loops call methods or loop themselves), so that
    /// computing them once for many bootstraps pays for keeping the accumulators in memory instead of registers.
    /// For one or two additions per row (a mean, a ratio) the per-bootstrap loop is as fast, and Run does not pass
    /// the batched form to the runtime.
    /// </summary>
    public bool Pays => Loops.Any(static l => ((CommonForEachStatementSyntax)l).Statement.DescendantNodes()
        .Any(static n => n is InvocationExpressionSyntax or ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax));

    /// <summary>True when some update adds <c>double</c> terms to <c>double</c> accumulators (the vectorized path).</summary>
    public bool NeedsDoubleWeights => Updates.Values.Any(static u => u.Vectorized);

    /// <summary>
    /// True when the vectorized updates go through the runtime's <c>BlbBatchTerms</c>, which adds a block of rows'
    /// terms at a time: only when no accumulator also gets updates that are applied at once (an <c>int</c> term, '++'),
    /// since those would then overtake the collected terms of earlier rows.
    /// </summary>
    public bool CollectsTerms => NeedsDoubleWeights
        && Updates.Values.GroupBy(static u => u.Target).All(static g => g.All(static u => u.Vectorized) || !g.Any(static u => u.Vectorized));

    /// <summary>The accumulators that vectorized updates add to, in order of declaration: numbered from 0 for <c>BlbBatchTerms</c>.</summary>
    public List<BlbAccumulator> TermAccumulators => Accumulators.Where(a => Updates.Values.Any(u => u.Vectorized && u.Target == a)).ToList();

    /// <summary>The accumulators a prefix statement declares (<c>double sx = 0, sy = 0;</c> declares two), in order; empty for other statements.</summary>
    public IReadOnlyList<BlbAccumulator> AccumulatorsDeclaredBy(StatementSyntax statement) =>
        Accumulators.Where(a => a.Declaration == statement).ToList();

    /// <summary>The plan of an estimator without SPEC1xx errors, or null with the construct that prevents one.</summary>
    /// <param name="analysis">The estimator's analysis (its weighted loops and scaled updates).</param>
    /// <param name="model">The semantic model of Estimate's tree.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    /// <param name="obstacle">Where there is no plan, the construct that prevents it and why.</param>
    public static BlbBatchPlan? Create(BlbEstimatorAnalysis analysis, SemanticModel model, CancellationToken cancellationToken, out BlbObstacle? obstacle)
    {
        obstacle = null;
        MethodDeclarationSyntax syntax = analysis.EstimateSyntax!;
        if (syntax.Body is not { } body)
        {
            obstacle = new BlbObstacle(syntax.Identifier.GetLocation(), "=>", "an expression body: the loops that accumulate must be statements of a block body");
            return null;
        }

        if (analysis.WeightedLoops.Count == 0)
        {
            obstacle = new BlbObstacle(syntax.Identifier.GetLocation(), syntax.Identifier.ValueText, "no foreach over subsampled data to run on the rows");
            return null;
        }

        if (analysis.RepeatedUpdates.FirstOrDefault() is { } repeated)
        {
            obstacle = new BlbObstacle(repeated.GetLocation(), repeated.ToString(), "an update of an accumulator that is not a built-in number, which is repeated once per copy of the row instead of scaled by its weight");
            return null;
        }

        if (body.DescendantNodes().FirstOrDefault(static n => n is LocalFunctionStatementSyntax or GotoStatementSyntax or LabeledStatementSyntax) is { } jump)
        {
            obstacle = new BlbObstacle(jump.GetFirstToken().GetLocation(), jump.GetFirstToken().ValueText, jump is LocalFunctionStatementSyntax ? "a local function" : "a label or a goto");
            return null;
        }

        // A preprocessor branch between top-level statements could open in the part that runs once and close in the
        // part that runs per bootstrap, around the generated loop.
        if (body.Statements.FirstOrDefault(static s => HasConditionalDirective(s.GetLeadingTrivia())) is { } directive)
        {
            obstacle = new BlbObstacle(directive.GetFirstToken().GetLocation(), "#if", "a preprocessor branch between the statements of the body");
            return null;
        }

        if (HasConditionalDirective(body.CloseBraceToken.LeadingTrivia))
        {
            obstacle = new BlbObstacle(body.CloseBraceToken.GetLocation(), "#if", "a preprocessor branch between the statements of the body");
            return null;
        }

        // The weighted loops: consecutive statements at the top level of the body.
        SyntaxList<StatementSyntax> statements = body.Statements;
        var positions = new List<int>();
        for (int i = 0; i < statements.Count; i++)
        {
            if (statements[i] is CommonForEachStatementSyntax loop && analysis.WeightedLoops.ContainsKey(loop))
            {
                positions.Add(i);
            }
        }

        if (positions.Count != analysis.WeightedLoops.Count || positions[positions.Count - 1] - positions[0] != positions.Count - 1)
        {
            CommonForEachStatementSyntax misplaced = analysis.WeightedLoops.Keys
                .Where(l => !positions.Any(p => statements[p] == l))
                .DefaultIfEmpty(analysis.WeightedLoops.Keys.OrderBy(static l => l.SpanStart).Last())
                .First();
            obstacle = new BlbObstacle(misplaced.ForEachKeyword.GetLocation(), "foreach", "a weighted loop that is not a statement of the body itself, next to the other weighted loops");
            return null;
        }

        var plan = new BlbBatchPlan();
        for (int i = 0; i < statements.Count; i++)
        {
            (i < positions[0] ? plan.Prefix : i <= positions[positions.Count - 1] ? plan.Loops : plan.Suffix).Add(statements[i]);
        }

        if (plan.Prefix.SelectMany(static s => OutsideFunctions(s)).OfType<ReturnStatementSyntax>().FirstOrDefault() is { } early)
        {
            obstacle = new BlbObstacle(early.ReturnKeyword.GetLocation(), "return", "a return before the weighted loops");
            return null;
        }

        // Every scaled update: a statement that adds to an accumulator.
        var allowedTargets = new HashSet<SyntaxNode>();
        foreach (SyntaxNode update in analysis.ScaledUpdates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (update.Parent is not ExpressionStatementSyntax)
            {
                obstacle = new BlbObstacle(update.GetLocation(), update.ToString(), "an update whose value is used");
                return null;
            }

            (ExpressionSyntax target, ExpressionSyntax? term, bool subtract) = update switch
            {
                AssignmentExpressionSyntax a => (a.Left, a.Right, a.IsKind(SyntaxKind.SubtractAssignmentExpression)),
                PostfixUnaryExpressionSyntax p => (p.Operand, (ExpressionSyntax?)null, p.IsKind(SyntaxKind.PostDecrementExpression)),
                PrefixUnaryExpressionSyntax p => (p.Operand, (ExpressionSyntax?)null, p.IsKind(SyntaxKind.PreDecrementExpression)),
                _ => (null!, null, false),
            };
            if (target is null)
            {
                obstacle = new BlbObstacle(update.GetLocation(), update.ToString(), "an update of an unknown form");
                return null;
            }

            ExpressionSyntax? index = null;
            IdentifierNameSyntax? name = target as IdentifierNameSyntax;
            if (target is ElementAccessExpressionSyntax { Expression: IdentifierNameSyntax array, ArgumentList.Arguments: { Count: 1 } arguments }
                && arguments[0].RefKindKeyword == default && arguments[0].NameColon is null
                && model.GetTypeInfo(arguments[0].Expression, cancellationToken).Type?.SpecialType == SpecialType.System_Int32)
            {
                name = array;
                index = arguments[0].Expression;
            }

            if (name is null || model.GetSymbolInfo(name, cancellationToken).Symbol is not ILocalSymbol local
                || Accumulate(plan, local, index is not null, model, cancellationToken) is not { } accumulator)
            {
                obstacle = new BlbObstacle(target.GetLocation(), target.ToString(),
                    "an update whose target is not an accumulator: a local number, or an element of a local array made with new T[length], declared with its initial value before the loops");
                return null;
            }

            if (term is not null && model.GetTypeInfo(term, cancellationToken).Type is null)
            {
                obstacle = new BlbObstacle(term.GetLocation(), term.ToString(), "a term without a type");
                return null;
            }

            bool vectorized = term is not null && accumulator.ElementType == "double"
                && model.GetTypeInfo(term, cancellationToken).Type?.SpecialType == SpecialType.System_Double;
            plan.Updates[update] = new BlbBatchUpdate(accumulator, index, term, subtract, vectorized);
            allowedTargets.Add(name);
        }

        // Accumulators are named only as update targets before the suffix.
        var accumulators = new HashSet<ISymbol>(plan.Accumulators.Select(static a => a.Local), SymbolEqualityComparer.Default);
        foreach (StatementSyntax statement in plan.Prefix.Concat(plan.Loops))
        {
            foreach (IdentifierNameSyntax identifier in statement.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                if (!allowedTargets.Contains(identifier) && model.GetSymbolInfo(identifier, cancellationToken).Symbol is { } symbol && accumulators.Contains(symbol))
                {
                    obstacle = new BlbObstacle(identifier.GetLocation(), identifier.Identifier.ValueText,
                        "a read of an accumulator before the loops end, so each bootstrap's pass over the rows depends on its own sums so far");
                    return null;
                }
            }
        }

        // State computed once by the prefix and read per row or per bootstrap must be a value nobody writes afterwards.
        foreach (StatementSyntax statement in plan.Loops.Concat(plan.Suffix))
        {
            bool suffix = plan.Suffix.Contains(statement);
            foreach (IdentifierNameSyntax identifier in statement.DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                ISymbol? symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
                if (symbol is ILocalSymbol local && !accumulators.Contains(local) && DeclaredIn(local, plan.Prefix))
                {
                    if (local.IsRef || !IsPlainValue(local.Type) || (suffix && IsWritten(identifier)))
                    {
                        obstacle = new BlbObstacle(identifier.GetLocation(), identifier.Identifier.ValueText,
                            suffix && IsWritten(identifier)
                                ? "a write after the loops to a local that the part before them computed once for every bootstrap"
                                : "a local made before the loops that is not a plain value (a number, bool, char, string or enum)");
                        return null;
                    }
                }
                else if (symbol is IParameterSymbol && suffix && IsWritten(identifier))
                {
                    obstacle = new BlbObstacle(identifier.GetLocation(), identifier.Identifier.ValueText, "a write to a parameter after the loops");
                    return null;
                }
            }
        }

        return plan;
    }

    private static bool HasConditionalDirective(SyntaxTriviaList trivia) =>
        trivia.Any(static t => t.IsKind(SyntaxKind.IfDirectiveTrivia) || t.IsKind(SyntaxKind.ElifDirectiveTrivia)
            || t.IsKind(SyntaxKind.ElseDirectiveTrivia) || t.IsKind(SyntaxKind.EndIfDirectiveTrivia));

    /// <summary>The accumulator for an update target, creating it on its first update; null when the local does not qualify.</summary>
    private static BlbAccumulator? Accumulate(BlbBatchPlan plan, ILocalSymbol local, bool indexed, SemanticModel model, CancellationToken cancellationToken)
    {
        if (plan.Accumulators.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Local, local)) is { } known)
        {
            return known.IsArray == indexed ? known : null;
        }

        if (local.IsRef || local.IsConst
            || local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || declarator.Parent is not VariableDeclarationSyntax declaration
            || declaration.Parent is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, Modifiers.Count: 0 } statement
            || !plan.Prefix.Contains(statement))
        {
            return null;
        }

        BlbAccumulator accumulator;
        if (indexed)
        {
            if (local.Type is not IArrayTypeSymbol { Rank: 1, ElementType: var element } || !BlbEstimatorAnalysis.IsBuiltInNumber(element)
                || initializer is not ArrayCreationExpressionSyntax { Initializer: null, Type.RankSpecifiers: { Count: 1 } ranks }
                || ranks[0].Sizes.Count != 1 || ranks[0].Sizes[0] is OmittedArraySizeExpressionSyntax
                || model.GetTypeInfo(ranks[0].Sizes[0], cancellationToken).Type?.SpecialType != SpecialType.System_Int32)
            {
                return null;
            }

            accumulator = new BlbAccumulator(local, statement, declarator, element, true, ranks[0].Sizes[0]);
        }
        else
        {
            if (!BlbEstimatorAnalysis.IsBuiltInNumber(local.Type))
            {
                return null;
            }

            accumulator = new BlbAccumulator(local, statement, declarator, local.Type, false, initializer);
        }

        plan.Accumulators.Add(accumulator);
        plan.Accumulators.Sort(static (a, b) => a.Declarator.SpanStart.CompareTo(b.Declarator.SpanStart));
        return accumulator;
    }

    private static bool DeclaredIn(ILocalSymbol local, List<StatementSyntax> statements)
    {
        Location? location = local.Locations.FirstOrDefault();
        return location is not null && statements.Any(s => s.SyntaxTree == location.SourceTree && s.Span.Contains(location.SourceSpan));
    }

    private static bool IsPlainValue(ITypeSymbol type) =>
        BlbEstimatorAnalysis.IsBuiltInNumber(type) || type.TypeKind == TypeKind.Enum
        || type.SpecialType is SpecialType.System_Boolean or SpecialType.System_Char or SpecialType.System_String;

    /// <summary>Conservatively, whether a name is written: assigned (also as part of a larger target), incremented, or passed by reference.</summary>
    private static bool IsWritten(IdentifierNameSyntax identifier)
    {
        SyntaxNode node = identifier;
        while (node.Parent is MemberAccessExpressionSyntax m && m.Expression == node
            || node.Parent is ElementAccessExpressionSyntax e && e.Expression == node
            || node.Parent is ParenthesizedExpressionSyntax)
        {
            node = node.Parent;
        }

        if (node.Parent is PostfixUnaryExpressionSyntax or RefExpressionSyntax
            || node.Parent is PrefixUnaryExpressionSyntax prefix && (prefix.IsKind(SyntaxKind.PreIncrementExpression) || prefix.IsKind(SyntaxKind.PreDecrementExpression) || prefix.IsKind(SyntaxKind.AddressOfExpression))
            || node.Parent is ArgumentSyntax { RefKindKeyword.RawKind: not 0 })
        {
            return true;
        }

        // Inside an assignment's target, a name in an index or an argument ('result[slots] = v') is read, not written.
        return identifier.Ancestors().OfType<AssignmentExpressionSyntax>().Any(a => a.Left.Span.Contains(identifier.Span)
            && !identifier.Ancestors().TakeWhile(n => n != a.Left).Any(static n => n is BracketedArgumentListSyntax or ArgumentListSyntax));
    }

    /// <summary>Nodes of a statement outside the lambdas and anonymous methods in it (their returns are their own).</summary>
    private static IEnumerable<SyntaxNode> OutsideFunctions(SyntaxNode node) =>
        node.DescendantNodesAndSelf(static n => n is not AnonymousFunctionExpressionSyntax);
}

/// <summary>A local that weighted loops only add to.</summary>
public sealed class BlbAccumulator
{
    internal BlbAccumulator(ILocalSymbol local, LocalDeclarationStatementSyntax declaration, VariableDeclaratorSyntax declarator, ITypeSymbol element, bool isArray, ExpressionSyntax initializer)
    {
        Local = local;
        Declaration = declaration;
        Declarator = declarator;
        Element = element;
        ElementType = element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
        IsArray = isArray;
        Initializer = initializer;
    }

    /// <summary>The local.</summary>
    public ILocalSymbol Local { get; }

    /// <summary>Its declaration, a statement of the prefix (which may declare other locals too).</summary>
    public LocalDeclarationStatementSyntax Declaration { get; }

    /// <summary>Its declarator in <see cref="Declaration"/>.</summary>
    public VariableDeclaratorSyntax Declarator { get; }

    /// <summary>The number type (the element type of an array accumulator).</summary>
    public ITypeSymbol Element { get; }

    /// <summary>The number type (the element type of an array accumulator), fully qualified.</summary>
    public string ElementType { get; }

    /// <summary>Whether the accumulator is an array, indexed by the updates.</summary>
    public bool IsArray { get; }

    /// <summary>The initial value of a scalar, the length of an array.</summary>
    public ExpressionSyntax Initializer { get; }
}

/// <summary>One scaled update: <c>target[index] op= term</c>, or '++' / '--' (no term).</summary>
public sealed class BlbBatchUpdate
{
    internal BlbBatchUpdate(BlbAccumulator target, ExpressionSyntax? index, ExpressionSyntax? term, bool subtract, bool vectorized)
    {
        Target = target;
        Index = index;
        Term = term;
        Subtract = subtract;
        Vectorized = vectorized;
    }

    /// <summary>The accumulator updated.</summary>
    public BlbAccumulator Target { get; }

    /// <summary>The element of an array accumulator; null for a scalar.</summary>
    public ExpressionSyntax? Index { get; }

    /// <summary>What is added or subtracted; null for '++' and '--'.</summary>
    public ExpressionSyntax? Term { get; }

    /// <summary>Whether the term is subtracted ('-=', '--').</summary>
    public bool Subtract { get; }

    /// <summary>A <c>double</c> term into a <c>double</c> accumulator: collected by the runtime's <c>BlbBatchTerms</c> (or <c>BlbBatch.AddScaled</c> where the accumulator also gets other updates).</summary>
    public bool Vectorized { get; }
}

/// <summary>A construct that keeps an estimator from a form (the batched form, the GPU form), and why.</summary>
public sealed class BlbObstacle
{
    /// <summary>Creates an obstacle.</summary>
    /// <param name="location">Where it is.</param>
    /// <param name="construct">The construct as written, short.</param>
    /// <param name="reason">Why it has no such form, as a phrase ("a call of 'Console.WriteLine', which ...").</param>
    public BlbObstacle(Location location, string construct, string reason)
    {
        Location = location;
        Construct = construct;
        Reason = reason;
    }

    /// <summary>Where it is.</summary>
    public Location Location { get; }

    /// <summary>The construct as written, short.</summary>
    public string Construct { get; }

    /// <summary>Why it has no such form, as a phrase.</summary>
    public string Reason { get; }
}
