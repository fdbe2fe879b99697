using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Specialize.Analysis.Purity;

// What catalogued framework members do with the values they are handed: which element types they
// compare, hash or format, and which framework types run only pure code when they do.
internal static partial class PurityCatalogue
{
    // Framework types whose overridable and interface members (ToString, Equals, GetHashCode,
    // CompareTo, the formatting and generic-math interfaces) are all pure.
    private static readonly HashSet<string> SafeFrameworkTypes = new(StringComparer.Ordinal)
    {
        "System.DateTime", "System.DateTimeOffset", "System.DateOnly", "System.TimeOnly", "System.Guid",
        "System.TimeSpan", "System.Index", "System.Range", "System.Half", "System.Int128", "System.UInt128",
        "System.Text.Rune", "System.Numerics.BigInteger", "System.Numerics.Complex",
        "System.Numerics.Vector<T>", "System.Numerics.Vector2", "System.Numerics.Vector3", "System.Numerics.Vector4",
        "System.Numerics.Matrix3x2", "System.Numerics.Matrix4x4", "System.Numerics.Quaternion",
        "System.Runtime.Intrinsics.Vector64<T>", "System.Runtime.Intrinsics.Vector128<T>",
        "System.Runtime.Intrinsics.Vector256<T>", "System.Runtime.Intrinsics.Vector512<T>",
        "System.ReadOnlySpan<T>", "System.ReadOnlyMemory<T>",
    };

    // Collections that compare or hash their keys (or priorities) in most members.
    private static readonly HashSet<string> HashingCollections = new(StringComparer.Ordinal)
    {
        "Dictionary", "HashSet", "SortedSet", "SortedDictionary", "SortedList", "PriorityQueue",
        "ImmutableDictionary", "ImmutableHashSet", "ImmutableSortedSet", "ImmutableSortedDictionary", "Lookup",
    };

    // Sequences, and the types that hold one or two values: they compare or format their elements only
    // in the members not listed in SequenceMembersThatIgnoreElements.
    private static readonly HashSet<string> Sequences = new(StringComparer.Ordinal)
    {
        "List", "Queue", "Stack", "LinkedList", "LinkedListNode", "Span", "ReadOnlySpan", "Memory", "ReadOnlyMemory",
        "Array", "Enumerable", "Nullable", "ValueTuple", "Tuple", "KeyValuePair",
        "ImmutableArray", "ImmutableList", "ImmutableQueue", "ImmutableStack",
    };

    private static readonly HashSet<string> SequenceMembersThatIgnoreElements = new(StringComparer.Ordinal)
    {
        ".ctor", "Add", "AddRange", "Insert", "InsertRange", "RemoveAt", "RemoveRange", "RemoveAll", "Clear",
        "Count", "LongCount", "Length", "LongLength", "this[]", "Capacity", "EnsureCapacity", "TrimExcess",
        "ToArray", "ToList", "CopyTo", "TryCopyTo", "AsReadOnly", "AsSpan", "AsMemory", "Slice", "GetRange", "Reverse",
        "ForEach", "ConvertAll", "Exists", "Find", "FindAll", "FindIndex", "FindLast", "FindLastIndex", "TrueForAll",
        "Push", "Pop", "Peek", "TryPeek", "TryPop", "Enqueue", "Dequeue", "TryDequeue",
        "AddFirst", "AddLast", "AddBefore", "AddAfter", "RemoveFirst", "RemoveLast", "Next", "Previous", "List",
        "First", "Last", "FirstOrDefault", "LastOrDefault", "Single", "SingleOrDefault", "ElementAt", "ElementAtOrDefault",
        "Key", "Value", "HasValue", "GetValueOrDefault", "Deconstruct", "Rest",
        "IsEmpty", "IsDefault", "IsDefaultOrEmpty", "Empty", "Create", "CreateRange", "CreateBuilder", "ToBuilder",
        "ToImmutable", "ToImmutableArray", "ToImmutableList", "MoveToImmutable", "DrainToImmutable", "ItemRef", "SetItem",
        "Fill", "Resize", "Span", "Memory",
        "Select", "SelectMany", "Where", "Take", "TakeLast", "TakeWhile", "Skip", "SkipLast", "SkipWhile", "Any", "All",
        "Sum", "Average", "Aggregate", "Zip", "Concat", "Append", "Prepend", "Range", "Repeat", "Cast", "OfType",
        "DefaultIfEmpty", "Chunk", "Index", "AsEnumerable", "TryGetNonEnumeratedCount",
    };

    private static readonly HashSet<string> HashingMembersThatIgnoreKeys = new(StringComparer.Ordinal)
    {
        "Count", "Clear", "Keys", "Values", "Comparer", "KeyComparer", "ValueComparer", "Capacity", "EnsureCapacity",
        "TrimExcess", "IsEmpty", "Empty", "UnorderedItems", "ToImmutable", "ToBuilder",
    };

    private static readonly HashSet<string> SpanMembersThatIgnoreElements = new(StringComparer.Ordinal)
    {
        "AsSpan", "AsMemory", "CopyTo", "TryCopyTo", "Reverse", "Overlaps", "Clear", "Fill",
    };

    /// <summary>bool, char, the integer and floating-point types, decimal, string, nint and nuint.</summary>
    public static bool IsPrimitive(INamedTypeSymbol type) =>
        type.SpecialType is >= SpecialType.System_Boolean and <= SpecialType.System_UIntPtr;

