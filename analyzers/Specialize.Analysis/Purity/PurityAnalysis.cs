using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Specialize.Analysis.Purity;

/// <summary>
/// Checks methods for purity: no writes to state the method did not allocate, no calls to members
/// not known to be pure, no synchronization. Methods in the same compilation are analysed
/// interprocedurally (cycles are assumed pure while they are being checked, the greatest fixed
/// point); framework members must be in <see cref="PurityCatalogue"/>. A call whose code the run-time
/// type of an object chooses (an interface or overridable member, called directly or by framework
/// code the value is handed to) is pure only where every implementation that can run is. Calls
/// through a generic method's type parameters become conditions on its type arguments, checked where
/// they are known. One instance per compilation; thread-safe.
/// </summary>
public sealed partial class PurityAnalysis
{
    public const string PureAttributeName = "Specialize.PureAttribute";

    private readonly Compilation compilation;
    private readonly ConcurrentDictionary<(IMethodSymbol Method, bool OwnsThis), Verdict> verdicts = new(CheckComparer.Instance);

    public PurityAnalysis(Compilation compilation)
    {
        this.compilation = compilation;
    }

    /// <summary>True when the method carries <c>[Specialize.Pure]</c>.</summary>
    public static bool IsMarkedPure(IMethodSymbol method)
    {
        foreach (AttributeData attribute in method.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == PureAttributeName)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// The reasons the method's own body is not pure, each at its location. A call to an impure
    /// method in the same compilation is one violation at the call (the callee's own problems are
    /// reported where the callee is written). Calls through the method's own type parameters are not
    /// violations: they are checked where the method is instantiated.
    /// </summary>
    public ImmutableArray<PurityViolation> Analyze(IMethodSymbol method, CancellationToken cancellationToken)
    {
        IOperation? body = GetBody(method, cancellationToken);
        if (body is null)
        {
            return ImmutableArray<PurityViolation>.Empty;
        }

        bool ownsThis = OwnsThisByConstruction(method);
        var scope = new CheckScope(new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance) { (method, ownsThis) }, cancellationToken);
        var walker = new BodyWalker(this, method, ownsThis, body, scope);
        return walker.Run();
    }

