using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

/// <summary>
/// A loop whose iterations each make one pure call and store its result, in order, into an array or
/// a list the method made for them (<c>r[i] = F(xs[i])</c>, <c>list.Add(F(x))</c>): the calls may run
/// at once, as a parallel map, and the results are stored afterwards in the loop's own order.
/// </summary>
/// <remarks>
/// The calls can all run before any result is stored because nothing they read can change: their
/// arguments read only the loop variable and variables the loop does not write, the destination is
/// a fresh array or list that nothing else can reach (it is not mentioned between its creation and
/// the loop, and not in the call), and what each iteration does with the result is a pure
/// expression. The results are stored on the calling thread in order, and the first element whose
/// call threw rethrows its exception there, after every earlier element was stored.
/// </remarks>
public sealed class FutureMap
{
    internal FutureMap(StatementSyntax loop, string variable, ExpressionSyntax? from, ExpressionSyntax? to, bool inclusive, ExpressionSyntax? source,
        ITypeSymbol? sourceType, FutureCandidate call, ImmutableArray<ISymbol> captured, ImmutableDictionary<SyntaxNode, int> capturedNodes,
        ImmutableArray<SyntaxNode> variableNodes, int sourceIndex)
    {
        SourceIndex = sourceIndex;
        Loop = loop;
        Variable = variable;
        From = from;
        To = to;
        Inclusive = inclusive;
        Source = source;
        SourceType = sourceType;
        Call = call;
        Captured = captured;
        CapturedNodes = capturedNodes;
        VariableNodes = variableNodes;
    }

    /// <summary>The <c>for</c> or <c>foreach</c> statement.</summary>
    public StatementSyntax Loop { get; }

    /// <summary>The loop variable (the index of a <c>for</c>, the element of a <c>foreach</c>), as written.</summary>
    public string Variable { get; }

    /// <summary>A <c>for</c> loop's first index (side-effect free).</summary>
    public ExpressionSyntax? From { get; }

    /// <summary>A <c>for</c> loop's bound (side-effect free, not written in the loop).</summary>
    public ExpressionSyntax? To { get; }

    /// <summary>True for <c>i &lt;= bound</c>.</summary>
    public bool Inclusive { get; }

    /// <summary>A <c>foreach</c> loop's array or list (side-effect free).</summary>
    public ExpressionSyntax? Source { get; }

    /// <summary>The type of <see cref="Source"/>.</summary>
    public ITypeSymbol? SourceType { get; }

    /// <summary>The pure call each iteration makes.</summary>
    public FutureCandidate Call { get; }

    /// <summary>The variables (and <c>this</c>, as the containing type) the call's arguments read besides the loop variable, in order: the map's state.</summary>
    public ImmutableArray<ISymbol> Captured { get; }

    /// <summary>Each reference to a captured variable in the call, with its position in <see cref="Captured"/>.</summary>
    public ImmutableDictionary<SyntaxNode, int> CapturedNodes { get; }

    /// <summary>The references to the loop variable in the call.</summary>
    public ImmutableArray<SyntaxNode> VariableNodes { get; }

    /// <summary>The position of a <c>foreach</c> loop's source in <see cref="Captured"/>; -1 for a <c>for</c> loop.</summary>
    public int SourceIndex { get; }

    /// <summary>True for a <c>foreach</c> loop.</summary>
    public bool IsForEach => Source is not null;

    /// <summary>The single statement the loop runs per iteration.</summary>
    public StatementSyntax Body => Loop switch
    {
        ForStatementSyntax loop => Single(loop.Statement)!,
        ForEachStatementSyntax loop => Single(loop.Statement)!,
        _ => Loop,
    };

    internal static StatementSyntax? Single(StatementSyntax statement) => statement switch
    {
        BlockSyntax { Statements.Count: 1 } block => block.Statements[0],
        BlockSyntax => null,
        _ => statement,
    };
}

