using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Specialize.Generator.Helpers;

/// <summary>
/// Names from user code as they must be written in generated code: a name that is a keyword keeps its '@'
/// (<c>@checked</c>, <c>namespace @event.Data</c>), and a name the generated code adds is made unique against the
/// names it must not shadow or clash with.
/// </summary>
internal static class Identifiers
{
    /// <summary>The namespace as it is written in a namespace declaration, keywords escaped; empty for the global namespace.</summary>
    private static readonly SymbolDisplayFormat NamespaceFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .WithGlobalNamespaceStyle(SymbolDisplayGlobalNamespaceStyle.Omitted);

    /// <summary><paramref name="name"/> with an '@' when it is a reserved keyword.</summary>
    public static string Escape(string name) =>
        SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

    /// <summary>The namespace's name for a <c>namespace</c> declaration, keywords escaped; empty for the global namespace.</summary>
    public static string Namespace(INamespaceSymbol ns) =>
        ns.IsGlobalNamespace ? string.Empty : ns.ToDisplayString(NamespaceFormat);

    /// <summary>
    /// <paramref name="name"/>, or when <paramref name="taken"/> has it, the first of <paramref name="name"/>2,
    /// <paramref name="name"/>3, ... that it does not; the result is added to <paramref name="taken"/>.
    /// </summary>
    public static string Unique(string name, ISet<string> taken)
    {
        string candidate = name;
        for (int i = 2; taken.Contains(candidate); i++)
        {
            candidate = name + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        taken.Add(candidate);
        return candidate;
    }

    /// <summary>
    /// The declarations of <paramref name="type"/> and the types containing it, outermost first, as a generated
    /// partial part writes them: <c>static partial class @checked</c>, <c>partial record struct Inner</c>,
    /// <c>partial interface IHost&lt;in T&gt;</c>. Accessibility and constraints are left to the user's parts.
    /// </summary>
    public static IEnumerable<string> TypeHeaders(INamedTypeSymbol type)
    {
        var headers = new List<string>();
        for (INamedTypeSymbol? t = type; t is not null; t = t.ContainingType)
        {
            headers.Insert(0, TypeHeader(t));
        }

        return headers;
    }

    private static string TypeHeader(INamedTypeSymbol type)
    {
        string keyword = type.TypeKind switch
        {
            TypeKind.Struct when type.IsRecord => "record struct",
            TypeKind.Struct => "struct",
            TypeKind.Interface => "interface",
            _ when type.IsRecord => "record",
            _ => "class",
        };
        string modifiers = (type.IsStatic ? "static " : string.Empty) + (type.IsRefLikeType ? "ref " : string.Empty);
        return $"{modifiers}partial {keyword} {Escape(type.Name)}{TypeParameterList(type.TypeParameters)}";
    }

    /// <summary><c>&lt;in T, U&gt;</c>, or empty without type parameters.</summary>
    public static string TypeParameterList(IEnumerable<ITypeParameterSymbol> typeParameters)
    {
        string[] names = typeParameters.Select(static p => p.Variance switch
        {
            VarianceKind.In => "in ",
            VarianceKind.Out => "out ",
            _ => string.Empty,
        } + Escape(p.Name)).ToArray();
        return names.Length == 0 ? string.Empty : "<" + string.Join(", ", names) + ">";
    }

    /// <summary>
    /// The <c>where</c> clauses of <paramref name="typeParameters"/>, types fully qualified, as an implementing part of a
    /// partial method must repeat them.
    /// </summary>
    public static IEnumerable<string> ConstraintClauses(IEnumerable<ITypeParameterSymbol> typeParameters, SymbolDisplayFormat typeFormat)
    {
        foreach (ITypeParameterSymbol parameter in typeParameters)
        {
            var constraints = new List<string>();
            if (parameter.HasReferenceTypeConstraint)
            {
                constraints.Add(parameter.ReferenceTypeConstraintNullableAnnotation == NullableAnnotation.Annotated ? "class?" : "class");
            }
            else if (parameter.HasUnmanagedTypeConstraint)
            {
                constraints.Add("unmanaged");
            }
            else if (parameter.HasValueTypeConstraint)
            {
                constraints.Add("struct");
            }
            else if (parameter.HasNotNullConstraint)
            {
                constraints.Add("notnull");
            }

            constraints.AddRange(parameter.ConstraintTypes.Select(type => type.ToDisplayString(typeFormat)));
            if (parameter.HasConstructorConstraint)
            {
                constraints.Add("new()");
            }

            if (parameter.AllowsRefLikeType)
            {
                constraints.Add("allows ref struct");
            }

            if (constraints.Count > 0)
            {
                yield return $"where {Escape(parameter.Name)} : {string.Join(", ", constraints)}";
            }
        }
    }
}
