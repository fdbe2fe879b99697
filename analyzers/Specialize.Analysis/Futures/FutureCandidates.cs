using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

/// <summary>A declaration <c>T x = PureCall(args);</c> whose call may start as a future.</summary>
public sealed class FutureCandidate
{
    public FutureCandidate(LocalDeclarationStatementSyntax statement, InvocationExpressionSyntax invocationSyntax, IInvocationOperation invocation)
    {
        Statement = statement;
        InvocationSyntax = invocationSyntax;
        Invocation = invocation;
    }

    public LocalDeclarationStatementSyntax Statement { get; }

    public InvocationExpressionSyntax InvocationSyntax { get; }

    public IInvocationOperation Invocation { get; }

    /// <summary>The declared variable.</summary>
    public string Variable => Statement.Declaration.Variables[0].Identifier.ValueText;

    /// <summary>The called method.</summary>
    public IMethodSymbol Callee => Invocation.TargetMethod;
}

/// <summary>
/// Which statements are pure calls that may start as futures. <see cref="FuturePlan"/> decides, from
/// them, which calls overlap; both are shared by the generator and the analyzers, so both always agree.
/// </summary>
public static class FutureCandidates
{
    /// <summary>
    /// The statement as a future candidate: a single-variable local declaration initialized by a call
    /// to a <c>[Pure]</c> method that passes the purity check, with by-value arguments that have no
    /// side effects (evaluating them before an earlier call finishes cannot be observed).
    /// </summary>
    public static FutureCandidate? TryGet(StatementSyntax statement, SemanticModel model, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        if (statement is not LocalDeclarationStatementSyntax declaration
            || declaration.IsConst || declaration.UsingKeyword != default || declaration.AwaitKeyword != default
            || declaration.Declaration.Variables.Count != 1 || declaration.Declaration.Type is RefTypeSyntax
            || declaration.Declaration.Variables[0].Initializer?.Value is not InvocationExpressionSyntax invocationSyntax
            || model.GetOperation(invocationSyntax, cancellationToken) is not IInvocationOperation invocation)
        {
            return null;
        }

        // A twin spells out the argument and result types (the state of a spawned call, the value of
        // a direct one), so they must be types generated code can name (type parameters never reach a
        // twin: its host is not generic).
        IMethodSymbol callee = invocation.TargetMethod;
        if (!PurityAnalysis.IsMarkedPure(callee.OriginalDefinition) || callee.ReturnsVoid || callee.ReturnType.IsRefLikeType
            || callee.ReturnsByRef || callee.ReturnsByRefReadonly || callee.Parameters.Length != invocation.Arguments.Length
            || !TwinHosts.IsNameable(callee.ReturnType, allowTypeParameters: true)
            || callee.Parameters.Any(static p => !TwinHosts.IsNameable(p.Type, allowTypeParameters: true)))
        {
            return null;
        }

        if (!callee.IsStatic && invocation.Instance is not IInstanceReferenceOperation && !IsSideEffectFree(invocation.Instance))
        {
            return null;
        }

        for (int i = 0; i < invocation.Arguments.Length; i++)
        {
            IArgumentOperation argument = invocation.Arguments[i];
            if (argument.ArgumentKind != ArgumentKind.Explicit || argument.Parameter is null || argument.Parameter.Ordinal != i
                || argument.Parameter.RefKind != RefKind.None || argument.Value.Type?.IsRefLikeType == true
                || argument.Parameter.Type.IsRefLikeType || !IsSideEffectFree(argument.Value))
            {
                return null;
            }
        }

        return purity.IsPure(callee, cancellationToken) && !IsConstantWork(callee, cancellationToken)
            ? new FutureCandidate(declaration, invocationSyntax, invocation)
            : null;
    }

