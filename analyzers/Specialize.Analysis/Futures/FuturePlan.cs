using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Purity;

namespace Specialize.Analysis.Futures;

/// <summary>What a twin does with one step of the statements it rewrites.</summary>
public enum FutureStepKind
{
    /// <summary>The step as written: a statement, or a pure call made where it is.</summary>
    Plain,

    /// <summary>A pure call that starts as a conditional future: something else runs before its value is needed.</summary>
    Start,

    /// <summary>
    /// A pure call made right here, while earlier calls may still be running: its exception waits for
    /// theirs. Its value is bound to its variable where it is forced, with the earlier ones.
    /// </summary>
    Direct,

    /// <summary>
    /// A statement that may throw while earlier calls may still be running: it runs inside a
    /// <c>try</c> whose <c>catch</c> waits for them (a declaration declares its variable before the
    /// <c>try</c>).
    /// </summary>
    Guarded,
}

/// <summary>A pure call of a plan and the variable that receives its value.</summary>
public sealed class FutureCall
{
    internal FutureCall(FutureCandidate candidate, string variable, bool isTemporary, TypeSyntax? declaredType, ImmutableHashSet<string> mentions)
    {
        Candidate = candidate;
        Variable = variable;
        IsTemporary = isTemporary;
        DeclaredType = declaredType;
        Mentions = mentions;
    }

    public FutureCandidate Candidate { get; }

    /// <summary>
    /// The variable, as code spells it: the user's (with its '@' if it has one) for a declaration
    /// <c>T x = F(...)</c>, or a generated temporary for a call inside an expression.
    /// </summary>
    public string Variable { get; }

    /// <summary>The variable's name without '@' (a temporary's without its "__"), the base of the twin's own locals for this call.</summary>
    public string Name => IsTemporary ? Variable.Substring(2) : Variable.TrimStart('@');

    /// <summary>True for a call inside a larger expression, whose value the twin holds in a temporary.</summary>
    public bool IsTemporary { get; }

    /// <summary>The declared type of the user's variable (<c>var</c> or explicit); null for a temporary.</summary>
    public TypeSyntax? DeclaredType { get; }

    /// <summary>Names the call's receiver and arguments read (including the temporaries of calls inside them).</summary>
    public ImmutableHashSet<string> Mentions { get; }

    /// <summary>The called method.</summary>
    public IMethodSymbol Callee => Candidate.Callee;

    /// <summary>The call's syntax.</summary>
    public InvocationExpressionSyntax InvocationSyntax => Candidate.InvocationSyntax;
}

/// <summary>One step of a <see cref="FuturePlan"/>: a pure call, or a statement.</summary>
public sealed class FutureStep
{
    internal FutureStep(SyntaxNode statement, FutureStepKind kind, FutureCall? call, ImmutableArray<FutureCall> forcedBefore,
        ImmutableArray<FutureCall> running, ILocalSymbol? declared, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements,
        ImmutableDictionary<SyntaxNode, FuturePlan> nested, string? forcesAllBecause, bool inline, FutureMap? map, FutureChoice? choice)
    {
        Map = map;
        Choice = choice;
        Statement = statement;
        Kind = kind;
        Call = call;
        ForcedBefore = forcedBefore;
        Running = running;
        Declared = declared;
        Replacements = replacements;
        Nested = nested;
        ForcesAllBecause = forcesAllBecause;
        IsInline = inline;
    }

    /// <summary>
    /// The statement the step comes from (for a call, the statement the call is written in); for a
    /// method with an expression body, its <see cref="ArrowExpressionClauseSyntax"/>.
    /// </summary>
    public SyntaxNode Statement { get; }

    public FutureStepKind Kind { get; }

    /// <summary>The pure call of a call step; null for a statement.</summary>
    public FutureCall? Call { get; }

    /// <summary>Calls whose values are bound before this step, in program order.</summary>
    public ImmutableArray<FutureCall> ForcedBefore { get; }

    /// <summary>Started calls that may still be running while this step runs, in program order.</summary>
    public ImmutableArray<FutureCall> Running { get; }

    /// <summary>The variable a <see cref="FutureStepKind.Guarded"/> declaration declares.</summary>
    public ILocalSymbol? Declared { get; }

    /// <summary>
    /// Calls inside this step's statement (or, for a call step, inside its arguments) that run as
    /// steps of their own before it, each read from its variable here.
    /// </summary>
    public ImmutableDictionary<InvocationExpressionSyntax, FutureCall> Replacements { get; }

