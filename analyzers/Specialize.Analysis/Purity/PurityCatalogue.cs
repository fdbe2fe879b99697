using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace Specialize.Analysis.Purity;

/// <summary>How a framework member may be used by a pure method.</summary>
internal enum CatalogueEntry
{
    /// <summary>Not in the catalogue: not known to be pure.</summary>
    Unknown,

    /// <summary>Pure: reads its arguments, writes nothing it did not allocate.</summary>
    Pure,

    /// <summary>Pure when the object it mutates (its receiver) was allocated by the calling method.</summary>
    MutatesReceiver,

    /// <summary>Pure when its span or array parameter named <c>destination</c> (or the first writable one) is owned.</summary>
    WritesDestination,
}

/// <summary>
/// The catalogue of framework members known to be pure. A member that is not listed is treated as
/// impure: purity is checked, never trusted. Entries are by containing type (every member) or by
/// type and member name.
/// </summary>
internal static partial class PurityCatalogue
{
    // Fully qualified names without C# keywords, so that System.String is "System.String", not "string".
    private static readonly SymbolDisplayFormat TypeNameFormat = new(
        typeQualificationStyle: SymbolDisplayTypeQualificationStyle.NameAndContainingTypesAndNamespaces,
        genericsOptions: SymbolDisplayGenericsOptions.IncludeTypeParameters);

    // Types all of whose members are pure functions of their arguments.
    private static readonly HashSet<string> PureTypes = new(StringComparer.Ordinal)
    {
        "System.Math", "System.MathF", "System.String", "System.Char", "System.Boolean",
        "System.Byte", "System.SByte", "System.Int16", "System.UInt16", "System.Int32", "System.UInt32",
        "System.Int64", "System.UInt64", "System.IntPtr", "System.UIntPtr", "System.Single", "System.Double",
        "System.Decimal", "System.Half", "System.Int128", "System.UInt128", "System.TimeSpan",
        "System.Nullable<T>", "System.Nullable", "System.ValueTuple", "System.Tuple",
        "System.ReadOnlySpan<T>", "System.ReadOnlyMemory<T>", "System.Index", "System.Range",
        "System.Numerics.BitOperations", "System.Numerics.Complex", "System.Numerics.Vector",
        "System.Numerics.Vector<T>", "System.Numerics.Vector2", "System.Numerics.Vector3", "System.Numerics.Vector4",
        "System.Numerics.Matrix3x2", "System.Numerics.Matrix4x4", "System.Numerics.Quaternion",
        "System.Runtime.Intrinsics.Vector64", "System.Runtime.Intrinsics.Vector128", "System.Runtime.Intrinsics.Vector256",
        "System.Runtime.Intrinsics.Vector512", "System.Runtime.Intrinsics.Vector64<T>", "System.Runtime.Intrinsics.Vector128<T>",
        "System.Runtime.Intrinsics.Vector256<T>", "System.Runtime.Intrinsics.Vector512<T>",
        "System.Linq.Enumerable", "System.Collections.Generic.KeyValuePair<TKey, TValue>", "System.Collections.Generic.KeyValuePair",
        "System.ArgumentNullException", "System.ArgumentException", "System.ArgumentOutOfRangeException",
        "System.InvalidOperationException", "System.NotSupportedException", "System.IndexOutOfRangeException",
        "System.DivideByZeroException", "System.OverflowException", "System.ArithmeticException",
        "System.FormatException", "System.Exception", "System.ObjectDisposedException", "System.Enum",
        "System.Collections.Generic.EqualityComparer<T>", "System.Collections.Generic.Comparer<T>",
    };

    // Interpolated-string handlers: they format into a buffer of their own or into the builder they
    // were created for; the call that receives the handler (StringBuilder.Append) is checked itself.
    private static readonly HashSet<string> InterpolationHandlers = new(StringComparer.Ordinal)
    {
        "System.Text.StringBuilder.AppendInterpolatedStringHandler",
        "System.Runtime.CompilerServices.DefaultInterpolatedStringHandler",
    };

    // Namespaces all of whose types are immutable and whose members are pure.
    private static readonly string[] PureNamespaces =
    {
        "System.Collections.Immutable",
    };

