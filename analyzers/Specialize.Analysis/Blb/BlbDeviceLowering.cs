using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Specialize.Analysis.Blb;

/// <summary>
/// Whether an estimator's bootstraps can run on a GPU, checked once for the analyzer (SPEC111 when they cannot) and
/// the generator (which then emits an ILGPU kernel beside <c>EstimateWeighted</c>). The kernel computes, per
/// bootstrap, what the weighted loops add to the accumulators; the part before the loops runs there too, and the part
/// after them runs on the host from the sums, so only the prefix and the loops must lower. They lower when every
/// construct in them does:
/// <list type="bullet">
/// <item>the estimator has the shape of the batched form (<see cref="BlbBatchPlan"/>), its accumulators are
/// <c>double</c>, <c>int</c> or <c>long</c> numbers, or arrays of them made with <c>new T[length]</c>;</item>
/// <item>the rows are unmanaged values (numbers, <c>bool</c>, <c>char</c>, enums, structs of them), read by
/// <c>foreach</c>, named or deconstructed;</item>
/// <item><c>[NoSubsample]</c> parameters that the prefix or the loops read are such values, or arrays or
/// <c>ReadOnlySpan</c>s of them, read by element or by length;</item>
/// <item>the rest is arithmetic, comparisons, locals of such types, <c>if</c>, <c>for</c>, <c>while</c>, <c>switch</c>,
/// constants, the <c>Math</c> and <c>MathF</c> functions the device maps, fields and properties of the row structs,
/// and calls of methods of this compilation (static methods, or members of such structs) whose bodies lower too.</item>
/// </list>
/// Everything else (objects, strings, arrays made in the loops, exceptions, delegates, static fields, recursion, other
/// libraries' methods) keeps the estimator on the processor; <see cref="Obstacle"/> names the first such construct.
/// </summary>
public sealed class BlbDeviceLowering
{
    /// <summary>The <c>Math</c> and <c>MathF</c> functions a kernel may call: ILGPU maps each onto the device (checked by compiling them to PTX).</summary>
    private static readonly HashSet<string> MathFunctions = new(System.StringComparer.Ordinal)
    {
        "Abs", "Sqrt", "Cbrt", "Exp", "Log", "Log10", "Log2", "Pow", "Min", "Max", "Floor", "Ceiling", "Truncate",
        "Sin", "Cos", "Tan", "Asin", "Acos", "Atan", "Atan2", "Sinh", "Cosh", "Tanh", "FusedMultiplyAdd",
    };

    /// <summary>The floating-point tests a kernel may call on <c>double</c> and <c>float</c>.</summary>
    private static readonly HashSet<string> FloatingPointTests = new(System.StringComparer.Ordinal)
    {
        "IsNaN", "IsInfinity", "IsFinite", "IsPositiveInfinity", "IsNegativeInfinity",
    };

    private readonly BlbEstimatorAnalysis analysis;
    private readonly Compilation compilation;
    private readonly CancellationToken cancellationToken;
    private readonly HashSet<ISymbol> accumulators;
    private readonly Dictionary<IMethodSymbol, BlbObstacle?> checkedMethods = new(SymbolEqualityComparer.Default);
    private readonly HashSet<IMethodSymbol> checking = new(SymbolEqualityComparer.Default);

    private BlbDeviceLowering(BlbEstimatorAnalysis analysis, BlbBatchPlan? plan, Compilation compilation, CancellationToken cancellationToken)
    {
        this.analysis = analysis;
        this.compilation = compilation;
        this.cancellationToken = cancellationToken;
        Plan = plan;
        accumulators = new HashSet<ISymbol>((plan?.Accumulators ?? new List<BlbAccumulator>()).Select(static a => a.Local), SymbolEqualityComparer.Default);
    }

    /// <summary>The batched shape the GPU form is built on; null when the estimator has none.</summary>
    public BlbBatchPlan? Plan { get; }