    /// <summary>The plans of the statement lists inside a compound statement, by their container.</summary>
    public ImmutableDictionary<SyntaxNode, FuturePlan> Nested { get; }

    /// <summary>Why this statement forces every pending call before it, or null when it does not.</summary>
    public string? ForcesAllBecause { get; }

    /// <summary>
    /// For a temporary's plain call: made inside the expression it was taken from, as written
    /// (nothing runs between the call and its use).
    /// </summary>
    public bool IsInline { get; }

    /// <summary>A loop that runs as a parallel map; null for anything else.</summary>
    public FutureMap? Map { get; }

    /// <summary>A statement around a conditional expression, written as <c>if</c>/<c>else</c>; null for anything else.</summary>
    public FutureChoice? Choice { get; }

    /// <summary>True for a call step.</summary>
    public bool IsCall => Call is not null;
}

/// <summary>How a statement built around a conditional expression uses its value.</summary>
public enum FutureChoiceKind
{
    /// <summary><c>return c ? a : b;</c></summary>
    Return,

    /// <summary><c>T x = c ? a : b;</c></summary>
    Declare,

    /// <summary><c>x = c ? a : b;</c></summary>
    Assign,
}

/// <summary>
/// A statement whose value is a conditional expression with pure calls in its arms, written by a
/// twin as an <c>if</c>/<c>else</c> so that the calls of each arm can overlap. Each arm converts its
/// value to the conditional's type, as the conditional does.
/// </summary>
public sealed class FutureChoice
{
    internal FutureChoice(ConditionalExpressionSyntax conditional, FutureChoiceKind kind, string? variable, TypeSyntax? declaredType, ITypeSymbol type,
        ITypeSymbol? variableType, FuturePlan whenTrue, FuturePlan whenFalse)
    {
        Conditional = conditional;
        Kind = kind;
        Variable = variable;
        DeclaredType = declaredType;
        Type = type;
        VariableType = variableType;
        WhenTrue = whenTrue;
        WhenFalse = whenFalse;
    }

    public ConditionalExpressionSyntax Conditional { get; }

    public FutureChoiceKind Kind { get; }

    /// <summary>The declared or assigned variable, as written.</summary>
    public string? Variable { get; }

    /// <summary>The declaration's type as written (<c>var</c> or explicit).</summary>
    public TypeSyntax? DeclaredType { get; }

    /// <summary>The conditional expression's type.</summary>
    public ITypeSymbol Type { get; }

    /// <summary>The declared variable's type.</summary>
    public ITypeSymbol? VariableType { get; }

    /// <summary>The plan of the arm taken when the condition holds (its container is the arm).</summary>
    public FuturePlan WhenTrue { get; }

    /// <summary>The plan of the other arm.</summary>
    public FuturePlan WhenFalse { get; }
}

/// <summary>
/// A pure call that stays in its statement, made in order, because something evaluated before it in
/// the same expression could throw or have an effect (or is evaluated only on some paths).
/// </summary>
public sealed class KeptApart
{
    internal KeptApart(FutureCandidate call, SyntaxNode by, string reason)
    {
        Call = call;
        By = by;
        Reason = reason;
    }

    /// <summary>The call that stays where it is.</summary>
    public FutureCandidate Call { get; }

    /// <summary>What is evaluated before it that keeps it there.</summary>
    public SyntaxNode By { get; }

    /// <summary>Why, in words ("may throw", ...).</summary>
    public string Reason { get; }
}

/// <summary>
/// Pure calls that overlap: from the first call started as a future to the last call that runs
/// while an earlier one may still be running.
/// </summary>
public sealed class FutureRun
{
    internal FutureRun(int first, int last, ImmutableArray<FutureCall> calls)
    {
        First = first;
        Last = last;
        Calls = calls;
    }

    /// <summary>Index, in the plan's statements, of the statement of the run's first call.</summary>
    public int First { get; }

    /// <summary>Index, in the plan's statements, of the statement of the run's last call.</summary>
    public int Last { get; }

    /// <summary>The number of statements from the first call's to the last call's.</summary>
    public int Length => Last - First + 1;

    /// <summary>The started and direct calls of the run, in program order.</summary>
    public ImmutableArray<FutureCall> Calls { get; }
}

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
public sealed class FuturePlan
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

    /// <summary>Turns statements into drafts and plans, recursively.</summary>
    private sealed class Builder
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
