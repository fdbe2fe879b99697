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
    // Calls: explicit ones, the ones C# makes for a construct (operators, conversions, Deconstruct,
    // foreach, using, with, formatting, index and range members, collection expressions, type
    // initializers), and the ones framework code makes into the values it is handed.
    private sealed partial class BodyWalker
    {
        private static readonly ImmutableArray<IArgumentOperation> NoArguments = ImmutableArray<IArgumentOperation>.Empty;

        /// <summary>What the run-time type of a value is known to be.</summary>
        private enum ReceiverKind
        {
            /// <summary>Any type the static type allows: an object the method did not create.</summary>
            Unknown,

            /// <summary>Exactly <see cref="Receiver.Type"/> (a struct, a sealed type, or an object the method created).</summary>
            Exact,

            /// <summary>A type parameter's argument.</summary>
            TypeParameter,

            /// <summary>An object framework code made from inputs checked where it was made (a LINQ result, a default comparer).</summary>
            Framework,
        }

        private readonly struct Receiver
        {
            public Receiver(ReceiverKind kind, ITypeSymbol? type)
            {
                Kind = kind;
                Type = type;
            }

            public ReceiverKind Kind { get; }

            public ITypeSymbol? Type { get; }

            public static Receiver Unknown => new(ReceiverKind.Unknown, null);

            public static Receiver Framework => new(ReceiverKind.Framework, null);

            public static Receiver Of(ITypeSymbol type) =>
                type is ITypeParameterSymbol ? new(ReceiverKind.TypeParameter, type) : new(ReceiverKind.Exact, type);
        }

        // ---- calls --------------------------------------------------------------------------

        /// <summary>A call of <paramref name="callee"/>: through the receiver's run-time type when it is overridable, otherwise bound.</summary>
        private void CheckInvocation(IMethodSymbol callee, IOperation? instance, bool virtualCall, ITypeSymbol? constrainedTo,
            ImmutableArray<IArgumentOperation> arguments, SyntaxNode syntax, string? via = null, Location? at = null)
        {
            if (constrainedTo is not null || (virtualCall && IsOverridable(callee) && !IsBaseReference(instance)))
            {
                CheckDispatch(callee, instance, constrainedTo, arguments, syntax, via, at);
            }
            else
            {
                CheckCall(callee, instance, arguments, syntax, via, at);
            }
        }

        /// <summary>
        /// A call whose implementation the run-time type of <paramref name="instance"/> (or the type
        /// parameter the call is constrained to) chooses: checked for every implementation that can run.
        /// </summary>
        private void CheckDispatch(IMethodSymbol member, IOperation? instance, ITypeSymbol? constrainedTo,
            ImmutableArray<IArgumentOperation> arguments, SyntaxNode syntax, string? via, Location? at)
        {
            Location location = at ?? CallLocation(syntax);
            string display = Display(member);
            Receiver receiver = constrainedTo is not null ? Receiver.Of(constrainedTo) : Resolve(instance);
            switch (receiver.Kind)
            {
                case ReceiverKind.TypeParameter:
                    Require((ITypeParameterSymbol)receiver.Type!, Dispatched.Of(member), location, display, via);
                    return;
                case ReceiverKind.Framework:
                    if (member.ContainingType.TypeKind != TypeKind.Interface)
                    {
                        CheckCall(member, instance, arguments, syntax, via, at);
                    }
                    else
                    {
                        CheckHandedArguments(member, arguments, location, display, via);
                    }

                    return;
                case ReceiverKind.Exact:
                    CheckExactDispatch(receiver.Type!, member, instance, arguments, syntax, via, location);
                    return;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, UnknownReceiver(member, instance)), member.OriginalDefinition);
                    return;
            }
        }

        private static string UnknownReceiver(IMethodSymbol member, IOperation? instance)
        {
            string behind = UnwrapReference(instance) switch
            {
                null => "the value",
                IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.PatternInput } => "the matched object",
                IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } => "the object behind 'this'",
                IOperation receiver => $"the object behind '{receiver.Syntax}'",
            };
            return member.ContainingType.TypeKind == TypeKind.Interface
                ? $"{behind} chooses which implementation runs"
                : $"it is virtual, so {behind} may run an override instead";
        }

        /// <summary>A dispatched call on a value whose run-time type is known exactly.</summary>
        private void CheckExactDispatch(ITypeSymbol type, IMethodSymbol member, IOperation? instance,
            ImmutableArray<IArgumentOperation> arguments, SyntaxNode syntax, string? via, Location location, bool? ownsReceiver = null)
        {
            string display = Display(member);
            switch (type)
            {
                case IArrayTypeSymbol array:
                    // The runtime implements an array's interfaces; Contains and IndexOf compare its elements.
                    if (member.Name is "Contains" or "IndexOf")
                    {
                        RequireSafe(array.ElementType, Dispatched.Any, location, display, via);
                    }

                    return;
                case INamedTypeSymbol named when !IsInSource(named):
                    // A framework type: its public member of that name, as the catalogue knows it.
                    IMethodSymbol? visible = member.ContainingType.TypeKind == TypeKind.Interface
                        ? PublicMember(named, member)
                        : FindImplementations(named, member)?.FirstOrDefault();
                    if (visible is not null && visible.ContainingType.TypeKind != TypeKind.Interface)
                    {
                        CheckCall(visible, instance, arguments, syntax, via, location);
                    }
                    else if (!PurityCatalogue.IsSafeFrameworkType(named))
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, $"its implementation in '{Short(named)}' is not known to be pure"));
                    }

                    return;
                case INamedTypeSymbol named:
                    IReadOnlyList<IMethodSymbol>? implementations = FindImplementations(named, member);
                    if (implementations is null)
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, $"'{Short(named)}' does not implement it"));
                        return;
                    }

                    foreach (IMethodSymbol implementation in implementations)
                    {
                        if (!IsInSource(implementation))
                        {
                            // Inherited from object or ValueType (ValueType.Equals compares the fields with
                            // their own Equals), or a framework default implementation (it calls the type's
                            // other members).
                            RequireSafe(named, Dispatched.Of(member), location, display, via);
                        }
                        else
                        {
                            CheckCall(implementation, instance, arguments, syntax, via, location, ownsReceiver);
                        }
                    }

                    return;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, UnknownReceiver(member, instance)), member.OriginalDefinition);
                    return;
            }
        }

        /// <summary>The public instance (or static) member of a framework type with the name and arity of an interface member.</summary>
        private static IMethodSymbol? PublicMember(INamedTypeSymbol type, IMethodSymbol member)
        {
            for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
            {
                foreach (IMethodSymbol candidate in current.GetMembers(member.Name).OfType<IMethodSymbol>())
                {
                    if (candidate.IsStatic == member.IsStatic && candidate.DeclaredAccessibility == Accessibility.Public
                        && candidate.Parameters.Length == member.Parameters.Length)
                    {
                        return candidate;
                    }
                }
            }

            return null;
        }

        /// <summary>A call bound at compile time: a body in source is checked, a framework member looked up in the catalogue.</summary>
        private void CheckCall(IMethodSymbol callee, IOperation? instance, ImmutableArray<IArgumentOperation> arguments, SyntaxNode syntax,
            string? via = null, Location? at = null, bool? ownsReceiver = null)
        {
            Location location = at ?? CallLocation(syntax);
            string display = Display(callee);

            if (callee.MethodKind == MethodKind.DelegateInvoke)
            {
                if (!IsKnownDelegate(instance))
                {
                    Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, "the method behind a delegate is not known"));
                }

                return;
            }

            IMethodSymbol constructed = callee.ReducedFrom is not null ? callee.GetConstructedReducedFrom() ?? callee : callee;
            IMethodSymbol definition = constructed.OriginalDefinition;
            if (definition.MethodKind == MethodKind.LocalFunction && IsNested(definition.ContainingSymbol))
            {
                // A local function of this method: its body is part of this body and is checked here,
                // where the locals it writes are known to belong to the method.
                return;
            }

            if ((definition.IsStatic || definition.MethodKind == MethodKind.Constructor)
                && definition.ContainingType.StaticConstructors.Any(static c => !c.IsImplicitlyDeclared)
                && !IsContainingType(definition.ContainingType))
            {
                // A static constructor written in source runs before the type's first static member call
                // or instance: unless it is this method's own type, which has been initialized before the
                // method could run. (Field initializers alone run by the first static field access.)
                CheckTypeInitializer(definition.ContainingType, location);
            }

            switch (Classify(definition))
            {
                case SourceKind.SourceCompilerGenerated:
                    if (definition.MethodKind == MethodKind.PropertySet && !(ownsReceiver ?? IsOwned(instance)))
                    {
                        Report(PurityViolationKind.WritesSharedState, location, $"property '{definition.AssociatedSymbol?.Name}' of {DescribeReceiver(instance)}");
                    }
                    else if (definition.MethodKind == MethodKind.PropertyGet && definition.AssociatedSymbol is IPropertySymbol { IsStatic: true, SetMethod: not null } autoProperty)
                    {
                        // A static auto-property with a setter reads a static field that is not readonly.
                        Report(PurityViolationKind.ReadsMutableStatic, location, $"{autoProperty.ContainingType.Name}.{autoProperty.Name}");
                    }
                    else if (definition.ContainingType.IsRecord && definition.Name is "ToString" or "PrintMembers" or "Equals" or "GetHashCode" or "op_Equality" or "op_Inequality")
                    {
                        // A record's synthesized members format, compare and hash each field with the field's own members.
                        RequireSafe(constructed.ContainingType, Dispatched.Of(constructed), location, display, via);
                    }

                    return;
                case SourceKind.SourceWithoutBody:
                    if (!IsMarkedPure(definition) || definition.IsAbstract)
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, "it has no body to check"), definition);
                    }

                    return;
                case SourceKind.SourceWithBody:
                    bool owns = OwnsThisByConstruction(definition) || (!definition.IsStatic && (ownsReceiver ?? IsOwned(instance)));
                    var open = new List<TypeRequirement>();
                    switch (owner.CheckInstantiation(constructed, owns, scope, open, out (TypeRequirement Requirement, ITypeSymbol Argument)? failed))
                    {
                        case CallOutcome.Impure:
                            Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, "its body is not pure"), definition);
                            break;
                        case CallOutcome.ImpureTypeArgument:
                            Report(PurityViolationKind.CallsImpureMember, location, display,
                                Because(via, $"it calls {failed!.Value.Requirement.Member.Describe()} of its type argument '{Short(failed.Value.Argument)}', which is not known to be pure"), definition);
                            break;
                    }

                    Require(open, location, display, via);
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
                    break;
                case CatalogueEntry.MutatesReceiver:
                    if (!(ownsReceiver ?? IsOwned(instance)))
                    {
                        Report(PurityViolationKind.WritesSharedState, location, $"{DescribeReceiver(instance)} through '{display}'");
                    }

                    break;
                case CatalogueEntry.WritesDestination:
                    IOperation? destination = FindDestination(definition, instance, arguments);
                    if (destination is not null && !IsOwned(destination))
                    {
                        Report(PurityViolationKind.WritesSharedState, destination.Syntax.GetLocation(), $"{DescribeReceiver(destination)} through '{display}'");
                    }

                    break;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, PurityCatalogue.ReasonFor(definition)), definition);
                    return;
            }

            CheckHandedArguments(constructed, arguments, location, display, via);
        }

        /// <summary>
        /// A catalogued framework member runs code of the values it is handed: the members of its
        /// element types (comparing, hashing, formatting) and of arguments whose type is an interface,
        /// a class that is not sealed, object or a delegate. Each must be known to run pure code.
        /// </summary>
        private void CheckHandedArguments(IMethodSymbol callee, ImmutableArray<IArgumentOperation> arguments, Location location, string display, string? via)
        {
            if (PurityCatalogue.IgnoresArguments(callee))
            {
                return;
            }

            Dispatched handed = PurityCatalogue.Formats(callee) ? Dispatched.Formatting : Dispatched.Any;
            foreach (ITypeSymbol element in PurityCatalogue.ElementTypeArguments(callee))
            {
                RequireSafe(element, handed, location, display, via);
            }

            foreach (IArgumentOperation argument in arguments)
            {
                if (argument.Parameter is { } parameter && argument.ArgumentKind != ArgumentKind.DefaultValue)
                {
                    CheckHandedValue(parameter.OriginalDefinition.Type, argument.Value, handed, display);
                }
            }
        }

        /// <param name="parameterType">The parameter's type as the member declares it: a value typed by one of the
        /// member's type parameters is an element, whose members the element type arguments account for.</param>
        private void CheckHandedValue(ITypeSymbol parameterType, IOperation value, Dispatched handed, string display)
        {
            if (parameterType is ITypeParameterSymbol)
            {
                return;
            }

            if (parameterType.TypeKind == TypeKind.Delegate)
            {
                if (!IsKnownDelegate(value))
                {
                    Report(PurityViolationKind.CallsImpureMember, value.Syntax.GetLocation(), display,
                        $" (it calls the delegate '{UnwrapReference(value)!.Syntax}', and the method behind a delegate is not known)");
                }

                return;
            }

            if (IsOpenType(parameterType))
            {
                CheckHandedObject(value, handed, display);
                return;
            }

            ITypeSymbol? element = parameterType switch
            {
                IArrayTypeSymbol array => array.ElementType,
                INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", TypeArguments.Length: 1 } span => span.TypeArguments[0],
                _ => null,
            };
            if (element is null || element is ITypeParameterSymbol || !IsOpenType(element))
            {
                return;
            }

            // params object[] and params ReadOnlySpan<object>: each element is handed over.
            IOperation operand = UnwrapReference(value)!;
            IEnumerable<IOperation>? elements = operand switch
            {
                IArrayCreationOperation { Initializer: { } initializer } => initializer.ElementValues,
                ICollectionExpressionOperation collection => collection.Elements,
                _ => null,
            };
            if (elements is not null)
            {
                foreach (IOperation item in elements)
                {
                    CheckHandedValue(element, item is ISpreadOperation spread ? spread.Operand : item, handed, display);
                }
            }
            else if (operand.Type is IArrayTypeSymbol { ElementType: var elementType })
            {
                RequireSafe(elementType, handed, operand.Syntax.GetLocation(), display, via: null);
            }
        }

        /// <summary>A value handed to framework code as an object, an interface or a base class: its run-time type's members may run.</summary>
        private void CheckHandedObject(IOperation value, Dispatched handed, string display)
        {
            IOperation operand = UnwrapReference(value)!;
            if (operand.ConstantValue is { HasValue: true } || operand.Type is null)
            {
                return;
            }

            Location location = operand.Syntax.GetLocation();
            Receiver receiver = Resolve(operand);
            switch (receiver.Kind)
            {
                case ReceiverKind.TypeParameter:
                    Require((ITypeParameterSymbol)receiver.Type!, handed, location, display, via: null);
                    return;
                case ReceiverKind.Framework:
                    return;
                case ReceiverKind.Exact:
                    RequireSafe(receiver.Type!, handed, location, display, via: null);
                    return;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display,
                        $" (it calls into '{operand.Syntax}', and the object behind '{operand.Syntax}' chooses which implementation runs)");
                    return;
            }
        }

        /// <summary>An interface, a type parameter, or a class that is not sealed (object included): what runs depends on the value.</summary>
        private static bool IsOpenType(ITypeSymbol type) =>
            type is ITypeParameterSymbol
            || type.TypeKind == TypeKind.Interface
            || (type.TypeKind == TypeKind.Class && !type.IsSealed && !type.IsStatic && type.SpecialType != SpecialType.System_String);

        /// <summary>The members <paramref name="member"/> of <paramref name="type"/> must be pure; reported at the call otherwise.</summary>
        private void RequireSafe(ITypeSymbol type, Dispatched member, Location location, string display, string? via)
        {
            var failure = new SafetyFailure();
            var open = new List<TypeRequirement>();
            if (!owner.IsSafeType(type, member, scope, open, failure))
            {
                string core = failure.Culprit is { } culprit
                    ? $"it may run '{Display(culprit)}', which is not pure"
                    : $"it calls {member.Describe()} of '{Short(type)}', which is not known to be pure";
                Report(PurityViolationKind.CallsImpureMember, location, display, Because(via, core));
                return;
            }

            Require(open, location, display, via);
        }

        /// <summary>Conditions on type parameters: the method's own become its requirements; others cannot be checked here.</summary>
        private void Require(List<TypeRequirement> open, Location location, string display, string? via)
        {
            foreach (TypeRequirement requirement in open)
            {
                Require(requirement.Parameter, requirement.Member, location, display, via);
            }
        }

        private void Require(ITypeParameterSymbol parameter, Dispatched member, Location location, string display, string? via)
        {
            if (IsOwnTypeParameter(parameter))
            {
                Requirements.Add(new TypeRequirement(parameter, member));
            }
            else
            {
                Report(PurityViolationKind.CallsImpureMember, location, display,
                    Because(via, $"it runs {member.Describe()} of the type parameter '{parameter.Name}', whose argument is not known here"));
            }
        }

        private bool IsOwnTypeParameter(ITypeParameterSymbol parameter)
        {
            if (parameter.TypeParameterKind == TypeParameterKind.Method)
            {
                return SymbolEqualityComparer.Default.Equals(parameter.DeclaringMethod?.OriginalDefinition, method.OriginalDefinition);
            }

            for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, parameter.DeclaringType?.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>What the run-time type of a value is known to be.</summary>
        private Receiver Resolve(IOperation? value, HashSet<ILocalSymbol>? visiting = null)
        {
            IOperation? operand = UnwrapReference(value);
            if (operand is null)
            {
                return Receiver.Unknown;
            }

            if (operand.ConstantValue is { HasValue: true, Value: null })
            {
                // null: calling through it throws; no code of the method's choosing runs.
                return Receiver.Framework;
            }

            if (operand.Type is { } type && (type is ITypeParameterSymbol || IsClosed(type)
                || (type is INamedTypeSymbol { TypeKind: TypeKind.Class } framework && !IsInSource(framework) && PurityCatalogue.IsSafeFrameworkType(framework))))
            {
                // Closed types, and the catalogue's collections (List<T>, Dictionary<TKey, TValue>, ...):
                // their members are not overridable, and the analysis takes them as they are.
                return Receiver.Of(type);
            }

            switch (operand)
            {
                case IObjectCreationOperation or IAnonymousObjectCreationOperation or IArrayCreationOperation or IDelegateCreationOperation when operand.Type is not null:
                    return Receiver.Of(operand.Type);
                case ICollectionExpressionOperation:
                    // A collection the compiler builds for an interface type.
                    return Receiver.Framework;
                case ILocalReferenceOperation local when ResolveLocal(local, visiting, (v, seen) => Resolve(v, seen)) is { } combined:
                    return combined;
                case IInvocationOperation invocation when IsFrameworkResult(invocation):
                    return Receiver.Framework;
                case IParameterReferenceOperation { Parameter.ContainingSymbol: IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } lambda } parameter
                    when IsNested(lambda):
                    return ResolveLambdaParameter(parameter, lambda, visiting);
                case IPropertyReferenceOperation { Property: { Name: "Default", IsStatic: true } property } when PurityCatalogue.IsDefaultComparer(property.ContainingType):
                    return Receiver.Framework;
                case IConditionalOperation conditional:
                    return Combine(new[] { Resolve(conditional.WhenTrue, visiting), Resolve(conditional.WhenFalse, visiting) });
                case ICoalesceOperation coalesce:
                    return Combine(new[] { Resolve(coalesce.Value, visiting), Resolve(coalesce.WhenNull, visiting) });
                default:
                    return Receiver.Unknown;
            }
        }

        /// <summary>
        /// A parameter of a lambda the method hands to a catalogued framework member: an element of one
        /// of the member's sequence arguments (<c>xs.Select(x =&gt; ...)</c>), or a group the member made
        /// (<c>GroupBy(k, (key, items) =&gt; ...)</c>).
        /// </summary>
        private Receiver ResolveLambdaParameter(IParameterReferenceOperation parameter, IMethodSymbol lambda, HashSet<ILocalSymbol>? visiting)
        {
            IOperation? current = parameter.Parent;
            while (current is not null && !(current is IAnonymousFunctionOperation candidate && SymbolEqualityComparer.Default.Equals(candidate.Symbol, lambda)))
            {
                current = current.Parent;
            }

            IOperation? up = current?.Parent is IDelegateCreationOperation creation ? creation.Parent : current?.Parent;
            if (up is not IArgumentOperation { Parameter: { } delegateParameter } || up.Parent is not IInvocationOperation call || IsInSource(call.TargetMethod))
            {
                return Receiver.Unknown;
            }

            IMethodSymbol definition = call.TargetMethod.OriginalDefinition;
            if (delegateParameter.Ordinal >= definition.Parameters.Length
                || definition.Parameters[delegateParameter.Ordinal].Type is not INamedTypeSymbol { DelegateInvokeMethod: { } invoke }
                || parameter.Parameter.Ordinal >= invoke.Parameters.Length)
            {
                return Receiver.Unknown;
            }

            ITypeSymbol declared = invoke.Parameters[parameter.Parameter.Ordinal].Type;
            foreach (IArgumentOperation argument in call.Arguments)
            {
                if (argument.Parameter is { } sequence && sequence.Ordinal < definition.Parameters.Length
                    && definition.Parameters[sequence.Ordinal].Type is INamedTypeSymbol { Name: "IEnumerable", TypeArguments.Length: 1 } enumerable
                    && SymbolEqualityComparer.Default.Equals(enumerable.TypeArguments[0], declared))
                {
                    return ResolveElements(argument.Value, visiting);
                }
            }

            // Not an element of an argument: a sequence the member made (a group's items) is the framework's.
            return declared is INamedTypeSymbol { Name: "IEnumerable", TypeArguments.Length: 1 } ? Receiver.Framework : Receiver.Unknown;
        }

        /// <summary>What the elements of a sequence are known to be.</summary>
        private Receiver ResolveElements(IOperation sequence, HashSet<ILocalSymbol>? visiting)
        {
            IOperation? operand = UnwrapReference(sequence);
            switch (operand)
            {
                case IInvocationOperation call when !IsInSource(call.TargetMethod) && call.TargetMethod.ContainingType?.Name == "Enumerable":
                    if (call.TargetMethod.Name is "GroupBy" or "ToLookup" or "GroupJoin" or "Chunk" or "Zip" or "Index" or "CountBy" or "AggregateBy")
                    {
                        // Groups, chunks, pairs: made by the framework.
                        return call.TargetMethod.ReturnType is INamedTypeSymbol { TypeArguments.Length: 1 } made && IsClosed(made.TypeArguments[0])
                            ? Receiver.Of(made.TypeArguments[0])
                            : Receiver.Framework;
                    }

                    if (call.TargetMethod.Name is "Where" or "OrderBy" or "OrderByDescending" or "ThenBy" or "ThenByDescending" or "Order"
                        or "OrderDescending" or "Skip" or "SkipLast" or "SkipWhile" or "Take" or "TakeLast" or "TakeWhile" or "Distinct"
                        or "DistinctBy" or "Reverse" or "AsEnumerable" or "ToList" or "ToArray" or "ToHashSet" or "DefaultIfEmpty"
                        && call.Arguments.Length > 0)
                    {
                        return ResolveElements(call.Arguments[0].Value, visiting);
                    }

                    break;
                case ILocalReferenceOperation local when ResolveLocal(local, visiting, (v, seen) => ResolveElements(v, seen)) is { } combined:
                    return combined;
            }

            ITypeSymbol? element = operand?.Type switch
            {
                IArrayTypeSymbol array => array.ElementType,
                INamedTypeSymbol named => named.AllInterfaces.Add(named)
                    .FirstOrDefault(static i => i.Name == "IEnumerable" && i.TypeArguments.Length == 1)?.TypeArguments[0],
                _ => null,
            };
            return element is not null && (element is ITypeParameterSymbol || IsClosed(element)) ? Receiver.Of(element) : Receiver.Unknown;
        }

        /// <summary>
        /// A local of the method: what each value assigned to it resolves to, combined; null when the
        /// local's values are not all known (a ref local, a captured variable, one never assigned here).
        /// </summary>
        private Receiver? ResolveLocal(ILocalReferenceOperation reference, HashSet<ILocalSymbol>? visiting, System.Func<IOperation, HashSet<ILocalSymbol>, Receiver> resolve)
        {
            ILocalSymbol local = reference.Local;
            if (local.RefKind != RefKind.None || !IsOwnLocal(local) || !assigned.TryGetValue(local, out List<IOperation?>? values) || values.Count == 0)
            {
                return null;
            }

            visiting ??= new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
            if (!visiting.Add(local))
            {
                // Assigned from itself (e = e.Where(...)): the other values decide.
                return Receiver.Framework;
            }

            Receiver combined = Combine(values.Select(v => v is null ? Receiver.Unknown : resolve(v, visiting)));
            visiting.Remove(local);
            return combined;
        }

        /// <summary>One of several values: known only when each is, and the same way.</summary>
        private static Receiver Combine(IEnumerable<Receiver> receivers)
        {
            Receiver? result = null;
            foreach (Receiver receiver in receivers)
            {
                if (receiver.Kind == ReceiverKind.Unknown)
                {
                    return Receiver.Unknown;
                }

                if (result is not { } previous)
                {
                    result = receiver;
                }
                else if (previous.Kind != receiver.Kind || !SymbolEqualityComparer.Default.Equals(previous.Type, receiver.Type))
                {
                    // Different known values: fine when all are framework objects or framework types.
                    bool framework = IsFrameworkReceiver(previous) && IsFrameworkReceiver(receiver);
                    result = framework ? Receiver.Framework : Receiver.Unknown;
                    if (!framework)
                    {
                        return Receiver.Unknown;
                    }
                }
            }

            return result ?? Receiver.Unknown;
        }

        private static bool IsFrameworkReceiver(Receiver receiver) =>
            receiver.Kind == ReceiverKind.Framework
            || (receiver.Kind == ReceiverKind.Exact && (receiver.Type is IArrayTypeSymbol
                || (receiver.Type is INamedTypeSymbol named && !IsInSource(named) && PurityCatalogue.IsSafeFrameworkType(named))));

        /// <summary>
        /// A catalogued framework member returning a collection or view it builds from its inputs (a
        /// LINQ query, a dictionary's keys), rather than one of the values it was handed.
        /// </summary>
        private static bool IsFrameworkResult(IInvocationOperation invocation)
        {
            IMethodSymbol definition = invocation.TargetMethod.ReducedFrom ?? invocation.TargetMethod.OriginalDefinition;
            return !IsInSource(definition) && PurityCatalogue.Lookup(definition) != CatalogueEntry.Unknown
                && definition.ReturnType is not ITypeParameterSymbol
                && definition.ReturnType.SpecialType != SpecialType.System_Object
                && definition.ReturnType.TypeKind != TypeKind.Delegate;
        }

        /// <summary>A delegate the method made: a lambda, a method group (checked where it is written), or a local only ever holding those.</summary>
        private bool IsKnownDelegate(IOperation? value)
        {
            IOperation? operand = UnwrapReference(value);
            return operand switch
            {
                IDelegateCreationOperation { Target: IAnonymousFunctionOperation or IMethodReferenceOperation } => true,
                IAnonymousFunctionOperation => true,
                ILocalReferenceOperation local => knownDelegates.Contains(local.Local),
                IConditionalOperation conditional => IsKnownDelegate(conditional.WhenTrue) && IsKnownDelegate(conditional.WhenFalse),
                ICoalesceOperation coalesce => IsKnownDelegate(coalesce.Value) && IsKnownDelegate(coalesce.WhenNull),
                { ConstantValue: { HasValue: true, Value: null } } => true,
                _ => false,
            };
        }

        private static bool IsBaseReference(IOperation? instance) =>
            instance is IInstanceReferenceOperation && instance.Syntax is BaseExpressionSyntax;

        // ---- calls C# makes for a construct ----------------------------------------------------

        private void CheckOperator(IMethodSymbol? operatorMethod, ITypeSymbol? constrainedTo, SyntaxNode syntax)
        {
            if (operatorMethod is null)
            {
                return;
            }

            (Location location, string token) = OperatorToken(syntax);
            CheckInvocation(operatorMethod, null, virtualCall: false, constrainedTo, NoArguments, syntax, $"the '{token}' operator", location);
        }

        private void CheckConversion(CommonConversion conversion, SyntaxNode syntax)
        {
            if (conversion.IsUserDefined && conversion.MethodSymbol is { } conversionMethod)
            {
                (Location location, string token) = OperatorToken(syntax);
                CheckCall(conversionMethod, null, NoArguments, syntax, $"the '{token}' operator", location);
            }
        }

        private static (Location Location, string Token) OperatorToken(SyntaxNode syntax)
        {
            SyntaxToken token = syntax switch
            {
                BinaryExpressionSyntax binary => binary.OperatorToken,
                PrefixUnaryExpressionSyntax prefix => prefix.OperatorToken,
                PostfixUnaryExpressionSyntax postfix => postfix.OperatorToken,
                AssignmentExpressionSyntax assignment => assignment.OperatorToken,
                _ => default,
            };
            return token == default ? (syntax.GetLocation(), syntax.ToString()) : (token.GetLocation(), token.Text);
        }

        private void CheckBinary(IBinaryOperation binary)
        {
            if (binary.OperatorMethod is { } operatorMethod)
            {
                CheckOperator(operatorMethod, binary.ConstrainedToType, binary.Syntax);
                if (binary.OperatorKind is BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr)
                {
                    // a && b on a user type: 'operator false' (for &&) or 'operator true' (for ||) decides whether b runs.
                    string test = binary.OperatorKind == BinaryOperatorKind.ConditionalAnd ? "op_False" : "op_True";
                    foreach (IMethodSymbol decides in operatorMethod.ContainingType.GetMembers(test).OfType<IMethodSymbol>())
                    {
                        CheckOperator(decides, binary.ConstrainedToType, binary.Syntax);
                    }
                }
            }
            else if (binary.OperatorKind == BinaryOperatorKind.Add && binary.Type?.SpecialType == SpecialType.System_String)
            {
                CheckFormatting(binary.LeftOperand, "string concatenation");
                CheckFormatting(binary.RightOperand, "string concatenation");
            }
        }

        /// <summary>(a, b) == (c, d) compares the elements with their own == operators.</summary>
        private void CheckTupleEquality(ITupleBinaryOperation equality)
        {
            string name = equality.OperatorKind == BinaryOperatorKind.Equals ? "op_Equality" : "op_Inequality";
            (Location location, string token) = OperatorToken(equality.Syntax);
            var seen = new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
            foreach (ITypeSymbol element in TupleElementTypes(equality.LeftOperand.Type).Concat(TupleElementTypes(equality.RightOperand.Type)))
            {
                if (seen.Add(element) && element is INamedTypeSymbol named && IsInSource(named))
                {
                    foreach (IMethodSymbol compare in named.GetMembers(name).OfType<IMethodSymbol>())
                    {
                        CheckCall(compare, null, NoArguments, equality.Syntax, $"the tuple '{token}'", location);
                    }
                }
            }
        }

        private static IEnumerable<ITypeSymbol> TupleElementTypes(ITypeSymbol? type)
        {
            if (type is INamedTypeSymbol { IsTupleType: true } tuple)
            {
                return tuple.TupleElements.SelectMany(e => TupleElementTypes(e.Type));
            }

            if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            {
                return TupleElementTypes(nullable.TypeArguments[0]);
            }

            return type is null ? Enumerable.Empty<ITypeSymbol>() : new[] { type };
        }

        /// <summary>A value formatted by concatenation or interpolation: its ToString (or formatting interface) runs.</summary>
        private void CheckFormatting(IOperation value, string construct)
        {
            IOperation operand = UnwrapReference(value)!;
            if (operand.Type is not { } type || type.SpecialType == SpecialType.System_String || operand.ConstantValue is { HasValue: true })
            {
                return;
            }

            Location location = operand.Syntax.GetLocation();
            string display = $"{Short(type)}.ToString()";
            Receiver receiver = Resolve(operand);
            switch (receiver.Kind)
            {
                case ReceiverKind.TypeParameter:
                    Require((ITypeParameterSymbol)receiver.Type!, Dispatched.Formatting, location, display, construct);
                    return;
                case ReceiverKind.Framework:
                    return;
                case ReceiverKind.Exact:
                    var failure = new SafetyFailure();
                    var open = new List<TypeRequirement>();
                    if (!owner.IsSafeType(receiver.Type!, Dispatched.Formatting, scope, open, failure))
                    {
                        Report(PurityViolationKind.CallsImpureMember, location, failure.Culprit is { } culprit ? Display(culprit) : display,
                            Because(construct, "its body is not pure"), failure.Culprit?.OriginalDefinition);
                        return;
                    }

                    Require(open, location, display, construct);
                    return;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display,
                        Because(construct, $"the object behind '{operand.Syntax}' chooses which implementation runs"));
                    return;
            }
        }

        private void CheckDeconstruction(IDeconstructionAssignmentOperation deconstruction)
        {
            if (deconstruction.Syntax is AssignmentExpressionSyntax assignment && deconstruction.SemanticModel is { } model)
            {
                CheckDeconstruction(model.GetDeconstructionInfo(assignment), deconstruction.Value, assignment, DeconstructionLocation(assignment.Left));
            }
        }

        private void CheckDeconstruction(DeconstructionInfo info, IOperation? value, SyntaxNode syntax, Location location)
        {
            if (info.Method is { } deconstruct)
            {
                CheckInvocation(deconstruct, deconstruct.IsStatic ? null : value, virtualCall: true, null, NoArguments, syntax, "deconstruction", location);
            }

            if (info.Conversion is { IsUserDefined: true, MethodSymbol: { } conversion })
            {
                CheckCall(conversion, null, NoArguments, syntax, "deconstruction", location);
            }

            foreach (DeconstructionInfo nested in info.Nested)
            {
                CheckDeconstruction(nested, null, syntax, location);
            }
        }

        private static Location DeconstructionLocation(ExpressionSyntax target) =>
            target is DeclarationExpressionSyntax declaration ? declaration.Designation.GetLocation() : target.GetLocation();

        /// <summary>foreach: GetEnumerator, MoveNext, Current and Dispose, the element conversion and Deconstruct.</summary>
        private void CheckForEach(IForEachLoopOperation loop)
        {
            if (loop.Syntax is not CommonForEachStatementSyntax syntax)
            {
                return;
            }

            if (syntax.AwaitKeyword != default)
            {
                Report(PurityViolationKind.CallsImpureMember, syntax.AwaitKeyword.GetLocation(), "await foreach", " (it yields to a scheduler)");
                return;
            }

            if (loop.SemanticModel is not { } model)
            {
                return;
            }

            ForEachStatementInfo info = model.GetForEachStatementInfo(syntax);
            Location location = syntax.Expression.GetLocation();
            string via = $"foreach over '{syntax.Expression}'";
            if (info.ElementConversion.IsUserDefined && info.ElementConversion.MethodSymbol is { } conversion)
            {
                CheckCall(conversion, null, NoArguments, syntax, via, location);
            }

            if (syntax is ForEachVariableStatementSyntax variable)
            {
                CheckDeconstruction(model.GetDeconstructionInfo(variable), null, syntax, DeconstructionLocation(variable.Variable));
            }

            IOperation? collection = UnwrapReference(loop.Collection);
            if (collection?.Type is null || IsIndexedByTheCompiler(collection.Type) || info.GetEnumeratorMethod is not { } getEnumerator)
            {
                return;
            }

            if (!getEnumerator.IsStatic && IsOverridable(getEnumerator))
            {
                // IEnumerable<T>.GetEnumerator(): the collection's run-time type chooses it.
                CheckDispatchedEnumeration(getEnumerator, loop.Collection, syntax, location, via);
                return;
            }

            // Bound at compile time: a pattern GetEnumerator, or an extension method.
            CheckCall(getEnumerator, getEnumerator.IsStatic ? null : loop.Collection, NoArguments, syntax, via, location);
            if (!IsInSource(getEnumerator))
            {
                // A framework enumerator: the catalogue has judged GetEnumerator.
                return;
            }

            ITypeSymbol enumerator = getEnumerator.ReturnType;
            if (!IsClosed(enumerator))
            {
                var open = new List<TypeRequirement>();
                if (!owner.EnumeratorIsKnown(getEnumerator, scope, open))
                {
                    Report(PurityViolationKind.CallsImpureMember, location, Display(getEnumerator),
                        Because(via, "the enumerator it returns is not known to be pure"), getEnumerator.OriginalDefinition);
                }

                Require(open, location, Display(getEnumerator), via);
                return;
            }

            if (!IsInSource(enumerator))
            {
                return;
            }

            // The enumerator is the loop's own: a copy of a struct, or an object GetEnumerator creates for it.
            bool ownsEnumerator = enumerator.IsValueType || owner.ReturnsNewObjects(getEnumerator, scope.CancellationToken);
            foreach (IMethodSymbol? member in new[] { info.MoveNextMethod, info.CurrentProperty?.GetMethod, info.DisposeMethod })
            {
                if (member is null)
                {
                    continue;
                }

                if (IsOverridable(member))
                {
                    CheckExactDispatch(enumerator, member, null, NoArguments, syntax, via, location, ownsEnumerator);
                }
                else
                {
                    CheckCall(member, null, NoArguments, syntax, via, location, ownsReceiver: ownsEnumerator);
                }
            }
        }

        /// <summary>Arrays, strings and spans: foreach over them is an indexed loop.</summary>
        private static bool IsIndexedByTheCompiler(ITypeSymbol type) =>
            type is IArrayTypeSymbol || type.SpecialType == SpecialType.System_String
            || (type is INamedTypeSymbol { Name: "Span" or "ReadOnlySpan", ContainingNamespace.Name: "System" });

        private void CheckDispatchedEnumeration(IMethodSymbol getEnumerator, IOperation collection, SyntaxNode syntax, Location location, string via)
        {
            string display = Display(getEnumerator);
            Receiver receiver = Resolve(collection);
            switch (receiver.Kind)
            {
                case ReceiverKind.Framework:
                    return;
                case ReceiverKind.TypeParameter:
                    Require((ITypeParameterSymbol)receiver.Type!, Dispatched.Of(getEnumerator), location, display, via);
                    return;
                case ReceiverKind.Exact when receiver.Type is INamedTypeSymbol named && IsInSource(named):
                    foreach (IMethodSymbol implementation in FindImplementations(named, getEnumerator) ?? new[] { getEnumerator })
                    {
                        CheckCall(implementation, collection, NoArguments, syntax, via, location);
                        var open = new List<TypeRequirement>();
                        if (Classify(implementation.OriginalDefinition) == SourceKind.SourceWithBody && !owner.EnumeratorIsKnown(implementation, scope, open))
                        {
                            Report(PurityViolationKind.CallsImpureMember, location, Display(implementation),
                                Because(via, "the enumerator it returns is not known to be pure"), implementation.OriginalDefinition);
                        }

                        Require(open, location, display, via);
                    }

                    return;
                case ReceiverKind.Exact:
                    if (!IsIndexedByTheCompiler(receiver.Type!))
                    {
                        CheckExactDispatch(receiver.Type!, getEnumerator, collection, NoArguments, syntax, via, location);
                    }

                    return;
                default:
                    Report(PurityViolationKind.CallsImpureMember, location, display,
                        Because(via, $"the object behind '{UnwrapReference(collection)!.Syntax}' chooses which implementation runs"), getEnumerator.OriginalDefinition);
                    return;
            }
        }

        /// <summary>The Dispose (or, for a ref struct, the pattern Dispose) that runs at the end of a using.</summary>
        private void CheckUsing(IOperation resources, bool isAsynchronous, SyntaxNode syntax)
        {
            UsingStatementSyntax? statement = syntax.FirstAncestorOrSelf<UsingStatementSyntax>();
            LocalDeclarationStatementSyntax? declaration = statement is null ? syntax.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() : null;
            SyntaxToken keyword = isAsynchronous
                ? statement?.AwaitKeyword ?? declaration?.AwaitKeyword ?? default
                : statement?.UsingKeyword ?? declaration?.UsingKeyword ?? default;
            Location location = keyword == default ? syntax.GetLocation() : keyword.GetLocation();
            if (isAsynchronous)
            {
                Report(PurityViolationKind.CallsImpureMember, location, "await using", " (it yields to a scheduler)");
                return;
            }

            IEnumerable<(IOperation? Value, ITypeSymbol? Type)> disposed = resources is IVariableDeclarationGroupOperation group
                ? group.Declarations.SelectMany(d => d.Declarators.Select(v => (v.Initializer?.Value ?? d.Initializer?.Value, (ITypeSymbol?)v.Symbol.Type)))
                : new[] { ((IOperation?)resources, resources.Type) };
            foreach ((IOperation? value, ITypeSymbol? type) in disposed)
            {
                if (value is null || type is null || UnwrapReference(value)?.ConstantValue is { HasValue: true })
                {
                    continue;
                }

                if (type.IsRefLikeType)
                {
                    IMethodSymbol? pattern = type.GetMembers("Dispose").OfType<IMethodSymbol>().FirstOrDefault(static m => !m.IsStatic && m.Parameters.All(static p => p.IsOptional || p.IsParams));
                    if (pattern is not null)
                    {
                        CheckCall(pattern, value, NoArguments, syntax, "'using'", location);
                    }

                    continue;
                }

                if (owner.compilation.GetSpecialType(SpecialType.System_IDisposable).GetMembers("Dispose").OfType<IMethodSymbol>().FirstOrDefault() is { } dispose)
                {
                    CheckDispatch(dispose, value, null, NoArguments, syntax, "'using'", location);
                }
            }
        }

        /// <summary>r with { ... } on a record: its copy constructor runs, the one of the record's run-time type.</summary>
        private void CheckWith(IWithOperation with)
        {
            if (with.CloneMethod is null)
            {
                // A struct or anonymous type: a copy; the initializer's setters are checked as writes.
                return;
            }

            Location location = with.Syntax is WithExpressionSyntax expression ? expression.WithKeyword.GetLocation() : with.Syntax.GetLocation();
            Receiver receiver = Resolve(with.Operand);
            if (receiver.Kind != ReceiverKind.Exact || receiver.Type is not INamedTypeSymbol record)
            {
                string type = with.Operand.Type is { } operandType ? Short(operandType) : "?";
                Report(PurityViolationKind.CallsImpureMember, location, $"{type}({type})",
                    Because("'with'", $"the object behind '{UnwrapReference(with.Operand)!.Syntax}' chooses which copy constructor runs"));
                return;
            }

            for (INamedTypeSymbol? current = record; current is { IsRecord: true } && IsInSource(current); current = current.BaseType)
            {
                IMethodSymbol? copy = current.InstanceConstructors.FirstOrDefault(c =>
                    c.Parameters.Length == 1 && SymbolEqualityComparer.Default.Equals(c.Parameters[0].Type, current));
                if (copy is null)
                {
                    return;
                }

                if (!copy.IsImplicitlyDeclared)
                {
                    // Written in source: it runs instead of the synthesized one and chains as written.
                    CheckCall(copy, null, NoArguments, with.Syntax, "'with'", location);
                    return;
                }
            }
        }

        /// <summary>x[^1] and x[a..b] on a type with Length or Count and an indexer or Slice.</summary>
        private void CheckImplicitIndexer(IImplicitIndexerReferenceOperation indexer)
        {
            string via = $"'{indexer.Syntax}'";
            Location location = indexer.Syntax.GetLocation();
            if (indexer.LengthSymbol is IPropertySymbol { GetMethod: { } length })
            {
                CheckInvocation(length, indexer.Instance, virtualCall: true, null, NoArguments, indexer.Syntax, via, location);
            }

            IMethodSymbol? member = indexer.IndexerSymbol switch
            {
                IMethodSymbol slice => slice,
                IPropertySymbol property => writeTargets.Contains(indexer) ? property.SetMethod : property.GetMethod,
                _ => null,
            };
            if (member is not null && (!writeTargets.Contains(indexer) || Classify(member.OriginalDefinition) == SourceKind.SourceWithBody))
            {
                CheckInvocation(member, indexer.Instance, virtualCall: true, null, NoArguments, indexer.Syntax, via, location);
            }
        }

        /// <summary>[a, b, ..c]: the type's constructor (or builder) and Add, and the enumeration of each spread.</summary>
        private void CheckCollectionExpression(ICollectionExpressionOperation collection)
        {
            Location location = collection.Syntax.GetLocation();
            const string via = "the collection expression";
            if (collection.ConstructMethod is { } construct)
            {
                CheckCall(construct, null, NoArguments, collection.Syntax, via, location);
                if (construct.MethodKind == MethodKind.Constructor && collection.Type is INamedTypeSymbol target && IsInSource(target))
                {
                    foreach (IMethodSymbol add in target.GetMembers("Add").OfType<IMethodSymbol>())
                    {
                        if (!add.IsStatic)
                        {
                            CheckCall(add, null, NoArguments, collection.Syntax, via, location, ownsReceiver: true);
                        }
                    }
                }
            }

            foreach (ISpreadOperation spread in collection.Elements.OfType<ISpreadOperation>())
            {
                IOperation operand = UnwrapReference(spread.Operand)!;
                if (operand.Type is null || IsIndexedByTheCompiler(operand.Type))
                {
                    continue;
                }

                string display = $"{Short(operand.Type)}.GetEnumerator()";
                string spreadVia = $"the spread of '{operand.Syntax}'";
                Location spreadLocation = operand.Syntax.GetLocation();
                Receiver receiver = Resolve(spread.Operand);
                switch (receiver.Kind)
                {
                    case ReceiverKind.Framework:
                        break;
                    case ReceiverKind.TypeParameter:
                        Require((ITypeParameterSymbol)receiver.Type!, Dispatched.Any, spreadLocation, display, spreadVia);
                        break;
                    case ReceiverKind.Exact:
                        RequireSafe(receiver.Type!, Dispatched.Any, spreadLocation, display, spreadVia);
                        break;
                    default:
                        Report(PurityViolationKind.CallsImpureMember, spreadLocation, display,
                            Because(spreadVia, $"the object behind '{operand.Syntax}' chooses which implementation runs"));
                        break;
                }
            }
        }

        /// <summary>
        /// Using a type runs its type initializer first (its static constructor and static field
        /// initializers), once: it must be pure apart from setting the type's own statics.
        /// </summary>
        private void CheckTypeInitializer(INamedTypeSymbol? type, Location location)
        {
            type = type?.OriginalDefinition;
            if (type is null || !IsInSource(type) || IsInitializing(type) || !touchedTypes.Add(type))
            {
                return;
            }

            if (!owner.IsPureTypeInitializer(type, scope))
            {
                Report(PurityViolationKind.CallsImpureMember, location, $"static {type.Name}()",
                    $" (C# runs the type initializer of '{type.Name}' when the method first uses the type; it is not pure)");
            }
        }

        private bool IsContainingType(INamedTypeSymbol type)
        {
            for (INamedTypeSymbol? current = method.ContainingType; current is not null; current = current.ContainingType)
            {
                if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, type.OriginalDefinition))
                {
                    return true;
                }
            }

            return false;
        }

        // ---- messages -----------------------------------------------------------------------

        /// <summary>" (why)", or " (construct calls it; why)" for a call C# makes for a construct.</summary>
        private static string Because(string? via, string why)
        {
            if (via is null)
            {
                return why.Length == 0 ? string.Empty : $" ({why})";
            }

            return why.Length == 0 ? $" ({via} calls it)" : $" ({via} calls it; {why})";
        }

        private static string Display(IMethodSymbol callee) => callee.MethodKind switch
        {
            MethodKind.Constructor => $"new {callee.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}",
            MethodKind.PropertyGet or MethodKind.PropertySet => callee.AssociatedSymbol?.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat) ?? callee.Name,
            _ => callee.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat),
        };

        private static string Short(ITypeSymbol type) => type.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat);

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
                MemberBindingExpressionSyntax binding => binding.Name.GetLocation(),
                _ => invocation.Expression.GetLocation(),
            },
            MemberAccessExpressionSyntax member => member.Name.GetLocation(),
            _ => syntax.GetLocation(),
        };
    }
}