    /// <summary>The construct that keeps the estimator on the processor; null when it lowers.</summary>
    public BlbObstacle? Obstacle { get; private set; }

    /// <summary>Whether the estimator's bootstraps can run on a GPU.</summary>
    public bool Lowers => Obstacle is null;

    /// <summary>The <c>[NoSubsample]</c> parameters that the prefix or the loops read: the kernel receives them.</summary>
    public List<IParameterSymbol> DeviceParameters { get; } = new();

    /// <summary>'.Length' reads of <c>[NoSubsample]</c> arrays and spans in the prefix and the loops (a length the kernel reads from its view).</summary>
    public HashSet<SyntaxNode> ParameterLengthReads { get; } = new();

    /// <summary>Whether an accumulator's sums are kept in double (double) or in 64-bit integers (int, long).</summary>
    public static bool IsDoubleFamily(BlbAccumulator accumulator) => accumulator.Element.SpecialType == SpecialType.System_Double;

    /// <summary>Checks an estimator without SPEC1xx errors.</summary>
    /// <param name="analysis">The estimator's analysis.</param>
    /// <param name="compilation">The compilation, for the bodies of the methods it calls.</param>
    /// <param name="cancellationToken">Cancels the work.</param>
    public static BlbDeviceLowering Analyze(BlbEstimatorAnalysis analysis, Compilation compilation, CancellationToken cancellationToken)
    {
        SemanticModel model = compilation.GetSemanticModel(analysis.EstimateSyntax!.SyntaxTree);
        BlbBatchPlan? plan = BlbBatchPlan.Create(analysis, model, cancellationToken, out BlbObstacle? shape);
        var lowering = new BlbDeviceLowering(analysis, plan, compilation, cancellationToken);
        lowering.Obstacle = plan is null ? shape : lowering.CheckPlan(plan, model);
        return lowering;
    }

    private BlbObstacle? CheckPlan(BlbBatchPlan plan, SemanticModel model)
    {
        foreach (BlbAccumulator accumulator in plan.Accumulators)
        {
            if (accumulator.Element.SpecialType is not (SpecialType.System_Double or SpecialType.System_Int32 or SpecialType.System_Int64))
            {
                return new BlbObstacle(accumulator.Declarator.GetLocation(), accumulator.Declarator.ToString(),
                    $"an accumulator of {Display(accumulator.Element)}: the device adds double, int and long accumulators and arrays of them");
            }
        }

        foreach (StatementSyntax statement in plan.Prefix)
        {
            cancellationToken.ThrowIfCancellationRequested();
            IReadOnlyList<BlbAccumulator> declared = plan.AccumulatorsDeclaredBy(statement);
            if (declared.Count == 0)
            {
                if (Check(model.GetOperation(statement, cancellationToken), estimate: true) is { } obstacle)
                {
                    return obstacle;
                }

                continue;
            }

            // A scalar accumulator's initial value is added on the host; an array's length is computed on the device
            // too, and so are the other locals declared beside them.
            foreach (VariableDeclaratorSyntax declarator in ((LocalDeclarationStatementSyntax)statement).Declaration.Variables)
            {
                BlbAccumulator? accumulator = declared.FirstOrDefault(a => a.Declarator == declarator);
                IOperation? operation = accumulator is null ? model.GetOperation(declarator, cancellationToken)
                    : accumulator.IsArray ? model.GetOperation(accumulator.Initializer, cancellationToken)
                    : null;
                if (Check(operation, estimate: true) is { } obstacle)
                {
                    return obstacle;
                }
            }
        }

        foreach (CommonForEachStatementSyntax loop in plan.Loops.Cast<CommonForEachStatementSyntax>())
        {
            if (CheckLoop(loop, model) is { } obstacle)
            {
                return obstacle;
            }
        }

        return null;
    }

