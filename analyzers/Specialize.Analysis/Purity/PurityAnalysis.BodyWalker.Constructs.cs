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
    // Calls C# makes for a construct: operators, conversions, Deconstruct, foreach, using, with,
    // formatting, index and range members, collection expressions and type initializers.
    private sealed partial class BodyWalker
    {
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
    }
}
