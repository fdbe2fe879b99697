using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

/// <summary>
/// Where each pure call of a list of statements starts and where its value is forced, and the plans
/// of the statement lists nested in it. Shared by the generator (which emits it) and the analyzers
/// (which explain it), so both always agree.
/// </summary>
/// <remarks>
/// <para>
/// The statements become steps: each pure call that can be taken out of its statement (evaluated
/// before anything in the statement that could throw or have an effect) becomes a step of its own,
/// with a temporary for its value, followed by the rest of the statement; a declaration
/// <c>T x = F(...)</c> is one call step. A call's value stays pending across the steps after it as long
/// as they are other pure calls or statements that write nothing but the method's locals (and objects
/// they allocate themselves) and stay in the block, and do not mention it: pending calls are pure, so
/// they write nothing such a statement reads, and it writes nothing they read. A step that mentions
/// pending values forces, in program order, every pending call up to the last one it mentions (so
/// that an earlier call's exception still surfaces first). Any other statement, and the end of the
/// block, forces everything pending. A statement that may throw while started calls are running waits
/// for them before its exception leaves (<see cref="FutureStepKind.Guarded"/>).
/// </para>
/// <para>
/// A call starts as a future only when another pure call, or a statement with a loop or a call, runs
/// before its value is needed. At most <see cref="MaxPending"/> calls are pending at once, so that the
/// code that waits for running calls grows linearly with the method.
/// </para>
/// </remarks>
public sealed partial class FuturePlan
{
    /// <summary>The most calls pending at once; a further call first forces the earliest.</summary>
    public const int MaxPending = 16;

    private readonly Dictionary<InvocationExpressionSyntax, int> forcePoints;

    private FuturePlan(SyntaxNode container, IReadOnlyList<StatementSyntax> statements, ImmutableArray<FutureStep> steps, ImmutableArray<FutureCall> forcedAtEnd,
        ImmutableArray<FutureRun> runs, ImmutableArray<FutureCall> calls, Dictionary<InvocationExpressionSyntax, int> forcePoints, ImmutableArray<KeptApart> keptApart)
    {
        KeptApart = keptApart;
        Container = container;
        Statements = statements;
        Steps = steps;
        ForcedAtEnd = forcedAtEnd;
        Runs = runs;
        Calls = calls;
        this.forcePoints = forcePoints;
    }

    /// <summary>
    /// The block, switch section or embedded statement whose statements this plans (for a method with
    /// an expression body, its arrow clause; for an arm of a <see cref="FutureChoice"/>, the arm).
    /// </summary>
    public SyntaxNode Container { get; }

    /// <summary>For an arm of a <see cref="FutureChoice"/>: the text before the arm's value in the statement that ends it ("return (T)(", "x = (T)(").</summary>
    public string? ArmPrefix { get; private set; }

    /// <summary>For an arm of a <see cref="FutureChoice"/>: the text after the arm's value (");").</summary>
    public string? ArmSuffix { get; private set; }

    /// <summary>The statements, in order.</summary>
    public IReadOnlyList<StatementSyntax> Statements { get; }

    /// <summary>The steps, in order.</summary>
    public ImmutableArray<FutureStep> Steps { get; }

    /// <summary>Started or direct calls whose values are bound at the end of the block, in program order.</summary>
    public ImmutableArray<FutureCall> ForcedAtEnd { get; }

    /// <summary>The runs of overlapping calls of these statements (nested lists have their own).</summary>
    public ImmutableArray<FutureRun> Runs { get; }

    /// <summary>Every pure call of these statements that could start as a future, in a run or not.</summary>
    public ImmutableArray<FutureCall> Calls { get; }

    /// <summary>Pure calls of these statements kept in place by what their expression evaluates before them.</summary>
    public ImmutableArray<KeptApart> KeptApart { get; }

    /// <summary>This plan and every plan nested in it, outermost first.</summary>
    public IEnumerable<FuturePlan> AllPlans()
    {
        yield return this;
        foreach (FutureStep step in Steps)
        {
            foreach (FuturePlan nested in step.Nested.Values.OrderBy(static p => p.Container.SpanStart))
            {
                foreach (FuturePlan plan in nested.AllPlans())
                {
                    yield return plan;
                }
            }
        }
    }

    /// <summary>True when this plan or a nested one has calls that overlap: the code needs a twin.</summary>
    public bool HasRuns => AllPlans().Any(static p => p.Runs.Length > 0 || p.Steps.Any(static s => s.Map is not null));

    /// <summary>
    /// Index of the step before which the call's value is forced (the number of steps when it is
    /// forced at the end of the block).
    /// </summary>
    public int ForcePoint(FutureCall call) => forcePoints[call.InvocationSyntax];

