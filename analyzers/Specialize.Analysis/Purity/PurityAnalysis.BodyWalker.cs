using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Specialize.Analysis.Purity;

public sealed partial class PurityAnalysis
{
    /// <summary>
    /// Walks one body, collecting violations and the conditions it puts on its method's type
    /// parameters. This part: the walk, writes, and what the method owns. Calls are in
    /// PurityAnalysis.BodyWalker.Calls.cs, the calls C# makes for a construct in
    /// PurityAnalysis.BodyWalker.Constructs.cs, and what a receiver's run-time type is known to be
    /// in PurityAnalysis.BodyWalker.Receivers.cs.
    /// </summary>
    private sealed partial class BodyWalker
    {
        private readonly PurityAnalysis owner;
        private readonly IMethodSymbol method;
        private readonly bool ownsThis;
        private readonly IOperation body;
        private readonly CheckScope scope;
        private readonly bool stopAtFirst;

        // Where the method's own locals are declared: the analysed body itself, or (for one statement of
        // a method) the whole method, whose locals the statement may write. Only locals declared in the
        // analysed body can hold objects it allocated.
        private readonly SyntaxNode? localScope;
        private readonly bool callerChecksArguments;
        private readonly Dictionary<ILocalSymbol, List<IOperation?>> assigned = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ILocalSymbol> ownedLocals = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ILocalSymbol> ownedRefLocals = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ILocalSymbol> ownedJaggedArrays = new(SymbolEqualityComparer.Default);
        private readonly HashSet<ILocalSymbol> knownDelegates = new(SymbolEqualityComparer.Default);
        private readonly HashSet<IFieldSymbol> ownedStaticFields = new(SymbolEqualityComparer.Default);
        private readonly HashSet<INamedTypeSymbol> touchedTypes = new(SymbolEqualityComparer.Default);
        private readonly List<PurityViolation> violations = new();
        private readonly HashSet<IOperation> writeTargets = new();

        /// <param name="stopAtFirst">Stop at the first blocking violation.</param>
        /// <param name="callerChecksArguments">The walk decides a callee's verdict: writes to the method's own
        /// ref and out parameters are allowed, because each call site checks the variables it passes.</param>
        public BodyWalker(PurityAnalysis owner, IMethodSymbol method, bool ownsThis, IOperation body, CheckScope scope, bool stopAtFirst = false, bool callerChecksArguments = false,
            SyntaxNode? localScope = null)
        {
            this.localScope = localScope;
            this.owner = owner;
            this.method = method;
            this.ownsThis = ownsThis;
            this.body = body;
            this.scope = scope;
            this.stopAtFirst = stopAtFirst;
            this.callerChecksArguments = callerChecksArguments;
        }

        /// <summary>Conditions on the method's own type parameters: members it calls through them.</summary>
        public List<TypeRequirement> Requirements { get; } = new();

