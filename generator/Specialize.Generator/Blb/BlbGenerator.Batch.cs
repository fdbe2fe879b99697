using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Blb;

namespace Specialize.Generator.Blb;

public sealed partial class BlbGenerator
{
    /// <summary>
    /// Whether an estimator gets a batched form (<c>EstimateWeightedBatch</c>: one pass over a subsample's rows for
    /// several bootstraps), and what it is made of. Only the shape "declare accumulators; weighted loops that only add
    /// to them; compute the result from them" qualifies, and only when that is provable from the syntax:
    /// <list type="bullet">
    /// <item>the body is a block: statements before the loops (the prefix), the weighted loops one after another at its
    /// top level, and statements after them (the suffix); no local functions, labels or <c>goto</c>, no <c>return</c> in the prefix;</item>
    /// <item>every scaled update is a statement whose target is an accumulator: a local of a built-in numeric type, or an
    /// array of one created with <c>new T[length]</c>, declared alone at the top level of the prefix and indexed by an <c>int</c>;</item>
    /// <item>accumulators are named nowhere else in the prefix and the loops (never read, aliased or passed), so each
    /// bootstrap's sums depend only on its weights, and the rows can be visited once for all bootstraps;</item>
    /// <item>other prefix locals that the loops or the suffix use are plain values (numbers, <c>bool</c>, <c>char</c>,
    /// strings, enums) and, like the parameters, are not written in the suffix, which runs once per bootstrap on state
    /// the prefix computed once.</item>
    /// </list>
    /// Anything else: no plan, no batched form, and the runtime calls <c>EstimateWeighted</c> per bootstrap as before.
    /// </summary>
    internal sealed class BatchPlan
    {
        public List<StatementSyntax> Prefix { get; } = new();

        public List<StatementSyntax> Loops { get; } = new();

        public List<StatementSyntax> Suffix { get; } = new();

        /// <summary>Accumulators in order of declaration.</summary>
        public List<Accumulator> Accumulators { get; } = new();

        /// <summary>The scaled updates (the expression of each update statement).</summary>
        public Dictionary<SyntaxNode, BatchUpdate> Updates { get; } = new();

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
        /// True when the vectorized updates go through <see cref="Specialize.BlbBatchTerms"/>, which adds a block of rows'
        /// terms at a time: only when no accumulator also gets updates that are applied at once (an <c>int</c> term, '++'),
        /// since those would then overtake the collected terms of earlier rows.
        /// </summary>
        public bool CollectsTerms => NeedsDoubleWeights
            && Updates.Values.GroupBy(static u => u.Target).All(static g => g.All(static u => u.Vectorized) || !g.Any(static u => u.Vectorized));

        /// <summary>The accumulators that vectorized updates add to, in order of declaration: numbered from 0 for <see cref="Specialize.BlbBatchTerms"/>.</summary>
        public List<Accumulator> TermAccumulators => Accumulators.Where(a => Updates.Values.Any(u => u.Vectorized && u.Target == a)).ToList();

        public Accumulator? AccumulatorDeclaredBy(StatementSyntax statement) =>
            Accumulators.FirstOrDefault(a => a.Declaration == statement);
    }

    /// <summary>A local that weighted loops only add to.</summary>
    internal sealed class Accumulator
    {
        public Accumulator(ILocalSymbol local, LocalDeclarationStatementSyntax declaration, string elementType, bool isArray, ExpressionSyntax initializer)
        {
            Local = local;
            Declaration = declaration;
            ElementType = elementType;
            IsArray = isArray;
            Initializer = initializer;
        }

        public ILocalSymbol Local { get; }

        public LocalDeclarationStatementSyntax Declaration { get; }

        /// <summary>The number type (the element type of an array accumulator), fully qualified.</summary>
        public string ElementType { get; }

        public bool IsArray { get; }

        /// <summary>The initial value of a scalar, the length of an array.</summary>
        public ExpressionSyntax Initializer { get; }

        public string BatchName { get; set; } = string.Empty;

        public string LengthName { get; set; } = string.Empty;
    }

    /// <summary>One scaled update: <c>target[index] op= term</c>, or '++' / '--' (no term).</summary>
    internal sealed class BatchUpdate
    {
        public BatchUpdate(Accumulator target, ExpressionSyntax? index, ExpressionSyntax? term, bool subtract, bool vectorized)
        {
            Target = target;
            Index = index;
            Term = term;
            Subtract = subtract;
            Vectorized = vectorized;
        }

        public Accumulator Target { get; }

        public ExpressionSyntax? Index { get; }

        public ExpressionSyntax? Term { get; }

