using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Specialize.Analysis.Purity;

// Which code runs when a member is called through the run-time type of a value: the implementations
// a type provides, and whether they are all pure.
public sealed partial class PurityAnalysis
{
    /// <summary>Records the first implementation found impure, for the message.</summary>
    private sealed class SafetyFailure
    {
        /// <summary>The innermost implementation that is not pure.</summary>
        public IMethodSymbol? Culprit { get; private set; }

        public void SetCulprit(IMethodSymbol implementation) => Culprit ??= implementation;
    }

    /// <summary>
    /// True when calling <paramref name="member"/> on a value whose run-time type is
    /// <paramref name="type"/> runs only pure code: primitives, strings, enums, arrays and the
    /// framework's value types and catalogue collections; structs and sealed classes whose
    /// implementation is analysed pure (or, for <see cref="DispatchKind.Any"/>, all of whose overrides
    /// and interface implementations are). A type parameter met on the way is added to
    /// <paramref name="open"/>: whoever knows its argument decides.
    /// </summary>
    private bool IsSafeType(ITypeSymbol type, Dispatched member, CheckScope scope, List<TypeRequirement> open, SafetyFailure? failure, HashSet<ITypeSymbol>? visiting = null)
    {
        switch (type)
        {
            case ITypeParameterSymbol parameter:
                open.Add(new TypeRequirement(parameter, member));
                return true;
            case IArrayTypeSymbol array:
                // An array's own members are the runtime's; Contains and IndexOf compare its elements.
                return member.Kind != DispatchKind.Member || member.Method!.Name is not ("Contains" or "IndexOf")
                    || IsSafeType(array.ElementType, Dispatched.Any, scope, open, failure, visiting);
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol:
                return true;
            case INamedTypeSymbol named:
                return IsSafeNamedType(named, member, scope, open, failure, visiting);
            default:
                return false;
        }
    }

    private bool IsSafeNamedType(INamedTypeSymbol type, Dispatched member, CheckScope scope, List<TypeRequirement> open, SafetyFailure? failure, HashSet<ITypeSymbol>? visiting)
    {
        if (type.TypeKind == TypeKind.Enum || PurityCatalogue.IsPrimitive(type))
        {
            return true;
        }

        if (type.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T)
        {
            // Nullable<T> forwards ToString, Equals and GetHashCode to its value.
            return IsSafeType(type.TypeArguments[0], member.Kind is DispatchKind.Formatting or DispatchKind.Equality ? member : Dispatched.Any, scope, open, failure, visiting);
        }

        if (PurityCatalogue.IsComposite(type))
        {
            // Tuples and key-value pairs format, compare and hash their components.
            return type.TypeArguments.All(argument => IsSafeType(argument, member.Kind is DispatchKind.Formatting or DispatchKind.Equality ? member : Dispatched.Any, scope, open, failure, visiting));
        }

        if (!IsInSource(type))
        {
            return IsSafeFrameworkType(type, member);
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            return false;
        }

        visiting ??= new HashSet<ITypeSymbol>(SymbolEqualityComparer.Default);
        if (type.IsAnonymousType)
        {
            // Its ToString, Equals and GetHashCode format, compare and hash its values.
            Dispatched use = member.Kind is DispatchKind.Formatting or DispatchKind.Equality ? member
                : member.Kind == DispatchKind.Member ? FieldUse(member.Method!) : Dispatched.Any;
            return FieldsAreSafe(type, use, scope, open, failure, visiting);
        }

        if (!visiting.Add(type))
        {
            // Already being checked further up (a type that holds itself): its members are checked there.
            return true;
        }

        try
        {
            bool closed = type.IsValueType || type.IsSealed || type.IsStatic;
            if (!closed && (member.Kind != DispatchKind.Member || member.Method!.ContainingType.TypeKind == TypeKind.Interface))
            {
                // A derived type may override any member, and implement any interface again.
                return false;
            }

            IEnumerable<IMethodSymbol>? implementations = member.Kind switch
            {
                DispatchKind.Member => FindImplementations(type, member.Method!),
                DispatchKind.Formatting => ImplementationsOf(type, "ToString", "System.IFormattable", "System.ISpanFormattable", "System.IUtf8SpanFormattable"),
                DispatchKind.Equality => ImplementationsOf(type, "Equals", "System.IEquatable<T>").Concat(ImplementationsOf(type, "GetHashCode")),
                _ => AllImplementations(type),
            };
            if (implementations is null)
            {
                return false;
            }

            foreach (IMethodSymbol implementation in implementations)
            {
                if (!closed && IsOverridable(implementation))
                {
                    // A derived type may override it: not known which code runs.
                    return false;
                }

                if (!IsSafeImplementation(type, implementation, member.Kind == DispatchKind.Any, scope, open, failure, visiting))
                {
                    failure?.SetCulprit(implementation);
                    return false;
                }
            }

            return true;
        }
        finally
        {
            visiting.Remove(type);
        }
    }

