using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

/// <summary>What a twin does with one statement of the block it rewrites.</summary>
public enum FutureStepKind
{
    /// <summary>The statement as written: nothing that can still be running could be affected by it.</summary>
    Plain,

    /// <summary>A pure call that starts as a conditional future: something else runs before its value is needed.</summary>
    Start,

    /// <summary>
    /// A pure call made right here, while earlier calls may still be running: its exception waits for
    /// theirs. Its value is bound to its variable where it is forced, with the earlier ones.
    /// </summary>
    Direct,

    /// <summary>
    /// A pure declaration that may throw while earlier calls may still be running: declared before a
    /// <c>try</c> whose <c>catch</c> waits for them.
    /// </summary>
    Guarded,
}

/// <summary>One statement of a <see cref="FuturePlan"/>.</summary>
public sealed class FutureStep
{
    internal FutureStep(StatementSyntax statement, FutureStepKind kind, FutureCandidate? candidate, ImmutableArray<FutureCandidate> forcedBefore,
        ImmutableArray<FutureCandidate> running, ILocalSymbol? declared)
    {
        Statement = statement;
        Kind = kind;
        Candidate = candidate;
        ForcedBefore = forcedBefore;
        Running = running;
        Declared = declared;
    }

    public StatementSyntax Statement { get; }

    public FutureStepKind Kind { get; }

    /// <summary>The pure call of a <see cref="FutureStepKind.Start"/> or <see cref="FutureStepKind.Direct"/> step.</summary>
    public FutureCandidate? Candidate { get; }

    /// <summary>Started or direct calls whose values are bound before this statement, in program order.</summary>
    public ImmutableArray<FutureCandidate> ForcedBefore { get; }

    /// <summary>Started calls that may still be running while this statement runs, in program order.</summary>
    public ImmutableArray<FutureCandidate> Running { get; }

    /// <summary>The variable a <see cref="FutureStepKind.Guarded"/> step declares.</summary>
    public ILocalSymbol? Declared { get; }
}

/// <summary>
/// Pure calls that overlap: from the first call started as a future to the last call that runs
/// while an earlier one may still be running. All its statements are local declarations.
/// </summary>
public sealed class FutureRun
{
    internal FutureRun(int first, int last, ImmutableArray<FutureCandidate> calls)
    {
        First = first;
        Last = last;
        Calls = calls;
    }

    /// <summary>Index of the run's first statement (a started call) in the block.</summary>
    public int First { get; }

    /// <summary>Index of the run's last call in the block.</summary>
    public int Last { get; }

    /// <summary>The number of statements from the first to the last call.</summary>
    public int Length => Last - First + 1;

    /// <summary>The started and direct calls of the run, in program order.</summary>
    public ImmutableArray<FutureCandidate> Calls { get; }
}

/// <summary>
/// Where each pure call of a block starts and where its value is forced. Shared by the generator
/// (which emits it) and the analyzers (which explain it), so both always agree.
/// </summary>
/// <remarks>
/// A pure call's value stays pending across the statements that follow it as long as they are pure
/// local declarations (pure calls included) that do not mention it: such declarations write nothing
/// that existed before them, so nothing reachable from the call's arguments changes. A declaration
/// that mentions pending variables forces, in program order, every pending call up to the last one
/// it mentions (so that an earlier call's exception still surfaces first). Any other statement, and
/// the end of the block, forces everything pending. A call starts as a future only when another pure
/// call runs before its value is forced: pure declarations alone are too little work to pay for one.
/// </remarks>
public sealed class FuturePlan
{
    private readonly Dictionary<StatementSyntax, int> forcePoints;

    private FuturePlan(ImmutableArray<FutureStep> steps, ImmutableArray<FutureCandidate> forcedAtEnd, ImmutableArray<FutureRun> runs,
        ImmutableArray<FutureCandidate> candidates, Dictionary<StatementSyntax, int> forcePoints)
    {
        Steps = steps;
        ForcedAtEnd = forcedAtEnd;
        Runs = runs;
        Candidates = candidates;
        this.forcePoints = forcePoints;
    }

