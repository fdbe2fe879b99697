using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Blb;

/// <summary>
/// The BLB estimator language (SPEC101-SPEC110), checked once for the analyzer and the generator:
/// which <c>foreach</c> loops become weighted loops, which updates are scaled by the weight, which
/// <c>.Length</c> reads become <c>n</c>, and every construct that cannot be weighted, at its location.
/// The generator emits nothing for an estimator with an error; the analyzer reports every diagnostic.
/// </summary>
public sealed class BlbEstimatorAnalysis
{
    public const string AttributeName = "Specialize.BlbEstimatorAttribute";
    public const string NoSubsampleAttributeName = "Specialize.NoSubsampleAttribute";

    private BlbEstimatorAnalysis(INamedTypeSymbol type)
    {
        Type = type;
    }

    /// <summary>The <c>[BlbEstimator]</c> class.</summary>
    public INamedTypeSymbol Type { get; }

    /// <summary>The Estimate method, when there is exactly one.</summary>
    public IMethodSymbol? Estimate { get; private set; }

    /// <summary>The Estimate declaration.</summary>
    public MethodDeclarationSyntax? EstimateSyntax { get; private set; }

    /// <summary>True when Estimate returns <c>double[]</c>.</summary>
    public bool IsVector { get; private set; }

    /// <summary>The subsampled parameters in declaration order; the position is the runtime's input number.</summary>
    public List<IParameterSymbol> Subsampled { get; } = new();

    /// <summary>
    /// Each weighted loop and the position of the subsampled parameter it iterates: a <c>foreach</c> that names each
    /// row (<see cref="ForEachStatementSyntax"/>) or deconstructs it (<c>foreach (var (x, y) in rows)</c>,
    /// <see cref="ForEachVariableStatementSyntax"/>).
    /// </summary>
    public Dictionary<CommonForEachStatementSyntax, int> WeightedLoops { get; } = new();

    /// <summary>'+=' / '-=' assignments and '++' / '--' statements inside weighted loops that are scaled by the weight.</summary>
    public HashSet<SyntaxNode> ScaledUpdates { get; } = new();

    /// <summary>
    /// Updates among <see cref="ScaledUpdates"/> whose target is not a built-in number (a vector, a user type with
    /// operators): they cannot be multiplied by an <c>int</c> weight, so the statement is repeated weight times.
    /// </summary>
    public HashSet<SyntaxNode> RepeatedUpdates { get; } = new();

    /// <summary>'.Length' reads of subsampled data, which become n.</summary>
    public HashSet<MemberAccessExpressionSyntax> LengthReads { get; } = new();

    /// <summary>The optional reducers, when declared with the right shape.</summary>
    public IMethodSymbol? ReduceBootstraps { get; private set; }

    /// <inheritdoc cref="ReduceBootstraps"/>
    public IMethodSymbol? Average { get; private set; }

    /// <summary>Everything reported about the estimator; errors prevent the rewrite.</summary>
    public List<Diagnostic> Diagnostics { get; } = new();

