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