    /// <summary>One step per statement of the block, in order.</summary>
    public ImmutableArray<FutureStep> Steps { get; }

    /// <summary>Started or direct calls whose values are bound at the end of the block, in program order.</summary>
    public ImmutableArray<FutureCandidate> ForcedAtEnd { get; }

    /// <summary>The runs of overlapping calls; none means the block needs no twin.</summary>
    public ImmutableArray<FutureRun> Runs { get; }

    /// <summary>Every pure call that could start as a future, in a run or not.</summary>
    public ImmutableArray<FutureCandidate> Candidates { get; }

    /// <summary>
    /// Index of the statement before which the call's value is forced (the number of statements when
    /// it is forced at the end of the block).
    /// </summary>
    public int ForcePoint(FutureCandidate candidate) => forcePoints[candidate.Statement];

    /// <summary>The plan for a block's statements.</summary>
    public static FuturePlan Create(IReadOnlyList<StatementSyntax> statements, SemanticModel model, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        int count = statements.Count;
        var candidates = new FutureCandidate?[count];
        var declarations = new ILocalSymbol?[count];
        var mayThrow = new bool[count];
        var keepsPending = new bool[count];
        int calls = 0;
        for (int i = 0; i < count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            candidates[i] = FutureCandidates.TryGet(statements[i], model, purity, cancellationToken);
            if (candidates[i] is not null)
            {
                keepsPending[i] = true;
                calls++;
            }
        }

        // Overlap needs two calls; without them, declarations need no purity check.
        for (int i = 0; i < count && calls >= 2; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (candidates[i] is null && PureDeclaration(statements[i], model, purity, cancellationToken) is { } pure)
            {
                keepsPending[i] = true;
                declarations[i] = pure.Local;
                mayThrow[i] = pure.MayThrow;
            }
        }

        // Where each call is forced: the first statement that needs it, or needs a later call, or is
        // not a pure declaration.
        var forcedBefore = new List<int>[count + 1];
        var forcePoint = new int[count];
        var pending = new List<int>();
        for (int i = 0; i < count; i++)
        {
            int needed = pending.Count - 1;
            if (keepsPending[i])
            {
                var names = new HashSet<string>(statements[i].DescendantNodes().OfType<IdentifierNameSyntax>().Select(static id => id.Identifier.ValueText));
                while (needed >= 0 && !names.Contains(candidates[pending[needed]]!.Variable))
                {
                    needed--;
                }
            }

            forcedBefore[i] = pending.GetRange(0, needed + 1);
            pending.RemoveRange(0, needed + 1);
            foreach (int forced in forcedBefore[i])
            {
                forcePoint[forced] = i;
            }

            if (candidates[i] is not null)
            {
                pending.Add(i);
            }
        }

        forcedBefore[count] = pending;
        foreach (int forced in pending)
        {
            forcePoint[forced] = count;
        }

        // A call starts as a future when another pure call runs before it is forced; the calls inside
        // a started call's span belong to its run.
        var started = new bool[count];
        var inRun = new bool[count];
        var runs = ImmutableArray.CreateBuilder<FutureRun>();
        int runFirst = -1, runLast = -1, reach = -1;
        var runCalls = ImmutableArray.CreateBuilder<FutureCandidate>();
        for (int i = 0; i < count; i++)
        {
            if (candidates[i] is null)
            {
                continue;
            }

            for (int j = i + 1; j < forcePoint[i] && !started[i]; j++)
            {
                started[i] = candidates[j] is not null;
            }

            if (i < reach)
            {
                inRun[i] = true;
                runCalls.Add(candidates[i]!);
                runLast = i;
            }
            else if (started[i])
            {
                if (runFirst >= 0)
                {
                    runs.Add(new FutureRun(runFirst, runLast, runCalls.ToImmutable()));
                }

                runCalls.Clear();
                runFirst = runLast = i;
                inRun[i] = true;
                runCalls.Add(candidates[i]!);
            }

            if (started[i] && forcePoint[i] > reach)
            {
                reach = forcePoint[i];
            }
        }

        if (runFirst >= 0)
        {
            runs.Add(new FutureRun(runFirst, runLast, runCalls.ToImmutable()));
        }

        ImmutableArray<FutureCandidate> Calls(IEnumerable<int> indices, bool startedOnly) =>
            indices.Where(k => inRun[k] && (started[k] || !startedOnly)).Select(k => candidates[k]!).ToImmutableArray();

        var steps = ImmutableArray.CreateBuilder<FutureStep>(count);
        var running = new List<int>();
        for (int i = 0; i < count; i++)
        {
            running.RemoveAll(k => forcePoint[k] <= i);
            ImmutableArray<FutureCandidate> runningNow = Calls(running, startedOnly: true);
            FutureStepKind kind = FutureStepKind.Plain;
            if (candidates[i] is not null && inRun[i])
            {
                kind = started[i] ? FutureStepKind.Start : FutureStepKind.Direct;
            }
            else if (declarations[i] is not null && mayThrow[i] && runningNow.Length > 0)
            {
                kind = FutureStepKind.Guarded;
            }

            steps.Add(new FutureStep(statements[i], kind, candidates[i], Calls(forcedBefore[i], startedOnly: false), runningNow,
                kind == FutureStepKind.Guarded ? declarations[i] : null));
            if (started[i])
            {
                running.Add(i);
            }
        }

        var points = new Dictionary<StatementSyntax, int>();
        for (int i = 0; i < count; i++)
        {
            if (candidates[i] is not null)
            {
                points[statements[i]] = forcePoint[i];
            }
        }

        return new FuturePlan(steps.MoveToImmutable(), Calls(forcedBefore[count], startedOnly: false), runs.ToImmutable(),
            candidates.Where(static c => c is not null).Select(static c => c!).ToImmutableArray(), points);
    }

