using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Specialize.Analysis.Purity;

/// <summary>
/// Checks methods for purity: no writes to state the method did not allocate, no calls to members
/// not known to be pure, no synchronization. Methods in the same compilation are analysed
/// interprocedurally (cycles are assumed pure while they are being checked, the greatest fixed
/// point); framework members must be in <see cref="PurityCatalogue"/>. One instance per compilation;
/// thread-safe.
/// </summary>
public sealed class PurityAnalysis
{
    public const string PureAttributeName = "Specialize.PureAttribute";

    private readonly Compilation compilation;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, bool OwnsThis), bool> verdicts = new(CheckComparer.Instance);

    public PurityAnalysis(Compilation compilation)
    {
        this.compilation = compilation;
    }

    /// <summary>True when the method carries <c>[Specialize.Pure]</c>.</summary>
    public static bool IsMarkedPure(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == PureAttributeName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The reasons the method's own body is not pure, each at its location. A call to an impure
    /// method in the same compilation is one violation at the call (the callee's own problems are
    /// reported where the callee is written).
    /// </summary>
    public ImmutableArray<PurityViolation> Analyze(IMethodSymbol method, CancellationToken cancellationToken)
    {
        IOperation? body = GetBody(method, cancellationToken);
        if (body is null)
        {
            return ImmutableArray<PurityViolation>.Empty;
        }

        bool ownsThis = OwnsThisByConstruction(method);
        var walker = new BodyWalker(this, method, ownsThis, body, new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance) { (method, ownsThis) }, cancellationToken);
        return walker.Run();
    }

    /// <summary>
    /// True when the method has a body and that body, and every method it calls, is pure. This is
    /// the check the generator relies on before it runs a call as a future.
    /// </summary>
    public bool IsPure(IMethodSymbol method, CancellationToken cancellationToken) =>
        IsPure(method.OriginalDefinition, OwnsThisByConstruction(method), new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance), cancellationToken, out _);

    /// <summary>
    /// True when evaluating <paramref name="expression"/> (an expression in the body of
    /// <paramref name="containing"/>) writes no variable and no object that existed before it, and
    /// calls only pure members: apart from the exception it may throw, running it cannot be told apart
    /// from not running it. Reading mutable state is allowed.
    /// </summary>
    public bool IsPureExpression(IOperation expression, IMethodSymbol containing, CancellationToken cancellationToken)
    {
        foreach (IOperation operation in expression.DescendantsAndSelf())
        {
            IOperation? target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                _ => null,
            };

            // The walker allows writes to the method's own parameters; here they are outside state.
            // (Writes to locals declared outside the expression it reports as captured variables.)
            if (target is not null && WritesParameterOf(target, containing))
            {
                return false;
            }
        }

        var walker = new BodyWalker(this, containing, ownsThis: false, expression, new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance), cancellationToken, stopAtFirst: true);
        return !walker.Run().Any(static v => v.IsBlocking);
    }

    /// <summary>
    /// True when running <paramref name="statement"/> (a statement in the body of <paramref name="host"/>)
    /// writes nothing but the host's own locals and by-value parameters and objects the statement itself
    /// allocates, and calls only pure members. Pure calls that started earlier write nothing and read
    /// only what existed when they started, so such a statement may run while they are still running.
    /// Reading mutable state is allowed.
    /// </summary>
    public bool IsPureStatement(IOperation statement, IMethodSymbol host, CancellationToken cancellationToken)
    {
        SyntaxNode? scope = host.DeclaringSyntaxReferences.FirstOrDefault(r => r.SyntaxTree == statement.Syntax.SyntaxTree)?.GetSyntax(cancellationToken);
        if (scope is null)
        {
            return false;
        }

        var walker = new BodyWalker(this, host, ownsThis: false, statement, new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance), cancellationToken, stopAtFirst: true, localScope: scope);
        return !walker.Run().Any(static v => v.IsBlocking);
    }

    private static bool WritesParameterOf(IOperation target, IMethodSymbol method) => target switch
    {
        IConversionOperation conversion => WritesParameterOf(conversion.Operand, method),
        IParenthesizedOperation parenthesized => WritesParameterOf(parenthesized.Operand, method),
        ITupleOperation tuple => tuple.Elements.Any(element => WritesParameterOf(element, method)),
        IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method),
        _ => false,
    };

    /// <summary>A constructor's <c>this</c> is the object being created, so the constructor owns it.</summary>
    private static bool OwnsThisByConstruction(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor && !method.IsStatic;

    /// <summary>
    /// <paramref name="ownsThis"/>: the receiver is an object the caller owns (a constructor's new
    /// object, or a call on an object the calling method allocated), so writes to its fields are writes
    /// to owned state. Verdicts are kept apart for the two cases.
    /// </summary>
    private bool IsPure(IMethodSymbol method, bool ownsThis, HashSet<(IMethodSymbol, bool)> inProgress, CancellationToken cancellationToken, out bool assumed)
    {
        assumed = false;
        (IMethodSymbol, bool) check = (method, ownsThis);
        if (verdicts.TryGetValue(check, out bool known))
        {
            return known;
        }

        if (inProgress.Contains(check))
        {
            // A cycle: assume pure while the cycle is checked; the caller must not cache on this basis.
            assumed = true;
            return true;
        }

        var parts = new List<IOperation>();
        IOperation? body = GetBody(method, cancellationToken);
        if (body is not null)
        {
            parts.Add(body);
        }

        IMethodSymbol? implicitBase = null;
        if (OwnsThisByConstruction(method))
        {
            implicitBase = AddConstructionParts(method, body is not null, parts, cancellationToken);
        }
        else if (body is null)
        {
            return false;
        }

        inProgress.Add(check);
        bool pure = true;
        foreach (IOperation part in parts)
        {
            var walker = new BodyWalker(this, method, ownsThis, part, inProgress, cancellationToken, stopAtFirst: true);
            pure &= !walker.Run().Any(static v => v.IsBlocking);
            assumed |= walker.UsedAssumption;
            if (!pure)
            {
                break;
            }
        }

        if (pure && implicitBase is not null)
        {
            pure = IsPureBaseConstructor(implicitBase, inProgress, cancellationToken, out bool baseAssumed);
            assumed |= baseAssumed;
        }

        inProgress.Remove(check);

        if (!assumed || inProgress.Count == 0 || !pure)
        {
            verdicts.TryAdd(check, pure);
        }

        return pure;
    }

    /// <summary>
    /// What else runs when a constructor runs: the instance field and property initializers of its
    /// type (unless it chains to <c>this(...)</c>) and a primary constructor's base arguments. Returns
    /// the base constructor that runs without appearing in any operation (<c>base()</c> of an implicit
    /// or primary constructor), if any.
    /// </summary>
    private IMethodSymbol? AddConstructionParts(IMethodSymbol constructor, bool hasBody, List<IOperation> parts, CancellationToken cancellationToken)
    {
        bool explicitBase = hasBody;
        foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            if (node is ConstructorDeclarationSyntax { Initializer: { } chained } && chained.ThisOrBaseKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.ThisKeyword))
            {
                // The chained constructor runs the initializers; it is a call in this body.
                return null;
            }

            if (node is TypeDeclarationSyntax { BaseList: { } baseList } && compilation.ContainsSyntaxTree(node.SyntaxTree))
            {
                foreach (BaseTypeSyntax baseType in baseList.Types)
                {
                    if (baseType is PrimaryConstructorBaseTypeSyntax primaryBase
                        && compilation.GetSemanticModel(node.SyntaxTree).GetOperation(primaryBase, cancellationToken) is { } baseCall)
                    {
                        parts.Add(baseCall);
                        explicitBase = true;
                    }
                }
            }
        }

        foreach (ISymbol member in constructor.ContainingType.GetMembers())
        {
            if (member.IsStatic || member is not (IFieldSymbol or IPropertySymbol))
            {
                continue;
            }

            foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
            {
                SyntaxNode node = reference.GetSyntax(cancellationToken);
                EqualsValueClauseSyntax? initializer = node switch
                {
                    VariableDeclaratorSyntax declarator => declarator.Initializer,
                    PropertyDeclarationSyntax property => property.Initializer,
                    _ => null,
                };
                if (initializer is not null && compilation.ContainsSyntaxTree(node.SyntaxTree)
                    && compilation.GetSemanticModel(node.SyntaxTree).GetOperation(initializer, cancellationToken) is { } operation)
                {
                    parts.Add(operation);
                }
            }
        }

        if (explicitBase || constructor.ContainingType.IsValueType || constructor.ContainingType.BaseType is not { } baseClass)
        {
            return null;
        }

        return baseClass.InstanceConstructors.FirstOrDefault(static c => c.Parameters.Length == 0);
    }

    private bool IsPureBaseConstructor(IMethodSymbol constructor, HashSet<(IMethodSymbol, bool)> inProgress, CancellationToken cancellationToken, out bool assumed)
    {
        assumed = false;
        if (Classify(constructor) == SourceKind.Metadata)
        {
            return IsMarkedPure(constructor) || PurityCatalogue.Lookup(constructor) == CatalogueEntry.Pure;
        }

        return IsPure(constructor, ownsThis: true, inProgress, cancellationToken, out assumed);
    }

    private IOperation? GetBody(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            if (node is BaseMethodDeclarationSyntax { Body: null, ExpressionBody: null }
                || node is AccessorDeclarationSyntax { Body: null, ExpressionBody: null }
                || node is LocalFunctionStatementSyntax { Body: null, ExpressionBody: null })
            {
                continue;
            }

            if (!compilation.ContainsSyntaxTree(node.SyntaxTree))
            {
                continue;
            }

            SemanticModel model = compilation.GetSemanticModel(node.SyntaxTree);
            IOperation? operation = model.GetOperation(node, cancellationToken);
            if (operation is not null)
            {
                return operation;
            }
        }

        return null;
    }

    private enum SourceKind
    {
        Metadata,
        SourceWithBody,
        SourceWithoutBody,
        SourceCompilerGenerated,
    }

    private static SourceKind Classify(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.Constructor && !method.IsStatic && !method.IsExtern
            && method.ContainingType?.Locations.Any(static l => l.IsInSource) == true)
        {
            // Explicit, implicit or primary: what runs (body, initializers, base call) is checked.
            return SourceKind.SourceWithBody;
        }

        if (method.DeclaringSyntaxReferences.Length == 0)
        {
            return method.Locations.Any(static l => l.IsInSource) || method.ContainingType?.Locations.Any(static l => l.IsInSource) == true
                ? SourceKind.SourceCompilerGenerated
                : SourceKind.Metadata;
        }

        if (method.IsImplicitlyDeclared)
        {
            return SourceKind.SourceCompilerGenerated;
        }

        if (method.IsAbstract || method.IsExtern)
        {
            return SourceKind.SourceWithoutBody;
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax();
            bool hasBody = node switch
            {
                BaseMethodDeclarationSyntax m => m.Body is not null || m.ExpressionBody is not null,
                AccessorDeclarationSyntax a => a.Body is not null || a.ExpressionBody is not null,
                LocalFunctionStatementSyntax f => f.Body is not null || f.ExpressionBody is not null,
                ArrowExpressionClauseSyntax => true,
                _ => false,
            };
            if (hasBody)
            {
                return SourceKind.SourceWithBody;
            }

            if (node is AccessorDeclarationSyntax)
            {
                // An auto-property accessor: reading or writing the backing field.
                return SourceKind.SourceCompilerGenerated;
            }
        }

        return SourceKind.SourceWithoutBody;
    }

    /// <summary>Compares (method, owns-this) checks by symbol.</summary>
    private sealed class CheckComparer : IEqualityComparer<(IMethodSymbol Method, bool OwnsThis)>
    {
        public static readonly CheckComparer Instance = new();

        public bool Equals((IMethodSymbol Method, bool OwnsThis) x, (IMethodSymbol Method, bool OwnsThis) y) =>
            x.OwnsThis == y.OwnsThis && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

        public int GetHashCode((IMethodSymbol Method, bool OwnsThis) obj) =>
            (SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 2) + (obj.OwnsThis ? 1 : 0);
    }

    /// <summary>Walks one body, collecting violations.</summary>
    private sealed class BodyWalker
    {
        private readonly PurityAnalysis owner;
        private readonly IMethodSymbol method;
        private readonly bool ownsThis;
        private readonly IOperation body;
        private readonly HashSet<(IMethodSymbol, bool)> inProgress;
        private readonly CancellationToken cancellationToken;
        private readonly bool stopAtFirst;

        // Where the method's own locals are declared: the analysed body itself, or (for one statement of
        // a method) the whole method, whose locals the statement may write. Only locals declared in
        // the analysed body can hold objects it allocated.
        private readonly SyntaxNode? localScope;
        private readonly HashSet<ILocalSymbol> ownedLocals = new(SymbolEqualityComparer.Default);
        private readonly List<PurityViolation> violations = new();
        private readonly HashSet<IOperation> writeTargets = new();

        public BodyWalker(PurityAnalysis owner, IMethodSymbol method, bool ownsThis, IOperation body, HashSet<(IMethodSymbol, bool)> inProgress, CancellationToken cancellationToken, bool stopAtFirst = false, SyntaxNode? localScope = null)
        {
            this.localScope = localScope;
            this.owner = owner;
            this.method = method;
            this.ownsThis = ownsThis;
            this.body = body;
            this.inProgress = inProgress;
            this.cancellationToken = cancellationToken;
            this.stopAtFirst = stopAtFirst;
        }

        public bool UsedAssumption { get; private set; }

        private string MethodName => method.Name;

        public ImmutableArray<PurityViolation> Run()
        {
            ComputeOwnedLocals();
            foreach (IOperation operation in body.DescendantsAndSelf())
            {
                cancellationToken.ThrowIfCancellationRequested();
                Visit(operation);
                if (stopAtFirst && violations.Any(static v => v.IsBlocking))
                {
                    break;
                }
            }

            return violations.ToImmutableArray();
        }

        private void Visit(IOperation operation)
        {
            switch (operation)
            {
                case ISimpleAssignmentOperation { IsRef: false } assignment:
                    CheckWrite(assignment.Target);
                    CheckAccessors(assignment.Target, reads: false);
                    break;
                case ICompoundAssignmentOperation compound:
                    CheckWrite(compound.Target);
                    CheckAccessors(compound.Target, reads: true);
                    break;
                case ICoalesceAssignmentOperation coalesce:
                    CheckWrite(coalesce.Target);
                    CheckAccessors(coalesce.Target, reads: true);
                    break;
                case IIncrementOrDecrementOperation increment:
                    CheckWrite(increment.Target);
                    CheckAccessors(increment.Target, reads: true);
                    break;
                case IDeconstructionAssignmentOperation deconstruction:
                    CheckWrite(deconstruction.Target);
                    break;
                case IEventAssignmentOperation eventAssignment:
                    CheckWrite(eventAssignment.EventReference);
                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                    CheckWrite(argument.Value);
                    break;
                case IInvocationOperation invocation:
                    CheckCall(invocation.TargetMethod, invocation.Instance, invocation.Arguments, invocation.Syntax);
                    break;
                case IObjectCreationOperation { Constructor: { } constructor } creation:
                    CheckCall(constructor, null, creation.Arguments, creation.Syntax);
                    break;
                case ITypeParameterObjectCreationOperation typeParameterCreation:
                    Report(PurityViolationKind.CallsImpureMember, typeParameterCreation.Syntax.GetLocation(), $"new {typeParameterCreation.Type?.Name}()", " (the constructor behind a type parameter is not known)");
                    break;
                case IPropertyReferenceOperation property when !writeTargets.Contains(property) && property.Property.GetMethod is { } getter:
                    CheckCall(getter, property.Instance, property.Arguments, property.Syntax);
                    break;
                case IFieldReferenceOperation field when !writeTargets.Contains(field):
                    CheckFieldRead(field);
                    break;
                case ILockOperation lockOperation:
                    Report(PurityViolationKind.CallsImpureMember, lockOperation.Syntax.GetFirstToken().GetLocation(), "a lock statement", " (it synchronizes threads)");
                    break;
                case IAwaitOperation awaitOperation:
                    Report(PurityViolationKind.CallsImpureMember, awaitOperation.Syntax.GetLocation(), "await", " (it yields to a scheduler)");
                    break;
                case IAddressOfOperation addressOf:
                    Report(PurityViolationKind.WritesSharedState, addressOf.Syntax.GetLocation(), "memory through a pointer");
                    break;
                case IDynamicInvocationOperation or IDynamicMemberReferenceOperation or IDynamicIndexerAccessOperation:
                    Report(PurityViolationKind.CallsImpureMember, operation.Syntax.GetLocation(), operation.Syntax.ToString(), " (it is bound at run time)");
                    break;
            }
        }

        private void Report(PurityViolationKind kind, Location location, string what, string reason = "", IMethodSymbol? callee = null)
        {
            violations.Add(new PurityViolation(kind, location, what, reason, callee));
        }

        // ---- writes -------------------------------------------------------------------------

        private void CheckWrite(IOperation target)
        {
            writeTargets.Add(target);
            if (target is ITupleOperation tuple)
            {
                foreach (IOperation element in tuple.Elements)
                {
                    CheckWrite(element);
                }

                return;
            }

            if (target is IDeclarationExpressionOperation declaration)
            {
                // var (a, b) = ... declares fresh locals.
                _ = declaration;
                return;
            }

            string? unowned = DescribeUnowned(target);
            if (unowned is not null)
            {
                Report(PurityViolationKind.WritesSharedState, target.Syntax.GetLocation(), unowned);
            }
        }

        /// <summary>
        /// A write to a property written in source runs its setter (and, for compound writes, its
        /// getter): their bodies are checked like any other call. Accessors without a body (auto
        /// properties) only touch the backing field, which <see cref="CheckWrite"/> has checked.
        /// </summary>
        private void CheckAccessors(IOperation target, bool reads)
        {
            if (Unwrap(target) is not IPropertyReferenceOperation property)
            {
                return;
            }

            if (property.Property.SetMethod is { } setter && Classify(setter.OriginalDefinition) == SourceKind.SourceWithBody)
            {
                CheckCall(setter, property.Instance, property.Arguments, property.Syntax);
            }

            if (reads && property.Property.GetMethod is { } getter && Classify(getter.OriginalDefinition) == SourceKind.SourceWithBody)
            {
                CheckCall(getter, property.Instance, property.Arguments, property.Syntax);
            }
        }

        /// <summary>Null when the written location belongs to the method; otherwise what it is.</summary>
        private string? DescribeUnowned(IOperation target)
        {
            switch (target)
            {
                case IDiscardOperation:
                case IInterpolatedStringHandlerCreationOperation:
                    // A handler the compiler creates for this one call, passed by ref.
                    return null;
                case ILocalReferenceOperation local:
                    if (!IsOwnLocal(local.Local))
                    {
                        return $"the captured variable '{local.Local.Name}'";
                    }

                    return local.Local.RefKind == RefKind.None ? null : $"through the ref local '{local.Local.Name}'";
                case IParameterReferenceOperation parameter:
                    if (parameter.Parameter.RefKind == RefKind.None)
                    {
                        return SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method) || IsNested(parameter.Parameter.ContainingSymbol)
                            ? null
                            : $"the captured parameter '{parameter.Parameter.Name}'";
                    }

                    return $"the {RefKindText(parameter.Parameter.RefKind)} parameter '{parameter.Parameter.Name}'";
                case IFieldReferenceOperation field:
                    if (field.Field.IsStatic)
                    {
                        return $"static field '{field.Field.ContainingType.Name}.{field.Field.Name}'";
                    }

                    return IsOwned(field.Instance) ? null : $"field '{field.Field.Name}' of {DescribeReceiver(field.Instance)}";
                case IPropertyReferenceOperation property:
                    if (property.Property.IsStatic)
                    {
                        return $"static property '{property.Property.ContainingType.Name}.{property.Property.Name}'";
                    }

                    if (property.Property.IsIndexer)
                    {
                        return IsOwned(property.Instance) ? null : $"an element of {DescribeReceiver(property.Instance)}";
                    }

                    return IsOwned(property.Instance) ? null : $"property '{property.Property.Name}' of {DescribeReceiver(property.Instance)}";
                case IArrayElementReferenceOperation element:
                    return IsOwned(element.ArrayReference) ? null : $"an element of {DescribeReceiver(element.ArrayReference)}";
                case IInlineArrayAccessOperation inline:
                    return IsOwned(inline.Instance) ? null : $"an element of {DescribeReceiver(inline.Instance)}";
                case IEventReferenceOperation eventReference:
                    return eventReference.Event.IsStatic || !IsOwned(eventReference.Instance)
                        ? $"event '{eventReference.Event.Name}'"
                        : null;
                case IConversionOperation conversion:
                    return DescribeUnowned(conversion.Operand);
                case IParenthesizedOperation parenthesized:
                    return DescribeUnowned(parenthesized.Operand);
                default:
                    return $"'{target.Syntax}'";
            }
        }

        private static string RefKindText(RefKind kind) => kind switch
        {
            RefKind.Out => "out",
            RefKind.In => "in",
            _ => "ref",
        };

        private static string DescribeReceiver(IOperation? receiver)
        {
            receiver = Unwrap(receiver);
            return receiver switch
            {
                IInstanceReferenceOperation => "'this'",
                IParameterReferenceOperation p => $"parameter '{p.Parameter.Name}'",
                ILocalReferenceOperation l => $"'{l.Local.Name}'",
                IFieldReferenceOperation f => $"field '{f.Field.Name}'",
                null => "an unknown object",
                _ => $"'{receiver.Syntax}'",
            };
        }

        // ---- ownership ----------------------------------------------------------------------

        private static IOperation? Unwrap(IOperation? operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation conversion:
                        operation = conversion.Operand;
                        break;
                    case IParenthesizedOperation parenthesized:
                        operation = parenthesized.Operand;
                        break;
                    default:
                        return operation;
                }
            }
        }

        private bool IsOwnLocal(ILocalSymbol local)
        {
            // A local of this body (including its lambdas); anything else is captured from outside.
            Location? location = local.Locations.FirstOrDefault();
            SyntaxNode scope = localScope ?? body.Syntax;
            return location is null || !location.IsInSource || scope.Span.Contains(location.SourceSpan) && location.SourceTree == scope.SyntaxTree;
        }

        private static bool IsDeclaredIn(ILocalSymbol local, SyntaxNode node)
        {
            Location? location = local.Locations.FirstOrDefault();
            return location is not null && location.IsInSource && location.SourceTree == node.SyntaxTree && node.Span.Contains(location.SourceSpan);
        }

        private bool IsNested(ISymbol? symbol)
        {
            for (ISymbol? s = symbol; s is not null; s = s.ContainingSymbol)
            {
                if (SymbolEqualityComparer.Default.Equals(s, method))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>True when the value is an object this method allocated (or a copy it owns).</summary>
        private bool IsOwned(IOperation? receiver)
        {
            receiver = Unwrap(receiver);
            switch (receiver)
            {
                case null:
                    return false;
                case ILocalReferenceOperation local:
                    return IsOwnLocal(local.Local) && (ownedLocals.Contains(local.Local) || IsPlainValueType(local.Local.Type));
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter.RefKind == RefKind.None && IsPlainValueType(parameter.Parameter.Type) && IsNested(parameter.Parameter.ContainingSymbol);
                case IFieldReferenceOperation field:
                    return !field.Field.IsStatic && IsPlainValueType(field.Field.Type) && IsOwned(field.Instance);
                case IArrayElementReferenceOperation element:
                    return IsPlainValueType(element.Type) && IsOwned(element.ArrayReference);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                    return IsPlainValueType(indexer.Type) && IsOwned(indexer.Instance);
                default:
                    return IsFresh(receiver);
            }
        }

        private static bool IsPlainValueType(ITypeSymbol? type) =>
            type is { IsValueType: true, IsRefLikeType: false } && type.TypeKind != TypeKind.Pointer;

        /// <summary>True when the expression yields a newly allocated object, or a view of an owned one.</summary>
        private bool IsFresh(IOperation? value)
        {
            value = Unwrap(value);
            switch (value)
            {
                case null:
                    return false;
                case IObjectCreationOperation or IArrayCreationOperation or IAnonymousObjectCreationOperation
                    or ICollectionExpressionOperation or ITypeParameterObjectCreationOperation or IDefaultValueOperation
                    or ILiteralOperation or IAnonymousFunctionOperation or IDelegateCreationOperation:
                    return true;
                case ILocalReferenceOperation local:
                    return IsOwnLocal(local.Local) && ownedLocals.Contains(local.Local);
                case IConditionalOperation conditional:
                    return IsFresh(conditional.WhenTrue) && IsFresh(conditional.WhenFalse);
                case ICoalesceOperation coalesce:
                    return IsFresh(coalesce.Value) && IsFresh(coalesce.WhenNull);
                case IInvocationOperation invocation:
                    return IsFreshResult(invocation);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ImplicitReceiver } receiver:
                    return IsObjectBeingInitialized(receiver);
                case IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }:
                    return ownsThis;
                case IPropertyReferenceOperation property when property.Property.Name == "Span" || property.Property.Name == "Memory":
                    return IsOwned(property.Instance);
                default:
                    // stackalloc has no public operation kind; recognise it by syntax.
                    return value.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax;
            }
        }

        /// <summary>
        /// The implicit receiver of an initializer (<c>new T { X = 1 }</c>, <c>new List&lt;int&gt; { 1 }</c>,
        /// <c>r with { X = 1 }</c>, <c>new { X = 1 }</c>) is the object being created. In a nested member
        /// initializer (<c>new T { Inner = { X = 1 } }</c>) it is an object the new one already refers to,
        /// which may be shared, so it is not owned.
        /// </summary>
        private static bool IsObjectBeingInitialized(IInstanceReferenceOperation receiver)
        {
            for (IOperation? current = receiver.Parent; current is not null; current = current.Parent)
            {
                switch (current)
                {
                    case IAnonymousObjectCreationOperation:
                        return true;
                    case IObjectOrCollectionInitializerOperation initializer:
                        return initializer.Parent is IObjectCreationOperation or ITypeParameterObjectCreationOperation or IWithOperation;
                }
            }

            return false;
        }

        private bool IsFreshResult(IInvocationOperation invocation)
        {
            string name = invocation.TargetMethod.Name;
            if (name is "ToArray" or "ToList" or "ToDictionary" or "ToHashSet" or "Clone" or "ToImmutableArray" or "ToCharArray"
                or "CreateBuilder" or "ToBuilder")
            {
                return true;
            }

            INamedTypeSymbol? type = invocation.TargetMethod.ContainingType;
            if (invocation.Instance is not null && type?.ToDisplayString() == "System.Text.StringBuilder"
                && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ReturnType, type))
            {
                // StringBuilder's mutators return the builder itself: sb.Append(a).Append(b).
                return IsOwned(invocation.Instance);
            }

            if (name is "AsSpan" or "AsMemory" or "Slice" or "Span")
            {
                IOperation? source = invocation.Instance ?? (invocation.Arguments.Length > 0 ? invocation.Arguments[0].Value : null);
                return IsOwned(source);
            }

            return false;
        }

        private void ComputeOwnedLocals()
        {
            // Every value assigned to each local; a local is owned when all of them are fresh
            // (greatest fixed point: locals that only alias each other stay owned).
            var assigned = new Dictionary<ILocalSymbol, List<IOperation?>>(SymbolEqualityComparer.Default);
            void Add(ILocalSymbol local, IOperation? value)
            {
                if (!assigned.TryGetValue(local, out List<IOperation?>? list))
                {
                    assigned[local] = list = new List<IOperation?>();
                }

                list.Add(value);
            }

            foreach (IOperation operation in body.DescendantsAndSelf())
            {
                switch (operation)
                {
                    case IVariableDeclaratorOperation declarator:
                        IOperation? initializer = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                        if (initializer is not null)
                        {
                            Add(declarator.Symbol, initializer);
                        }
                        else if (declarator.Parent?.Parent is not IForEachLoopOperation && declarator.Parent?.Parent is not IUsingOperation)
                        {
                            if (!assigned.ContainsKey(declarator.Symbol))
                            {
                                assigned[declarator.Symbol] = new List<IOperation?>();
                            }
                        }

                        break;
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment:
                        Add(target.Local, assignment.Value);
                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target }:
                        Add(target.Local, null);
                        break;
                    case IForEachLoopOperation loop:
                        foreach (ILocalSymbol local in loop.Locals)
                        {
                            Add(local, null);
                        }

                        break;
                    case IDeclarationPatternOperation { DeclaredSymbol: ILocalSymbol patternLocal }:
                        Add(patternLocal, null);
                        break;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Out or RefKind.Ref, Value: ILocalReferenceOperation outLocal }:
                        Add(outLocal.Local, null);
                        break;
                    case IArgumentOperation { Parameter.RefKind: RefKind.Out, Value: IDeclarationExpressionOperation { Expression: ILocalReferenceOperation declared } }:
                        Add(declared.Local, null);
                        break;
                }
            }

            foreach (ILocalSymbol local in assigned.Keys)
            {
                if (local.RefKind == RefKind.None && (localScope is null || IsDeclaredIn(local, body.Syntax)))
                {
                    ownedLocals.Add(local);
                }
            }

            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (KeyValuePair<ILocalSymbol, List<IOperation?>> pair in assigned)
                {
                    if (ownedLocals.Contains(pair.Key) && pair.Value.Any(v => !IsFresh(v)))
                    {
                        ownedLocals.Remove(pair.Key);
                        changed = true;
                    }
                }
            }
        }

        // ---- calls and reads ----------------------------------------------------------------

        private void CheckFieldRead(IFieldReferenceOperation field)
        {
            IFieldSymbol symbol = field.Field;
            if (symbol.IsConst)
            {
                return;
            }

            if (symbol.IsStatic && !symbol.IsReadOnly)
            {
                Report(PurityViolationKind.ReadsMutableStatic, field.Syntax.GetLocation(), $"{symbol.ContainingType.Name}.{symbol.Name}");
            }
            else if (symbol.IsVolatile)
            {
                Report(PurityViolationKind.ReadsMutableStatic, field.Syntax.GetLocation(), $"{symbol.ContainingType.Name}.{symbol.Name}");
            }
        }

        private void CheckCall(IMethodSymbol callee, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, SyntaxNode syntax)
        {
            Location location = CallLocation(syntax);
            string display = callee.MethodKind switch
            {
                MethodKind.Constructor => $"new {callee.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}",
                MethodKind.PropertyGet or MethodKind.PropertySet => callee.AssociatedSymbol?.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) ?? callee.Name,
                _ => callee.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
            };

            if (callee.MethodKind == MethodKind.DelegateInvoke)
            {
                Report(PurityViolationKind.CallsImpureMember, location, display, " (the method behind a delegate is not known)");
                return;
            }

            IMethodSymbol definition = callee.OriginalDefinition;
            if (definition.MethodKind == MethodKind.LocalFunction && IsNested(definition.ContainingSymbol))
            {
                // A local function of this method: its body is part of this body and is checked here,
                // where the locals it writes are known to belong to the method.
                return;
            }

            switch (Classify(definition))
            {
                case SourceKind.SourceCompilerGenerated:
                    if (definition.MethodKind == MethodKind.PropertySet && !IsOwned(instance))
                    {
                        Report(PurityViolationKind.WritesSharedState, location, $"property '{definition.AssociatedSymbol?.Name}' of {DescribeReceiver(instance)}");
                    }
                    else if (definition.MethodKind == MethodKind.PropertyGet && definition.AssociatedSymbol is IPropertySymbol { IsStatic: true, SetMethod: not null } autoProperty)
                    {
                        // A static auto-property with a setter reads a static field that is not readonly.
                        Report(PurityViolationKind.ReadsMutableStatic, location, $"{autoProperty.ContainingType.Name}.{autoProperty.Name}");
                    }

                    return;
                case SourceKind.SourceWithoutBody:
                    if (!IsMarkedPure(definition) || definition.IsAbstract)
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, display, " (it has no body to check)", definition);
                    }

                    return;
                case SourceKind.SourceWithBody:
                    if ((definition.IsVirtual || definition.IsOverride) && !definition.IsSealed && definition.ContainingType.IsSealed == false)
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, display, " (it is virtual, so an override may run instead)", definition);
                        return;
                    }

                    bool ownsReceiver = OwnsThisByConstruction(definition) || (!definition.IsStatic && IsOwned(instance));
                    if (!owner.IsPure(definition, ownsReceiver, inProgress, cancellationToken, out bool assumed))
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, display, " (its body is not pure)", definition);
                    }

                    UsedAssumption |= assumed;
                    return;
            }

            // A member of a referenced assembly.
            if (IsMarkedPure(definition))
            {
                return;
            }

            switch (PurityCatalogue.Lookup(definition))
            {
                case CatalogueEntry.Pure:
                    return;
                case CatalogueEntry.MutatesReceiver:
                    if (!IsOwned(instance))
                    {
                        Report(PurityViolationKind.WritesSharedState, location, $"{DescribeReceiver(instance)} through '{display}'");
                    }

                    return;
                case CatalogueEntry.WritesDestination:
                    IOperation? destination = FindDestination(definition, instance, arguments);
                    if (destination is not null && !IsOwned(destination))
                    {
                        Report(PurityViolationKind.WritesSharedState, destination.Syntax.GetLocation(), $"{DescribeReceiver(destination)} through '{display}'");
                    }

                    return;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display, PurityCatalogue.ReasonFor(definition), definition);
                    return;
            }
        }

        private static IOperation? FindDestination(IMethodSymbol callee, IOperation? instance, ImmutableArray<IArgumentOperation> arguments)
        {
            foreach (IArgumentOperation argument in arguments)
            {
                if (argument.Parameter?.Name is "destination" or "destinationArray")
                {
                    return argument.Value;
                }
            }

            if (!callee.IsStatic && callee.Name is "CopyTo" or "TryCopyTo" && arguments.Length > 0)
            {
                // source.CopyTo(array, index): the argument is written, the receiver only read.
                return arguments[0].Value;
            }

            if (callee.IsStatic && !callee.IsExtensionMethod)
            {
                // Array.Sort(a), Array.Fill(a, v), Array.Clear(a): the first argument is written.
                return arguments.Length > 0 ? arguments[0].Value : null;
            }

            if (callee.IsExtensionMethod && arguments.Length > 0)
            {
                // span.Sort(), span.Fill(v) (MemoryExtensions): the receiver argument is written.
                return arguments[0].Value;
            }

            return instance;
        }

        private static Location CallLocation(SyntaxNode syntax) => syntax switch
        {
            InvocationExpressionSyntax invocation => invocation.Expression switch
            {
                MemberAccessExpressionSyntax member => member.Name.GetLocation(),
                _ => invocation.Expression.GetLocation(),
            },
            MemberAccessExpressionSyntax member => member.Name.GetLocation(),
            _ => syntax.GetLocation(),
        };
    }
}