    /// <summary>Tuples and key-value pairs: they format, compare and hash their components.</summary>
    public static bool IsComposite(INamedTypeSymbol type)
    {
        INamedTypeSymbol definition = type.OriginalDefinition;
        string ns = definition.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        return type.IsTupleType
            || (ns == "System" && definition.Name is "ValueTuple" or "Tuple")
            || (ns == "System.Collections.Generic" && definition.Name == "KeyValuePair");
    }

    /// <summary>A framework type whose overridable and interface members are all pure (catalogue collections included: their own members do not call their elements').</summary>
    public static bool IsSafeFrameworkType(INamedTypeSymbol type)
    {
        if (IsPrimitive(type) || type.TypeKind == TypeKind.Enum)
        {
            return true;
        }

        for (INamedTypeSymbol? current = type; current is not null; current = current.ContainingType)
        {
            // A collection's nested types (List<T>.Enumerator, Dictionary<TKey, TValue>.KeyCollection) too.
            string name = current.OriginalDefinition.ToDisplayString(TypeNameFormat);
            string ns = current.ContainingNamespace?.ToDisplayString() ?? string.Empty;
            if (SafeFrameworkTypes.Contains(name) || OwnableCollections.Contains(name) || Array.IndexOf(PureNamespaces, ns) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>EqualityComparer&lt;T&gt; and Comparer&lt;T&gt;, whose Default compares with T's own members.</summary>
    public static bool IsDefaultComparer(INamedTypeSymbol type) =>
        type.OriginalDefinition.ToDisplayString(TypeNameFormat) is "System.Collections.Generic.EqualityComparer<T>" or "System.Collections.Generic.Comparer<T>";

    /// <summary>Members that do not call into what they are handed: exceptions store it, ReferenceEquals compares references.</summary>
    public static bool IgnoresArguments(IMethodSymbol member)
    {
        for (INamedTypeSymbol? type = member.ContainingType; type is not null; type = type.BaseType)
        {
            if (type.ToDisplayString(TypeNameFormat) == "System.Exception")
            {
                return true;
            }
        }

        return member.ContainingType?.SpecialType == SpecialType.System_Object && member.Name is "ReferenceEquals" or "GetType";
    }

    /// <summary>Members that format what they are handed (string.Concat, string.Join, StringBuilder.Append, interpolation handlers).</summary>
    public static bool Formats(IMethodSymbol member)
    {
        string typeName = member.ContainingType?.OriginalDefinition.ToDisplayString(TypeNameFormat) ?? string.Empty;
        return (typeName == "System.String" && member.Name is "Concat" or "Format" or "Join")
            || (typeName == "System.Text.StringBuilder" && (member.Name.StartsWith("Append", StringComparison.Ordinal) || member.Name == "Insert"))
            || InterpolationHandlers.Contains(typeName);
    }

    /// <summary>
    /// The type arguments of a catalogued generic member (or of its containing types) whose own
    /// members it calls: the elements it compares, hashes, sorts or formats. Empty for members that
    /// only store, move or count elements. For keyed members only the key type (or the priority, or a
    /// selector's result) counts.
    /// </summary>
    public static IEnumerable<ITypeSymbol> ElementTypeArguments(IMethodSymbol member)
    {
        var pairs = new List<(ITypeParameterSymbol Parameter, ITypeSymbol Argument)>();
        IMethodSymbol definition = member.OriginalDefinition;
        for (int i = 0; i < definition.TypeParameters.Length && i < member.TypeArguments.Length; i++)
        {
            pairs.Add((definition.TypeParameters[i], member.TypeArguments[i]));
        }

        for (INamedTypeSymbol? type = member.ContainingType; type is not null; type = type.ContainingType)
        {
            for (int i = 0; i < type.OriginalDefinition.TypeParameters.Length && i < type.TypeArguments.Length; i++)
            {
                pairs.Add((type.OriginalDefinition.TypeParameters[i], type.TypeArguments[i]));
            }
        }

        if (pairs.Count == 0 || IgnoresElements(member))
        {
            return Enumerable.Empty<ITypeSymbol>();
        }

        string name = MemberName(member);
        var names = new HashSet<string>(pairs.Select(static p => p.Parameter.Name), StringComparer.Ordinal);
        string? focus = name == "ContainsValue" ? "TValue"
            : names.Contains("TKey") ? "TKey"
            : names.Contains("TResult") && name is "Min" or "Max" ? "TResult"
            : names.Contains("TPriority") ? "TPriority"
            : null;
        return pairs.Where(p => focus is null || p.Parameter.Name == focus).Select(static p => p.Argument).ToList();
    }

    private static bool IgnoresElements(IMethodSymbol member)
    {
        string name = MemberName(member);
        if (name is "Default" or "GetEnumerator" or "MoveNext" or "Current" or "Reset" or "Dispose")
        {
            return true;
        }

        INamedTypeSymbol? outermost = member.ContainingType;
        while (outermost?.ContainingType is not null)
        {
            outermost = outermost.ContainingType;
        }

        string family = outermost?.OriginalDefinition.Name ?? string.Empty;
        if (family == "MemoryExtensions")
        {
            return SpanMembersThatIgnoreElements.Contains(name);
        }

        if (HashingCollections.Contains(family))
        {
            return HashingMembersThatIgnoreKeys.Contains(name)
                || (name == ".ctor" && !member.Parameters.Any(static p => p.Type.AllInterfaces.Any(static i => i.Name == "IEnumerable")));
        }

        return Sequences.Contains(family) && SequenceMembersThatIgnoreElements.Contains(name);
    }

    private static string MemberName(IMethodSymbol member) => member.MethodKind switch
    {
        MethodKind.Constructor => ".ctor",
        MethodKind.PropertyGet or MethodKind.PropertySet => member.AssociatedSymbol?.Name ?? member.Name,
        _ => member.Name,
    };
}