    /// <summary>A framework type whose overridable and interface members are all pure.</summary>
    private static bool IsSafeFrameworkType(INamedTypeSymbol type, Dispatched member)
    {
        if (type.TypeKind == TypeKind.Delegate)
        {
            return false;
        }

        if (PurityCatalogue.IsSafeFrameworkType(type))
        {
            return true;
        }

        if (member.Kind == DispatchKind.Member && (type.IsSealed || type.IsValueType))
        {
            IEnumerable<IMethodSymbol>? implementations = FindImplementations(type, member.Method!);
            return implementations is not null && implementations.All(static i =>
                i.ContainingType.SpecialType == SpecialType.System_Object || PurityCatalogue.Lookup(i.OriginalDefinition) == CatalogueEntry.Pure);
        }

        return false;
    }

    /// <summary>
    /// Whether one implementation a type provides is pure. <paramref name="anyMember"/>: the whole
    /// type is being checked, so a framework default implementation (which calls the type's other
    /// members) adds nothing.
    /// </summary>
    private bool IsSafeImplementation(INamedTypeSymbol type, IMethodSymbol implementation, bool anyMember, CheckScope scope, List<TypeRequirement> open, SafetyFailure? failure, HashSet<ITypeSymbol> visiting)
    {
        if (implementation.ContainingType.TypeKind == TypeKind.Interface)
        {
            // The interface's default implementation runs.
            if (implementation.IsAbstract)
            {
                return false;
            }

            if (!IsInSource(implementation))
            {
                // Framework default implementations (generic math) call the type's other members.
                return anyMember || AllImplementations(type).All(i => IsSafeImplementation(type, i, anyMember: true, scope, open, failure, visiting));
            }

            return CheckInstantiation(implementation, ownsReceiver: false, scope, open, out _, failure) == CallOutcome.Pure;
        }

        switch (implementation.ContainingType.SpecialType)
        {
            case SpecialType.System_Object:
            case SpecialType.System_Enum:
                // Reference equality, the identity hash, the type's name.
                return true;
            case SpecialType.System_ValueType:
                // ValueType.Equals and GetHashCode compare and hash the fields with their own members.
                return implementation.Name == "ToString" || FieldsAreSafe(type, Dispatched.Equality, scope, open, failure, visiting);
        }

        IMethodSymbol definition = implementation.OriginalDefinition;
        switch (Classify(definition))
        {
            case SourceKind.Metadata:
                return IsMarkedPure(definition) || PurityCatalogue.Lookup(definition) == CatalogueEntry.Pure;
            case SourceKind.SourceCompilerGenerated:
                // A record's Equals, GetHashCode, ToString and PrintMembers use each field's own members;
                // auto-property accessors read or write the backing field.
                return definition.AssociatedSymbol is IPropertySymbol || FieldsAreSafe(type, FieldUse(definition), scope, open, failure, visiting);
            case SourceKind.SourceWithoutBody:
                return false;
            default:
                return CheckInstantiation(implementation, ownsReceiver: false, scope, open, out _, failure) == CallOutcome.Pure
                    && (implementation.Name != "GetEnumerator" && !implementation.Name.EndsWith(".GetEnumerator", System.StringComparison.Ordinal)
                        || EnumeratorIsKnown(implementation, scope, open));
        }
    }

    /// <summary>What a synthesized record member (or ValueType's) calls on each field.</summary>
    private static Dispatched FieldUse(IMethodSymbol synthesized) => synthesized.Name switch
    {
        "ToString" or "PrintMembers" => Dispatched.Formatting,
        "Equals" or "GetHashCode" or "op_Equality" or "op_Inequality" => Dispatched.Equality,
        _ => Dispatched.Any,
    };