    // Collections a pure method may build for itself: any member on an owned receiver, readers on any.
    private static readonly HashSet<string> OwnableCollections = new(StringComparer.Ordinal)
    {
        "System.Collections.Generic.List<T>", "System.Collections.Generic.Dictionary<TKey, TValue>",
        "System.Collections.Generic.HashSet<T>", "System.Collections.Generic.Queue<T>",
        "System.Collections.Generic.Stack<T>", "System.Collections.Generic.SortedSet<T>",
        "System.Collections.Generic.SortedDictionary<TKey, TValue>", "System.Collections.Generic.LinkedList<T>",
        "System.Collections.Generic.PriorityQueue<TElement, TPriority>", "System.Text.StringBuilder",
        "System.Span<T>", "System.Memory<T>", "System.Array",
    };

    // Members of ownable collections that only read, so they are pure on any receiver.
    private static readonly HashSet<string> Readers = new(StringComparer.Ordinal)
    {
        "Count", "Length", "LongLength", "Rank", "Capacity", "IsEmpty", "get_Item", "this[]", "Contains", "ContainsKey",
        "ContainsValue", "TryGetValue", "IndexOf", "LastIndexOf", "BinarySearch", "ToArray", "ToString", "GetLength",
        "GetUpperBound", "GetLowerBound", "GetEnumerator", "Peek", "TryPeek", "Exists", "Find", "FindIndex",
        "FindLast", "FindAll", "TrueForAll", "Slice", "Span", "GetValueOrDefault", "Keys", "Values", "Comparer",
        "First", "Last", "Min", "Max", "Clone", "Equals", "GetHashCode", "AsSpan", "AsMemory", "Empty", "IsFixedSize",
        "IsReadOnly", "IsSynchronized", "GetValue", "ConvertAll", "GetRange", "op_Implicit", "CopyTo", "TryCopyTo",
    };

    // Members that write a destination argument (pure when the destination is owned).
    private static readonly HashSet<string> DestinationWriters = new(StringComparer.Ordinal)
    {
        "CopyTo", "TryCopyTo", "Copy", "ConstrainedCopy", "BlockCopy",
    };

    /// <summary>Looks up a framework member.</summary>
    public static CatalogueEntry Lookup(ISymbol member)
    {
        INamedTypeSymbol? type = member.ContainingType;
        if (type is null)
        {
            return CatalogueEntry.Unknown;
        }

        string typeName = type.OriginalDefinition.ToDisplayString(TypeNameFormat);
        string ns = type.ContainingNamespace?.ToDisplayString() ?? string.Empty;

        if (typeName == "System.Numerics.Tensors.TensorPrimitives")
        {
            // Reductions (Sum, Dot, Norm, ...) return a value; element-wise operations write 'destination'.
            return HasDestinationParameter(member) ? CatalogueEntry.WritesDestination : CatalogueEntry.Pure;
        }

        if (typeName == "System.MemoryExtensions")
        {
            return HasWritableSpanFirstParameter(member) ? CatalogueEntry.WritesDestination : CatalogueEntry.Pure;
        }

        if (typeName == "System.Collections.Immutable.ImmutableInterlocked")
        {
            // Compare-and-swap on shared locations: not pure, even in the immutable namespace.
            return CatalogueEntry.Unknown;
        }

        if (type.Name == "Builder" && Array.IndexOf(PureNamespaces, ns) >= 0)
        {
            // The builders of immutable collections are mutable: like an ownable collection.
            string builderMember = member is IMethodSymbol { MethodKind: MethodKind.PropertyGet } builderGetter
                ? builderGetter.AssociatedSymbol?.Name ?? builderGetter.Name
                : member.Name;
            return Readers.Contains(builderMember) || builderMember == "ToImmutable" || member is IPropertySymbol { IsReadOnly: true }
                ? CatalogueEntry.Pure
                : CatalogueEntry.MutatesReceiver;
        }

        if (member is IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator or MethodKind.Conversion } && type.TypeKind != TypeKind.Interface)
        {
            // The framework's operators and conversions (DateTime - DateTime, (double)decimal) compute a value.
            // Operators of generic-math interfaces are not here: the type argument's implementation runs.
            return CatalogueEntry.Pure;
        }

        if (PureTypes.Contains(typeName) || InterpolationHandlers.Contains(typeName) || Array.IndexOf(PureNamespaces, ns) >= 0)
        {
            return CatalogueEntry.Pure;
        }

