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
    // What the run-time type of a value is known to be: a type, a type parameter's argument, an
    // object the framework made from checked inputs, or not known (an object the method did not create).
    private sealed partial class BodyWalker
    {
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
    }
}