    /// <summary>
    /// The compile-time half of the cost model: a callee whose body has no loop, no recursion and no
    /// call that can loop does a small, fixed amount of work, which no future can pay for. Such calls
    /// stay plain calls, with no runtime check at all. Callees without source (framework members)
    /// are judged by the runtime.
    /// </summary>
    public static bool IsConstantWork(IMethodSymbol callee, CancellationToken cancellationToken) =>
        IsConstantWork(callee.OriginalDefinition, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default), cancellationToken);

    private static bool IsConstantWork(IMethodSymbol method, HashSet<IMethodSymbol> visiting, CancellationToken cancellationToken)
    {
        if (method.DeclaringSyntaxReferences.Length == 0)
        {
            // Framework members: Math.Sqrt is constant work, Enumerable.Sum or string.Join is not.
            // Only the math and numeric scalar types are known to be constant.
            string type = method.ContainingType?.ToDisplayString() ?? string.Empty;
            return type is "System.Math" or "System.MathF"
                || method.ContainingType?.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_Double;
        }

        if (!visiting.Add(method))
        {
            return false; // recursion: the work depends on the input
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            foreach (SyntaxNode descendant in node.DescendantNodes())
            {
                if (descendant is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                    or ForEachVariableStatementSyntax or GotoStatementSyntax or QueryExpressionSyntax)
                {
                    return false;
                }
            }
        }

        // Calls from the body: every callee must be constant work too. The semantic model of the
        // callee's own tree resolves them.
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            foreach (InvocationExpressionSyntax call in node.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (CalleeOf(call, method, cancellationToken) is not { } inner || !IsConstantWork(inner.OriginalDefinition, visiting, cancellationToken))
                {
                    return false;
                }
            }

            // Allocating an array or an object (a collection of some capacity) is not constant work.
            if (node.DescendantNodes().Any(static n => n is ObjectCreationExpressionSyntax or ArrayCreationExpressionSyntax
                or ImplicitArrayCreationExpressionSyntax or CollectionExpressionSyntax))
            {
                return false;
            }
        }

        return true;
    }

    private static IMethodSymbol? CalleeOf(InvocationExpressionSyntax call, IMethodSymbol containing, CancellationToken cancellationToken)
    {
        Compilation? compilation = (containing.ContainingAssembly as ISourceAssemblySymbol)?.Compilation;
        if (compilation is null || !compilation.ContainsSyntaxTree(call.SyntaxTree))
        {
            return null;
        }

        return compilation.GetSemanticModel(call.SyntaxTree).GetSymbolInfo(call, cancellationToken).Symbol as IMethodSymbol;
    }

    /// <summary>True for expressions whose evaluation cannot throw or change anything, so it may move.</summary>
    public static bool IsSideEffectFree(IOperation? operation)
    {
        switch (operation)
        {
            case null:
                return false;
            case ILiteralOperation or IDefaultValueOperation or ILocalReferenceOperation or IParameterReferenceOperation
                or IInstanceReferenceOperation or ITypeOfOperation or ISizeOfOperation or INameOfOperation:
                return true;
            case IFieldReferenceOperation field:
                return field.Field.IsStatic ? field.Field.IsReadOnly || field.Field.IsConst : IsSideEffectFree(field.Instance) && IsNotNull(field.Instance);
            case IConversionOperation { OperatorMethod: null } conversion:
                return conversion.Conversion.IsImplicit && IsSideEffectFree(conversion.Operand);
            case IParenthesizedOperation parenthesized:
                return IsSideEffectFree(parenthesized.Operand);
            case IBinaryOperation { OperatorMethod: null } binary:
                // Integer division by zero and checked overflow throw: they must stay in order.
                return binary.OperatorKind is not (BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder) && !binary.IsChecked
                    && IsSideEffectFree(binary.LeftOperand) && IsSideEffectFree(binary.RightOperand);
            case IUnaryOperation { OperatorMethod: null, IsChecked: false } unary:
                return IsSideEffectFree(unary.Operand);
            case IPropertyReferenceOperation { Property.Name: "Length", Arguments.Length: 0 } length
                when length.Instance?.Type is IArrayTypeSymbol || length.Instance?.Type?.SpecialType == SpecialType.System_String:
                return IsSideEffectFree(length.Instance) && IsNotNull(length.Instance);
            default:
                return operation.ConstantValue.HasValue;
        }
    }

    private static bool IsNotNull(IOperation? operation) =>
        operation is IInstanceReferenceOperation || operation?.Type?.NullableAnnotation == NullableAnnotation.NotAnnotated;
}
