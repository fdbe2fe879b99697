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
    // Calls: bound ones, the ones a receiver's run-time type chooses, and the ones framework code
    // makes into the values it is handed.
    private sealed partial class BodyWalker
    {
        private static readonly ImmutableArray<IArgumentOperation> NoArguments = ImmutableArray<IArgumentOperation>.Empty;

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