        public ImmutableArray<PurityViolation> Run()
        {
            ComputeOwnership();
            var pending = new Stack<IOperation>();
            pending.Push(body);
            while (pending.Count > 0)
            {
                scope.CancellationToken.ThrowIfCancellationRequested();
                IOperation operation = pending.Pop();
                Visit(operation);
                if (stopAtFirst && violations.Any(static v => v.IsBlocking))
                {
                    break;
                }

                if (operation is INameOfOperation)
                {
                    // nameof(...) names something; nothing in it runs.
                    continue;
                }

                IOperation[] children = operation.ChildOperations.ToArray();
                for (int i = children.Length - 1; i >= 0; i--)
                {
                    pending.Push(children[i]);
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
                    CheckOperator(compound.OperatorMethod, compound.ConstrainedToType, compound.Syntax);
                    CheckConversion(compound.InConversion, compound.Syntax);
                    CheckConversion(compound.OutConversion, compound.Syntax);
                    break;
                case ICoalesceAssignmentOperation coalesce:
                    CheckWrite(coalesce.Target);
                    CheckAccessors(coalesce.Target, reads: true);
                    break;
                case IIncrementOrDecrementOperation increment:
                    CheckWrite(increment.Target);
                    CheckAccessors(increment.Target, reads: true);
                    CheckOperator(increment.OperatorMethod, increment.ConstrainedToType, increment.Syntax);
                    break;
                case IDeconstructionAssignmentOperation deconstruction:
                    CheckWrite(deconstruction.Target);
                    CheckDeconstruction(deconstruction);
                    break;
                case IEventAssignmentOperation eventAssignment:
                    CheckWrite(eventAssignment.EventReference);
                    if (eventAssignment.EventReference is IEventReferenceOperation { Event: var subscribed } eventReference
                        && (eventAssignment.Adds ? subscribed.AddMethod : subscribed.RemoveMethod) is { } accessor
                        && Classify(accessor.OriginalDefinition) == SourceKind.SourceWithBody)
                    {
                        // An event with add and remove accessors written in source runs them.
                        CheckInvocation(accessor, eventReference.Instance, !IsBaseReference(eventReference.Instance), null, ImmutableArray<IArgumentOperation>.Empty,
                            eventAssignment.Syntax, $"'{(eventAssignment.Adds ? "+=" : "-=")}' on '{subscribed.Name}'", eventAssignment.Syntax.GetLocation());
                    }

                    break;
                case IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument:
                    CheckWrite(argument.Value);
                    break;
                case IInvocationOperation invocation:
                    CheckInvocation(invocation.TargetMethod, invocation.Instance, invocation.IsVirtual, invocation.ConstrainedToType, invocation.Arguments, invocation.Syntax);
                    break;
                case IObjectCreationOperation { Constructor: { } constructor } creation:
                    CheckCall(constructor, null, creation.Arguments, creation.Syntax);
                    break;
                case ITypeParameterObjectCreationOperation typeParameterCreation:
                    Report(PurityViolationKind.CallsImpureMember, typeParameterCreation.Syntax.GetLocation(), $"new {typeParameterCreation.Type?.Name}()", " (the constructor behind a type parameter is not known)");
                    break;
                case IPropertyReferenceOperation property when !writeTargets.Contains(property) && property.Property.GetMethod is { } getter:
                    CheckInvocation(getter, property.Instance, !IsBaseReference(property.Instance), property.ConstrainedToType, property.Arguments, property.Syntax);
                    break;
                case IFieldReferenceOperation field:
                    if (!writeTargets.Contains(field))
                    {
                        CheckFieldRead(field);
                    }

                    if (field.Field.IsStatic && !field.Field.IsConst)
                    {
                        CheckTypeInitializer(field.Field.ContainingType, field.Syntax.GetLocation());
                    }

                    break;
                case IMethodReferenceOperation reference:
                    // The method behind a delegate the method creates runs when the delegate is called.
                    CheckInvocation(reference.Method, reference.Instance, reference.IsVirtual, reference.ConstrainedToType, ImmutableArray<IArgumentOperation>.Empty, reference.Syntax);
                    break;
                case IBinaryOperation binary:
                    CheckBinary(binary);
                    break;
                case IUnaryOperation unary:
                    CheckOperator(unary.OperatorMethod, unary.ConstrainedToType, unary.Syntax);
                    break;
                case IConversionOperation { OperatorMethod: { } conversionMethod } conversion:
                    CheckInvocation(conversionMethod, null, virtualCall: false, conversion.ConstrainedToType, ImmutableArray<IArgumentOperation>.Empty, conversion.Syntax,
                        $"the conversion of '{conversion.Operand.Syntax}'", conversion.Syntax.GetLocation());
                    break;
                case ITupleBinaryOperation tupleEquality:
                    CheckTupleEquality(tupleEquality);
                    break;
                case IInterpolationOperation interpolation:
                    CheckFormatting(interpolation.Expression, "string interpolation");
                    break;
                case IForEachLoopOperation loop:
                    CheckForEach(loop);
                    break;
                case IUsingOperation usingStatement:
                    CheckUsing(usingStatement.Resources, usingStatement.IsAsynchronous, usingStatement.Syntax);
                    break;
                case IUsingDeclarationOperation usingDeclaration:
                    CheckUsing(usingDeclaration.DeclarationGroup, usingDeclaration.IsAsynchronous, usingDeclaration.Syntax);
                    break;
                case IWithOperation with:
                    CheckWith(with);
                    break;
                case IImplicitIndexerReferenceOperation implicitIndexer:
                    CheckImplicitIndexer(implicitIndexer);
                    break;
                case ICollectionExpressionOperation collection:
                    CheckCollectionExpression(collection);
                    break;
                case IRecursivePatternOperation { DeconstructSymbol: IMethodSymbol deconstruct } pattern:
                    CheckInvocation(deconstruct, null, virtualCall: true, null, ImmutableArray<IArgumentOperation>.Empty, pattern.Syntax, "the positional pattern", pattern.Syntax.GetLocation());
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

            if (target is IDeclarationExpressionOperation)
            {
                // var (a, b) = ... declares fresh locals.
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

            bool virtualCall = !IsBaseReference(property.Instance);
            if (property.Property.SetMethod is { } setter && Classify(setter.OriginalDefinition) == SourceKind.SourceWithBody)
            {
                CheckInvocation(setter, property.Instance, virtualCall, property.ConstrainedToType, property.Arguments, property.Syntax);
            }

            if (reads && property.Property.GetMethod is { } getter && Classify(getter.OriginalDefinition) == SourceKind.SourceWithBody)
            {
                CheckInvocation(getter, property.Instance, virtualCall, property.ConstrainedToType, property.Arguments, property.Syntax);
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

                    return local.Local.RefKind == RefKind.None || ownedRefLocals.Contains(local.Local) ? null : $"through the ref local '{local.Local.Name}'";
                case IParameterReferenceOperation parameter:
                    bool own = SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method) || IsNested(parameter.Parameter.ContainingSymbol);
                    if (parameter.Parameter.RefKind == RefKind.None)
                    {
                        return own ? null : $"the captured parameter '{parameter.Parameter.Name}'";
                    }

                    return own && callerChecksArguments && SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method)
                        ? null
                        : $"the {RefKindText(parameter.Parameter.RefKind)} parameter '{parameter.Parameter.Name}'";
                case IFieldReferenceOperation field:
                    if (field.Field.IsStatic)
                    {
                        return IsInitializing(field.Field.ContainingType) ? null : $"static field '{field.Field.ContainingType.Name}.{field.Field.Name}'";
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
                case IImplicitIndexerReferenceOperation implicitIndexer:
                    return IsOwned(implicitIndexer.Instance) ? null : $"an element of {DescribeReceiver(implicitIndexer.Instance)}";
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
                    if (Dereferenced(target) is { } pointer)
                    {
                        return IsOwned(pointer) ? null : $"memory through the pointer '{pointer.Syntax}'";
                    }

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

        /// <summary>
        /// The pointer <paramref name="operation"/> dereferences (<c>*p</c>, <c>p[i]</c> or <c>p-&gt;f</c>:
        /// the operation tree has no node kind for them), or null.
        /// </summary>
        private static IOperation? Dereferenced(IOperation operation)
        {
            if (operation.Kind != OperationKind.None
                || !(operation.Syntax.IsKind(SyntaxKind.PointerIndirectionExpression) || operation.Syntax.IsKind(SyntaxKind.ElementAccessExpression)
                    || operation.Syntax.IsKind(SyntaxKind.PointerMemberAccessExpression)))
            {
                return null;
            }

            IOperation? pointer = operation.ChildOperations.FirstOrDefault();
            return pointer?.Type is IPointerTypeSymbol ? pointer : null;
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

        /// <summary>The value itself, under conversions that keep its identity (boxing, reference and identity conversions).</summary>
        private static IOperation? UnwrapReference(IOperation? operation)
        {
            while (true)
            {
                switch (operation)
                {
                    case IConversionOperation { Conversion.IsUserDefined: false, OperatorMethod: null } conversion:
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
            SyntaxNode owner = localScope ?? body.Syntax;
            return location is null || !location.IsInSource || owner.Span.Contains(location.SourceSpan) && location.SourceTree == owner.SyntaxTree;
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

        /// <summary>This walk checks the type initializer of <paramref name="type"/>, which may write the type's statics.</summary>
        private bool IsInitializing(INamedTypeSymbol? type) =>
            method.MethodKind == MethodKind.StaticConstructor && SymbolEqualityComparer.Default.Equals(method.ContainingType.OriginalDefinition, type?.OriginalDefinition);

        /// <summary>True when the value is an object this method allocated (or a copy it owns).</summary>
        private bool IsOwned(IOperation? receiver)
        {
            receiver = Unwrap(receiver);
            switch (receiver)
            {
                case null:
                    return false;
                case ILocalReferenceOperation local:
                    if (!IsOwnLocal(local.Local))
                    {
                        return false;
                    }

                    // A ref local is the location it refers to.
                    return local.Local.RefKind != RefKind.None
                        ? ownedRefLocals.Contains(local.Local)
                        : ownedLocals.Contains(local.Local) || IsPlainValueType(local.Local.Type);
                case IParameterReferenceOperation parameter:
                    return parameter.Parameter.RefKind == RefKind.None && IsPlainValueType(parameter.Parameter.Type) && IsNested(parameter.Parameter.ContainingSymbol);
                case IFieldReferenceOperation field:
                    if (field.Field.IsStatic)
                    {
                        return IsInitializing(field.Field.ContainingType) && (ownedStaticFields.Contains(field.Field) || IsPlainValueType(field.Field.Type));
                    }

                    return IsPlainValueType(field.Field.Type) && IsOwned(field.Instance);
                case IArrayElementReferenceOperation element:
                    if (IsRangeOf(element))
                    {
                        return true;
                    }

                    if (IsPlainValueType(element.Type))
                    {
                        return IsOwned(element.ArrayReference);
                    }

                    // A row of a jagged array the method made and filled only with arrays it made.
                    return Unwrap(element.ArrayReference) is ILocalReferenceOperation rows && ownedJaggedArrays.Contains(rows.Local);
                case IPropertyReferenceOperation { Property.IsIndexer: true } indexer:
                    return IsPlainValueType(indexer.Type) && IsOwned(indexer.Instance);
                default:
                    if (Dereferenced(receiver) is { } pointer)
                    {
                        return IsOwned(pointer);
                    }

                    return IsFresh(receiver);
            }
        }

        private static bool IsPlainValueType(ITypeSymbol? type) =>
            type is { IsValueType: true, IsRefLikeType: false } && type.TypeKind != TypeKind.Pointer;

        /// <summary><c>xs[a..b]</c> on an array: a new array holding a copy of the range.</summary>
        private static bool IsRangeOf(IArrayElementReferenceOperation element) =>
            element.Indices.Length == 1 && element.Type is IArrayTypeSymbol
            && element.Indices[0].Type is { Name: "Range", ContainingNamespace.Name: "System" };

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
                case IArrayElementReferenceOperation element when IsRangeOf(element):
                    return true;
                case IImplicitIndexerReferenceOperation { Type.SpecialType: SpecialType.System_String }:
                    // s[a..b] is a new string (and strings cannot be written).
                    return true;
                case IImplicitIndexerReferenceOperation { IndexerSymbol: IMethodSymbol } slice when slice.Type is { IsRefLikeType: true } or { Name: "Memory" }:
                    // span[a..b]: a view of the same memory.
                    return IsOwned(slice.Instance);
                case IBinaryOperation { Type: IPointerTypeSymbol } arithmetic:
                    // p + i points into the same memory as p.
                    return (arithmetic.LeftOperand.Type is IPointerTypeSymbol && IsOwned(arithmetic.LeftOperand))
                        || (arithmetic.RightOperand.Type is IPointerTypeSymbol && IsOwned(arithmetic.RightOperand));
                default:
                    // stackalloc has no public operation kind; recognise it by syntax.
                    if (value.Syntax is StackAllocArrayCreationExpressionSyntax or ImplicitStackAllocArrayCreationExpressionSyntax)
                    {
                        return true;
                    }

                    // fixed (int* p = a): a pointer into the array (or span) it pins.
                    return value.Kind == OperationKind.None && value.Type is IPointerTypeSymbol
                        && value.ChildOperations.FirstOrDefault() is { Type: IArrayTypeSymbol or { Name: "Span" } } pinned
                        && IsOwned(pinned);
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

        /// <summary>
        /// What the method owns: locals all of whose values are fresh, ref locals all of whose targets
        /// are owned locations, jagged arrays whose rows are all fresh, locals holding only delegates the
        /// method made, and (in a type initializer) the type's static fields it sets to fresh objects.
        /// Greatest fixed points: locals that only alias each other stay owned.
        /// </summary>
        private void ComputeOwnership()
        {
            void Add(ILocalSymbol local, IOperation? value)
            {
                if (!assigned.TryGetValue(local, out List<IOperation?>? list))
                {
                    assigned[local] = list = new List<IOperation?>();
                }

                list.Add(value);
            }

            var staticValues = new Dictionary<IFieldSymbol, List<IOperation>>(SymbolEqualityComparer.Default);
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
                    case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment
                        when target.Local.RefKind == RefKind.None || assignment.IsRef:
                        // (A plain assignment to a ref local writes through it; only 'r = ref x' rebinds it.)
                        Add(target.Local, assignment.Value);
                        break;
                    case ISimpleAssignmentOperation { Target: IFieldReferenceOperation { Field.IsStatic: true } target } assignment
                        when IsInitializing(target.Field.ContainingType):
                        AddStatic(staticValues, target.Field, assignment.Value);
                        break;
                    case IFieldInitializerOperation fieldInitializer:
                        foreach (IFieldSymbol field in fieldInitializer.InitializedFields)
                        {
                            if (field.IsStatic && IsInitializing(field.ContainingType))
                            {
                                AddStatic(staticValues, field, fieldInitializer.Value);
                            }
                        }

                        break;
                    case ICompoundAssignmentOperation { Target: ILocalReferenceOperation target }:
                        Add(target.Local, null);
                        break;
                    case ICoalesceAssignmentOperation { Target: ILocalReferenceOperation target } coalesce:
                        Add(target.Local, coalesce.Value);
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
                    case IDeconstructionAssignmentOperation deconstruction:
                        foreach (ILocalReferenceOperation target in DeconstructedLocals(deconstruction.Target))
                        {
                            Add(target.Local, null);
                        }

                        break;
                }
            }

            if (localScope is not null)
            {
                // A local declared before the statement may hold an object that existed before it.
                foreach (ILocalSymbol outer in assigned.Keys.Where(local => !IsDeclaredIn(local, body.Syntax)).ToList())
                {
                    assigned.Remove(outer);
                }
            }

            foreach (ILocalSymbol local in assigned.Keys)
            {
                (local.RefKind == RefKind.None ? ownedLocals : ownedRefLocals).Add(local);
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
                    else if (ownedRefLocals.Contains(pair.Key) && pair.Value.Any(v => v is null || DescribeUnowned(v) is not null))
                    {
                        ownedRefLocals.Remove(pair.Key);
                        changed = true;
                    }
                }
            }

            foreach (KeyValuePair<IFieldSymbol, List<IOperation>> pair in staticValues)
            {
                if (pair.Value.All(IsFresh))
                {
                    ownedStaticFields.Add(pair.Key);
                }
            }

            ComputeKnownDelegates();
            ComputeOwnedJaggedArrays();
        }

        private static void AddStatic(Dictionary<IFieldSymbol, List<IOperation>> values, IFieldSymbol field, IOperation value)
        {
            if (!values.TryGetValue(field, out List<IOperation>? list))
            {
                values[field] = list = new List<IOperation>();
            }

            list.Add(value);
        }

        private static IEnumerable<ILocalReferenceOperation> DeconstructedLocals(IOperation target) => target switch
        {
            ILocalReferenceOperation local => new[] { local },
            ITupleOperation tuple => tuple.Elements.SelectMany(DeconstructedLocals),
            IDeclarationExpressionOperation declaration => DeconstructedLocals(declaration.Expression),
            IConversionOperation conversion => DeconstructedLocals(conversion.Operand),
            _ => Enumerable.Empty<ILocalReferenceOperation>(),
        };

        /// <summary>Locals of a delegate type that only ever hold delegates the method made (lambdas, method groups).</summary>
        private void ComputeKnownDelegates()
        {
            foreach (KeyValuePair<ILocalSymbol, List<IOperation?>> pair in assigned)
            {
                if (pair.Key.RefKind == RefKind.None && pair.Key.Type.TypeKind == TypeKind.Delegate && pair.Value.Count > 0)
                {
                    knownDelegates.Add(pair.Key);
                }
            }

            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (ILocalSymbol local in knownDelegates.ToArray())
                {
                    if (assigned[local].Any(v => !IsKnownDelegate(v)))
                    {
                        knownDelegates.Remove(local);
                        changed = true;
                    }
                }
            }
        }

        /// <summary>
        /// Jagged arrays the method made whose rows are all arrays it made: every row stored is fresh,
        /// and the array is used only to read or store rows, to read its length, or to be returned (so
        /// nothing else can store a row the method does not own, or hold a reference to a row slot).
        /// </summary>
        private void ComputeOwnedJaggedArrays()
        {
            var candidates = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            foreach (ILocalSymbol local in ownedLocals)
            {
                if (local.Type is IArrayTypeSymbol { ElementType: IArrayTypeSymbol } && IsOwnLocal(local)
                    && assigned[local].All(v => Unwrap(v) is IArrayCreationOperation creation
                        && (creation.Initializer is null || creation.Initializer.ElementValues.All(IsFresh))))
                {
                    candidates.Add(local);
                }
            }

            if (candidates.Count == 0)
            {
                return;
            }

            foreach (ILocalReferenceOperation reference in body.DescendantsAndSelf().OfType<ILocalReferenceOperation>())
            {
                if (candidates.Contains(reference.Local) && !IsRowUse(reference))
                {
                    candidates.Remove(reference.Local);
                }
            }

            ownedJaggedArrays.UnionWith(candidates);
        }

        private bool IsRowUse(ILocalReferenceOperation reference)
        {
            switch (reference.Parent)
            {
                case IArrayElementReferenceOperation element when element.ArrayReference == reference:
                    switch (element.Parent)
                    {
                        case ISimpleAssignmentOperation assignment when assignment.Target == element:
                            return !assignment.IsRef && IsFresh(assignment.Value);
                        case ISimpleAssignmentOperation { IsRef: true }:
                        case ICoalesceAssignmentOperation:
                        case IArgumentOperation { Parameter.RefKind: not RefKind.None }:
                        case ITupleOperation:
                        case IVariableInitializerOperation:
                            // A ref to the slot, or a store the check above does not see.
                            return element.Parent is IVariableInitializerOperation initializer
                                && initializer.Parent is IVariableDeclaratorOperation { Symbol.RefKind: RefKind.None };
                        default:
                            return true;
                    }

                case IPropertyReferenceOperation { Property.Name: "Length" or "LongLength" or "Rank" }:
                case IReturnOperation:
                    return true;
                case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                    return true;
                default:
                    return false;
            }
        }

        // ---- reads --------------------------------------------------------------------------

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
    }
}
