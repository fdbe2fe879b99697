using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Specialize.Analysis.Purity;

/// <summary>Which members of a value's run-time type a call may run.</summary>
internal enum DispatchKind
{
    /// <summary>One member: an interface member, or an overridable member of a class.</summary>
    Member,

    /// <summary>What formatting calls: <c>ToString</c>, <c>IFormattable.ToString</c>, <c>ISpanFormattable.TryFormat</c>.</summary>
    Formatting,

    /// <summary>What equality and hashing call: <c>Equals</c>, <c>IEquatable&lt;T&gt;.Equals</c>, <c>GetHashCode</c>.</summary>
    Equality,

    /// <summary>Any overridable or interface member (framework code handed the value may call any of them).</summary>
    Any,
}

/// <summary>A member run through the run-time type of a value: it is that type that chooses the code.</summary>
internal readonly struct Dispatched
{
    private Dispatched(DispatchKind kind, IMethodSymbol? method)
    {
        Kind = kind;
        Method = method;
    }

    public static Dispatched Any { get; } = new(DispatchKind.Any, null);

    public static Dispatched Formatting { get; } = new(DispatchKind.Formatting, null);

    public static Dispatched Equality { get; } = new(DispatchKind.Equality, null);

    public DispatchKind Kind { get; }

    /// <summary>For <see cref="DispatchKind.Member"/>: the member as the caller names it (an interface or base-class member).</summary>
    public IMethodSymbol? Method { get; }

    public static Dispatched Of(IMethodSymbol method) => new(DispatchKind.Member, method);

    /// <summary>How a message names what is called: "'IComparable&lt;T&gt;.CompareTo(T)'", "ToString", "its members".</summary>
    public string Describe() => Kind switch
    {
        DispatchKind.Member => $"'{Method!.ToDisplayString(SymbolDisplayFormat.CSharpShortErrorMessageFormat)}'",
        DispatchKind.Formatting => "'ToString'",
        DispatchKind.Equality => "'Equals' and 'GetHashCode'",
        _ => "its members",
    };
}

/// <summary>
/// A condition on a type parameter under which a generic method is pure: the method calls
/// <see cref="Member"/> through <see cref="Parameter"/>, so it is pure for a type argument only when
/// that type's implementation is. Checked where the type argument is known (at a call site, or when
/// the generator asks about a constructed method).
/// </summary>
internal sealed class TypeRequirement
{
    public TypeRequirement(ITypeParameterSymbol parameter, Dispatched member)
    {
        Parameter = parameter;
        Member = member;
    }

    public ITypeParameterSymbol Parameter { get; }

    public Dispatched Member { get; }

    /// <summary>Compares requirements by type parameter and member.</summary>
    public sealed class Comparer : IEqualityComparer<TypeRequirement>
    {
        public static readonly Comparer Instance = new();

        public bool Equals(TypeRequirement? x, TypeRequirement? y) =>
            ReferenceEquals(x, y)
            || (x is not null && y is not null && x.Member.Kind == y.Member.Kind
                && SymbolEqualityComparer.Default.Equals(x.Parameter, y.Parameter)
                && SymbolEqualityComparer.Default.Equals(x.Member.Method, y.Member.Method));

        public int GetHashCode(TypeRequirement obj) =>
            (SymbolEqualityComparer.Default.GetHashCode(obj.Parameter) * 31) + (int)obj.Member.Kind;
    }
}
