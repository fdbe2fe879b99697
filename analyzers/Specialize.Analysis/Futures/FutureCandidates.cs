using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

/// <summary>A call of a verified-pure method that may run as a future.</summary>
public sealed class FutureCandidate
{
    public FutureCandidate(IInvocationOperation invocation, SyntaxNode statement)
    {
        Invocation = invocation;
        Statement = statement;
    }

    /// <summary>The call.</summary>
    public IInvocationOperation Invocation { get; }

    /// <summary>The call's syntax.</summary>
    public InvocationExpressionSyntax InvocationSyntax => (InvocationExpressionSyntax)Invocation.Syntax;

    /// <summary>The statement the call is written in (or the expression body of the method).</summary>
    public SyntaxNode Statement { get; }

    /// <summary>The called method.</summary>
    public IMethodSymbol Callee => Invocation.TargetMethod;
}

/// <summary>
/// Which calls are pure calls that may start as futures. <see cref="FuturePlan"/> decides, from
/// them, which calls overlap; both are shared by the generator and the analyzers, so both always agree.
/// </summary>
public static class FutureCandidates
{
    /// <summary>
    /// The call as a future candidate: a call of a <c>[Pure]</c> method that passes the purity check
    /// and does more than a small fixed amount of work, with by-value arguments in parameter order
    /// that are pure expressions (they may throw, but change nothing), on a receiver that is
    /// <c>this</c> or a variable.
    /// </summary>
    public static FutureCandidate? TryGet(IInvocationOperation invocation, SyntaxNode statement, IMethodSymbol host, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        if (invocation.Syntax is not InvocationExpressionSyntax)
        {
            return null;
        }

        // A twin spells out the argument and result types (the state of a spawned call, the value of
        // a direct one), so they must be types generated code can name (type parameters never reach a
        // twin: its host is not generic).
        IMethodSymbol callee = invocation.TargetMethod;
        if (!PurityAnalysis.IsMarkedPure(callee.OriginalDefinition) || callee.MethodKind != MethodKind.Ordinary
            || callee.ReturnsVoid || callee.ReturnType.IsRefLikeType || callee.ReturnsByRef || callee.ReturnsByRefReadonly
            || callee.Parameters.Length != invocation.Arguments.Length
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
                || argument.Parameter.Type.IsRefLikeType || argument.Syntax is not ArgumentSyntax { NameColon: null }
                || !IsSideEffectFree(argument.Value) && !purity.IsPureExpression(argument.Value, host, cancellationToken))
            {
                return null;
            }
        }

        return purity.IsPure(callee, cancellationToken) && !IsConstantWork(callee, cancellationToken)
            ? new FutureCandidate(invocation, statement)
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
            case IAnonymousFunctionOperation or IDelegateCreationOperation { Target: IAnonymousFunctionOperation }:
                // Creating a lambda runs none of its body.
                return true;
            default:
                return IsMovableNode(operation) && operation.ChildOperations.All(IsSideEffectFree);
        }
    }

    /// <summary>
    /// True when the operation itself, given the values of its operands, cannot throw or change
    /// anything (its operands are judged separately).
    /// </summary>
    internal static bool IsMovableNode(IOperation operation)
    {
        switch (operation)
        {
            case ILiteralOperation or IDefaultValueOperation or ILocalReferenceOperation or IParameterReferenceOperation
                or IInstanceReferenceOperation or ITypeOfOperation or ISizeOfOperation or INameOfOperation
                or IParenthesizedOperation or IConditionalOperation { IsRef: false }:
                return true;
            case IFieldReferenceOperation field:
                return field.Field.IsStatic ? field.Field.IsReadOnly || field.Field.IsConst : IsNotNull(field.Instance);
            case IConversionOperation { OperatorMethod: null } conversion:
                return conversion.Conversion.IsImplicit && !conversion.Conversion.IsUserDefined
                    || conversion.Conversion.IsNumeric && !conversion.IsChecked && IsPrimitiveNumber(conversion.Operand.Type) && IsPrimitiveNumber(conversion.Type);
            case IBinaryOperation { OperatorMethod: null } binary:
                return IsMovableBinary(binary);
            case IUnaryOperation { OperatorMethod: null, IsChecked: false } unary:
                return unary.Type?.SpecialType != SpecialType.System_Decimal;
            case IPropertyReferenceOperation { Property.Name: "Length", Arguments.Length: 0 } length
                when length.Instance?.Type is IArrayTypeSymbol || length.Instance?.Type?.SpecialType == SpecialType.System_String:
                return IsNotNull(length.Instance);
            default:
                return operation.ConstantValue.HasValue;
        }
    }

    private static bool IsMovableBinary(IBinaryOperation binary)
    {
        if (binary.IsChecked || binary.Type?.SpecialType == SpecialType.System_Decimal
            || binary.LeftOperand.Type?.SpecialType == SpecialType.System_Decimal || binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
        {
            return binary.ConstantValue.HasValue;
        }

        if (binary.OperatorKind == BinaryOperatorKind.Add && binary.Type?.SpecialType == SpecialType.System_String)
        {
            // Concatenation of strings (or constants): a string's own ToString, nothing else runs.
            return binary.LeftOperand.Type?.SpecialType == SpecialType.System_String && binary.RightOperand.Type?.SpecialType == SpecialType.System_String;
        }

        if (binary.OperatorKind is BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder)
        {
            // Floating-point division cannot throw; integer division only by zero, and by -1 of the
            // smallest value. A constant divisor other than those cannot.
            if (binary.Type?.SpecialType is SpecialType.System_Single or SpecialType.System_Double)
            {
                return true;
            }

            return binary.RightOperand.ConstantValue is { HasValue: true, Value: { } divisor }
                && System.Convert.ToDecimal(divisor, System.Globalization.CultureInfo.InvariantCulture) is var d && d != 0 && d != -1;
        }

        return binary.Type is { } type && (IsPrimitiveNumber(type) || type.SpecialType == SpecialType.System_Boolean || type.TypeKind == TypeKind.Enum);
    }

    private static bool IsPrimitiveNumber(ITypeSymbol? type) =>
        type?.SpecialType is >= SpecialType.System_Char and <= SpecialType.System_Double and not SpecialType.System_Decimal;

    private static bool IsNotNull(IOperation? operation) =>
        operation is IInstanceReferenceOperation || operation?.Type?.NullableAnnotation == NullableAnnotation.NotAnnotated;
}
