using Microsoft.CodeAnalysis;

namespace Specialize.Analysis.Purity;

/// <summary>What makes a method impure, by diagnostic.</summary>
public enum PurityViolationKind
{
    /// <summary>SPEC001: a write to state the method did not allocate.</summary>
    WritesSharedState,

    /// <summary>SPEC002: a call to a member that is not known to be pure.</summary>
    CallsImpureMember,

    /// <summary>SPEC003: a read of a mutable static field (a warning: it does not block parallelism).</summary>
    ReadsMutableStatic,
}

/// <summary>One reason a method is not pure, at the exact place it happens.</summary>
public sealed class PurityViolation
{
    public PurityViolation(PurityViolationKind kind, Location location, string what, string reason = "", IMethodSymbol? callee = null)
    {
        Kind = kind;
        Location = location;
        What = what;
        Reason = reason;
        Callee = callee;
    }

    public PurityViolationKind Kind { get; }

    /// <summary>The write target, the call, or the field read.</summary>
    public Location Location { get; }

    /// <summary>What is written, called or read, as the message names it ("static field 'Counter.total'").</summary>
    public string What { get; }

    /// <summary>Why a callee is not pure (" (it does I/O)"), empty when there is nothing to add.</summary>
    public string Reason { get; }

    /// <summary>For <see cref="PurityViolationKind.CallsImpureMember"/>: the callee, when it is a method.</summary>
    public IMethodSymbol? Callee { get; }

    /// <summary>True when this violation makes the method impure (SPEC001, SPEC002); SPEC003 is advice.</summary>
    public bool IsBlocking => Kind != PurityViolationKind.ReadsMutableStatic;
}