        public bool Subtract { get; }

        /// <summary>A <c>double</c> term into a <c>double</c> accumulator: collected by <see cref="Specialize.BlbBatchTerms"/> (or <see cref="Specialize.BlbBatch"/>'s AddScaled where the accumulator also gets other updates).</summary>
        public bool Vectorized { get; }
    }

    private static BatchPlan? PlanBatch(BlbEstimatorAnalysis analysis, MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken)
    {
        if (syntax.Body is not { } body || analysis.WeightedLoops.Count == 0 || analysis.RepeatedUpdates.Count > 0)
        {
            return null;
        }

        if (body.DescendantNodes().Any(static n => n is LocalFunctionStatementSyntax or GotoStatementSyntax or LabeledStatementSyntax))
        {
            return null;
        }

        // A preprocessor branch between top-level statements could open in the part that runs once and close in the
        // part that runs per bootstrap, around the generated loop.
        if (body.Statements.Any(static s => HasConditionalDirective(s.GetLeadingTrivia())) || HasConditionalDirective(body.CloseBraceToken.LeadingTrivia))
        {
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
            return null;
        }

        var plan = new BatchPlan();
        for (int i = 0; i < statements.Count; i++)
        {
            (i < positions[0] ? plan.Prefix : i <= positions[positions.Count - 1] ? plan.Loops : plan.Suffix).Add(statements[i]);
        }

        if (plan.Prefix.Any(static s => OutsideFunctions(s).Any(static n => n is ReturnStatementSyntax)))
        {
            return null;
        }

        // Every scaled update: a statement that adds to an accumulator.
        var allowedTargets = new HashSet<SyntaxNode>();
        foreach (SyntaxNode update in analysis.ScaledUpdates)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (update.Parent is not ExpressionStatementSyntax)
            {
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
                return null;
            }

            if (term is not null && model.GetTypeInfo(term, cancellationToken).Type is null)
            {
                return null;
            }

            bool vectorized = term is not null && accumulator.ElementType == "double"
                && model.GetTypeInfo(term, cancellationToken).Type?.SpecialType == SpecialType.System_Double;
            plan.Updates[update] = new BatchUpdate(accumulator, index, term, subtract, vectorized);
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
                        return null;
                    }
                }
                else if (symbol is IParameterSymbol && suffix && IsWritten(identifier))
                {
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
    private static Accumulator? Accumulate(BatchPlan plan, ILocalSymbol local, bool indexed, SemanticModel model, CancellationToken cancellationToken)
    {
        if (plan.Accumulators.FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.Local, local)) is { } known)
        {
            return known.IsArray == indexed ? known : null;
        }

        if (local.IsRef || local.IsConst
            || local.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } declaration
            || declaration.Parent is not LocalDeclarationStatementSyntax { UsingKeyword.RawKind: 0, Modifiers.Count: 0 } statement
            || !plan.Prefix.Contains(statement))
        {
            return null;
        }

        Accumulator accumulator;
        if (indexed)
        {
            if (local.Type is not IArrayTypeSymbol { Rank: 1, ElementType: var element } || !BlbEstimatorAnalysis.IsBuiltInNumber(element)
                || initializer is not ArrayCreationExpressionSyntax { Initializer: null, Type.RankSpecifiers: { Count: 1 } ranks }
                || ranks[0].Sizes.Count != 1 || ranks[0].Sizes[0] is OmittedArraySizeExpressionSyntax
                || model.GetTypeInfo(ranks[0].Sizes[0], cancellationToken).Type?.SpecialType != SpecialType.System_Int32)
            {
                return null;
            }

            accumulator = new Accumulator(local, statement, element.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), true, ranks[0].Sizes[0]);
        }
        else
        {
            if (!BlbEstimatorAnalysis.IsBuiltInNumber(local.Type))
            {
                return null;
            }

            accumulator = new Accumulator(local, statement, local.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat), false, initializer);
        }

        plan.Accumulators.Add(accumulator);
        plan.Accumulators.Sort(static (a, b) => a.Declaration.SpanStart.CompareTo(b.Declaration.SpanStart));
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

        return identifier.Ancestors().OfType<AssignmentExpressionSyntax>().Any(a => a.Left.Span.Contains(identifier.Span));
    }

    /// <summary>Nodes of a statement outside the lambdas and anonymous methods in it (their returns are their own).</summary>
    private static IEnumerable<SyntaxNode> OutsideFunctions(SyntaxNode node) =>
        node.DescendantNodesAndSelf(static n => n is not AnonymousFunctionExpressionSyntax);
}
