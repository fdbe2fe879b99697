using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Diagnostics;
using Specialize.Analysis.Futures;

namespace Specialize.CodeFixes.Futures;

/// <summary>
/// What "extract method" does for one SPEC007 run, decided before it is offered: the statements that
/// move, the parameters and results of the new method, its name, and where it goes. Planning fails
/// (no fix) whenever the move could change what the program does or would produce a method the
/// generator cannot give a twin.
/// </summary>
internal sealed class PureCallExtraction
{
    private PureCallExtraction(
        IReadOnlyList<StatementSyntax> run, MemberDeclarationSyntax anchor, IReadOnlyList<TypeDeclarationSyntax> typesToMakePartial,
        string name, bool isStatic, IReadOnlyList<Variable> parameters, IReadOnlyList<Variable> results)
    {
        Run = run;
        Anchor = anchor;
        TypesToMakePartial = typesToMakePartial;
        Name = name;
        IsStatic = isStatic;
        Parameters = parameters;
        Results = results;
    }

    /// <summary>The consecutive statements that move.</summary>
    public IReadOnlyList<StatementSyntax> Run { get; }

    /// <summary>The member of the host type that holds the run; the new method goes right after it.</summary>
    public MemberDeclarationSyntax Anchor { get; }

    /// <summary>Declarations of the host type and its containers that lack <c>partial</c>.</summary>
    public IReadOnlyList<TypeDeclarationSyntax> TypesToMakePartial { get; }

    /// <summary>The new method's name, free in the host type and at the call.</summary>
    public string Name { get; }

    public bool IsStatic { get; }

    /// <summary>Locals and parameters the run reads, in order of first use.</summary>
    public IReadOnlyList<Variable> Parameters { get; }

    /// <summary>Variables the run declares that the rest of the body uses, in declaration order.</summary>
    public IReadOnlyList<Variable> Results { get; }

    /// <summary>A variable crossing the method boundary, with its type as the new method spells it.</summary>
    public sealed class Variable
    {
        public Variable(string name, string type, TypeSyntax? declaredType)
        {
            Name = name;
            Type = type;
            DeclaredType = declaredType;
        }

        public string Name { get; }

        public string Type { get; }

        /// <summary>For a result, the type as its declaration wrote it (<c>var</c> or explicit).</summary>
        public TypeSyntax? DeclaredType { get; }
    }

    /// <summary>The extraction for a SPEC007 diagnostic, or null when none is correct.</summary>
    public static PureCallExtraction? TryPlan(SyntaxNode root, SemanticModel model, Diagnostic diagnostic, CancellationToken cancellationToken)
    {
        if (!diagnostic.Properties.TryGetValue(DiagnosticProperties.RunLength, out string? lengthText)
            || !int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length < 2)
        {
            return null;
        }

        // Top-level statements have no type of their own to receive the method: no fix there.
        SyntaxNode reported = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
        if (reported.FirstAncestorOrSelf<LocalDeclarationStatementSyntax>() is not { Parent: BlockSyntax block } first)
        {
            return null;
        }

        int start = block.Statements.IndexOf(first);
        if (start < 0 || start + length > block.Statements.Count)
        {
            return null;
        }

        var run = block.Statements.Skip(start).Take(length).ToList();
        if (!run.All(static s => s is LocalDeclarationStatementSyntax))
        {
            return null; // not the run the analyzer saw
        }

        MemberDeclarationSyntax? anchor = block.Ancestors().OfType<MemberDeclarationSyntax>().FirstOrDefault(static m => m.Parent is TypeDeclarationSyntax);
        if (anchor?.Parent is not TypeDeclarationSyntax hostSyntax
            || model.GetDeclaredSymbol(hostSyntax, cancellationToken) is not INamedTypeSymbol host
            || !TwinHosts.CanContainTwin(host))
        {
            return null;
        }

        if (MovesUnchanged(run, model, cancellationToken) is not { } flow)
        {
            return null;
        }

        int position = anchor.SpanStart;
        List<Variable>? parameters = CollectParameters(run, flow, model, position, cancellationToken);
        List<Variable>? results = CollectResults(run, flow, model, position, cancellationToken);
        if (parameters is null || results is null)
        {
            return null;
        }

        bool usesInstance = run.Any(statement => model.GetOperation(statement, cancellationToken) is { } operation
            && operation.DescendantsAndSelf().Any(static o => o is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance }));