    /// <summary>True when the class carries <c>[BlbEstimator]</c>.</summary>
    public static bool IsEstimator(INamedTypeSymbol type) =>
        type.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == AttributeName);

    /// <summary>Checks one <c>[BlbEstimator]</c> class.</summary>
    public static BlbEstimatorAnalysis Analyze(INamedTypeSymbol type, Compilation compilation, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        var analysis = new BlbEstimatorAnalysis(type);
        analysis.Run(compilation, purity, cancellationToken);
        return analysis;
    }

    private void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments) =>
        Diagnostics.Add(Diagnostic.Create(descriptor, location, arguments));

    private void Run(Compilation compilation, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        Location typeLocation = Type.Locations.FirstOrDefault() ?? Location.None;
        CheckType(typeLocation);

        IMethodSymbol[] candidates = Type.GetMembers("Estimate").OfType<IMethodSymbol>().ToArray();
        if (candidates.Length != 1)
        {
            Report(DiagnosticDescriptors.EstimateMethodMissing, typeLocation, Type.Name,
                candidates.Length == 0 ? "has no method named Estimate" : $"has {candidates.Length} methods named Estimate");
            return;
        }

        IMethodSymbol estimate = candidates[0];
        Location methodLocation = estimate.Locations.FirstOrDefault() ?? typeLocation;
        MethodDeclarationSyntax? syntax = estimate.DeclaringSyntaxReferences
            .Select(r => r.GetSyntax(cancellationToken)).OfType<MethodDeclarationSyntax>()
            .FirstOrDefault(static m => m.Body is not null || m.ExpressionBody is not null);
        bool isDouble = estimate.ReturnType.SpecialType == SpecialType.System_Double;
        bool isVector = estimate.ReturnType is IArrayTypeSymbol { Rank: 1, ElementType.SpecialType: SpecialType.System_Double };
        if (!isDouble && !isVector)
        {
            Report(DiagnosticDescriptors.EstimateMethodMissing, methodLocation, Type.Name,
                $"has an Estimate method that returns '{estimate.ReturnType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}'");
            return;
        }

        if (syntax is null)
        {
            Report(DiagnosticDescriptors.EstimateMethodMissing, methodLocation, Type.Name, "has an Estimate method without a body");
            return;
        }

        if (!estimate.IsStatic)
        {
            Report(DiagnosticDescriptors.EstimatorNotStaticOrGeneric, methodLocation, "Estimate", "an instance method");
        }

        if (estimate.IsGenericMethod)
        {
            Report(DiagnosticDescriptors.EstimatorNotStaticOrGeneric, methodLocation, "Estimate", "a generic method");
        }

        Estimate = estimate;
        EstimateSyntax = syntax;
        IsVector = isVector;
        CheckParameters(estimate, methodLocation);
        ReduceBootstraps = FindReducer("ReduceBootstraps", "standard deviation of the bootstrap estimates");
        Average = FindReducer("Average", "mean over subsamples");
        if (Diagnostics.Any(static d => d.Severity == DiagnosticSeverity.Error))
        {
            return;
        }

        SemanticModel model = compilation.GetSemanticModel(syntax.SyntaxTree);
        CheckBody(syntax, model, purity, cancellationToken);
        foreach (PurityViolation violation in purity.Analyze(estimate, cancellationToken))
        {
            if (violation.Kind == PurityViolationKind.CallsImpureMember)
            {
                Report(DiagnosticDescriptors.EstimatorCallsImpureMember, violation.Location, Type.Name, violation.What, violation.Reason);
            }
        }
    }

    private void CheckType(Location typeLocation)
    {
        for (INamedTypeSymbol? type = Type; type is not null; type = type.ContainingType)
        {
            if (type.IsGenericType)
            {
                Report(DiagnosticDescriptors.EstimatorNotStaticOrGeneric, typeLocation, Type.Name,
                    SymbolEqualityComparer.Default.Equals(type, Type) ? "a generic class" : $"nested in the generic class '{type.Name}'");
                break;
            }
        }

        if (!Type.IsStatic)
        {
            Report(DiagnosticDescriptors.EstimatorNotStaticOrGeneric, typeLocation, Type.Name, "not a static class");
        }

        for (INamedTypeSymbol? type = Type; type is not null; type = type.ContainingType)
        {
            if (type.IsFileLocal)
            {
                Report(DiagnosticDescriptors.EstimatorTypeFileLocal, typeLocation, Type.Name,
                    SymbolEqualityComparer.Default.Equals(type, Type) ? "is file-local" : $"is nested in the file-local {(type.TypeKind == TypeKind.Struct ? "struct" : type.TypeKind == TypeKind.Interface ? "interface" : "class")} '{type.Name}'");
                break;
            }
        }

        for (INamedTypeSymbol? type = Type; type is not null; type = type.ContainingType)
        {
            foreach (SyntaxReference reference in type.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is TypeDeclarationSyntax declaration && !declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    Report(DiagnosticDescriptors.EstimatorTypeNotPartial, declaration.Identifier.GetLocation(), type.Name);
                    return;
                }
            }
        }
    }

    private void CheckParameters(IMethodSymbol estimate, Location methodLocation)
    {
        foreach (IParameterSymbol parameter in estimate.Parameters)
        {
            Location location = parameter.Locations.FirstOrDefault() ?? methodLocation;
            string typeText = (parameter.RefKind == RefKind.None ? string.Empty : parameter.RefKind.ToString().ToLowerInvariant() + " ")
                + parameter.Type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);
            if (parameter.GetAttributes().Any(static a => a.AttributeClass?.ToDisplayString() == NoSubsampleAttributeName))
            {
                bool readOnlySpan = parameter.Type is INamedTypeSymbol { IsGenericType: true } named && named.OriginalDefinition.ToDisplayString() == "System.ReadOnlySpan<T>";
                if (parameter.RefKind != RefKind.None || (parameter.Type.IsRefLikeType && !readOnlySpan))
                {
                    Report(DiagnosticDescriptors.SubsampledParameterTypeUnsupported, location, parameter.Name, typeText,
                        "is [NoSubsample], so it is handed to estimator calls on many threads; it must be passed by value and must not be a ref struct other than ReadOnlySpan<T>");
                }

                continue;
            }

            if (parameter.RefKind != RefKind.None || parameter.IsParams || ElementType(parameter.Type) is null)
            {
                Report(DiagnosticDescriptors.SubsampledParameterTypeUnsupported, location, parameter.Name, typeText,
                    "is subsampled, but BLB can only subsample a ReadOnlySpan<T> or a T[] passed by value; mark it [NoSubsample] if it should pass through unchanged");
                continue;
            }

            Subsampled.Add(parameter);
        }

        if (Subsampled.Count == 0 && Diagnostics.Count == 0)
        {
            Report(DiagnosticDescriptors.EstimateMethodMissing, methodLocation, Type.Name, "has an Estimate method with no subsampled parameter (every parameter is [NoSubsample])");
        }
    }

    /// <summary>The row type of a subsampled input (<c>ReadOnlySpan&lt;T&gt;</c> or <c>T[]</c>), or null.</summary>
    public static ITypeSymbol? ElementType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1 } array => array.ElementType,
        INamedTypeSymbol { IsGenericType: true } named when named.OriginalDefinition.ToDisplayString() == "System.ReadOnlySpan<T>" => named.TypeArguments[0],
        _ => null,
    };

    private IMethodSymbol? FindReducer(string name, string builtIn)
    {
        IMethodSymbol[] methods = Type.GetMembers(name).OfType<IMethodSymbol>().ToArray();
        foreach (IMethodSymbol method in methods)
        {
            if (method.IsStatic && !method.IsGenericMethod && method.ReturnType.SpecialType == SpecialType.System_Double
                && method.Parameters.Length == 1 && method.Parameters[0].RefKind == RefKind.None
                && ElementType(method.Parameters[0].Type) is { SpecialType: SpecialType.System_Double }
                && method.Parameters[0].Type is INamedTypeSymbol)
            {
                return method;
            }
        }

        if (methods.Length > 0)
        {
            Report(DiagnosticDescriptors.ReducerShapeInvalid, methods[0].Locations.FirstOrDefault() ?? Location.None, name, builtIn);
        }

        return null;
    }

    // ---- the body --------------------------------------------------------------------------------

    private void CheckBody(MethodDeclarationSyntax syntax, SemanticModel model, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        SyntaxNode body = (SyntaxNode?)syntax.Body ?? syntax.ExpressionBody!;
        foreach (IdentifierNameSyntax identifier in body.DescendantNodes().OfType<IdentifierNameSyntax>())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (model.GetSymbolInfo(identifier, cancellationToken).Symbol is not IParameterSymbol parameter)
            {
                continue;
            }

            int input = Subsampled.FindIndex(p => SymbolEqualityComparer.Default.Equals(p, parameter));
            if (input < 0)
            {
                continue;
            }

            if (identifier.Parent?.Parent?.Parent is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "nameof" } })
            {
                // nameof(values) reads no data.
                continue;
            }

            SyntaxNode use = identifier;
            while (use.Parent is ParenthesizedExpressionSyntax)
            {
                use = use.Parent;
            }

            if (use.Ancestors().TakeWhile(static a => a is not MemberDeclarationSyntax)
                .FirstOrDefault(static a => a is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) is { } function)
            {
                Report(DiagnosticDescriptors.SubsampledDataReadByPosition, use.GetLocation(), use.ToString(), parameter.Name,
                    function is LocalFunctionStatementSyntax ? "inside a local function" : "inside a lambda");
                continue;
            }

            switch (use.Parent)
            {
                case CommonForEachStatementSyntax loop when loop.Expression == use && loop.AwaitKeyword == default:
                    if (EnclosingWeightedLoop(loop, model, cancellationToken) is { } outer)
                    {
                        Report(DiagnosticDescriptors.SubsampledDataReadByPosition, loop.ForEachKeyword.GetLocation(), "foreach", parameter.Name,
                            $"in a loop nested inside the weighted loop over '{((IdentifierNameSyntax)Unparenthesize(outer.Expression)).Identifier.ValueText}' (each pair of rows would need the product of two weights)");
                        break;
                    }

                    WeightedLoops[loop] = input;
                    CheckLoop(loop, parameter.Name, model, cancellationToken);
                    if (loop is ForEachVariableStatementSyntax deconstructing)
                    {
                        CheckDeconstruction(deconstructing, parameter.Name, model, purity, cancellationToken);
                    }

                    break;
                case MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Length" } member when member.Expression == use:
                    LengthReads.Add(member);
                    break;
                case ElementAccessExpressionSyntax element when element.Expression == use:
                    Report(DiagnosticDescriptors.SubsampledDataReadByPosition, element.GetLocation(), element.ToString(), parameter.Name, "by position");
                    break;
                case ArgumentSyntax argument:
                    Report(DiagnosticDescriptors.SubsampledDataReadByPosition, argument.GetLocation(), argument.ToString(), parameter.Name, "as a whole, passing it to a method,");
                    break;
                default:
                    SyntaxNode shown = use.Parent is ExpressionSyntax or CommonForEachStatementSyntax ? use.Parent : use;
                    string text = shown is CommonForEachStatementSyntax ? "await foreach" : shown.ToString();
                    Report(DiagnosticDescriptors.SubsampledDataReadByPosition, shown is CommonForEachStatementSyntax f ? f.Expression.GetLocation() : shown.GetLocation(), text, parameter.Name, "as a whole");
                    break;
            }
        }
    }

    private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
    {
        while (expression is ParenthesizedExpressionSyntax parenthesized)
        {
            expression = parenthesized.Expression;
        }

        return expression;
    }

    private CommonForEachStatementSyntax? EnclosingWeightedLoop(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        for (SyntaxNode? current = node.Parent; current is not null and not MemberDeclarationSyntax; current = current.Parent)
        {
            if (current is CommonForEachStatementSyntax loop && IsSubsampled(Unparenthesize(loop.Expression), model, cancellationToken))
            {
                return loop;
            }
        }

        return null;
    }

    private bool IsSubsampled(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken) =>
        expression is IdentifierNameSyntax && model.GetSymbolInfo(expression, cancellationToken).Symbol is IParameterSymbol parameter
        && Subsampled.Any(p => SymbolEqualityComparer.Default.Equals(p, parameter));

    private void CheckLoop(CommonForEachStatementSyntax loop, string data, SemanticModel model, CancellationToken cancellationToken)
    {

        foreach (SyntaxNode node in loop.Statement.DescendantNodesAndSelf(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (node)
            {
                case AssignmentExpressionSyntax assignment:
                    CheckAssignment(loop, assignment, data, model, cancellationToken);
                    break;
                case PostfixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PostIncrementExpression or (int)SyntaxKind.PostDecrementExpression } postfix:
                    CheckIncrement(loop, postfix, postfix.Operand, postfix.OperatorToken, data, model, cancellationToken);
                    break;
                case PrefixUnaryExpressionSyntax { RawKind: (int)SyntaxKind.PreIncrementExpression or (int)SyntaxKind.PreDecrementExpression } prefix:
                    CheckIncrement(loop, prefix, prefix.Operand, prefix.OperatorToken, data, model, cancellationToken);
                    break;
                case ArgumentSyntax { RefKindKeyword.RawKind: (int)SyntaxKind.RefKeyword or (int)SyntaxKind.OutKeyword } argument
                    when OuterTarget(loop, argument.Expression, model, cancellationToken) is { } passed:
                    Report(DiagnosticDescriptors.OuterVariableCannotBeWeighted, argument.GetLocation(), argument.ToString(),
                        $"passes by '{argument.RefKindKeyword.ValueText}'", passed, data);
                    break;
                case ReturnStatementSyntax ret:
                    Report(DiagnosticDescriptors.JumpOutOfWeightedLoop, ret.ReturnKeyword.GetLocation(), "return", data);
                    break;
                case GotoStatementSyntax { RawKind: (int)SyntaxKind.GotoStatement } jump:
                    Report(DiagnosticDescriptors.JumpOutOfWeightedLoop, jump.GotoKeyword.GetLocation(), "goto " + jump.Expression, data);
                    break;
                case BreakStatementSyntax brk when BreakTarget(brk) == loop:
                    Report(DiagnosticDescriptors.JumpOutOfWeightedLoop, brk.BreakKeyword.GetLocation(), "break", data);
                    break;
            }
        }
    }

    private static SyntaxNode? BreakTarget(BreakStatementSyntax statement)
    {
        for (SyntaxNode? current = statement.Parent; current is not null; current = current.Parent)
        {
            if (current is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or SwitchStatementSyntax)
            {
                return current;
            }
        }

        return null;
    }

    private void CheckAssignment(CommonForEachStatementSyntax loop, AssignmentExpressionSyntax assignment, string data, SemanticModel model, CancellationToken cancellationToken)
    {
        string? outer = OuterTarget(loop, assignment.Left, model, cancellationToken);
        if (outer is null)
        {
            return;
        }

        if (assignment.IsKind(SyntaxKind.AddAssignmentExpression) || assignment.IsKind(SyntaxKind.SubtractAssignmentExpression))
        {
            if (!IsBuiltInNumber(model.GetTypeInfo(assignment.Left, cancellationToken).Type))
            {
                if (assignment.Parent is not ExpressionStatementSyntax)
                {
                    Report(DiagnosticDescriptors.OuterVariableCannotBeWeighted, assignment.GetLocation(), assignment.ToString(),
                        "uses the value of an update of a non-numeric", outer, data);
                    return;
                }

                RepeatedUpdates.Add(assignment);
            }

            ScaledUpdates.Add(assignment);
            return;
        }

        string how = assignment.IsKind(SyntaxKind.SimpleAssignmentExpression)
            ? "assigns with '=' to"
            : $"updates with '{assignment.OperatorToken.ValueText}'";
        Report(DiagnosticDescriptors.OuterVariableCannotBeWeighted, assignment.GetLocation(), assignment.ToString(), how, outer, data);
    }

    private void CheckIncrement(CommonForEachStatementSyntax loop, ExpressionSyntax expression, ExpressionSyntax operand, SyntaxToken token, string data, SemanticModel model, CancellationToken cancellationToken)
    {
        string? outer = OuterTarget(loop, operand, model, cancellationToken);
        if (outer is null)
        {
            return;
        }

        if (expression.Parent is ExpressionStatementSyntax)
        {
            if (!IsBuiltInNumber(model.GetTypeInfo(operand, cancellationToken).Type))
            {
                RepeatedUpdates.Add(expression);
            }

            ScaledUpdates.Add(expression);
            return;
        }

        Report(DiagnosticDescriptors.OuterVariableCannotBeWeighted, expression.GetLocation(), expression.ToString(),
            $"uses the value of '{token.ValueText}' on", outer, data);
    }

    /// <summary>Where a loop declares its iteration variables: the identifier, or the deconstruction.</summary>
    private static Microsoft.CodeAnalysis.Text.TextSpan LoopVariableSpan(CommonForEachStatementSyntax loop) => loop switch
    {
        ForEachStatementSyntax named => named.Identifier.Span,
        ForEachVariableStatementSyntax deconstructing => deconstructing.Variable.Span,
        _ => default,
    };

    /// <summary>
    /// The Deconstruct methods a deconstructing weighted loop calls for each row: the rewrite calls them once per
    /// subsample row rather than once per drawn copy, which is the same only for pure methods (a tuple needs none).
    /// </summary>
    private void CheckDeconstruction(ForEachVariableStatementSyntax loop, string data, SemanticModel model, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        var pending = new Stack<DeconstructionInfo>();
        pending.Push(model.GetDeconstructionInfo(loop));
        while (pending.Count > 0)
        {
            DeconstructionInfo info = pending.Pop();
            if (info.Method is { } method && !DeconstructsPurely(method, model.Compilation, purity, cancellationToken))
            {
                Report(DiagnosticDescriptors.EstimatorCallsImpureMember, loop.Variable.GetLocation(), Type.Name,
                    method.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat), $" (it deconstructs each row of '{data}')");
            }

            foreach (DeconstructionInfo nested in info.Nested)
            {
                pending.Push(nested);
            }
        }
    }

    /// <summary>
    /// Whether a Deconstruct method does nothing but compute its <c>out</c> values: a framework member the purity
    /// catalogue knows, a record's synthesized Deconstruct over properties that are stored or have pure getters, or a
    /// method whose only writes are to its own <c>out</c> parameters and whose calls are pure.
    /// </summary>
    private static bool DeconstructsPurely(IMethodSymbol method, Compilation compilation, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        if (method.IsImplicitlyDeclared)
        {
            INamedTypeSymbol record = method.ContainingType;
            return record.IsRecord && method.Parameters.All(parameter => record.GetMembers(parameter.Name).All(member => member switch
            {
                IFieldSymbol => true,
                IPropertySymbol { GetMethod: { } getter } property =>
                    record.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property))
                    || purity.IsPure(getter, cancellationToken),
                _ => false,
            }));
        }

        if (method.DeclaringSyntaxReferences.IsEmpty)
        {
            return PurityCatalogue.Lookup(method) == CatalogueEntry.Pure || purity.IsPure(method, cancellationToken);
        }

        return purity.Analyze(method, cancellationToken).Where(static v => v.IsBlocking).All(violation =>
            violation.Kind == PurityViolationKind.WritesSharedState && WritesOwnOutParameter(violation.Location, method, compilation, cancellationToken));
    }

    private static bool WritesOwnOutParameter(Location location, IMethodSymbol method, Compilation compilation, CancellationToken cancellationToken)
    {
        if (location.SourceTree is not { } tree || !compilation.ContainsSyntaxTree(tree))
        {
            return false;
        }

        SyntaxNode node = tree.GetRoot(cancellationToken).FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        return compilation.GetSemanticModel(tree).GetSymbolInfo(node, cancellationToken).Symbol is IParameterSymbol { RefKind: RefKind.Out } parameter
            && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, method);
    }

    /// <summary>True for the built-in numeric types, whose updates the rewrite multiplies by the weight.</summary>
    public static bool IsBuiltInNumber(ITypeSymbol? type) => type?.SpecialType is SpecialType.System_SByte or SpecialType.System_Byte
        or SpecialType.System_Int16 or SpecialType.System_UInt16 or SpecialType.System_Int32 or SpecialType.System_UInt32
        or SpecialType.System_Int64 or SpecialType.System_UInt64 or SpecialType.System_Single or SpecialType.System_Double
        or SpecialType.System_Decimal;

    /// <summary>The name of the written variable when it lives outside the loop; null for the loop's own locals.</summary>
    private static string? OuterTarget(CommonForEachStatementSyntax loop, ExpressionSyntax target, SemanticModel model, CancellationToken cancellationToken)
    {
        target = Unparenthesize(target);
        if (target is TupleExpressionSyntax tuple)
        {
            foreach (ArgumentSyntax element in tuple.Arguments)
            {
                if (OuterTarget(loop, element.Expression, model, cancellationToken) is { } name)
                {
                    return name;
                }
            }

            return null;
        }

        if (target is DeclarationExpressionSyntax)
        {
            return null;
        }

        ExpressionSyntax root = target;
        while (true)
        {
            switch (root)
            {
                case ElementAccessExpressionSyntax element:
                    root = element.Expression;
                    continue;
                case MemberAccessExpressionSyntax member when model.GetSymbolInfo(member.Expression, cancellationToken).Symbol is ILocalSymbol or IParameterSymbol:
                    root = member.Expression;
                    continue;
                case ParenthesizedExpressionSyntax parenthesized:
                    root = parenthesized.Expression;
                    continue;
            }

            break;
        }

        ISymbol? symbol = model.GetSymbolInfo(root, cancellationToken).Symbol;
        if (symbol is ILocalSymbol local)
        {
            Location? declared = local.Locations.FirstOrDefault();
            bool inside = declared is not null && declared.SourceTree == loop.SyntaxTree
                && (loop.Statement.Span.Contains(declared.SourceSpan) || LoopVariableSpan(loop).Contains(declared.SourceSpan));
            return inside ? null : local.Name;
        }

        return symbol?.Name ?? target.ToString();
    }
}