    /// <summary>
    /// True when the method has a body and that body, and every method it calls, is pure. This is
    /// the check the generator relies on before it runs a call as a future. Pass the method as the
    /// call site constructs it (<c>invocation.TargetMethod</c>): a generic method that calls members
    /// through its type parameters is pure for the type arguments whose members are; for its
    /// unconstructed definition such a method is not known to be pure.
    /// </summary>
    public bool IsPure(IMethodSymbol method, CancellationToken cancellationToken)
    {
        var scope = new CheckScope(new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance), cancellationToken);
        var open = new List<TypeRequirement>();
        return CheckInstantiation(method, OwnsThisByConstruction(method), scope, open, out _) == CallOutcome.Pure && open.Count == 0;
    }

    /// <summary>
    /// True when evaluating <paramref name="expression"/> (an expression in the body of
    /// <paramref name="containing"/>) writes no variable and no object that existed before it, and
    /// calls only pure members: apart from the exception it may throw, running it cannot be told apart
    /// from not running it. Reading mutable state is allowed.
    /// </summary>
    public bool IsPureExpression(IOperation expression, IMethodSymbol containing, CancellationToken cancellationToken)
    {
        foreach (IOperation operation in expression.DescendantsAndSelf())
        {
            IOperation? target = operation switch
            {
                IAssignmentOperation assignment => assignment.Target,
                IIncrementOrDecrementOperation increment => increment.Target,
                IArgumentOperation { Parameter.RefKind: RefKind.Ref or RefKind.Out } argument => argument.Value,
                _ => null,
            };

            // The walker allows writes to the method's own parameters; here they are outside state.
            // (Writes to locals declared outside the expression it reports as captured variables.)
            if (target is not null && WritesParameterOf(target, containing))
            {
                return false;
            }
        }

        var scope = new CheckScope(new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance), cancellationToken);
        var walker = new BodyWalker(this, containing, ownsThis: false, expression, scope, stopAtFirst: true);
        bool pure = !walker.Run().Any(static v => v.IsBlocking);

        // A condition on the containing method's type parameters cannot be checked here.
        return pure && walker.Requirements.Count == 0;
    }

    /// <summary>
    /// True when running <paramref name="statement"/> (a statement in the body of <paramref name="host"/>)
    /// writes nothing but the host's own locals and by-value parameters and objects the statement itself
    /// allocates, and calls only pure members. Pure calls that started earlier write nothing and read
    /// only what existed when they started, so such a statement may run while they are still running.
    /// Reading mutable state is allowed.
    /// </summary>
    public bool IsPureStatement(IOperation statement, IMethodSymbol host, CancellationToken cancellationToken)
    {
        SyntaxNode? method = host.DeclaringSyntaxReferences.FirstOrDefault(r => r.SyntaxTree == statement.Syntax.SyntaxTree)?.GetSyntax(cancellationToken);
        if (method is null)
        {
            return false;
        }

        var scope = new CheckScope(new HashSet<(IMethodSymbol, bool)>(CheckComparer.Instance), cancellationToken);
        var walker = new BodyWalker(this, host, ownsThis: false, statement, scope, stopAtFirst: true, localScope: method);
        bool pure = !walker.Run().Any(static v => v.IsBlocking);

        // A condition on the method's type parameters cannot be checked here.
        return pure && walker.Requirements.Count == 0;
    }

    private static bool WritesParameterOf(IOperation target, IMethodSymbol method) => target switch
    {
        IConversionOperation conversion => WritesParameterOf(conversion.Operand, method),
        IParenthesizedOperation parenthesized => WritesParameterOf(parenthesized.Operand, method),
        ITupleOperation tuple => tuple.Elements.Any(element => WritesParameterOf(element, method)),
        IParameterReferenceOperation parameter => SymbolEqualityComparer.Default.Equals(parameter.Parameter.ContainingSymbol, method),
        _ => false,
    };

    /// <summary>A constructor's <c>this</c> is the object being created, so the constructor owns it.</summary>
    private static bool OwnsThisByConstruction(IMethodSymbol method) =>
        method.MethodKind == MethodKind.Constructor && !method.IsStatic;

    private enum CallOutcome
    {
        Pure,
        Impure,
        ImpureTypeArgument,
    }

    /// <summary>
    /// The verdict for a call of <paramref name="method"/> as constructed at a call site: its
    /// definition's verdict, and each of the definition's conditions on type parameters checked for
    /// the type arguments. Conditions that land on type parameters of the caller are added to
    /// <paramref name="open"/>.
    /// </summary>
    private CallOutcome CheckInstantiation(IMethodSymbol method, bool ownsReceiver, CheckScope scope, List<TypeRequirement> open,
        out (TypeRequirement Requirement, ITypeSymbol Argument)? failed, SafetyFailure? failure = null)
    {
        failed = null;
        method = method.ReducedFrom is not null ? method.GetConstructedReducedFrom() ?? method : method;
        Verdict verdict = GetVerdict(method.OriginalDefinition, ownsReceiver, scope);
        if (!verdict.Pure)
        {
            return CallOutcome.Impure;
        }

        foreach (TypeRequirement requirement in verdict.Requirements)
        {
            ITypeSymbol argument = Substitute(requirement.Parameter, method);
            if (!IsSafeType(argument, requirement.Member, scope, open, failure))
            {
                failed = (requirement, argument);
                return CallOutcome.ImpureTypeArgument;
            }
        }

        if (verdict.IsAssumption)
        {
            // A generic method whose check is still under way (recursion): its conditions are not
            // known yet. Calling it with its own type parameters adds nothing the cycle does not
            // already check; with other type arguments, every member of each argument must be pure.
            foreach ((ITypeParameterSymbol parameter, ITypeSymbol argument) in TypeArguments(method))
            {
                if (!SymbolEqualityComparer.Default.Equals(parameter, argument)
                    && !IsSafeType(argument, Dispatched.Any, scope, open, failure))
                {
                    failed = (new TypeRequirement(parameter, Dispatched.Any), argument);
                    return CallOutcome.ImpureTypeArgument;
                }
            }
        }

        return CallOutcome.Pure;
    }

    /// <summary>The argument a constructed method (or its containing types) gives a type parameter of its definition.</summary>
    private static ITypeSymbol Substitute(ITypeParameterSymbol parameter, IMethodSymbol method)
    {
        if (parameter.TypeParameterKind == TypeParameterKind.Method)
        {
            return SymbolEqualityComparer.Default.Equals(parameter.DeclaringMethod?.OriginalDefinition, method.OriginalDefinition)
                && parameter.Ordinal < method.TypeArguments.Length
                ? method.TypeArguments[parameter.Ordinal]
                : parameter;
        }

        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            if (SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, parameter.DeclaringType?.OriginalDefinition)
                && parameter.Ordinal < type.TypeArguments.Length)
            {
                return type.TypeArguments[parameter.Ordinal];
            }
        }

        return parameter;
    }

    /// <summary>Every type parameter of the method's definition and its containing types, with its argument.</summary>
    private static IEnumerable<(ITypeParameterSymbol Parameter, ITypeSymbol Argument)> TypeArguments(IMethodSymbol method)
    {
        IMethodSymbol definition = method.OriginalDefinition;
        for (int i = 0; i < definition.TypeParameters.Length && i < method.TypeArguments.Length; i++)
        {
            yield return (definition.TypeParameters[i], method.TypeArguments[i]);
        }

        for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
        {
            INamedTypeSymbol typeDefinition = type.OriginalDefinition;
            for (int i = 0; i < typeDefinition.TypeParameters.Length && i < type.TypeArguments.Length; i++)
            {
                yield return (typeDefinition.TypeParameters[i], type.TypeArguments[i]);
            }
        }
    }

    /// <summary>
    /// The verdict for a method definition. <paramref name="ownsThis"/>: the receiver is an object the
    /// caller owns (a constructor's new object, or a call on an object the calling method allocated),
    /// so writes to its fields are writes to owned state. Verdicts are kept apart for the two cases.
    /// </summary>
    private Verdict GetVerdict(IMethodSymbol method, bool ownsThis, CheckScope scope)
    {
        (IMethodSymbol, bool) check = (method, ownsThis);
        if (verdicts.TryGetValue(check, out Verdict? known))
        {
            return known;
        }

        if (scope.InProgress.Contains(check))
        {
            // A cycle: assume pure while the cycle is checked; the caller must not cache on this basis.
            scope.UsedAssumption = true;
            return Verdict.Assumed;
        }

        var parts = new List<IOperation>();
        IOperation? body = GetBody(method, scope.CancellationToken);
        if (body is not null)
        {
            parts.Add(body);
        }

        IMethodSymbol? implicitBase = null;
        if (OwnsThisByConstruction(method))
        {
            implicitBase = AddConstructionParts(method, body is not null, parts, scope.CancellationToken);
        }
        else if (method.MethodKind == MethodKind.StaticConstructor)
        {
            AddInitializerParts(method.ContainingType, isStatic: true, parts, scope.CancellationToken);
        }
        else if (body is null)
        {
            return Verdict.Impure;
        }

        CheckScope inner = scope.Nested();
        scope.InProgress.Add(check);
        bool pure = true;
        var requirements = new List<TypeRequirement>();
        foreach (IOperation part in parts)
        {
            var walker = new BodyWalker(this, method, ownsThis, part, inner, stopAtFirst: true, callerChecksArguments: true);
            pure &= !walker.Run().Any(static v => v.IsBlocking);
            requirements.AddRange(walker.Requirements);
            if (!pure)
            {
                break;
            }
        }

        if (pure && implicitBase is not null)
        {
            pure = IsPureBaseConstructor(implicitBase, inner, requirements);
        }

        scope.InProgress.Remove(check);
        scope.UsedAssumption |= inner.UsedAssumption;

        Verdict verdict = pure
            ? new Verdict(pure: true, requirements.Distinct(TypeRequirement.Comparer.Instance).ToImmutableArray())
            : Verdict.Impure;
        if (!inner.UsedAssumption || scope.InProgress.Count == 0 || !pure)
        {
            verdicts.TryAdd(check, verdict);
        }

        return verdict;
    }

    /// <summary>
    /// What else runs when a constructor runs: the instance field and property initializers of its
    /// type (unless it chains to <c>this(...)</c>) and a primary constructor's base arguments. Returns
    /// the base constructor that runs without appearing in any operation (<c>base()</c> of an implicit
    /// or primary constructor), if any.
    /// </summary>
    private IMethodSymbol? AddConstructionParts(IMethodSymbol constructor, bool hasBody, List<IOperation> parts, CancellationToken cancellationToken)
    {
        bool explicitBase = hasBody;
        foreach (SyntaxReference reference in constructor.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            if (node is ConstructorDeclarationSyntax { Initializer: { } chained } && chained.ThisOrBaseKeyword.IsKind(Microsoft.CodeAnalysis.CSharp.SyntaxKind.ThisKeyword))
            {
                // The chained constructor runs the initializers; it is a call in this body.
                return null;
            }

            if (node is TypeDeclarationSyntax { BaseList: { } baseList } && compilation.ContainsSyntaxTree(node.SyntaxTree))
            {
                foreach (BaseTypeSyntax baseType in baseList.Types)
                {
                    if (baseType is PrimaryConstructorBaseTypeSyntax primaryBase
                        && compilation.GetSemanticModel(node.SyntaxTree).GetOperation(primaryBase, cancellationToken) is { } baseCall)
                    {
                        parts.Add(baseCall);
                        explicitBase = true;
                    }
                }
            }
        }

        AddInitializerParts(constructor.ContainingType, isStatic: false, parts, cancellationToken);

        if (explicitBase || constructor.ContainingType.IsValueType || constructor.ContainingType.BaseType is not { } baseClass)
        {
            return null;
        }

        return baseClass.InstanceConstructors.FirstOrDefault(static c => c.Parameters.Length == 0);
    }

    /// <summary>The field and property initializers of a type: its instance ones, or its static ones (the type initializer).</summary>
    private void AddInitializerParts(INamedTypeSymbol type, bool isStatic, List<IOperation> parts, CancellationToken cancellationToken)
    {
        foreach (ISymbol member in type.GetMembers())
        {
            if (member.IsStatic != isStatic || member is not (IFieldSymbol or IPropertySymbol) || member is IFieldSymbol { IsConst: true })
            {
                continue;
            }

            foreach (SyntaxReference reference in member.DeclaringSyntaxReferences)
            {
                SyntaxNode node = reference.GetSyntax(cancellationToken);
                EqualsValueClauseSyntax? initializer = node switch
                {
                    VariableDeclaratorSyntax declarator => declarator.Initializer,
                    PropertyDeclarationSyntax property => property.Initializer,
                    _ => null,
                };
                if (initializer is not null && compilation.ContainsSyntaxTree(node.SyntaxTree)
                    && compilation.GetSemanticModel(node.SyntaxTree).GetOperation(initializer, cancellationToken) is { } operation)
                {
                    parts.Add(operation);
                }
            }
        }
    }

    private bool IsPureBaseConstructor(IMethodSymbol constructor, CheckScope scope, List<TypeRequirement> requirements)
    {
        if (Classify(constructor.OriginalDefinition) == SourceKind.Metadata)
        {
            return IsMarkedPure(constructor.OriginalDefinition) || PurityCatalogue.Lookup(constructor.OriginalDefinition) == CatalogueEntry.Pure;
        }

        // The base's conditions come back in terms of the derived type's own type parameters.
        return CheckInstantiation(constructor, ownsReceiver: true, scope, requirements, out _) == CallOutcome.Pure;
    }

    /// <summary>
    /// True when the type initializer of <paramref name="type"/> (its static constructor and static
    /// field initializers, which C# runs the first time a method uses the type) is pure. It may write
    /// the type's own static fields: that is what initializing them means.
    /// </summary>
    private bool IsPureTypeInitializer(INamedTypeSymbol type, CheckScope scope)
    {
        if (type.OriginalDefinition.StaticConstructors.FirstOrDefault() is not { } initializer)
        {
            return true;
        }

        Verdict verdict = GetVerdict(initializer, ownsThis: false, scope);
        return verdict.Pure && verdict.Requirements.IsEmpty;
    }

    private IOperation? GetBody(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            if (node is BaseMethodDeclarationSyntax { Body: null, ExpressionBody: null }
                || node is AccessorDeclarationSyntax { Body: null, ExpressionBody: null }
                || node is LocalFunctionStatementSyntax { Body: null, ExpressionBody: null })
            {
                continue;
            }

            if (!compilation.ContainsSyntaxTree(node.SyntaxTree))
            {
                continue;
            }

            SemanticModel model = compilation.GetSemanticModel(node.SyntaxTree);
            IOperation? operation = model.GetOperation(node, cancellationToken);
            if (operation is not null)
            {
                return operation;
            }
        }

        return null;
    }

    /// <summary>True when the method is an iterator (its body has <c>yield</c>): it runs when its result is enumerated.</summary>
    private static bool IsIterator(IMethodSymbol method, CancellationToken cancellationToken)
    {
        foreach (SyntaxReference reference in method.OriginalDefinition.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax(cancellationToken);
            if (node.DescendantNodes(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
                .Any(static n => n is YieldStatementSyntax))
            {
                return true;
            }
        }

        return false;
    }

    private enum SourceKind
    {
        Metadata,
        SourceWithBody,
        SourceWithoutBody,
        SourceCompilerGenerated,
    }

    private static SourceKind Classify(IMethodSymbol method)
    {
        if (method.MethodKind == MethodKind.Constructor && !method.IsStatic && !method.IsExtern
            && method.ContainingType?.Locations.Any(static l => l.IsInSource) == true)
        {
            // Explicit, implicit or primary: what runs (body, initializers, base call) is checked.
            return SourceKind.SourceWithBody;
        }

        if (method.DeclaringSyntaxReferences.Length == 0)
        {
            return method.Locations.Any(static l => l.IsInSource) || method.ContainingType?.Locations.Any(static l => l.IsInSource) == true
                ? SourceKind.SourceCompilerGenerated
                : SourceKind.Metadata;
        }

        if (method.IsImplicitlyDeclared)
        {
            return SourceKind.SourceCompilerGenerated;
        }

        if (method.IsAbstract || method.IsExtern)
        {
            return SourceKind.SourceWithoutBody;
        }

        foreach (SyntaxReference reference in method.DeclaringSyntaxReferences)
        {
            SyntaxNode node = reference.GetSyntax();
            bool hasBody = node switch
            {
                BaseMethodDeclarationSyntax m => m.Body is not null || m.ExpressionBody is not null,
                AccessorDeclarationSyntax a => a.Body is not null || a.ExpressionBody is not null,
                LocalFunctionStatementSyntax f => f.Body is not null || f.ExpressionBody is not null,
                ArrowExpressionClauseSyntax => true,
                _ => false,
            };
            if (hasBody)
            {
                return SourceKind.SourceWithBody;
            }

            if (node is AccessorDeclarationSyntax)
            {
                // An auto-property accessor: reading or writing the backing field.
                return SourceKind.SourceCompilerGenerated;
            }
        }

        return SourceKind.SourceWithoutBody;
    }

    private static bool IsInSource(ISymbol symbol) => symbol.Locations.Any(static l => l.IsInSource);

    /// <summary>A method's verdict: pure or not, and the conditions on its type parameters under which it is pure.</summary>
    private sealed class Verdict
    {
        public static readonly Verdict Impure = new(pure: false, ImmutableArray<TypeRequirement>.Empty);

        public static readonly Verdict Assumed = new(pure: true, ImmutableArray<TypeRequirement>.Empty, isAssumption: true);

        public Verdict(bool pure, ImmutableArray<TypeRequirement> requirements, bool isAssumption = false)
        {
            Pure = pure;
            Requirements = requirements;
            IsAssumption = isAssumption;
        }

        public bool Pure { get; }

        public ImmutableArray<TypeRequirement> Requirements { get; }

        /// <summary>The method is being checked further up the stack (a cycle): assumed pure, conditions not known yet.</summary>
        public bool IsAssumption { get; }
    }

    /// <summary>The methods being checked (for cycles), and whether a verdict on this level relied on a cycle's assumption.</summary>
    private sealed class CheckScope
    {
        public CheckScope(HashSet<(IMethodSymbol, bool)> inProgress, CancellationToken cancellationToken)
        {
            InProgress = inProgress;
            CancellationToken = cancellationToken;
        }

        public HashSet<(IMethodSymbol, bool)> InProgress { get; }

        public CancellationToken CancellationToken { get; }

        public bool UsedAssumption { get; set; }

        public CheckScope Nested() => new(InProgress, CancellationToken);
    }

    /// <summary>Compares (method, owns-this) checks by symbol.</summary>
    private sealed class CheckComparer : IEqualityComparer<(IMethodSymbol Method, bool OwnsThis)>
    {
        public static readonly CheckComparer Instance = new();

        public bool Equals((IMethodSymbol Method, bool OwnsThis) x, (IMethodSymbol Method, bool OwnsThis) y) =>
            x.OwnsThis == y.OwnsThis && SymbolEqualityComparer.Default.Equals(x.Method, y.Method);

        public int GetHashCode((IMethodSymbol Method, bool OwnsThis) obj) =>
            (SymbolEqualityComparer.Default.GetHashCode(obj.Method) * 2) + (obj.OwnsThis ? 1 : 0);
    }
}