/// <summary>Finds the loops that can run as a parallel map (<see cref="FutureMap"/>).</summary>
internal static class FutureMaps
{
    public static FutureMap? TryGet(StatementSyntax statement, BlockSyntax? body, SemanticModel model, PurityAnalysis purity, IMethodSymbol host, CancellationToken cancellationToken)
    {
        ExpressionSyntax? from = null, to = null, source = null;
        ITypeSymbol? sourceType = null;
        bool inclusive = false;
        ILocalSymbol? variable;
        StatementSyntax? single;
        switch (statement)
        {
            case ForStatementSyntax { Declaration.Variables: { Count: 1 } variables, Condition: BinaryExpressionSyntax condition, Incrementors.Count: 1 } loop
                when variables[0].Initializer is { } start && condition.Left is IdentifierNameSyntax bound
                    && bound.Identifier.ValueText == variables[0].Identifier.ValueText
                    && condition.Kind() is SyntaxKind.LessThanExpression or SyntaxKind.LessThanOrEqualExpression
                    && IsIncrement(loop.Incrementors[0], variables[0].Identifier.ValueText):
                variable = model.GetDeclaredSymbol(variables[0], cancellationToken) as ILocalSymbol;
                if (variable?.Type.SpecialType != SpecialType.System_Int32)
                {
                    return null;
                }

                from = start.Value;
                to = condition.Right;
                inclusive = condition.IsKind(SyntaxKind.LessThanOrEqualExpression);
                single = FutureMap.Single(loop.Statement);
                if (!SideEffectFree(from, model, cancellationToken) || !SideEffectFree(to, model, cancellationToken))
                {
                    return null;
                }

                break;
            case ForEachStatementSyntax loop:
                variable = model.GetDeclaredSymbol(loop, cancellationToken);
                sourceType = model.GetTypeInfo(loop.Expression, cancellationToken).Type;
                if (variable is null || !IsIndexable(sourceType, out ITypeSymbol? element)
                    || !SymbolEqualityComparer.IncludeNullability.Equals(element, variable.Type) && !SymbolEqualityComparer.Default.Equals(element, variable.Type)
                    || !SideEffectFree(loop.Expression, model, cancellationToken) || !TwinHosts.IsNameable(sourceType!))
                {
                    return null;
                }

                source = loop.Expression;
                single = FutureMap.Single(loop.Statement);
                break;
            default:
                return null;
        }

        if (single is not ExpressionStatementSyntax expressionStatement
            || model.GetOperation(expressionStatement.Expression, cancellationToken) is not { } store)
        {
            return null;
        }

        // The store: dest[index] = value, or dest.Add(value), into a fresh local array or list.
        (ILocalSymbol Destination, IOperation Value)? target = store switch
        {
            ISimpleAssignmentOperation { IsRef: false, Target: IArrayElementReferenceOperation { ArrayReference: ILocalReferenceOperation array } element, Value: var value }
                when element.Indices.All(i => FutureCandidates.IsSideEffectFree(i) || purity.IsPureExpression(i, host, cancellationToken)) => (array.Local, value),
            IInvocationOperation { TargetMethod.Name: "Add", Instance: ILocalReferenceOperation list, Arguments.Length: 1 } add
                when add.TargetMethod.ContainingType.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>" => (list.Local, add.Arguments[0].Value),
            _ => null,
        };
        if (target is not { } found || body is null || !IsFreshAndUnshared(found.Destination, statement, body, model, cancellationToken))
        {
            return null;
        }

        // Exactly one pure call, made first in the stored value; the rest of the value is pure.
        var calls = found.Value.DescendantsAndSelf().OfType<IInvocationOperation>().ToList();
        if (calls.Count != 1 || FutureCandidates.TryGet(calls[0], statement, host, purity, cancellationToken) is not { } candidate
            || !EvaluatedFirst(found.Value, calls[0]) || !purity.IsPureExpression(found.Value, host, cancellationToken))
        {
            return null;
        }

        IInvocationOperation only = calls[0];

        // What the call reads: the loop variable, and variables the loop does not write.
        var captured = ImmutableArray.CreateBuilder<ISymbol>();
        var capturedNodes = ImmutableDictionary.CreateBuilder<SyntaxNode, int>();
        var variableNodes = ImmutableArray.CreateBuilder<SyntaxNode>();
        IEnumerable<IOperation> read = only.Arguments.Select(static a => a.Value).Concat(only.Instance is null ? Enumerable.Empty<IOperation>() : new[] { only.Instance });
        foreach (IOperation operation in read.SelectMany(static r => r.DescendantsAndSelf()))
        {
            ISymbol? symbol = operation switch
            {
                ILocalReferenceOperation local => local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } instance when !instance.IsImplicit => host.ContainingType,
                IInstanceReferenceOperation => null,
                _ => null,
            };
            if (operation is IInstanceReferenceOperation { IsImplicit: true } or IMemberReferenceOperation { Instance: IInstanceReferenceOperation { IsImplicit: true } })
            {
                return null; // a member of 'this' without 'this.': the lambda would have no 'this'
            }

            if (symbol is null)
            {
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(symbol, variable))
            {
                variableNodes.Add(operation.Syntax);
                continue;
            }

            if (SymbolEqualityComparer.Default.Equals(symbol, found.Destination) || WrittenIn(symbol, statement, model, cancellationToken)
                || symbol is ILocalSymbol { RefKind: not RefKind.None } || symbol is IParameterSymbol { RefKind: not RefKind.None }
                || !TwinHosts.IsNameable(symbol switch { ILocalSymbol l => l.Type, IParameterSymbol p => p.Type, _ => (ITypeSymbol)symbol }))
            {
                return null;
            }

            int index = IndexOf(captured, symbol);
            if (index < 0)
            {
                index = captured.Count;
                captured.Add(symbol);
            }

            capturedNodes[operation.Syntax] = index;
        }

