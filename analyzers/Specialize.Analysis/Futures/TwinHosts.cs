using Microsoft.CodeAnalysis;

namespace Specialize.Analysis.Futures;

/// <summary>
/// The type rules a method must meet for the generator to give it a parallel twin. Shared by the
/// generator (which decides) and the code fixes (which must only create methods it will accept).
/// </summary>
public static class TwinHosts
{
    /// <summary>
    /// True when a twin can live in <paramref name="type"/>: it and every type containing it are
    /// non-generic classes that generated code can name. (Being <c>partial</c> is a property of the
    /// declarations, checked on syntax.)
    /// </summary>
    public static bool CanContainTwin(INamedTypeSymbol type)
    {
        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            if (current.IsGenericType || current.TypeKind != TypeKind.Class || !IsNameable(current))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// True when generated code in another file can spell the type: no pointers, type parameters,
    /// dynamic, anonymous, file-local or private/protected nested types.
    /// </summary>
    public static bool IsNameable(ITypeSymbol type) => IsNameable(type, allowTypeParameters: false);

    /// <summary>
    /// <see cref="IsNameable(ITypeSymbol)"/>, optionally taking type parameters as nameable: a twin's
    /// host is never generic, so where the host is checked separately they cannot reach a twin.
    /// </summary>
    public static bool IsNameable(ITypeSymbol type, bool allowTypeParameters)
    {
        switch (type)
        {
            case IArrayTypeSymbol array:
                return IsNameable(array.ElementType, allowTypeParameters);
            case ITypeParameterSymbol:
                return allowTypeParameters;
            case IPointerTypeSymbol or IFunctionPointerTypeSymbol or IDynamicTypeSymbol:
                return false;
            case INamedTypeSymbol named:
                for (INamedTypeSymbol? t = named; t is not null; t = t.ContainingType)
                {
                    if (t.DeclaredAccessibility is Accessibility.Private or Accessibility.Protected or Accessibility.ProtectedAndInternal
                        || t.IsFileLocal || t.IsAnonymousType)
                    {
                        return false;
                    }
                }

                foreach (ITypeSymbol argument in named.TypeArguments)
                {
                    if (!IsNameable(argument, allowTypeParameters))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}