        IEnumerable<string> named = results.Count > 0 ? results.Select(static r => r.Name) : flow.VariablesDeclared.Select(static v => v.Name);
        string name = FreeName(BaseName(named.ToList()), host, anchor, model, first.SpanStart);
        var partials = hostSyntax.AncestorsAndSelf().OfType<TypeDeclarationSyntax>().Where(static t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)).ToList();
        return new PureCallExtraction(run, anchor, partials, name, !usesInstance, parameters, results);
    }

    /// <summary>
    /// The run's data flow when it can become a method body as it is: it suspends nothing (no await, no yield),
    /// leaves only by falling off its end, holds no preprocessor directives, and writes nothing but
    /// the variables it declares (a write to an outer or captured variable could not be handed back).
    /// </summary>
    private static DataFlowAnalysis? MovesUnchanged(List<StatementSyntax> run, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (StatementSyntax statement in run)
        {
            if (statement.ContainsDirectives
                || statement.DescendantNodesAndSelf().Any(static n => n is AwaitExpressionSyntax or YieldStatementSyntax or ReturnStatementSyntax
                    or GotoStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax or ThrowStatementSyntax or StackAllocArrayCreationExpressionSyntax)
                || statement is LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: not 0 } or LocalDeclarationStatementSyntax { UsingKeyword.RawKind: not 0 })
            {
                return null;
            }
        }

        ControlFlowAnalysis? control = model.AnalyzeControlFlow(run[0], run[run.Count - 1]);
        DataFlowAnalysis? data = model.AnalyzeDataFlow(run[0], run[run.Count - 1]);
        if (control is not { Succeeded: true, EndPointIsReachable: true, EntryPoints.Length: 0, ExitPoints.Length: 0 } || data is not { Succeeded: true })
        {
            return null;
        }

        HashSet<ISymbol> declared = SetOf(data.VariablesDeclared);
        if (data.WrittenInside.Any(s => !declared.Contains(s)) || declared.Any(static s => s is ILocalSymbol { IsRef: true }))
        {
            return null;
        }

        // A type parameter of the enclosing method or local function would make the new method generic,
        // and generic methods get no twin.
        foreach (StatementSyntax statement in run)
        {
            if (model.GetOperation(statement, cancellationToken) is { } operation
                && operation.DescendantsAndSelf().Any(static o => MentionsMethodTypeParameter(o.Type)
                    || (o is IInvocationOperation invocation && invocation.TargetMethod.TypeArguments.Any(MentionsMethodTypeParameter))))
            {
                return null;
            }
        }

        return data;
    }

    private static HashSet<ISymbol> SetOf(IEnumerable<ISymbol> symbols) => new(symbols, SymbolEqualityComparer.Default);

    private static bool MentionsMethodTypeParameter(ITypeSymbol? type) => type switch
    {
        ITypeParameterSymbol parameter => parameter.TypeParameterKind == TypeParameterKind.Method,
        IArrayTypeSymbol array => MentionsMethodTypeParameter(array.ElementType),
        IPointerTypeSymbol pointer => MentionsMethodTypeParameter(pointer.PointedAtType),
        INamedTypeSymbol named => named.TypeArguments.Any(MentionsMethodTypeParameter),
        _ => false,
    };

    /// <summary>What the run reads from outside, in order of first use; null when one cannot be a parameter of a twin.</summary>
    private static List<Variable>? CollectParameters(List<StatementSyntax> run, DataFlowAnalysis flow, SemanticModel model, int position, CancellationToken cancellationToken)
    {
        HashSet<ISymbol> outer = SetOf(flow.ReadInside.Except(flow.VariablesDeclared, SymbolEqualityComparer.Default));
        var seen = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        var parameters = new List<Variable>();
        foreach (IdentifierNameSyntax identifier in run.SelectMany(static s => s.DescendantNodes().OfType<IdentifierNameSyntax>()))
        {
            ISymbol? symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
            if (symbol is null || !outer.Contains(symbol) || !seen.Add(symbol))
            {
                continue;
            }

            ITypeSymbol? type = symbol switch
            {
                ILocalSymbol local => local.Type,
                IParameterSymbol { IsThis: false } parameter => parameter.Type,
                _ => null,
            };
            if (type is null || type.IsRefLikeType || !TwinHosts.IsNameable(type))
            {
                return null;
            }

            // A 'var' local is declared nullable; where the value read is known not to be null, the
            // parameter says so, as the variable's own declaration would have.
            if (type.IsReferenceType && model.GetTypeInfo(identifier, cancellationToken).Nullability.FlowState == NullableFlowState.NotNull)
            {
                type = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
            }

            parameters.Add(new Variable(symbol.Name, Display(type, model, position), null));
        }

        // Every outer read must have become a parameter (a read the walk did not see, such as 'this', is handled apart).
        return outer.All(s => seen.Contains(s) || s is IParameterSymbol { IsThis: true }) ? parameters : null;
    }

    /// <summary>The run's variables that are used after it, in declaration order; null when one cannot be returned.</summary>
    private static List<Variable>? CollectResults(List<StatementSyntax> run, DataFlowAnalysis flow, SemanticModel model, int position, CancellationToken cancellationToken)
    {
        HashSet<ISymbol> usedAfter = SetOf(flow.ReadOutside.Concat(flow.WrittenOutside));
        var results = new List<Variable>();
        foreach (LocalDeclarationStatementSyntax declaration in run.Cast<LocalDeclarationStatementSyntax>())
        {
            foreach (VariableDeclaratorSyntax declarator in declaration.Declaration.Variables)
            {
                if (model.GetDeclaredSymbol(declarator, cancellationToken) is not ILocalSymbol local || !usedAfter.Contains(local))
                {
                    continue;
                }

                // 'var' takes the initializer's type; spelling that (not the nullable type of a 'var'
                // local) keeps the method's signature as the calls declare it.
                ITypeSymbol? type = declaration.Declaration.Type.IsVar && declarator.Initializer is { } initializer
                    ? model.GetTypeInfo(initializer.Value, cancellationToken).Type
                    : local.Type;

                // A ref struct (a span) can be neither a tuple element nor the result of a twin.
                if (type is null || type.IsRefLikeType || !TwinHosts.IsNameable(type))
                {
                    return null;
                }

                results.Add(new Variable(local.Name, Display(type, model, position), declaration.Declaration.Type));
            }
        }

        return results;
    }

    private static string Display(ITypeSymbol type, SemanticModel model, int position) =>
        type.ToMinimalDisplayString(model, position, SymbolDisplayFormat.MinimallyQualifiedFormat);

    /// <summary>"Compute" and the variables: ComputeTotal, ComputeLeftAndRight, ComputeXYAndZ.</summary>
    private static string BaseName(IReadOnlyList<string> variables)
    {
        var name = new StringBuilder("Compute");
        for (int i = 0; i < variables.Count; i++)
        {
            if (i > 0 && i == variables.Count - 1)
            {
                name.Append("And");
            }

            string trimmed = variables[i].TrimStart('_');
            if (trimmed.Length > 0)
            {
                name.Append(char.ToUpperInvariant(trimmed[0])).Append(trimmed, 1, trimmed.Length - 1);
            }
        }

        return name.Length == "Compute".Length ? "ComputeParts" : name.ToString();
    }

    /// <summary>The base name, or the base name with the smallest number after it, that names nothing yet.</summary>
    private static string FreeName(string baseName, INamedTypeSymbol host, MemberDeclarationSyntax anchor, SemanticModel model, int callPosition)
    {
        var taken = new HashSet<string>(
            anchor.DescendantTokens().Where(static t => t.IsKind(SyntaxKind.IdentifierToken)).Select(static t => t.ValueText),
            System.StringComparer.Ordinal);
        for (int suffix = 1; ; suffix++)
        {
            string name = suffix == 1 ? baseName : baseName + suffix.ToString(CultureInfo.InvariantCulture);
            if (!taken.Contains(name) && host.GetMembers(name).IsEmpty && model.LookupSymbols(callPosition, name: name).IsEmpty)
            {
                return name;
            }
        }
    }

    /// <summary>
    /// <c>private static R Name(parameters) { run; return results; }</c>, to be formatted, with the
    /// line breaks of the document (<paramref name="endOfLine"/>).
    /// </summary>
    public MethodDeclarationSyntax BuildMethod(string endOfLine)
    {
        string returnType = Results.Count switch
        {
            0 => "void",
            1 => Results[0].Type,
            _ => "(" + string.Join(", ", Results.Select(static r => r.Type + " " + r.Name)) + ")",
        };
        string parameters = string.Join(", ", Parameters.Select(static p => p.Type + " " + p.Name));
        var method = (MethodDeclarationSyntax)SyntaxFactory.ParseMemberDeclaration(
            $"private {(IsStatic ? "static " : string.Empty)}{returnType} {Name}({parameters}){endOfLine}{{{endOfLine}}}{endOfLine}")!;

        var statements = new List<StatementSyntax>(Run);
        if (Results.Count > 0)
        {
            string value = Results.Count == 1 ? Results[0].Name : "(" + string.Join(", ", Results.Select(static r => r.Name)) + ")";
            statements.Add(SyntaxFactory.ParseStatement($"return {value};{endOfLine}"));
        }

        return method
            .WithBody(method.Body!.WithStatements(SyntaxFactory.List(statements)))
            .WithLeadingTrivia(SyntaxFactory.EndOfLine(endOfLine))
            .WithAdditionalAnnotations(Formatter.Annotation);
    }

    /// <summary>The statement that replaces the run: a call, its results declared as the run declared them.</summary>
    public StatementSyntax BuildCall()
    {
        string arguments = string.Join(", ", Parameters.Select(static p => p.Name));
        string call = $"{Name}({arguments})";
        string text = Results.Count switch
        {
            0 => $"{call};",
            1 => $"{Results[0].DeclaredType} {Results[0].Name} = {call};",
            _ => $"var ({string.Join(", ", Results.Select(static r => r.Name))}) = {call};",
        };

        StatementSyntax first = Run[0];
        SyntaxTrivia indentation = first.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        return SyntaxFactory.ParseStatement(text)
            .WithLeadingTrivia(indentation == default ? SyntaxTriviaList.Empty : SyntaxFactory.TriviaList(indentation))
            .WithTrailingTrivia(Run[Run.Count - 1].GetTrailingTrivia());
    }
}