    /// <summary>Every instance field of the type (and its base types in source) runs only pure code for <paramref name="member"/>.</summary>
    private bool FieldsAreSafe(INamedTypeSymbol type, Dispatched member, CheckScope scope, List<TypeRequirement> open, SafetyFailure? failure, HashSet<ITypeSymbol> visiting)
    {
        for (INamedTypeSymbol? current = type; current is not null && IsInSource(current); current = current.BaseType)
        {
            foreach (ISymbol field in current.GetMembers())
            {
                // Anonymous types show their values as properties only.
                ITypeSymbol? stored = field switch
                {
                    IFieldSymbol { IsStatic: false, IsConst: false } instanceField => instanceField.Type,
                    IPropertySymbol { IsStatic: false } property when current.IsAnonymousType => property.Type,
                    _ => null,
                };
                if (stored is not null && !IsSafeType(stored, member, scope, open, failure, visiting))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>
    /// The object a source <c>GetEnumerator</c> returns runs pure code: it is an iterator (its body,
    /// already checked, is what runs), or it returns a framework enumerator, or an enumerator of a
    /// struct or sealed type whose members are pure.
    /// </summary>
    private bool EnumeratorIsKnown(IMethodSymbol getEnumerator, CheckScope scope, List<TypeRequirement> open)
    {
        if (!IsInSource(getEnumerator) || IsIterator(getEnumerator, scope.CancellationToken))
        {
            return true;
        }

        ITypeSymbol returned = getEnumerator.ReturnType;
        if (IsClosed(returned))
        {
            return IsSafeEnumerator(returned, ReturnsNewObjects(getEnumerator, scope.CancellationToken), scope, open);
        }

        IOperation? body = GetBody(getEnumerator.OriginalDefinition, scope.CancellationToken);
        if (body is null)
        {
            return false;
        }

        foreach (IReturnOperation ret in body.DescendantsAndSelf().OfType<IReturnOperation>())
        {
            IOperation? value = ret.ReturnedValue;
            while (value is IConversionOperation { Conversion.IsUserDefined: false } conversion)
            {
                value = conversion.Operand;
            }

            bool known = value switch
            {
                // list.GetEnumerator(), array.GetEnumerator(): a framework enumerator.
                IInvocationOperation { TargetMethod.Name: "GetEnumerator" } call => !IsInSource(call.TargetMethod),
                IObjectCreationOperation creation when creation.Type is { } created && IsClosed(created) => IsSafeEnumerator(created, fresh: true, scope, open),
                _ => false,
            };
            if (!known)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// An enumerator of a closed type: its MoveNext, Current, Reset and Dispose (pattern or interface)
    /// are pure. <paramref name="fresh"/>: each enumeration gets a new one, which its members may write.
    /// </summary>
    private bool IsSafeEnumerator(ITypeSymbol enumerator, bool fresh, CheckScope scope, List<TypeRequirement> open)
    {
        if (!IsInSource(enumerator) || enumerator is not INamedTypeSymbol named)
        {
            return true;
        }

        foreach (IMethodSymbol member in named.GetMembers().OfType<IMethodSymbol>())
        {
            string name = member.ExplicitInterfaceImplementations.FirstOrDefault()?.Name ?? member.Name;
            if (!member.IsStatic && name is "MoveNext" or "get_Current" or "Reset" or "Dispose"
                && Classify(member.OriginalDefinition) == SourceKind.SourceWithBody
                && CheckInstantiation(member, ownsReceiver: fresh || named.IsValueType, scope, open, out _) != CallOutcome.Pure)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when every value the method returns is an object it creates there (<c>=&gt; new Enumerator(this)</c>).</summary>
    private bool ReturnsNewObjects(IMethodSymbol method, System.Threading.CancellationToken cancellationToken)
    {
        IOperation? body = GetBody(method.OriginalDefinition, cancellationToken);
        if (body is null)
        {
            return false;
        }

        var returns = body.DescendantsAndSelf().OfType<IReturnOperation>().ToList();
        return returns.Count > 0 && returns.All(static r =>
        {
            IOperation? value = r.ReturnedValue;
            while (value is IConversionOperation { Conversion.IsUserDefined: false } conversion)
            {
                value = conversion.Operand;
            }

            return value is IObjectCreationOperation;
        });
    }

    /// <summary>
    /// The implementations of <paramref name="method"/> (an interface member, or an overridable class
    /// member) that run for a value of <paramref name="type"/>; null when the type does not implement it.
    /// </summary>
    private static IReadOnlyList<IMethodSymbol>? FindImplementations(INamedTypeSymbol type, IMethodSymbol method)
    {
        if (method.ContainingType.TypeKind == TypeKind.Interface)
        {
            var found = new List<IMethodSymbol>();
            INamedTypeSymbol definition = method.ContainingType.OriginalDefinition;
            IEnumerable<INamedTypeSymbol> interfaces = type.TypeKind == TypeKind.Interface ? type.AllInterfaces.Add(type) : type.AllInterfaces;
            foreach (INamedTypeSymbol candidate in interfaces)
            {
                if (!SymbolEqualityComparer.Default.Equals(candidate.OriginalDefinition, definition))
                {
                    continue;
                }

                foreach (IMethodSymbol member in candidate.GetMembers(method.Name).OfType<IMethodSymbol>())
                {
                    if (SymbolEqualityComparer.Default.Equals(member.OriginalDefinition, method.OriginalDefinition))
                    {
                        found.Add(type.FindImplementationForInterfaceMember(member) as IMethodSymbol ?? member);
                    }
                }
            }

            return found.Count == 0 ? null : found;
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.BaseType)
        {
            foreach (IMethodSymbol member in current.GetMembers(method.Name).OfType<IMethodSymbol>())
            {
                if (Overrides(member, method))
                {
                    return new[] { member };
                }
            }
        }

        return new[] { method };
    }

    private static bool Overrides(IMethodSymbol member, IMethodSymbol method)
    {
        for (IMethodSymbol? current = member; current is not null; current = current.OverriddenMethod)
        {
            if (SymbolEqualityComparer.Default.Equals(current.OriginalDefinition, method.OriginalDefinition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Every override and interface implementation the type has, and the object members it inherits.</summary>
    private IEnumerable<IMethodSymbol> AllImplementations(INamedTypeSymbol type)
    {
        var found = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        for (INamedTypeSymbol? current = type;
             current is not null && current.SpecialType is not (SpecialType.System_Object or SpecialType.System_ValueType or SpecialType.System_Enum);
             current = current.BaseType)
        {
            foreach (IMethodSymbol member in current.GetMembers().OfType<IMethodSymbol>())
            {
                if (member.IsOverride || !member.ExplicitInterfaceImplementations.IsEmpty)
                {
                    found.Add(member);
                }
            }
        }

        foreach (INamedTypeSymbol implemented in type.AllInterfaces)
        {
            foreach (IMethodSymbol member in implemented.GetMembers().OfType<IMethodSymbol>())
            {
                if (member.IsAbstract || member.IsVirtual)
                {
                    found.Add(type.FindImplementationForInterfaceMember(member) as IMethodSymbol ?? member);
                }
            }
        }

        foreach (IMethodSymbol objectMember in ObjectMembers())
        {
            foreach (IMethodSymbol implementation in FindImplementations(type, objectMember) ?? Enumerable.Empty<IMethodSymbol>())
            {
                found.Add(implementation);
            }
        }

        return found;
    }

    /// <summary>
    /// The implementations of the object member <paramref name="objectMember"/> the type runs, and of
    /// every member of the listed interfaces it implements (named as "System.IEquatable&lt;T&gt;").
    /// </summary>
    private IEnumerable<IMethodSymbol> ImplementationsOf(INamedTypeSymbol type, string objectMember, params string[] interfaces)
    {
        var found = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
        foreach (IMethodSymbol member in ObjectMembers().Where(m => m.Name == objectMember))
        {
            foreach (IMethodSymbol implementation in FindImplementations(type, member) ?? Enumerable.Empty<IMethodSymbol>())
            {
                found.Add(implementation);
            }
        }

        foreach (INamedTypeSymbol implemented in type.AllInterfaces)
        {
            if (System.Array.IndexOf(interfaces, implemented.OriginalDefinition.ToDisplayString()) >= 0)
            {
                foreach (IMethodSymbol member in implemented.GetMembers().OfType<IMethodSymbol>())
                {
                    found.Add(type.FindImplementationForInterfaceMember(member) as IMethodSymbol ?? member);
                }
            }
        }

        return found;
    }

    /// <summary>object.ToString(), object.Equals(object), object.GetHashCode().</summary>
    private IEnumerable<IMethodSymbol> ObjectMembers() =>
        compilation.GetSpecialType(SpecialType.System_Object).GetMembers().OfType<IMethodSymbol>()
            .Where(static m => !m.IsStatic && m.IsVirtual && m.Name is "ToString" or "Equals" or "GetHashCode");

    /// <summary>A member whose implementation the run-time type of the receiver chooses.</summary>
    private static bool IsOverridable(IMethodSymbol method)
    {
        INamedTypeSymbol? type = method.ContainingType;
        if (type is null)
        {
            return false;
        }

        if (type.TypeKind == TypeKind.Interface)
        {
            return method.IsAbstract || method.IsVirtual || !method.IsStatic;
        }

        return (method.IsVirtual || method.IsAbstract || method.IsOverride) && !method.IsSealed && !type.IsSealed && !type.IsValueType;
    }

    /// <summary>A type whose values all have exactly this run-time type (or, for arrays and strings, one the runtime provides).</summary>
    private static bool IsClosed(ITypeSymbol type) =>
        type.IsValueType || type is IArrayTypeSymbol or IPointerTypeSymbol || type.IsSealed || type.SpecialType == SpecialType.System_String;
}