        int sourceIndex = -1;
        if (source is not null)
        {
            // The source is read by index in the calls, so it is part of the state too.
            ISymbol? sourceSymbol = model.GetSymbolInfo(source, cancellationToken).Symbol;
            if (model.GetOperation(source, cancellationToken) is not (ILocalReferenceOperation or IParameterReferenceOperation) || sourceSymbol is null
                || WrittenIn(sourceSymbol, statement, model, cancellationToken))
            {
                return null;
            }

            sourceIndex = IndexOf(captured, sourceSymbol);
            if (sourceIndex < 0)
            {
                sourceIndex = captured.Count;
                captured.Add(sourceSymbol);
            }
        }

        return new FutureMap(statement, variable.Name, from, to, inclusive, source, sourceType, candidate, captured.ToImmutable(), capturedNodes.ToImmutable(),
            variableNodes.ToImmutable(), sourceIndex);
    }

    private static int IndexOf(ImmutableArray<ISymbol>.Builder symbols, ISymbol symbol)
    {
        for (int i = 0; i < symbols.Count; i++)
        {
            if (SymbolEqualityComparer.Default.Equals(symbols[i], symbol))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool IsIncrement(ExpressionSyntax incrementor, string variable) => incrementor switch
    {
        PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression, Operand: IdentifierNameSyntax id } => id.Identifier.ValueText == variable,
        PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression, Operand: IdentifierNameSyntax id } => id.Identifier.ValueText == variable,
        AssignmentExpressionSyntax { RawKind: (int)SyntaxKind.AddAssignmentExpression, Left: IdentifierNameSyntax id, Right: LiteralExpressionSyntax { Token.Value: 1 } } => id.Identifier.ValueText == variable,
        _ => false,
    };

    private static bool IsIndexable(ITypeSymbol? type, out ITypeSymbol? element)
    {
        element = type switch
        {
            IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
            INamedTypeSymbol named when named.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>" => named.TypeArguments[0],
            _ => null,
        };
        return element is not null;
    }

    private static bool SideEffectFree(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
        model.GetOperation(expression, cancellationToken) is { } operation
        && (FutureCandidates.IsSideEffectFree(operation)
            || operation is IPropertyReferenceOperation { Property.Name: "Count", Instance: ILocalReferenceOperation or IParameterReferenceOperation } count
                && count.Property.ContainingType.OriginalDefinition.ToDisplayString() == "System.Collections.Generic.List<T>"
                && count.Instance.Type?.NullableAnnotation != NullableAnnotation.Annotated);

    private static IOperation Unconvert(IOperation operation) => operation is IConversionOperation { OperatorMethod: null } conversion ? Unconvert(conversion.Operand) : operation;

    /// <summary>True when nothing in the value is evaluated before the call, so it may be made first.</summary>
    private static bool EvaluatedFirst(IOperation value, IInvocationOperation call)
    {
        for (IOperation? node = call; node is not null && node != value; node = node.Parent)
        {
            IOperation? parent = node.Parent;
            if (parent is null)
            {
                return false;
            }

            foreach (IOperation sibling in parent.ChildOperations)
            {
                if (sibling == node)
                {
                    break;
                }

                if (!FutureCandidates.IsSideEffectFree(sibling))
                {
                    return false;
                }
            }

            if (parent is IConditionalOperation or ICoalesceOperation or IConditionalAccessOperation
                or IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr })
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the loop assigns the variable (or takes a reference to it).</summary>
    private static bool WrittenIn(ISymbol? symbol, StatementSyntax loop, SemanticModel model, CancellationToken cancellationToken)
    {
        if (symbol is null or INamedTypeSymbol)
        {
            return false;
        }

        DataFlowAnalysis? flow = model.AnalyzeDataFlow(loop);
        return flow is null || !flow.Succeeded || flow.WrittenInside.Contains(symbol, SymbolEqualityComparer.Default);
    }

    /// <summary>
    /// True when the destination is a local initialized by a new array or list and written nowhere
    /// else, and mentioned nowhere between its declaration and the loop: nothing else can reach it.
    /// </summary>
    private static bool IsFreshAndUnshared(ILocalSymbol destination, StatementSyntax loop, BlockSyntax body, SemanticModel model, CancellationToken cancellationToken)
    {
        if (destination.RefKind != RefKind.None || destination.DeclaringSyntaxReferences.Length != 1
            || destination.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not VariableDeclaratorSyntax { Initializer.Value: { } initializer } declarator
            || model.GetOperation(initializer, cancellationToken) is not { } created
            || Unconvert(created) is not (IArrayCreationOperation or IObjectCreationOperation { Initializer: null }))
        {
            return false;
        }

        foreach (IdentifierNameSyntax name in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            if (name.Identifier.ValueText != destination.Name || !SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(name, cancellationToken).Symbol, destination))
            {
                continue;
            }

            bool inLoop = loop.Span.Contains(name.Span);
            if (!inLoop && name.SpanStart > declarator.Span.End && name.SpanStart < loop.SpanStart)
            {
                return false; // used between its creation and the loop: it may be shared
            }

            if (name.Parent is AssignmentExpressionSyntax assignment && assignment.Left == name)
            {
                return false; // assigned another array or list somewhere
            }
        }

        return true;
    }
}