    private BlbObstacle? CheckLoop(CommonForEachStatementSyntax loop, SemanticModel model)
    {
        IParameterSymbol input = analysis.Subsampled[analysis.WeightedLoops[loop]];
        ITypeSymbol row = BlbEstimatorAnalysis.ElementType(input.Type)!;
        if (!IsDeviceValue(row))
        {
            return new BlbObstacle(loop.Expression.GetLocation(), loop.Expression.ToString(),
                $"rows of {Display(row)}: the device reads rows of unmanaged values (numbers, bool, char, enums and structs of them)");
        }

        ForEachStatementInfo info = model.GetForEachStatementInfo(loop);
        if (loop is ForEachStatementSyntax && !(info.ElementConversion.IsIdentity || (info.ElementConversion.IsImplicit && info.ElementConversion.IsNumeric)))
        {
            return new BlbObstacle(loop.ForEachKeyword.GetLocation(), "foreach", $"a conversion of each row from {Display(row)} to {Display(info.ElementType ?? row)}");
        }

        if (loop is ForEachVariableStatementSyntax deconstructing)
        {
            var pending = new Stack<DeconstructionInfo>();
            pending.Push(model.GetDeconstructionInfo(deconstructing));
            while (pending.Count > 0)
            {
                DeconstructionInfo deconstruction = pending.Pop();
                if (deconstruction.Method is { } method && CheckMethod(method, deconstructing.Variable) is { } obstacle)
                {
                    return obstacle;
                }

                foreach (DeconstructionInfo nested in deconstruction.Nested)
                {
                    pending.Push(nested);
                }
            }
        }

        return model.GetOperation(loop.Statement, cancellationToken) is { } body ? Check(body, estimate: true) : null;
    }