        if (type.ContainingType is { } outer && OwnableCollections.Contains(outer.OriginalDefinition.ToDisplayString(TypeNameFormat)))
        {
            // A collection's nested views and enumerators (Dictionary<TKey, TValue>.KeyCollection,
            // List<T>.Enumerator): readers are pure; the rest change the view or enumerator itself.
            string nestedName = member is IMethodSymbol { MethodKind: MethodKind.PropertyGet } nestedGetter
                ? nestedGetter.AssociatedSymbol?.Name ?? nestedGetter.Name
                : member.Name;
            return Readers.Contains(nestedName) || member is IPropertySymbol { IsReadOnly: true } || nestedName == "Current"
                ? CatalogueEntry.Pure
                : DestinationWriters.Contains(nestedName) ? CatalogueEntry.WritesDestination : CatalogueEntry.MutatesReceiver;
        }

        if (OwnableCollections.Contains(typeName))
        {
            string name = member is IMethodSymbol { MethodKind: MethodKind.PropertyGet } getter
                ? getter.AssociatedSymbol?.Name ?? getter.Name
                : member.Name;
            if (member is IMethodSymbol { MethodKind: MethodKind.Constructor })
            {
                return CatalogueEntry.Pure;
            }

            if (member.IsStatic && typeName == "System.Array")
            {
                return DestinationWriters.Contains(name) || name is "Sort" or "Reverse" or "Fill" or "Clear" or "Resize"
                    ? CatalogueEntry.WritesDestination
                    : CatalogueEntry.Pure;
            }

            if (DestinationWriters.Contains(name))
            {
                return CatalogueEntry.WritesDestination;
            }

            return Readers.Contains(name) || member is IPropertySymbol { IsReadOnly: true } ? CatalogueEntry.Pure : CatalogueEntry.MutatesReceiver;
        }

        if ((member.Name is "GetHashCode" or "Equals" or "ToString" or "GetType" or "CompareTo"
                || member is IMethodSymbol { MethodKind: MethodKind.Constructor })
            && type.SpecialType == SpecialType.System_Object)
        {
            return CatalogueEntry.Pure;
        }

        return CatalogueEntry.Unknown;
    }

    /// <summary>A short reason for well-known impure framework members, for the SPEC002 message ("it does I/O"); empty when none is known.</summary>
    public static string ReasonFor(ISymbol member)
    {
        string typeName = member.ContainingType?.OriginalDefinition.ToDisplayString(TypeNameFormat) ?? string.Empty;
        string ns = member.ContainingType?.ContainingNamespace?.ToDisplayString() ?? string.Empty;
        if (typeName is "System.Console" || ns.StartsWith("System.IO", StringComparison.Ordinal) || ns.StartsWith("System.Net", StringComparison.Ordinal))
        {
            return "it does I/O";
        }

        if (typeName is "System.Random" or "System.Guid" or "System.Diagnostics.Stopwatch"
            || (typeName is "System.DateTime" or "System.DateTimeOffset" && member.Name is "Now" or "UtcNow" or "Today" or "get_Now" or "get_UtcNow" or "get_Today"))
        {
            return "its result is non-deterministic";
        }

        if (typeName is "System.Environment")
        {
            return "it reads the process environment";
        }

        if (typeName is "System.Threading.Interlocked" or "System.Threading.Volatile" or "System.Threading.Monitor"
            || ns.StartsWith("System.Threading", StringComparison.Ordinal))
        {
            return "it synchronizes threads or shares state";
        }

        return string.Empty;
    }

    private static bool HasDestinationParameter(ISymbol member)
    {
        if (member is IMethodSymbol method)
        {
            foreach (IParameterSymbol p in method.Parameters)
            {
                if (p.Name == "destination")
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool HasWritableSpanFirstParameter(ISymbol member) =>
        member is IMethodSymbol { Parameters.Length: > 0 } method
        && method.Parameters[0].Type.OriginalDefinition.ToDisplayString() is "System.Span<T>" or "T[]"
        && method.Name is not ("IndexOf" or "LastIndexOf" or "Contains" or "SequenceEqual" or "StartsWith" or "EndsWith" or "BinarySearch" or "IndexOfAny" or "CommonPrefixLength" or "SequenceCompareTo" or "Count" or "AsSpan" or "AsMemory" or "Overlaps" or "Trim" or "TrimStart" or "TrimEnd" or "ContainsAny" or "IndexOfAnyExcept" or "LastIndexOfAny");
}
