using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

public sealed partial class FuturePlan
{
    private sealed partial class Builder
    {
        /// <summary>
        /// Finds, in evaluation order, the pure calls of an expression that can be made before the rest
        /// of it: everything evaluated before such a call (other than earlier calls taken out and their
        /// arguments) can neither throw nor have an effect.
        /// </summary>
        private sealed class Hoisting
        {
            private readonly Builder builder;
            private readonly SyntaxNode statement;
            private readonly List<FutureCandidate> hoisted;

            public Hoisting(Builder builder, SyntaxNode statement, List<FutureCandidate> hoisted)
            {
                Barrier = null;
                this.builder = builder;
                this.statement = statement;
                this.hoisted = hoisted;
            }

            /// <summary>The first operation that stopped calls after it from being taken out.</summary>
            public IOperation? Barrier { get; private set; }

            /// <summary>Scans an operation; false when something in it stops calls after it from being taken out.</summary>
            public bool Scan(IOperation operation)
            {
                bool clean = ScanOperation(operation);
                if (!clean && Barrier is null)
                {
                    Barrier = operation;
                }

                return clean;
            }

            private bool ScanOperation(IOperation operation)
            {
                switch (operation)
                {
                    case IInvocationOperation invocation when Candidate(invocation) is { } candidate:
                    {
                        // Calls in its arguments are taken out while nothing before them stops it; the
                        // rest of the arguments are evaluated as part of this call.
                        bool clean = true;
                        IOperation? barrier = Barrier;
                        foreach (IArgumentOperation argument in invocation.Arguments)
                        {
                            clean = clean && Scan(argument.Value);
                        }

                        Barrier = barrier;

                        hoisted.Add(candidate);
                        return true;
                    }

                    case IInvocationOperation invocation:
                        // Any other call is a barrier, after its receiver and arguments (named arguments
                        // may be evaluated out of parameter order: then nothing inside is taken out).
                        if (!invocation.Arguments.Any(static a => a.ArgumentKind == ArgumentKind.Explicit && a.Syntax is ArgumentSyntax { NameColon: not null })
                            && (invocation.Instance is null || Scan(invocation.Instance)))
                        {
                            foreach (IArgumentOperation argument in invocation.Arguments)
                            {
                                if (!Scan(argument))
                                {
                                    break;
                                }
                            }
                        }

                        return false;
                    case IAnonymousFunctionOperation or IDelegateCreationOperation { Target: IAnonymousFunctionOperation }:
                        return true;
                    case IConditionalOperation conditional:
                        return Scan(conditional.Condition) && FutureCandidates.IsSideEffectFree(conditional.WhenTrue)
                            && conditional.WhenFalse is not null && FutureCandidates.IsSideEffectFree(conditional.WhenFalse);
                    case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr, OperatorMethod: null } logical:
                        return Scan(logical.LeftOperand) && FutureCandidates.IsSideEffectFree(logical.RightOperand);
                    case ICoalesceOperation or IConditionalAccessOperation or ISwitchExpressionOperation or IIsPatternOperation
                        or IInterpolatedStringOperation or IObjectOrCollectionInitializerOperation or IWithOperation:
                        return false;
                    case ISimpleAssignmentOperation { IsRef: false } assignment:
                        // The target's parts are evaluated first; its own check (null, bounds) and the store
                        // come after the value.
                        if (TargetParts(assignment.Target).All(Scan))
                        {
                            Scan(assignment.Value);
                        }

                        return false;
                    default:
                        foreach (IOperation child in operation.ChildOperations)
                        {
                            if (!Scan(child))
                            {
                                return false;
                            }
                        }

                        return operation is IArgumentOperation { ArgumentKind: ArgumentKind.Explicit or ArgumentKind.DefaultValue, Parameter.RefKind: RefKind.None }
                            || FutureCandidates.IsMovableNode(operation);
                }
            }

            private static IEnumerable<IOperation> TargetParts(IOperation target) => target switch
            {
                ILocalReferenceOperation or IParameterReferenceOperation => Enumerable.Empty<IOperation>(),
                IArrayElementReferenceOperation element => new[] { element.ArrayReference }.Concat(element.Indices),
                IFieldReferenceOperation { Instance: { } instance } => new[] { instance },
                IFieldReferenceOperation => Enumerable.Empty<IOperation>(),
                _ => new[] { target },
            };

            private FutureCandidate? Candidate(IInvocationOperation invocation) =>
                FutureCandidates.TryGet(invocation, statement, builder.host, builder.purity, builder.cancellationToken);
        }
    }
}