    /// <summary>Index of the step of a call of this plan.</summary>
    public int StepOf(FutureCall call)
    {
        for (int i = 0; i < Steps.Length; i++)
        {
            if (Steps[i].Call == call)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>The plan for a method body, its nested statement lists included.</summary>
    public static FuturePlan ForBody(BlockSyntax body, SemanticModel model, PurityAnalysis purity, IMethodSymbol host, CancellationToken cancellationToken) =>
        MayOverlap(body, model, cancellationToken)
            ? new Builder(model, purity, host, body, cancellationToken).Plan(body, body.Statements)
            : Empty(body, body.Statements);

    /// <summary>The plan for a method whose body is an expression (<c>=&gt; F(a) + F(b)</c>).</summary>
    public static FuturePlan ForExpressionBody(ArrowExpressionClauseSyntax body, SemanticModel model, PurityAnalysis purity, IMethodSymbol host, CancellationToken cancellationToken) =>
        MayOverlap(body, model, cancellationToken)
            ? new Builder(model, purity, host, body, cancellationToken).PlanExpressionBody(body)
            : Empty(body, System.Array.Empty<StatementSyntax>());

    /// <summary>
    /// The plan for a list of statements (a body, or the top-level statements of a program) whose
    /// code belongs to <paramref name="host"/>.
    /// </summary>
    public static FuturePlan ForStatements(SyntaxNode container, IReadOnlyList<StatementSyntax> statements, SemanticModel model, PurityAnalysis purity,
        IMethodSymbol host, CancellationToken cancellationToken) =>
        MayOverlap(statements, model, cancellationToken)
            ? new Builder(model, purity, host, container, cancellationToken).Plan(container, statements)
            : Empty(container, statements);

    /// <summary>
    /// The cheap test before any plan: at least two calls of <c>[Pure]</c> methods, or one in a loop
    /// (a map). Most methods have neither, and need no purity check of their statements at all.
    /// </summary>
    private static bool MayOverlap(SyntaxNode body, SemanticModel model, CancellationToken cancellationToken) =>
        MayOverlap(new[] { body }, model, cancellationToken);

    private static bool MayOverlap(IEnumerable<SyntaxNode> body, SemanticModel model, CancellationToken cancellationToken)
    {
        int calls = 0;
        foreach (InvocationExpressionSyntax invocation in body.SelectMany(static node => node.DescendantNodesAndSelf(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            .OfType<InvocationExpressionSyntax>())
        {
            if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol target && PurityAnalysis.IsMarkedPure(target.OriginalDefinition)
                && (++calls >= 2 || invocation.Ancestors().Any(static a => a is ForStatementSyntax or ForEachStatementSyntax)))
            {
                return true;
            }
        }

        return false;
    }

    private static FuturePlan Empty(SyntaxNode container, IReadOnlyList<StatementSyntax> statements) =>
        new(container, statements, ImmutableArray<FutureStep>.Empty, ImmutableArray<FutureCall>.Empty, ImmutableArray<FutureRun>.Empty,
            ImmutableArray<FutureCall>.Empty, new Dictionary<InvocationExpressionSyntax, int>(), ImmutableArray<KeptApart>.Empty);

    /// <summary>Decides the kind of every step of a list of drafts: the plan proper.</summary>
    private static FuturePlan Decide(SyntaxNode container, IReadOnlyList<StatementSyntax> statements, List<Draft> drafts, ImmutableArray<KeptApart> keptApart)
    {
        int count = drafts.Count;
        var forcedBefore = new List<int>[count + 1];
        var forcePoint = new int[count];
        var pending = new List<int>();
        for (int i = 0; i < count; i++)
        {
            Draft draft = drafts[i];
            int needed = pending.Count - 1;
            if (draft.KeepsPending)
            {
                while (needed >= 0 && !draft.Mentions.Contains(drafts[pending[needed]].Call!.Variable) && !draft.Mentions.Contains(drafts[pending[needed]].Call!.Name))
                {
                    needed--;
                }
            }

            if (draft.Call is not null && pending.Count - (needed + 1) >= MaxPending)
            {
                needed = pending.Count - MaxPending;
            }

            forcedBefore[i] = pending.GetRange(0, needed + 1);
            pending.RemoveRange(0, needed + 1);
            foreach (int forced in forcedBefore[i])
            {
                forcePoint[forced] = i;
            }

            if (draft.Call is not null)
            {
                pending.Add(i);
            }
        }

        forcedBefore[count] = pending;
        foreach (int forced in pending)
        {
            forcePoint[forced] = count;
        }

        // A call starts as a future when another pure call, or a statement that does real work, runs
        // before it is forced; the calls inside a started call's span belong to its run.
        var started = new bool[count];
        var inRun = new bool[count];
        var runs = ImmutableArray.CreateBuilder<FutureRun>();
        int runFirst = -1, runLast = -1, reach = -1;
        var runCalls = ImmutableArray.CreateBuilder<FutureCall>();
        for (int i = 0; i < count; i++)
        {
            if (drafts[i].Call is null)
            {
                continue;
            }

            for (int j = i + 1; j < forcePoint[i] && !started[i]; j++)
            {
                started[i] = drafts[j].Call is not null || drafts[j].HasWork;
            }

            if (i < reach)
            {
                inRun[i] = true;
                runCalls.Add(drafts[i].Call!);
                runLast = drafts[i].StatementIndex;
            }
            else if (started[i])
            {
                if (runFirst >= 0)
                {
                    runs.Add(new FutureRun(runFirst, runLast, runCalls.ToImmutable()));
                }

                runCalls.Clear();
                runFirst = runLast = drafts[i].StatementIndex;
                inRun[i] = true;
                runCalls.Add(drafts[i].Call!);
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

        ImmutableArray<FutureCall> Calls(IEnumerable<int> indices, bool startedOnly) =>
            indices.Where(k => inRun[k] && (started[k] || !startedOnly)).Select(k => drafts[k].Call!).ToImmutableArray();

        var steps = ImmutableArray.CreateBuilder<FutureStep>(count);
        var running = new List<int>();
        for (int i = 0; i < count; i++)
        {
            Draft draft = drafts[i];
            running.RemoveAll(k => forcePoint[k] <= i);
            ImmutableArray<FutureCall> runningNow = Calls(running, startedOnly: true);
            FutureStepKind kind = FutureStepKind.Plain;
            if (draft.Call is not null)
            {
                if (inRun[i])
                {
                    kind = started[i] ? FutureStepKind.Start : FutureStepKind.Direct;
                }
            }
            else if (draft.KeepsPending && draft.MayThrow && runningNow.Length > 0)
            {
                kind = FutureStepKind.Guarded;
            }

            // A temporary's plain call is made inside the expression it came from when the next step
            // is the one that reads it: nothing runs in between, so nothing moves.
            bool inline = draft.Call is { IsTemporary: true } && !inRun[i] && forcePoint[i] == i + 1 && i + 1 < count
                && drafts[i + 1].Replacements.ContainsKey(draft.Call.InvocationSyntax);

            steps.Add(new FutureStep(draft.Statement, kind, draft.Call, Calls(forcedBefore[i].Where(k => !Inline(k)), startedOnly: false), runningNow,
                kind == FutureStepKind.Guarded ? draft.Declared : null, draft.Replacements.ToImmutableDictionary(),
                draft.Nested.ToImmutableDictionary(), draft.KeepsPending ? null : draft.ForcesAllBecause, inline, draft.Map, draft.Choice));
            if (started[i])
            {
                running.Add(i);
            }
        }

        bool Inline(int k) => steps.Count > k && steps[k].IsInline;

        var points = new Dictionary<InvocationExpressionSyntax, int>();
        for (int i = 0; i < count; i++)
        {
            if (drafts[i].Call is { } call)
            {
                points[call.InvocationSyntax] = forcePoint[i];
            }
        }

        return new FuturePlan(container, statements, steps.MoveToImmutable(), Calls(forcedBefore[count], startedOnly: false), runs.ToImmutable(),
            drafts.Where(static d => d.Call is not null).Select(static d => d.Call!).ToImmutableArray(), points, keptApart);
    }

    /// <summary>A step before the plan decides its kind.</summary>
    private sealed class Draft
    {
        public Draft(int statementIndex, SyntaxNode statement)
        {
            StatementIndex = statementIndex;
            Statement = statement;
        }

        public int StatementIndex { get; }

        public SyntaxNode Statement { get; }

        public FutureCall? Call { get; set; }

        public HashSet<string> Mentions { get; set; } = new();

        /// <summary>Pending calls stay pending across this step (calls always; statements when safe).</summary>
        public bool KeepsPending { get; set; }

        public bool MayThrow { get; set; }

        /// <summary>A statement with a loop or a call: worth overlapping with a pending call.</summary>
        public bool HasWork { get; set; }

        public ILocalSymbol? Declared { get; set; }

        public string? ForcesAllBecause { get; set; }

        public Dictionary<InvocationExpressionSyntax, FutureCall> Replacements { get; } = new();

        public Dictionary<SyntaxNode, FuturePlan> Nested { get; } = new();

        public FutureMap? Map { get; set; }

        public FutureChoice? Choice { get; set; }
    }
}