    /// <summary>
    /// A declaration pending calls may stay pending across: one variable, initialized by an expression
    /// that passes the purity check and declares nothing else. When it may throw, a twin declares its
    /// variable before a <c>try</c>, so the variable's type must be one generated code can name.
    /// </summary>
    private static (ILocalSymbol Local, bool MayThrow)? PureDeclaration(StatementSyntax statement, SemanticModel model, PurityAnalysis purity, CancellationToken cancellationToken)
    {
        if (statement is not LocalDeclarationStatementSyntax declaration
            || declaration.UsingKeyword != default || declaration.AwaitKeyword != default
            || declaration.Declaration.Variables.Count != 1 || declaration.Declaration.Type is RefTypeSyntax
            || declaration.Declaration.Variables[0] is not { Initializer.Value: { } value } variable
            || value.DescendantNodesAndSelf().Any(static n => n is SingleVariableDesignationSyntax or StackAllocArrayCreationExpressionSyntax
                or ImplicitStackAllocArrayCreationExpressionSyntax)
            || model.GetDeclaredSymbol(variable, cancellationToken) is not ILocalSymbol local
            || local.Type.IsRefLikeType
            || model.GetEnclosingSymbol(statement.SpanStart, cancellationToken) is not IMethodSymbol containing
            || model.GetOperation(variable, cancellationToken) is not IVariableDeclaratorOperation { Initializer.Value: { } initializer }
            || !purity.IsPureExpression(initializer, containing, cancellationToken))
        {
            return null;
        }

        bool mayThrow = !declaration.IsConst && !FutureCandidates.IsSideEffectFree(initializer);
        return mayThrow && !TwinHosts.IsNameable(local.Type) ? null : (local, mayThrow);
    }
}