    /// <summary>The first construct in <paramref name="operation"/> without a lowering; null when all of it lowers.</summary>
    /// <param name="operation">A statement or expression.</param>
    /// <param name="estimate">Whether it is in Estimate (its parameters and accumulators mean something there) rather than in a method it calls.</param>
    private BlbObstacle? Check(IOperation? operation, bool estimate)
    {
        if (operation is null)
        {
            return null;
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (operation.ConstantValue.HasValue && operation.Type is { } constantType && IsDeviceValue(constantType))
        {
            return null;
        }

        switch (operation)
        {
            case IBlockOperation or IExpressionStatementOperation or IEmptyOperation or IVariableDeclarationGroupOperation
                or IVariableDeclarationOperation or IVariableInitializerOperation or IConditionalOperation or IWhileLoopOperation
                or IForLoopOperation or ISwitchOperation or ISwitchCaseOperation or ISingleValueCaseClauseOperation or IDefaultCaseClauseOperation
                or IPatternCaseClauseOperation or ISwitchExpressionOperation or ISwitchExpressionArmOperation or IConstantPatternOperation
                or IDiscardPatternOperation or IRelationalPatternOperation or IBinaryPatternOperation or INegatedPatternOperation
                or IIsPatternOperation or IArgumentOperation or ITupleOperation or IDeclarationExpressionOperation or IDiscardOperation
                or IInstanceReferenceOperation or IDefaultValueOperation or ISizeOfOperation or ISimpleAssignmentOperation
                or IDeconstructionAssignmentOperation or IObjectOrCollectionInitializerOperation or IMemberInitializerOperation:
                break;
            case IVariableDeclaratorOperation declarator:
                if (!IsDeviceValue(declarator.Symbol.Type))
                {
                    return Refuse(operation, $"a local of {Display(declarator.Symbol.Type)}: the device holds numbers, bool, char, enums and structs of them");
                }

                break;
            case IReturnOperation when !estimate:
                break;
            case IBranchOperation branch when branch.BranchKind is BranchKind.Break or BranchKind.Continue:
                break;
            case ILiteralOperation:
            case ILocalReferenceOperation:
                break;
            case IParameterReferenceOperation parameter:
                return CheckParameter(parameter, estimate);
            case IFieldReferenceOperation field:
                if (field.Field.IsStatic)
                {
                    return Refuse(operation, $"a read of the static field '{field.Field.Name}': a kernel reads its inputs and constants only");
                }

                break;
            case IPropertyReferenceOperation property:
                if (estimate && property.Instance is IParameterReferenceOperation { Parameter: var viewed }
                    && (property.Property.Name == "Length" || property.Property.IsIndexer) && IsArrayOrSpan(viewed.Type))
                {
                    // A subsampled input's length is n; a [NoSubsample] array's or span's length and elements are read from its view.
                    if (property.Property.Name == "Length")
                    {
                        if (!analysis.Subsampled.Contains(viewed, SymbolEqualityComparer.Default))
                        {
                            ParameterLengthReads.Add(property.Syntax);
                        }
                    }

                    return analysis.Subsampled.Contains(viewed, SymbolEqualityComparer.Default) ? null : CheckChildren(operation, estimate);
                }

                // What the property is read from first: the parameter or object that has no lowering says more than its property.
                return CheckChildren(operation, estimate) ?? CheckProperty(property);
            case IArrayElementReferenceOperation element:
                if (element.ArrayReference is ILocalReferenceOperation local && accumulators.Contains(local.Local))
                {
                    return CheckAll(element.Indices, estimate);
                }

                if (estimate && element.ArrayReference is IParameterReferenceOperation)
                {
                    return CheckChildren(operation, estimate);
                }

                return Refuse(operation, "an element of an array other than an accumulator or a [NoSubsample] parameter");
            case IBinaryOperation binary:
                if (binary.IsChecked)
                {
                    return Refuse(operation, "checked arithmetic");
                }

                if (binary.OperatorMethod is { } binaryMethod && CheckMethod(binaryMethod, operation.Syntax) is { } binaryObstacle)
                {
                    return binaryObstacle;
                }

                break;
            case IUnaryOperation unary:
                if (unary.IsChecked)
                {
                    return Refuse(operation, "checked arithmetic");
                }

                if (unary.OperatorMethod is { } unaryMethod && CheckMethod(unaryMethod, operation.Syntax) is { } unaryObstacle)
                {
                    return unaryObstacle;
                }

                break;
            case IIncrementOrDecrementOperation increment:
                if (increment.IsChecked)
                {
                    return Refuse(operation, "checked arithmetic");
                }

                if (increment.OperatorMethod is { } incrementMethod && CheckMethod(incrementMethod, operation.Syntax) is { } incrementObstacle)
                {
                    return incrementObstacle;
                }

                break;
            case ICompoundAssignmentOperation compound:
                if (compound.IsChecked)
                {
                    return Refuse(operation, "checked arithmetic");
                }

                if (compound.OperatorMethod is { } compoundMethod && CheckMethod(compoundMethod, operation.Syntax) is { } compoundObstacle)
                {
                    return compoundObstacle;
                }

                break;
            case IConversionOperation conversion:
                if (conversion.IsChecked && !conversion.Conversion.IsIdentity)
                {
                    return Refuse(operation, "a checked conversion");
                }

                if (conversion.OperatorMethod is { } conversionMethod && CheckMethod(conversionMethod, operation.Syntax) is { } conversionObstacle)
                {
                    return conversionObstacle;
                }

                break;
            case IInvocationOperation invocation:
                if (CheckChildren(operation, estimate) is { } argumentObstacle)
                {
                    return argumentObstacle;
                }

                if (CheckMethod(invocation.TargetMethod, operation.Syntax) is { } callObstacle)
                {
                    return callObstacle;
                }

                return operation.Type is { SpecialType: not SpecialType.System_Void } returned && !IsDeviceValue(returned)
                    ? Refuse(operation, $"a value of {Display(returned)}: the device holds numbers, bool, char, enums and structs of them")
                    : null;
            case IInlineArrayAccessOperation:
                return Refuse(operation, "an element of an inline array: the device has no spans to read it through");
            case IObjectCreationOperation creation:
                if (creation.Type is not { } created || !IsDeviceValue(created))
                {
                    return Refuse(operation, $"a new {(creation.Type is { } t ? Display(t) : "object")}: the device makes structs of unmanaged values only");
                }

                if (creation.Constructor is { } constructor && !IsPlainConstructor(constructor) && CheckMethod(constructor, operation.Syntax) is { } constructorObstacle)
                {
                    return constructorObstacle;
                }

                break;
            case IThrowOperation:
                return Refuse(operation, "a throw: a kernel cannot throw");
            case IArrayCreationOperation:
                return Refuse(operation, "an array made on the device: only the accumulators declared before the loops may be arrays");
            case IInterpolatedStringOperation:
                return Refuse(operation, "a string");
            case IAnonymousFunctionOperation or IDelegateCreationOperation or ILocalFunctionOperation:
                return Refuse(operation, "a lambda or local function");
            case IForEachLoopOperation:
                return Refuse(operation, "a foreach over something other than the subsampled rows");
            default:
                return Refuse(operation, $"a construct the kernel does not translate ({operation.Kind})");
        }

        if (operation.Type is { } type && type.SpecialType != SpecialType.System_Void && !IsDeviceValue(type))
        {
            return Refuse(operation, $"a value of {Display(type)}: the device holds numbers, bool, char, enums and structs of them");
        }

        return CheckChildren(operation, estimate);
    }

    private BlbObstacle? CheckChildren(IOperation operation, bool estimate) => CheckAll(operation.ChildOperations, estimate);

    /// <summary>
    /// A parameter read. In a method the kernel calls, its parameters are device values (checked with its signature). In
    /// Estimate, a <c>[NoSubsample]</c> parameter goes to the kernel: a value, or an array or span read by element or length.
    /// </summary>
    private BlbObstacle? CheckParameter(IParameterReferenceOperation reference, bool estimate)
    {
        IParameterSymbol parameter = reference.Parameter;
        if (!estimate)
        {
            return null;
        }

        if (analysis.Subsampled.Contains(parameter, SymbolEqualityComparer.Default))
        {
            return Refuse(reference, "subsampled data read outside its foreach");
        }

        bool viewed = IsDeviceArray(parameter.Type)
            && reference.Parent is IArrayElementReferenceOperation or IPropertyReferenceOperation { Property.Name: "Length" } or IPropertyReferenceOperation { Property.IsIndexer: true };
        if (!IsDeviceValue(parameter.Type) && !viewed)
        {
            return Refuse(reference, IsDeviceArray(parameter.Type)
                ? "a [NoSubsample] array used as a whole: the kernel reads its elements and its length only"
                : $"a [NoSubsample] parameter of {Display(parameter.Type)}: the device reads unmanaged values, and arrays and spans of them");
        }

        if (!DeviceParameters.Contains(parameter, SymbolEqualityComparer.Default))
        {
            DeviceParameters.Add(parameter);
            DeviceParameters.Sort(static (a, b) => a.Ordinal.CompareTo(b.Ordinal));
        }

        return null;
    }

    private BlbObstacle? CheckAll(IEnumerable<IOperation> operations, bool estimate)
    {
        foreach (IOperation operation in operations)
        {
            if (Check(operation, estimate) is { } obstacle)
            {
                return obstacle;
            }
        }

        return null;
    }

    /// <summary>A property of a struct of device values: an auto-property, or one whose getter lowers.</summary>
    private BlbObstacle? CheckProperty(IPropertyReferenceOperation property)
    {
        IPropertySymbol symbol = property.Property;
        if (symbol.IsStatic || symbol.GetMethod is not { } getter || property.Instance?.Type is not { } owner || !IsDeviceValue(owner))
        {
            return Refuse(property, $"the property '{symbol.Name}' of {Display(symbol.ContainingType)}: the device reads properties of structs of unmanaged values only");
        }

        return IsAutoProperty(symbol) ? null : CheckMethod(getter, property.Syntax);
    }

    /// <summary>Whether a method lowers: a mapped Math function, or a method of this compilation whose body lowers (checked once, with recursion refused).</summary>
    private BlbObstacle? CheckMethod(IMethodSymbol method, SyntaxNode site)
    {
        method = method.OriginalDefinition;
        string type = method.ContainingType?.ToDisplayString() ?? string.Empty;
        if (type is "System.Math" or "System.MathF" && MathFunctions.Contains(method.Name) && !method.Parameters.Any(static p => p.Type.SpecialType == SpecialType.System_Decimal))
        {
            return null;
        }

        if (method.ContainingType?.SpecialType is SpecialType.System_Double or SpecialType.System_Single && FloatingPointTests.Contains(method.Name))
        {
            return null;
        }

        if (method.ContainingType is { IsTupleType: true } || type.StartsWith("System.ValueTuple", System.StringComparison.Ordinal))
        {
            return method.MethodKind == MethodKind.Constructor ? null : RefuseAt(site, $"a call of '{method.Name}' of a tuple");
        }

        if (checkedMethods.TryGetValue(method, out BlbObstacle? known))
        {
            return known is null ? null : Wrap(site, method, known);
        }

        if (checking.Contains(method))
        {
            return RefuseAt(site, $"a recursive call of '{method.Name}': kernels cannot recurse");
        }

        BlbObstacle? inner = CheckMethodBody(method, site);
        checkedMethods[method] = inner;
        return inner is null ? null : Wrap(site, method, inner);
    }

    private BlbObstacle? CheckMethodBody(IMethodSymbol method, SyntaxNode site)
    {
        if (method.IsImplicitlyDeclared && method.ContainingType is { IsRecord: true, IsValueType: true } && method.Name == "Deconstruct")
        {
            return null;
        }

        SyntaxNode? declaration = method.DeclaringSyntaxReferences.FirstOrDefault()?.GetSyntax(cancellationToken);
        if (declaration is null || method.IsImplicitlyDeclared)
        {
            return RefuseAt(site, $"a call of '{method.ContainingType?.Name}.{method.Name}', which is not a Math function the device maps nor a method of this compilation");
        }

        if (method.IsGenericMethod || method.ContainingType is { IsGenericType: true })
        {
            return RefuseAt(site, $"a call of the generic '{method.Name}'");
        }

        if (!method.IsStatic && method.ContainingType is not { TypeKind: TypeKind.Struct })
        {
            return RefuseAt(site, $"a call of '{method.Name}' on an object: kernels call static methods and members of structs");
        }

        if (!method.ReturnsVoid && !IsDeviceValue(method.ReturnType))
        {
            return RefuseAt(site, $"'{method.Name}' returns {Display(method.ReturnType)}");
        }

        foreach (IParameterSymbol parameter in method.Parameters)
        {
            if (!IsDeviceValue(parameter.Type) || parameter.IsParams)
            {
                return RefuseAt(site, $"'{method.Name}' takes {Display(parameter.Type)}: methods the kernel calls take unmanaged values only");
            }
        }

        SyntaxNode? body = declaration switch
        {
            BaseMethodDeclarationSyntax m => (SyntaxNode?)m.Body ?? m.ExpressionBody,
            AccessorDeclarationSyntax a => (SyntaxNode?)a.Body ?? a.ExpressionBody,
            ArrowExpressionClauseSyntax arrow => arrow,
            _ => null,
        };
        if (body is null)
        {
            return RefuseAt(site, $"a call of '{method.Name}', whose body is not C# of this compilation");
        }

        if (declaration is ConstructorDeclarationSyntax { Initializer: not null })
        {
            return RefuseAt(site, $"a call of a constructor of '{method.ContainingType!.Name}' that calls another constructor");
        }

        checking.Add(method);
        try
        {
            SemanticModel model = compilation.GetSemanticModel(body.SyntaxTree);
            IOperation? operation = model.GetOperation(body, cancellationToken);
            if (operation is null)
            {
                return RefuseAt(site, $"a call of '{method.Name}', whose body has no operations to translate");
            }

            // Expression bodies come as the method body operation's block; its implicit return is fine.
            return Check(operation, estimate: false);
        }
        finally
        {
            checking.Remove(method);
        }
    }

    private static BlbObstacle Wrap(SyntaxNode site, IMethodSymbol method, BlbObstacle inner) =>
        inner.Location.SourceTree == site.SyntaxTree && site.Span.Contains(inner.Location.SourceSpan)
            ? inner
            : new BlbObstacle(site.GetLocation(), Short(site), $"it calls '{method.Name}', where '{inner.Construct}' is {inner.Reason}");

    private static bool IsPlainConstructor(IMethodSymbol constructor) =>
        constructor.IsImplicitlyDeclared
        || constructor.ContainingType.IsTupleType
        || (constructor.ContainingType.IsRecord && constructor.DeclaringSyntaxReferences.All(static r => r.GetSyntax() is RecordDeclarationSyntax));

    private static bool IsAutoProperty(IPropertySymbol property) =>
        property.ContainingType.GetMembers().OfType<IFieldSymbol>().Any(f => SymbolEqualityComparer.Default.Equals(f.AssociatedSymbol, property));

    /// <summary>Whether values of <paramref name="type"/> can live on the device: numbers (not decimal), bool, char, enums, and unmanaged structs of them.</summary>
    public static bool IsDeviceValue(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean:
            case SpecialType.System_Char:
            case SpecialType.System_SByte:
            case SpecialType.System_Byte:
            case SpecialType.System_Int16:
            case SpecialType.System_UInt16:
            case SpecialType.System_Int32:
            case SpecialType.System_UInt32:
            case SpecialType.System_Int64:
            case SpecialType.System_UInt64:
            case SpecialType.System_Single:
            case SpecialType.System_Double:
                return true;
            case SpecialType.System_Decimal:
            case SpecialType.System_IntPtr:
            case SpecialType.System_UIntPtr:
                return false;
        }

        if (type.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        return type is INamedTypeSymbol { TypeKind: TypeKind.Struct, IsRefLikeType: false, IsUnmanagedType: true } named
            && named.OriginalDefinition.SpecialType != SpecialType.System_Nullable_T
            && named.GetMembers().OfType<IFieldSymbol>().Where(static f => !f.IsStatic && !f.IsConst)
                .All(static f => f.Type.TypeKind != TypeKind.Pointer && !f.IsFixedSizeBuffer && IsDeviceValue(f.Type));
    }

    private static bool IsArrayOrSpan(ITypeSymbol type) =>
        type is IArrayTypeSymbol || (type is INamedTypeSymbol { IsGenericType: true } named && named.OriginalDefinition.ToDisplayString() is "System.ReadOnlySpan<T>" or "System.Span<T>");

    /// <summary>Whether <paramref name="type"/> is an array or a <c>ReadOnlySpan</c> of device values (a <c>[NoSubsample]</c> input the kernel reads as a view).</summary>
    public static bool IsDeviceArray(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { Rank: 1, ElementType: var element } => IsDeviceValue(element),
        INamedTypeSymbol { IsGenericType: true } named when named.OriginalDefinition.ToDisplayString() is "System.ReadOnlySpan<T>" or "System.Span<T>" => IsDeviceValue(named.TypeArguments[0]),
        _ => false,
    };

    private static string Display(ITypeSymbol type) => $"type '{type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}'";

    private static BlbObstacle Refuse(IOperation operation, string reason) => RefuseAt(operation.Syntax, reason);

    private static BlbObstacle RefuseAt(SyntaxNode node, string reason) => new(node.GetLocation(), Short(node), reason);

    private static string Short(SyntaxNode node)
    {
        string text = node is StatementSyntax statement ? statement.ToString().Split('\n')[0].Trim() : node.ToString();
        text = string.Join(" ", text.Split(new[] { '\r', '\n', ' ', '\t' }, System.StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
    }
}
