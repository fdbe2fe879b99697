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
    /// <summary>Turns statements into drafts and plans, recursively.</summary>
    private sealed partial class Builder
    {
        private readonly SemanticModel model;
        private readonly PurityAnalysis purity;
        private readonly IMethodSymbol host;
        private readonly CancellationToken cancellationToken;
        private readonly Dictionary<string, HashSet<string>> localFunctionReads;
        private readonly string temporaryPrefix;
        private readonly SyntaxNode root;
        private int temporaries;

        public Builder(SemanticModel model, PurityAnalysis purity, IMethodSymbol host, SyntaxNode body, CancellationToken cancellationToken)
        {
            this.model = model;
            this.purity = purity;
            this.host = host;
            this.cancellationToken = cancellationToken;
            localFunctionReads = LocalFunctionReads(body);
            root = body;

            // Temporaries are "__call0", "__call1", ...; the twin's own locals for them "__future_call0",
            // ... A body whose names could collide with those gets another prefix.
            var names = new HashSet<string>(body.DescendantTokens().Where(static t => t.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.IdentifierToken)).Select(static t => t.ValueText));
            temporaryPrefix = new[] { "call", "pureCall", "hoisted" }.FirstOrDefault(p => !names.Any(n => n.Contains(p))) ?? "call";
        }

        public FuturePlan Plan(SyntaxNode container, IReadOnlyList<StatementSyntax> statements)
        {
            var drafts = new List<Draft>();
            var keptApart = ImmutableArray.CreateBuilder<KeptApart>();
            for (int i = 0; i < statements.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Lower(i, statements[i], drafts, keptApart);
            }

            return Decide(container, statements, drafts, keptApart.ToImmutable());
        }

        /// <summary>The plan of one arm of a conditional expression: its calls, then the statement that uses its value.</summary>
        private FuturePlan PlanArm(ExpressionSyntax arm, string prefix, string suffix)
        {
            var drafts = new List<Draft>();
            var keptApart = ImmutableArray.CreateBuilder<KeptApart>();
            Lower(0, arm, drafts, keptApart, prefix + "\u0001" + suffix);
            FuturePlan plan = Decide(arm, System.Array.Empty<StatementSyntax>(), drafts, keptApart.ToImmutable());
            plan.ArmPrefix = prefix;
            plan.ArmSuffix = suffix;
            return plan;
        }

        /// <summary>
        /// A return, declaration or assignment of a conditional expression whose arms make calls, as
        /// a choice between two planned arms; null for any other statement.
        /// </summary>
        private FutureChoice? Choice(SyntaxNode statement, string? arm)
        {
            (ExpressionSyntax? value, FutureChoiceKind kind, string? variable, TypeSyntax? declaredType, ITypeSymbol? variableType) = statement switch
            {
                ReturnStatementSyntax { Expression: { } returned } => (returned, FutureChoiceKind.Return, null, null, null),
                ArrowExpressionClauseSyntax { Expression: { } body } when !host.ReturnsVoid => (body, FutureChoiceKind.Return, null, null, null),
                LocalDeclarationStatementSyntax { IsConst: false, UsingKeyword.RawKind: 0, Declaration: { Variables.Count: 1, Type: not RefTypeSyntax } declaration }
                    when declaration.Variables[0].Initializer is { } initializer
                    => (initializer.Value, FutureChoiceKind.Declare, declaration.Variables[0].Identifier.Text, declaration.Type,
                        (model.GetDeclaredSymbol(declaration.Variables[0], cancellationToken) as ILocalSymbol)?.Type),
                ExpressionStatementSyntax { Expression: AssignmentExpressionSyntax { RawKind: (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.SimpleAssignmentExpression, Left: IdentifierNameSyntax target } assignment }
                    when model.GetSymbolInfo(target, cancellationToken).Symbol is ILocalSymbol { RefKind: RefKind.None } or IParameterSymbol { RefKind: RefKind.None }
                    => (assignment.Right, FutureChoiceKind.Assign, target.Identifier.Text, null, null),
                ExpressionSyntax when arm is not null => ((ExpressionSyntax)statement, FutureChoiceKind.Return, null, null, null),
                _ => (null, FutureChoiceKind.Return, null, null, null),
            };

            if (value is null || Unparenthesize(value) is not ConditionalExpressionSyntax { } conditional || conditional.WhenTrue is RefExpressionSyntax
                || !conditional.WhenTrue.DescendantNodesAndSelf().Concat(conditional.WhenFalse.DescendantNodesAndSelf()).Any(static n => n is InvocationExpressionSyntax)
                || (model.GetTypeInfo(conditional, cancellationToken).Type ?? model.GetTypeInfo(conditional, cancellationToken).ConvertedType) is not { } type
                || type.IsRefLikeType || !TwinHosts.IsNameable(type)
                || kind == FutureChoiceKind.Declare && (variableType is null || variableType.IsRefLikeType || !TwinHosts.IsNameable(variableType)))
            {
                return null;
            }

            string typeText = type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat.AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier));
            string outerPrefix = kind == FutureChoiceKind.Return ? "return " : $"{variable} = ";
            string outerSuffix = ";";
            if (arm is not null)
            {
                // An arm that is itself a choice: its own arms end the way this arm does.
                int split = arm.IndexOf('\u0001');
                outerPrefix = arm.Substring(0, split);
                outerSuffix = arm.Substring(split + 1);
            }

            // Each arm's value converted to the conditional's type, as the conditional converts it (an
            // arm of that type already needs no conversion).
            FuturePlan PlanSide(ExpressionSyntax side)
            {
                bool converts = !SymbolEqualityComparer.IncludeNullability.Equals(model.GetTypeInfo(side, cancellationToken).Type, type);
                return converts
                    ? PlanArm(side, outerPrefix + $"({typeText})(", ")" + outerSuffix)
                    : PlanArm(side, outerPrefix, outerSuffix);
            }

            return new FutureChoice(conditional, kind, variable, declaredType, type, variableType, PlanSide(conditional.WhenTrue), PlanSide(conditional.WhenFalse));
        }

        public FuturePlan PlanExpressionBody(ArrowExpressionClauseSyntax body)
        {
            var drafts = new List<Draft>();
            var keptApart = ImmutableArray.CreateBuilder<KeptApart>();
            Lower(0, body, drafts, keptApart);
            return Decide(body, System.Array.Empty<StatementSyntax>(), drafts, keptApart.ToImmutable());
        }

        private void Lower(int index, SyntaxNode statement, List<Draft> drafts, ImmutableArray<KeptApart>.Builder keptApart, string? arm = null)
        {
            if (Choice(statement, arm) is { } choice)
            {
                // The condition's calls are taken out first; then the two arms, each planned on its own.
                var conditionCalls = new List<FutureCandidate>();
                if (model.GetOperation(choice.Conditional.Condition, cancellationToken) is { } condition)
                {
                    new Hoisting(this, statement, conditionCalls).Scan(condition);
                }

                Dictionary<InvocationExpressionSyntax, FutureCall> takenFromCondition = TakeOut(index, statement, conditionCalls, drafts, declaration: false, out _);
                var chosen = new Draft(index, statement)
                {
                    Choice = choice,
                    ForcesAllBecause = "it chooses between two branches",
                    MayThrow = true,
                    HasWork = true,
                };
                foreach (KeyValuePair<InvocationExpressionSyntax, FutureCall> pair in Outermost(takenFromCondition, choice.Conditional.Condition))
                {
                    chosen.Replacements[pair.Key] = pair.Value;
                }

                chosen.Nested[choice.Conditional.WhenTrue] = choice.WhenTrue;
                chosen.Nested[choice.Conditional.WhenFalse] = choice.WhenFalse;
                chosen.Mentions = Mentions(choice.Conditional.Condition, chosen.Replacements);
                drafts.Add(chosen);
                return;
            }

            if (statement is StatementSyntax loop and (ForStatementSyntax or ForEachStatementSyntax)
                && FutureMaps.TryGet(loop, root as BlockSyntax, model, purity, host, cancellationToken) is { } map)
            {
                // A parallel map: one step that writes the destination (so pending calls are forced first).
                drafts.Add(new Draft(index, statement)
                {
                    Map = map,
                    Mentions = Mentions(statement, new Dictionary<InvocationExpressionSyntax, FutureCall>()),
                    ForcesAllBecause = "it stores into an array or a list",
                    MayThrow = true,
                    HasWork = true,
                });
                return;
            }

            var hoisted = new List<FutureCandidate>();
            var expressions = HoistableExpressions(statement).ToList();
            foreach (IOperation expression in expressions)
            {
                var hoisting = new Hoisting(this, statement, hoisted);
                if (!hoisting.Scan(expression))
                {
                    if (hoisting.Barrier is { } barrier)
                    {
                        KeptBehind(statement, expressions, hoisted, barrier, keptApart);
                    }

                    break;
                }
            }

            Dictionary<InvocationExpressionSyntax, FutureCall> taken = TakeOut(index, statement, hoisted, drafts, declaration: arm is null, out FutureCall? declared);
            if (declared is not null)
            {
                return;
            }

            var rest = new Draft(index, statement);
            foreach (KeyValuePair<InvocationExpressionSyntax, FutureCall> pair in Outermost(taken, statement))
            {
                rest.Replacements[pair.Key] = pair.Value;
            }

            foreach ((SyntaxNode container, IReadOnlyList<StatementSyntax> statements) in NestedLists(statement))
            {
                rest.Nested[container] = Plan(container, statements);
            }

            rest.Mentions = Mentions(statement, rest.Replacements);
            if (arm is not null)
            {
                rest.ForcesAllBecause = "it ends a branch";
            }
            else
            {
                Classify(statement, rest, new HashSet<SyntaxNode>(taken.Keys));
            }

            drafts.Add(rest);
        }

        /// <summary>
        /// Adds a call step for each call taken out of a statement, inner ones first; each is read by
        /// the next step that contains it. A declaration <c>T x = F(...)</c> makes its call the step of
        /// its variable (returned in <paramref name="declared"/>).
        /// </summary>
        private Dictionary<InvocationExpressionSyntax, FutureCall> TakeOut(int index, SyntaxNode statement, List<FutureCandidate> hoisted, List<Draft> drafts, bool declaration,
            out FutureCall? declared)
        {
            var taken = new Dictionary<InvocationExpressionSyntax, FutureCall>();
            declared = null;
            for (int k = 0; k < hoisted.Count; k++)
            {
                FutureCandidate candidate = hoisted[k];
                var draft = new Draft(index, statement);
                Dictionary<InvocationExpressionSyntax, FutureCall> inner = Outermost(taken, candidate.InvocationSyntax);
                foreach (KeyValuePair<InvocationExpressionSyntax, FutureCall> pair in inner)
                {
                    draft.Replacements[pair.Key] = pair.Value;
                }

                ImmutableHashSet<string> mentions = Mentions(candidate.InvocationSyntax, inner).ToImmutableHashSet();
                FutureCall call;
                if (declaration && k == hoisted.Count - 1 && DeclaredBy(statement, candidate) is { } declarationStatement)
                {
                    VariableDeclaratorSyntax variable = declarationStatement.Declaration.Variables[0];
                    call = new FutureCall(candidate, variable.Identifier.Text, isTemporary: false, declarationStatement.Declaration.Type, mentions);
                    declared = call;
                }
                else
                {
                    call = new FutureCall(candidate, "__" + temporaryPrefix + temporaries++, isTemporary: true, declaredType: null, mentions);
                }

                draft.Call = call;
                draft.Mentions = new HashSet<string>(mentions);
                draft.KeepsPending = true;
                drafts.Add(draft);
                taken[candidate.InvocationSyntax] = call;
            }

            return taken;
        }

        /// <summary>The pure calls of a statement that stay in it because of what is evaluated before them.</summary>
        private void KeptBehind(SyntaxNode statement, List<IOperation> expressions, List<FutureCandidate> hoisted, IOperation barrier, ImmutableArray<KeptApart>.Builder keptApart)
        {
            var taken = new HashSet<SyntaxNode>(hoisted.Select(static h => (SyntaxNode)h.InvocationSyntax));
            string reason = barrier switch
            {
                IConditionalOperation or ICoalesceOperation or IConditionalAccessOperation or ISwitchExpressionOperation or IIsPatternOperation
                    or IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd or BinaryOperatorKind.ConditionalOr } => "is evaluated only on some paths",
                IInvocationOperation or IObjectCreationOperation or IPropertyReferenceOperation => "runs before it and is not a pure call that can start early",
                IAssignmentOperation => "writes a variable before it",
                _ => "may throw before it",
            };

            foreach (IOperation expression in expressions)
            {
                foreach (InvocationExpressionSyntax invocation in expression.Syntax.DescendantNodesAndSelf(static n => n is not AnonymousFunctionExpressionSyntax).OfType<InvocationExpressionSyntax>())
                {
                    if (!taken.Contains(invocation) && invocation.SpanStart >= barrier.Syntax.SpanStart
                        && model.GetOperation(invocation, cancellationToken) is IInvocationOperation operation
                        && FutureCandidates.TryGet(operation, statement, host, purity, cancellationToken) is { } candidate)
                    {
                        keptApart.Add(new KeptApart(candidate, barrier.Syntax, reason));
                    }
                }
            }
        }

        /// <summary>
        /// The declaration <c>T x = F(...);</c> whose whole initializer is the call, so that the call
        /// is the declaration's own step.
        /// </summary>
        private LocalDeclarationStatementSyntax? DeclaredBy(SyntaxNode statement, FutureCandidate candidate)
        {
            if (statement is not LocalDeclarationStatementSyntax declaration
                || declaration.IsConst || declaration.UsingKeyword != default || declaration.AwaitKeyword != default
                || declaration.Declaration.Variables.Count != 1 || declaration.Declaration.Type is RefTypeSyntax
                || declaration.Declaration.Variables[0].Initializer?.Value is not { } value
                || Unparenthesize(value) != candidate.InvocationSyntax
                || model.GetOperation(declaration.Declaration.Variables[0], cancellationToken) is not IVariableDeclaratorOperation { Initializer.Value: { } initializer })
            {
                return null;
            }

            // An implicit conversion of the result runs where the value is bound: only one that runs
            // no user code may move there.
            return initializer is IConversionOperation { OperatorMethod: not null } ? null : declaration;
        }

        private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
        {
            while (expression is ParenthesizedExpressionSyntax parenthesized)
            {
                expression = parenthesized.Expression;
            }

            return expression;
        }

        /// <summary>The expressions of a statement that are evaluated first, in order, whose calls may be taken out.</summary>
        private IEnumerable<IOperation> HoistableExpressions(SyntaxNode statement)
        {
            IEnumerable<ExpressionSyntax?> expressions = statement switch
            {
                LocalDeclarationStatementSyntax { IsConst: false, UsingKeyword.RawKind: 0, AwaitKeyword.RawKind: 0 } declaration
                    when declaration.Declaration.Type is not RefTypeSyntax
                    => declaration.Declaration.Variables.Select(static v => v.Initializer?.Value),
                ExpressionStatementSyntax expressionStatement => new[] { expressionStatement.Expression },
                ReturnStatementSyntax { Expression: { } value } => new[] { value },
                IfStatementSyntax ifStatement => new[] { ifStatement.Condition },
                SwitchStatementSyntax switchStatement => new[] { switchStatement.Expression },
                ArrowExpressionClauseSyntax arrow => new[] { arrow.Expression },
                ExpressionSyntax arm => new[] { arm },
                _ => Enumerable.Empty<ExpressionSyntax?>(),
            };

            foreach (ExpressionSyntax? expression in expressions)
            {
                if (expression is null || model.GetOperation(expression, cancellationToken) is not { } operation)
                {
                    yield break;
                }

                yield return operation;
            }
        }

        /// <summary>The statement lists inside a compound statement, each planned on its own.</summary>
        private static IEnumerable<(SyntaxNode Container, IReadOnlyList<StatementSyntax> Statements)> NestedLists(SyntaxNode statement)
        {
            IEnumerable<StatementSyntax?> embedded = statement switch
            {
                BlockSyntax block => new[] { block },
                IfStatementSyntax ifStatement => new[] { ifStatement.Statement, ifStatement.Else?.Statement },
                ForStatementSyntax loop => new[] { loop.Statement },
                CommonForEachStatementSyntax loop => new[] { loop.Statement },
                WhileStatementSyntax loop => new[] { loop.Statement },
                DoStatementSyntax loop => new[] { loop.Statement },
                UsingStatementSyntax usingStatement => new[] { usingStatement.Statement },
                LockStatementSyntax lockStatement => new[] { lockStatement.Statement },
                FixedStatementSyntax fixedStatement => new[] { fixedStatement.Statement },
                CheckedStatementSyntax checkedStatement => new[] { checkedStatement.Block },
                UnsafeStatementSyntax unsafeStatement => new[] { unsafeStatement.Block },
                TryStatementSyntax tryStatement => new StatementSyntax?[] { tryStatement.Block }
                    .Concat(tryStatement.Catches.Select(static c => c.Block))
                    .Concat(new[] { tryStatement.Finally?.Block }),
                _ => Enumerable.Empty<StatementSyntax?>(),
            };

            foreach (StatementSyntax? inner in embedded)
            {
                switch (inner)
                {
                    case null:
                        break;
                    case BlockSyntax block when statement is not BlockSyntax:
                        yield return (block, block.Statements);
                        break;
                    case BlockSyntax block:
                        yield return (block, block.Statements);
                        break;
                    default:
                        yield return (inner, new[] { inner });
                        break;
                }
            }

            if (statement is SwitchStatementSyntax switchStatement)
            {
                foreach (SwitchSectionSyntax section in switchStatement.Sections)
                {
                    yield return (section, section.Statements);
                }
            }
        }

        /// <summary>How pending calls fare across a statement.</summary>
        private void Classify(SyntaxNode statement, Draft draft, HashSet<SyntaxNode> taken)
        {
            if (statement is LocalFunctionStatementSyntax)
            {
                // A declaration only: nothing runs here.
                draft.KeepsPending = true;
                return;
            }

            if (Leaves(statement) is { } leaves)
            {
                draft.ForcesAllBecause = leaves;
                return;
            }

            if (model.GetOperation(statement is ArrowExpressionClauseSyntax arrow ? arrow.Expression : statement, cancellationToken) is not { } operation
                || operation.DescendantsAndSelf().Any(static o => o is IInvalidOperation))
            {
                draft.ForcesAllBecause = "it could not be analysed";
                return;
            }

            if (!purity.IsPureStatement(operation, host, cancellationToken))
            {
                draft.ForcesAllBecause = "it may have side effects";
                return;
            }

            draft.MayThrow = MayThrow(operation, taken);
            draft.HasWork = HasWork(statement, taken);
            if (!draft.MayThrow)
            {
                draft.KeepsPending = true;
                return;
            }

            if (statement is LocalDeclarationStatementSyntax declaration)
            {
                // Guarded by declaring the variable before a try and assigning it inside.
                if (declaration.IsConst || declaration.UsingKeyword != default || declaration.Declaration.Variables.Count != 1
                    || declaration.Declaration.Type is RefTypeSyntax || declaration.Declaration.Variables[0].Initializer is null
                    || HasDesignations(declaration.Declaration.Variables[0].Initializer!)
                    || model.GetDeclaredSymbol(declaration.Declaration.Variables[0], cancellationToken) is not ILocalSymbol local
                    || local.Type.IsRefLikeType || !TwinHosts.IsNameable(local.Type))
                {
                    draft.ForcesAllBecause = "it may throw, and its variable cannot be declared before a try";
                    return;
                }

                draft.Declared = local;
                draft.KeepsPending = true;
                return;
            }

            if (HasDesignations(statement))
            {
                draft.ForcesAllBecause = "it may throw, and declares variables that a try would hide";
                return;
            }

            draft.KeepsPending = true;
        }

        /// <summary>Why control can leave the statement other than by reaching its end or by an exception; null when it cannot.</summary>
        private string? Leaves(SyntaxNode statement)
        {
            if (statement is ArrowExpressionClauseSyntax && !host.ReturnsVoid)
            {
                return "it returns";
            }

            foreach (SyntaxNode node in statement.DescendantNodesAndSelf(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            {
                switch (node)
                {
                    case ReturnStatementSyntax:
                        return "it returns";
                    case YieldStatementSyntax:
                        return "it yields";
                    case GotoStatementSyntax:
                        return "it jumps";
                    case LabeledStatementSyntax:
                        return "it is a jump target";
                    case ThrowStatementSyntax when node == statement:
                        return "it throws";
                    case AwaitExpressionSyntax:
                        return "it awaits";
                    case BreakStatementSyntax or ContinueStatementSyntax when !TargetInside(node, statement):
                        return node is BreakStatementSyntax ? "it breaks out of the block" : "it continues an enclosing loop";
                }
            }

            return null;
        }

        private static bool TargetInside(SyntaxNode jump, SyntaxNode statement)
        {
            for (SyntaxNode? node = jump.Parent; node is not null; node = node.Parent)
            {
                bool target = node is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                    || (jump is BreakStatementSyntax && node is SwitchStatementSyntax);
                if (target)
                {
                    return statement.Span.Contains(node.Span);
                }

                if (node == statement)
                {
                    return false;
                }
            }

            return false;
        }

        private static bool HasDesignations(SyntaxNode node) =>
            node.DescendantNodesAndSelf(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                .Any(static n => n is SingleVariableDesignationSyntax);

        private static bool HasWork(SyntaxNode statement, HashSet<SyntaxNode> taken) =>
            statement.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax) && !taken.Contains(n))
                .Any(n => n is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax
                    || n is InvocationExpressionSyntax && !taken.Contains(n));

        /// <summary>
        /// True unless every operation of the statement is known not to throw (calls taken out of it
        /// are read from their variables).
        /// </summary>
        private static bool MayThrow(IOperation operation, HashSet<SyntaxNode> taken)
        {
            if (operation is IInvocationOperation && taken.Contains(operation.Syntax))
            {
                return false;
            }

            switch (operation)
            {
                case IAnonymousFunctionOperation or ILocalFunctionOperation or IEmptyOperation:
                    return false;
                case IBlockOperation or IExpressionStatementOperation or IVariableDeclarationGroupOperation or IVariableDeclarationOperation
                    or IVariableDeclaratorOperation or IVariableInitializerOperation:
                    break;
                case ISimpleAssignmentOperation { IsRef: false, Target: ILocalReferenceOperation or IParameterReferenceOperation }:
                case IConditionalOperation { Type: null } or IWhileLoopOperation or IForLoopOperation or IBranchOperation:
                    break;
                case IIncrementOrDecrementOperation { OperatorMethod: null, IsChecked: false, Target: ILocalReferenceOperation or IParameterReferenceOperation } increment
                    when increment.Type?.SpecialType is >= SpecialType.System_Char and <= SpecialType.System_Double and not SpecialType.System_Decimal:
                    break;
                case ICompoundAssignmentOperation { OperatorMethod: null, IsChecked: false, Target: ILocalReferenceOperation or IParameterReferenceOperation } compound
                    when compound.OperatorKind is not (BinaryOperatorKind.Divide or BinaryOperatorKind.Remainder)
                        && compound.Type?.SpecialType is >= SpecialType.System_Char and <= SpecialType.System_Double and not SpecialType.System_Decimal:
                    break;
                default:
                    if (!FutureCandidates.IsMovableNode(operation))
                    {
                        return true;
                    }

                    break;
            }

            return operation.ChildOperations.Any(child => MayThrow(child, taken));
        }

        /// <summary>The calls taken out of <paramref name="node"/> that no other taken call inside it contains.</summary>
        private static Dictionary<InvocationExpressionSyntax, FutureCall> Outermost(Dictionary<InvocationExpressionSyntax, FutureCall> taken, SyntaxNode node)
        {
            var result = new Dictionary<InvocationExpressionSyntax, FutureCall>();
            foreach (KeyValuePair<InvocationExpressionSyntax, FutureCall> pair in taken)
            {
                if (!node.Span.Contains(pair.Key.Span))
                {
                    continue;
                }

                bool covered = taken.Keys.Any(other => other != pair.Key && other != node && other.Span.Contains(pair.Key.Span) && node.Span.Contains(other.Span));
                if (!covered)
                {
                    result[pair.Key] = pair.Value;
                }
            }

            return result;
        }

        /// <summary>
        /// The names a piece of code reads or writes, as far as pending calls are concerned: its
        /// identifiers outside the calls taken out of it, their temporaries, and what the local
        /// functions it calls read.
        /// </summary>
        private HashSet<string> Mentions(SyntaxNode node, Dictionary<InvocationExpressionSyntax, FutureCall> replaced)
        {
            var names = new HashSet<string>();
            foreach (SyntaxNode descendant in node.DescendantNodesAndSelf(n => n is not InvocationExpressionSyntax invocation || !replaced.ContainsKey(invocation)))
            {
                if (descendant is InvocationExpressionSyntax invocation && replaced.TryGetValue(invocation, out FutureCall? call))
                {
                    names.Add(call.Variable);
                }
                else if (descendant is IdentifierNameSyntax identifier)
                {
                    names.Add(identifier.Identifier.ValueText);
                    if (localFunctionReads.TryGetValue(identifier.Identifier.ValueText, out HashSet<string>? reads))
                    {
                        names.UnionWith(reads);
                    }
                }
            }

            return names;
        }

        /// <summary>For each local function of the body, the names its body mentions, through the local functions it calls.</summary>
        private static Dictionary<string, HashSet<string>> LocalFunctionReads(SyntaxNode body)
        {
            var direct = new Dictionary<string, HashSet<string>>();
            foreach (LocalFunctionStatementSyntax function in body.DescendantNodes().OfType<LocalFunctionStatementSyntax>())
            {
                var names = new HashSet<string>(function.DescendantNodes().OfType<IdentifierNameSyntax>().Select(static id => id.Identifier.ValueText));
                if (direct.TryGetValue(function.Identifier.ValueText, out HashSet<string>? existing))
                {
                    existing.UnionWith(names);
                }
                else
                {
                    direct[function.Identifier.ValueText] = names;
                }
            }

            bool changed = true;
            while (changed)
            {
                changed = false;
                foreach (KeyValuePair<string, HashSet<string>> pair in direct)
                {
                    foreach (string callee in pair.Value.Where(direct.ContainsKey).ToList())
                    {
                        int before = pair.Value.Count;
                        pair.Value.UnionWith(direct[callee]);
                        changed |= pair.Value.Count != before;
                    }
                }
            }

            return direct;
        }
    }
}
