using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;
using Specialize.Analysis.Futures;

namespace Specialize.Generator.Futures;

public sealed partial class FuturesGenerator
{
    /// <summary>
    /// Writes the body of a twin from its plan: the user's own text wherever the plan keeps a
    /// statement as it is, and generated statements where a pure call starts, is made directly, or is
    /// forced. The text is the active code only (preprocessor branches that are not compiled are left
    /// out), and calls that take caller information get it spelled out, so that they receive what the
    /// original method would have passed.
    /// </summary>
    internal sealed class TwinWriter
    {
        private static readonly SymbolDisplayFormat QualifiedFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private static readonly ImmutableDictionary<InvocationExpressionSyntax, FutureCall> NoReplacements =
            ImmutableDictionary<InvocationExpressionSyntax, FutureCall>.Empty;

        private readonly SemanticModel model;
        private readonly IMethodSymbol host;
        private readonly string twinName;
        private readonly bool nullable;
        private readonly SymbolDisplayFormat typeFormat;
        private readonly CancellationToken cancellationToken;
        private readonly Dictionary<SyntaxNode, FuturePlan> plans = new();
        private readonly Dictionary<InvocationExpressionSyntax, FutureStep> callSteps = new();
        private readonly List<string> sites = new();
        private readonly HashSet<SyntaxNode> writing = new();
        private readonly string fileName;

        public TwinWriter(SemanticModel model, IMethodSymbol host, string twinName, FuturePlan body, bool nullable, CancellationToken cancellationToken)
        {
            this.model = model;
            this.host = host;
            this.twinName = twinName;
            this.nullable = nullable;
            this.cancellationToken = cancellationToken;
            typeFormat = nullable ? QualifiedFormat : SymbolDisplayFormat.FullyQualifiedFormat;
            fileName = System.IO.Path.GetFileName(body.Container.SyntaxTree.FilePath);
            foreach (FuturePlan plan in body.AllPlans())
            {
                plans[plan.Container] = plan;
                foreach (FutureStep step in plan.Steps)
                {
                    if (step.Call is { } call)
                    {
                        callSteps[call.InvocationSyntax] = step;
                    }
                }
            }
        }

        /// <summary>Descriptions of the call sites the twin starts futures at, in order.</summary>
        public IReadOnlyList<string> Sites => sites;

        /// <summary>The twin's body.</summary>
        public string WriteBody(FuturePlan body)
        {
            var text = new StringBuilder();
            WritePlan(text, body, string.Empty);
            return text.ToString();
        }

        // ---- plans ----------------------------------------------------------------------------

        private void WritePlan(StringBuilder text, FuturePlan plan, string outerIndent)
        {
            // An embedded statement is its own plan's container: writing it must not start the plan again.
            writing.Add(plan.Container);
            try
            {
                WriteContainer(text, plan);
            }
            finally
            {
                writing.Remove(plan.Container);
            }
        }

        private void WriteContainer(StringBuilder text, FuturePlan plan)
        {
            switch (plan.Container)
            {
                case BlockSyntax block:
                {
                    AppendToken(text, block.OpenBraceToken);
                    string indent = block.Statements.Count > 0 ? LineIndent(block.Statements[0]) : LineIndent(block) + "    ";
                    WriteSteps(text, plan, indent, replaceLeading: null);
                    Force(new CodeLines(text, indent), plan.ForcedAtEnd);
                    AppendToken(text, block.CloseBraceToken);
                    break;
                }

                case SwitchSectionSyntax section:
                {
                    foreach (SwitchLabelSyntax label in section.Labels)
                    {
                        Append(text, label, NoReplacements);
                    }

                    string indent = section.Statements.Count > 0 ? LineIndent(section.Statements[0]) : LineIndent(section) + "    ";
                    WriteSteps(text, plan, indent, replaceLeading: null);
                    Force(new CodeLines(text, indent), plan.ForcedAtEnd);
                    break;
                }

                case ArrowExpressionClauseSyntax arrow:
                {
                    // An expression body becomes a block: the calls taken out of it, then the rest.
                    string braceIndent = LineIndent(arrow.Parent!);
                    string indent = braceIndent + "    ";
                    text.Append(braceIndent).Append("{\n");
                    WriteSteps(text, plan, indent, replaceLeading: indent);
                    Force(new CodeLines(text, indent), plan.ForcedAtEnd);
                    text.Append(braceIndent).Append("}\n");
                    break;
                }

                case StatementSyntax embedded:
                {
                    if (!Changes(plan))
                    {
                        WriteSteps(text, plan, LineIndent(embedded), replaceLeading: null);
                        break;
                    }

                    // An embedded statement that becomes several: a block of its own.
                    bool ownLine = OnOwnLine(embedded);
                    string braceIndent = ownLine ? LineIndent(embedded.Parent!) : LineIndent(embedded);
                    string indent = braceIndent + "    ";
                    text.Append(ownLine ? braceIndent : string.Empty).Append("{\n");
                    WriteSteps(text, plan, indent, replaceLeading: indent);
                    Force(new CodeLines(text, indent), plan.ForcedAtEnd);
                    string trailing = embedded.GetTrailingTrivia().ToFullString();
                    text.Append(braceIndent).Append('}').Append(trailing.Length > 0 ? trailing : "\n");
                    break;
                }
            }
        }

        /// <summary>True when a plan writes anything but its statements as they are.</summary>
        private static bool Changes(FuturePlan plan) =>
            plan.ForcedAtEnd.Length > 0
            || plan.Steps.Any(static s => s.Kind != FutureStepKind.Plain || s.ForcedBefore.Length > 0 || s.IsCall && !s.IsInline && s.Call!.IsTemporary);

        private void WriteSteps(StringBuilder text, FuturePlan plan, string indent, string? replaceLeading)
        {
            var started = new HashSet<FutureCall>(plan.Steps.Where(static s => s.Kind == FutureStepKind.Start).Select(static s => s.Call!));
            var runByFirst = new Dictionary<FutureCall, FutureRun>();
            foreach (FutureRun run in plan.Runs)
            {
                runByFirst[run.Calls[0]] = run;
            }

            // A statement's comments (and the blank lines before it) go before the first line written
            // for it: before the calls taken out of it, when there are any.
            var introduced = new HashSet<SyntaxNode>();
            foreach (FutureStep step in plan.Steps)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var code = new CodeLines(text, indent);
                bool first = !introduced.Contains(step.Statement);
                if (first && step.Call is { IsTemporary: true } && !step.IsInline)
                {
                    AppendComments(text, step.Statement);
                    introduced.Add(step.Statement);
                }
                else if (first && step.ForcedBefore.Length > 0 && step.Kind == FutureStepKind.Plain && step.Call is null)
                {
                    // Forced values are bound after the statement's comments, right before it.
                    AppendComments(text, step.Statement);
                    introduced.Add(step.Statement);
                }

                string? leading = introduced.Contains(step.Statement) ? indent : replaceLeading;
                Force(code, step.ForcedBefore);
                if (step.Call is { } call)
                {
                    if (step.IsInline)
                    {
                        continue; // written where its value is read
                    }

                    if (step.Kind == FutureStepKind.Plain)
                    {
                        if (call.IsTemporary)
                        {
                            code.Line($"var {call.Variable} = {Text(call.InvocationSyntax, step.Replacements)};");
                        }
                        else
                        {
                            AppendStatement(text, step.Statement, step.Replacements, leading);
                        }

                        continue;
                    }

                    if (!call.IsTemporary && first)
                    {
                        // The statement's own comments stay; its indentation is the generated lines'.
                        AppendComments(text, step.Statement);
                        introduced.Add(step.Statement);
                    }

                    if (runByFirst.TryGetValue(call, out FutureRun? run))
                    {
                        code.Line($"// These {run.Calls.Length} pure calls may run at once. Each one that has another after it, before its value is needed,");
                        code.Line("// starts as a future when its site predicts enough work to pay for one, and is otherwise a plain call;");
                        code.Line("// values are forced, in program order, at their first use.");
                    }

                    if (step.Kind == FutureStepKind.Start)
                    {
                        WriteStart(code, step);
                    }
                    else
                    {
                        WriteDirect(code, step);
                    }

                    continue;
                }

                if (step.Kind == FutureStepKind.Guarded)
                {
                    if (first)
                    {
                        AppendComments(text, step.Statement);
                    }

                    WriteGuardedStatement(code, step);
                    continue;
                }

                AppendStatement(text, step.Statement, step.Replacements, leading);
            }
        }

        private void Force(CodeLines code, IEnumerable<FutureCall> forced)
        {
            foreach (FutureCall call in forced)
            {
                FutureStep step = callSteps[call.InvocationSyntax];
                string declaration = call.IsTemporary ? "var" : call.DeclaredType!.ToString();
                string resultType = call.Callee.ReturnType.ToDisplayString(typeFormat);
                code.Line(step.Kind == FutureStepKind.Start
                    ? $"{declaration} {call.Variable} = global::Specialize.Futures.Future.Join<{resultType}>(__future_{call.Name}, __value_{call.Name});"
                    : $"{declaration} {call.Variable} = __value_{call.Name};");
            }
        }

        // ---- calls --------------------------------------------------------------------------

        /// <summary>
        /// A call that may start as a future: spawned when its site says the work pays for a thread,
        /// otherwise made right here as a plain call (timed now and then, to keep the site's cost
        /// model current). The spawned task and the inline value are two locals, so the inline path
        /// touches no future at all. Arguments that may throw are evaluated first, once, in order.
        /// </summary>
        private void WriteStart(CodeLines code, FutureStep step)
        {
            FutureCall call = step.Call!;
            CallParts parts = Parts(call, step.Replacements);
            string site = $"FutureSites.Site{sites.Count}";
            FileLinePositionSpan line = call.InvocationSyntax.GetLocation().GetLineSpan();
            sites.Add($"{call.InvocationSyntax} at {fileName}({line.StartLinePosition.Line + 1},{line.StartLinePosition.Character + 1})");

            string name = call.Name;
            string resultType = call.Callee.ReturnType.ToDisplayString(typeFormat);
            if (parts.Evaluations.Count > 0 && step.Running.Length == 0)
            {
                foreach ((string variable, string type, string value) in parts.Evaluations)
                {
                    code.Line($"{type} {variable} = {value};");
                }
            }
            else if (parts.Evaluations.Count > 0)
            {
                foreach ((string variable, string type, _) in parts.Evaluations)
                {
                    code.Line($"{type} {variable};");
                }

                WriteGuarded(code, parts.Evaluations.Select(static e => $"{e.Variable} = {e.Value};").ToList(), step.Running);
            }

            code.Line($"global::System.Threading.Tasks.Task<{resultType}>{(nullable ? "?" : string.Empty)} __future_{name} = null;");
            code.Line($"{resultType} __value_{name} = default{(nullable ? "!" : string.Empty)};");
            code.Line($"long __size_{name} = {parts.Size};");
            code.Line($"if ({site}.TrySpawn(__size_{name}))");
            code.Open();
            code.Line($"__future_{name} = global::Specialize.Futures.Future.Spawn<{parts.StateType}, {resultType}>({site}, __size_{name}, {parts.State}, static __s => {parts.Work});");
            code.Close();
            code.Line("else");
            code.Open();
            code.Line($"long __timing_{name} = {site}.StartTiming(__size_{name});");
            WriteGuarded(code, new[] { $"__value_{name} = {parts.Direct};" }, step.Running);
            code.Line($"{site}.StopTiming(__timing_{name}, __size_{name});");
            code.Close();
            code.Line(string.Empty);
        }

        /// <summary>The last call of a run: made right here, its exception waiting for the calls still running.</summary>
        private void WriteDirect(CodeLines code, FutureStep step)
        {
            FutureCall call = step.Call!;
            code.Line($"{call.Callee.ReturnType.ToDisplayString(typeFormat)} __value_{call.Name};");
            WriteGuarded(code, new[] { $"__value_{call.Name} = {DirectCall(call, Text(call.InvocationSyntax.ArgumentList, step.Replacements))};" }, step.Running);
        }

        /// <summary>
        /// Statements that may throw while earlier calls are still running as futures: the sequential
        /// program would have thrown their exceptions first, so on the way out they are forced, in
        /// program order, and the statement's own exception is rethrown only when none of them throws.
        /// </summary>
        private static void WriteGuarded(CodeLines code, IReadOnlyList<string> statements, ImmutableArray<FutureCall> running)
        {
            if (running.Length == 0)
            {
                foreach (string statement in statements)
                {
                    code.Line(statement);
                }

                return;
            }

            code.Line("try");
            code.Open();
            foreach (string statement in statements)
            {
                code.Line(statement);
            }

            code.Close();
            WriteCatch(code, running);
        }

        private static void WriteCatch(CodeLines code, ImmutableArray<FutureCall> running)
        {
            code.Line("catch");
            code.Open();
            code.Line("// The sequential program would have thrown an earlier call's exception first.");
            foreach (FutureCall call in running)
            {
                code.Line($"global::Specialize.Futures.Future.Wait(__future_{call.Name});");
            }

            code.Line("throw;");
            code.Close();
            code.Line(string.Empty);
        }

        /// <summary>A statement that may throw while calls are running.</summary>
        private void WriteGuardedStatement(CodeLines code, FutureStep step)
        {
            if (step.Declared is { } local && step.Statement is LocalDeclarationStatementSyntax declaration)
            {
                // A declaration: declared before the try, bound after it.
                VariableDeclaratorSyntax variable = declaration.Declaration.Variables[0];
                string name = "__value_" + variable.Identifier.ValueText;
                code.Line($"{local.Type.ToDisplayString(typeFormat)} {name};");
                WriteGuarded(code, new[] { $"{name} = {Text(variable.Initializer!.Value, step.Replacements)};" }, step.Running);
                code.Line($"{declaration.Declaration.Type} {variable.Identifier.Text} = {name};");
                return;
            }

            code.Line("try");
            code.Open();
            if (step.Statement is ArrowExpressionClauseSyntax arrow)
            {
                code.Line(Text(arrow.Expression, step.Replacements).Trim() + ";");
            }
            else
            {
                code.Raw(Text(step.Statement, step.Replacements, keepLeading: false), step.Statement);
            }

            code.Close();
            WriteCatch(code, step.Running);
        }

        /// <summary>The pieces of a call the generated statements are made of.</summary>
        private sealed class CallParts
        {
            public List<(string Variable, string Type, string Value)> Evaluations { get; } = new();

            public string State { get; set; } = "0";

            public string StateType { get; set; } = "int";

            public string Work { get; set; } = string.Empty;

            public string Direct { get; set; } = string.Empty;

            public string Size { get; set; } = "1L";
        }

        private CallParts Parts(FutureCall call, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements)
        {
            var parts = new CallParts();
            IInvocationOperation invocation = call.Candidate.Invocation;
            IMethodSymbol callee = call.Callee;
            bool recursive = SymbolEqualityComparer.Default.Equals(callee.OriginalDefinition, host.OriginalDefinition);

            // The state carries the receiver (for an instance call) and every argument, each cast to its
            // parameter type. Arguments that cannot throw are written where they are used; the others
            // are evaluated once, first, into variables of their own.
            var state = new List<string>();
            var stateTypes = new List<string>();
            var arguments = new List<string>();
            if (!callee.IsStatic)
            {
                state.Add($"({callee.ContainingType.ToDisplayString(QualifiedFormat)})({invocation.Instance!.Syntax})");
                stateTypes.Add(callee.ContainingType.ToDisplayString(typeFormat));
            }

            string? size = null;
            bool passedOn = false;
            var integers = new List<(string Name, string Value)>();
            for (int i = 0; i < invocation.Arguments.Length; i++)
            {
                IArgumentOperation argument = invocation.Arguments[i];
                ExpressionSyntax expression = ((ArgumentSyntax)argument.Syntax).Expression;
                string parameterType = argument.Parameter!.Type.ToDisplayString(QualifiedFormat);
                string value = Text(expression, replacements);
                string used;
                bool takenOut = Unparenthesize(expression) is InvocationExpressionSyntax inner && replacements.ContainsKey(inner)
                    && !(callSteps.TryGetValue(inner, out FutureStep? innerStep) && innerStep.IsInline);
                if (takenOut || FutureCandidates.IsSideEffectFree(argument.Value))
                {
                    used = value;
                    state.Add($"({parameterType})({value})");
                }
                else
                {
                    string variable = $"__{call.Name}_argument{i}";
                    parts.Evaluations.Add((variable, argument.Parameter.Type.ToDisplayString(typeFormat), $"({parameterType})({value})"));
                    used = variable;
                    state.Add(variable);
                }

                arguments.Add(used);
                stateTypes.Add(argument.Parameter.Type.ToDisplayString(typeFormat));
                if (SizeFeature(argument.Parameter.Type) is { } feature)
                {
                    if (feature == IntegerFeature)
                    {
                        integers.Add((argument.Parameter.Name, state[state.Count - 1]));
                    }
                    else if (size is null)
                    {
                        // A recursion that hands its own input on unchanged works on a part of it.
                        passedOn = recursive && argument.Value is IParameterReferenceOperation reference
                            && reference.Parameter.Ordinal == argument.Parameter.Ordinal;
                    }

                    size ??= string.Format(feature, state[state.Count - 1]);
                }
            }

            parts.Size = RangeSize(integers, passedOn) ?? size ?? "1L";
            parts.State = state.Count switch
            {
                0 => "0",
                1 => state[0],
                _ => "(" + string.Join(", ", state) + ")",
            };
            parts.StateType = stateTypes.Count switch
            {
                0 => "int",
                1 => stateTypes[0],
                _ => "(" + string.Join(", ", stateTypes) + ")",
            };

            string Item(int index) => state.Count == 1 ? "__s" : $"__s.Item{index + 1}";
            int first = callee.IsStatic ? 0 : 1;
            var items = new List<string>();
            for (int i = first; i < state.Count; i++)
            {
                items.Add(Item(i));
            }

            string method = (recursive ? twinName : call.InvocationSyntax.Expression is MemberAccessExpressionSyntax member ? member.Name.Identifier.Text : NameOf(call.InvocationSyntax.Expression))
                + (callee.IsGenericMethod ? "<" + string.Join(", ", callee.TypeArguments.Select(t => t.ToDisplayString(typeFormat))) + ">" : string.Empty);
            string target = callee.IsStatic
                ? (recursive ? twinName : Text(call.InvocationSyntax.Expression, NoReplacements, keepLeading: false).Trim())
                : Item(0) + "." + method;
            if (callee.IsStatic && callee.IsGenericMethod && !recursive)
            {
                target = StaticTarget(call.InvocationSyntax.Expression) + method;
            }

            parts.Work = $"{target}({string.Join(", ", items)})";
            parts.Direct = parts.Evaluations.Count == 0
                ? DirectCall(call, Text(call.InvocationSyntax.ArgumentList, replacements))
                : $"{DirectTarget(call)}({string.Join(", ", arguments)})";
            return parts;
        }

        /// <summary>The type a static call is made through ("Kernels." or ""), as written.</summary>
        private static string StaticTarget(ExpressionSyntax expression) =>
            expression is MemberAccessExpressionSyntax member ? member.Expression.WithoutTrivia() + "." : string.Empty;

        private static string NameOf(ExpressionSyntax expression) => expression switch
        {
            GenericNameSyntax generic => generic.Identifier.Text,
            SimpleNameSyntax simple => simple.Identifier.Text,
            MemberBindingExpressionSyntax binding => binding.Name.Identifier.Text,
            _ => expression.WithoutTrivia().ToString(),
        };

        private static ExpressionSyntax Unparenthesize(ExpressionSyntax expression)
        {
            while (expression is ParenthesizedExpressionSyntax parenthesized)
            {
                expression = parenthesized.Expression;
            }

            return expression;
        }

        /// <summary>The callee as the user wrote it, or the twin itself for a recursive call (calls from generated code are not intercepted).</summary>
        private string DirectTarget(FutureCall call)
        {
            bool recursive = SymbolEqualityComparer.Default.Equals(call.Callee.OriginalDefinition, host.OriginalDefinition);
            ExpressionSyntax expression = call.InvocationSyntax.Expression;
            string written = Text(expression, NoReplacements, keepLeading: false).Trim();
            if (!recursive)
            {
                return written;
            }

            return expression is MemberAccessExpressionSyntax member
                ? $"{Text(member.Expression, NoReplacements, keepLeading: false).Trim()}{member.OperatorToken.Text}{twinName}"
                : twinName;
        }

        private string DirectCall(FutureCall call, string argumentList) => DirectTarget(call) + argumentList.Trim();

        /// <summary>The size feature of an integer argument: its value.</summary>
        private const string IntegerFeature = "(long){0}";

        /// <summary>
        /// The size feature of a parameter as a format string over its state item ("FutureSize.Of({0})"),
        /// or null when the type has none.
        /// </summary>
        private static string? SizeFeature(ITypeSymbol type)
        {
            if (type is IArrayTypeSymbol || type.SpecialType == SpecialType.System_String)
            {
                return "global::Specialize.Futures.FutureSize.Of({0})";
            }

            if (type.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Int16
                or SpecialType.System_UInt16 or SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_UInt32)
            {
                return IntegerFeature;
            }

            foreach (INamedTypeSymbol face in type.AllInterfaces)
            {
                string name = face.OriginalDefinition.ToDisplayString();
                if (name == "System.Collections.Generic.IReadOnlyCollection<T>")
                {
                    return $"global::Specialize.Futures.FutureSize.OfCollection<{face.TypeArguments[0].ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>({{0}})";
                }
            }

            return null;
        }

        /// <summary>
        /// The size of a call that works on part of its input, named by a pair of integer parameters:
        /// the distance between bounds (<c>SortRange(a, lo, mid)</c>, <c>Sum(xs, start, end)</c>), or
        /// the count for a start and a count (<c>Sum(xs, offset, count)</c>). A recursive call that
        /// hands its own array on unchanged with two integers, whatever their names, is taken to
        /// work on the range between them. The whole input's length is the same at every level of
        /// such a recursion, so it says nothing about the work. Null when no range is found.
        /// </summary>
        private static string? RangeSize(List<(string Name, string Value)> integers, bool passedOn)
        {
            string? lower = null;
            string? upper = null;
            string? count = null;
            foreach ((string name, string value) in integers)
            {
                switch (RoleOf(name))
                {
                    case RangeRole.Start:
                        lower ??= value;
                        break;
                    case RangeRole.End:
                        upper ??= value;
                        break;
                    case RangeRole.Count:
                        count ??= value;
                        break;
                }
            }

            if (lower is not null && upper is not null)
            {
                return $"global::Specialize.Futures.FutureSize.Between({lower}, {upper})";
            }

            if (lower is not null && count is not null)
            {
                return $"(long){count}";
            }

            return passedOn && integers.Count == 2
                ? $"global::Specialize.Futures.FutureSize.Between({integers[0].Value}, {integers[1].Value})"
                : null;
        }

        private static readonly string[] RangeSuffixes = { "index", "idx", "inclusive", "exclusive" };

        /// <summary>What an integer parameter's name says it is in a range.</summary>
        private enum RangeRole
        {
            None,
            Start,
            End,
            Count,
        }

        private static RangeRole RoleOf(string name)
        {
            string word = name.ToLowerInvariant();
            foreach (string suffix in RangeSuffixes)
            {
                if (word.Length > suffix.Length && word.EndsWith(suffix, System.StringComparison.Ordinal))
                {
                    word = word.Substring(0, word.Length - suffix.Length);
                    break;
                }
            }

            return word switch
            {
                "lo" or "low" or "lower" or "start" or "begin" or "from" or "left" or "first" or "offset" => RangeRole.Start,
                "hi" or "high" or "upper" or "end" or "stop" or "to" or "right" or "last" => RangeRole.End,
                "count" or "length" or "len" or "size" => RangeRole.Count,
                _ => RangeRole.None,
            };
        }

        // ---- the user's text ---------------------------------------------------------------

        /// <summary>A statement as written (its comments and indentation included), with the plan's edits.</summary>
        private void AppendStatement(StringBuilder text, SyntaxNode statement, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements, string? replaceLeading)
        {
            if (statement is ArrowExpressionClauseSyntax arrow)
            {
                text.Append(replaceLeading).Append(host.ReturnsVoid ? string.Empty : "return ")
                    .Append(Text(arrow.Expression, replacements).Trim()).Append(";\n");
                return;
            }

            if (replaceLeading is null)
            {
                Append(text, statement, replacements);
                return;
            }

            text.Append(replaceLeading);
            text.Append(Text(statement, replacements, keepLeading: false).TrimStart()).Append('\n');
        }

        /// <summary>The comments before a statement that generated lines replace.</summary>
        private static void AppendComments(StringBuilder text, SyntaxNode statement)
        {
            SyntaxTriviaList leading = statement.GetLeadingTrivia();
            var kept = new StringBuilder();
            foreach (SyntaxTrivia trivia in leading)
            {
                if (trivia.IsDirective || trivia.IsKind(SyntaxKind.DisabledTextTrivia))
                {
                    continue;
                }

                kept.Append(trivia.ToFullString());
            }

            string comments = kept.ToString();
            int lastLine = comments.LastIndexOf('\n');
            text.Append(lastLine >= 0 ? comments.Substring(0, lastLine + 1) : string.Empty);
        }

        private string Text(SyntaxNode node, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements, bool keepLeading = false)
        {
            var text = new StringBuilder();
            Append(text, node, replacements);
            string result = text.ToString();
            if (!keepLeading)
            {
                result = StripLeading(result, node);
            }

            return result.TrimEnd();
        }

        private static string StripLeading(string text, SyntaxNode node)
        {
            // The node's own leading trivia (indentation, comments on the lines before) is dropped.
            int length = 0;
            foreach (SyntaxTrivia trivia in node.GetLeadingTrivia())
            {
                if (!trivia.IsDirective && !trivia.IsKind(SyntaxKind.DisabledTextTrivia))
                {
                    length += trivia.ToFullString().Length;
                }
            }

            return length <= text.Length ? text.Substring(length) : text;
        }

        private void Append(StringBuilder text, SyntaxNode node, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements)
        {
            if (node is InvocationExpressionSyntax invocation && replacements.TryGetValue(invocation, out FutureCall? call))
            {
                if (callSteps.TryGetValue(invocation, out FutureStep? step) && step.IsInline)
                {
                    AppendChildren(text, node, step.Replacements);
                }
                else
                {
                    AppendTrivia(text, node.GetLeadingTrivia());
                    text.Append(call.Variable);
                    AppendTrivia(text, node.GetTrailingTrivia());
                }

                return;
            }

            if (!writing.Contains(node) && plans.TryGetValue(node, out FuturePlan? nested))
            {
                WritePlan(text, nested, LineIndent(node));
                return;
            }

            if (node is ArgumentListSyntax list && CallerArguments(list) is { Count: > 0 } extra)
            {
                AppendCallerArguments(text, list, extra, replacements);
                return;
            }

            AppendChildren(text, node, replacements);
        }

        private void AppendChildren(StringBuilder text, SyntaxNode node, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements)
        {
            foreach (SyntaxNodeOrToken child in node.ChildNodesAndTokens())
            {
                if (child.IsToken)
                {
                    AppendToken(text, child.AsToken());
                }
                else
                {
                    Append(text, child.AsNode()!, replacements);
                }
            }
        }

        private static void AppendToken(StringBuilder text, SyntaxToken token)
        {
            AppendTrivia(text, token.LeadingTrivia);
            text.Append(token.Text);
            AppendTrivia(text, token.TrailingTrivia);
        }

        /// <summary>
        /// Trivia as written, without preprocessor directives and the code they leave out: the twin is
        /// the code that is compiled. Warning pragmas and nullable directives stay, as they change
        /// what the compiler says about the code.
        /// </summary>
        private static void AppendTrivia(StringBuilder text, SyntaxTriviaList trivia)
        {
            foreach (SyntaxTrivia item in trivia)
            {
                if (item.IsKind(SyntaxKind.DisabledTextTrivia))
                {
                    continue;
                }

                if (item.IsDirective && !item.IsKind(SyntaxKind.PragmaWarningDirectiveTrivia) && !item.IsKind(SyntaxKind.NullableDirectiveTrivia))
                {
                    continue;
                }

                text.Append(item.ToFullString());
            }
        }

        // ---- caller information --------------------------------------------------------------

        /// <summary>
        /// Arguments the compiler would supply from caller information ([CallerLineNumber] and friends)
        /// for a call in the original method, spelled out with the values the original call gets.
        /// </summary>
        private List<string>? CallerArguments(ArgumentListSyntax list)
        {
            if (list.Parent is not (InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax) || !model.SyntaxTree.Equals(list.SyntaxTree))
            {
                return null;
            }

            ImmutableArray<IArgumentOperation> arguments = model.GetOperation(list.Parent, cancellationToken) switch
            {
                IInvocationOperation invocation => invocation.Arguments,
                IObjectCreationOperation creation => creation.Arguments,
                _ => ImmutableArray<IArgumentOperation>.Empty,
            };

            List<string>? extra = null;
            foreach (IArgumentOperation argument in arguments)
            {
                if (argument.ArgumentKind != ArgumentKind.DefaultValue || argument.Parameter is not { } parameter
                    || CallerValue(parameter, list.Parent!, arguments) is not { } value)
                {
                    continue;
                }

                string prefix = SyntaxFacts.GetKeywordKind(parameter.Name) != SyntaxKind.None ? "@" : string.Empty;
                (extra ??= new List<string>()).Add($"{prefix}{parameter.Name}: {value}");
            }

            return extra;
        }

        private string? CallerValue(IParameterSymbol parameter, SyntaxNode call, ImmutableArray<IArgumentOperation> arguments)
        {
            foreach (AttributeData attribute in parameter.GetAttributes())
            {
                switch (attribute.AttributeClass?.ToDisplayString())
                {
                    case "System.Runtime.CompilerServices.CallerLineNumberAttribute":
                        return (CallerLocation(call).GetMappedLineSpan().StartLinePosition.Line + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    case "System.Runtime.CompilerServices.CallerFilePathAttribute":
                    {
                        string path = call.GetLocation().GetMappedLineSpan().Path;
                        path = model.Compilation.Options.SourceReferenceResolver?.NormalizePath(path, baseFilePath: null) ?? path;
                        return SymbolDisplay.FormatLiteral(path, quote: true);
                    }

                    case "System.Runtime.CompilerServices.CallerMemberNameAttribute":
                        return SymbolDisplay.FormatLiteral(host.Name, quote: true);
                    case "System.Runtime.CompilerServices.CallerArgumentExpressionAttribute"
                        when attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string target:
                    {
                        IArgumentOperation? source = arguments.FirstOrDefault(a => a.Parameter?.Name == target && a.ArgumentKind != ArgumentKind.DefaultValue);
                        return source?.Syntax is ArgumentSyntax argument ? SymbolDisplay.FormatLiteral(argument.Expression.ToString(), quote: true) : null;
                    }
                }
            }

            return null;
        }

        /// <summary>Where the compiler takes a call's line from: the method name of a member access, else the call.</summary>
        private static Location CallerLocation(SyntaxNode call) => call switch
        {
            InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } => member.Name.GetLocation(),
            InvocationExpressionSyntax { Expression: MemberBindingExpressionSyntax binding } => binding.Name.GetLocation(),
            _ => call.GetLocation(),
        };

        private void AppendCallerArguments(StringBuilder text, ArgumentListSyntax list, List<string> extra, ImmutableDictionary<InvocationExpressionSyntax, FutureCall> replacements)
        {
            AppendToken(text, list.OpenParenToken);
            foreach (SyntaxNodeOrToken child in list.Arguments.GetWithSeparators())
            {
                if (child.IsToken)
                {
                    AppendToken(text, child.AsToken());
                }
                else
                {
                    Append(text, child.AsNode()!, replacements);
                }
            }

            text.Append(list.Arguments.Count > 0 ? ", " : string.Empty).Append(string.Join(", ", extra));
            AppendToken(text, list.CloseParenToken);
        }

        // ---- layout ------------------------------------------------------------------------

        /// <summary>The whitespace that starts the line a node starts on.</summary>
        private static string LineIndent(SyntaxNode node)
        {
            Microsoft.CodeAnalysis.Text.SourceText source = node.SyntaxTree.GetText();
            Microsoft.CodeAnalysis.Text.TextLine line = source.Lines.GetLineFromPosition(node.SpanStart);
            string text = source.ToString(line.Span);
            int length = 0;
            while (length < text.Length && (text[length] == ' ' || text[length] == '\t'))
            {
                length++;
            }

            return text.Substring(0, length);
        }

        private static bool OnOwnLine(SyntaxNode node)
        {
            Microsoft.CodeAnalysis.Text.SourceText source = node.SyntaxTree.GetText();
            Microsoft.CodeAnalysis.Text.TextLine line = source.Lines.GetLineFromPosition(node.SpanStart);
            return source.ToString(Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(line.Start, node.SpanStart)).Trim().Length == 0;
        }

        /// <summary>Lines of generated statements at the indentation of the statement they replace.</summary>
        private sealed class CodeLines
        {
            private readonly StringBuilder text;
            private readonly string indent;
            private int depth;

            public CodeLines(StringBuilder text, string indent)
            {
                this.text = text;
                this.indent = indent;
            }

            public void Line(string line)
            {
                if (line.Length == 0)
                {
                    text.Append('\n');
                    return;
                }

                text.Append(indent);
                for (int i = 0; i < depth; i++)
                {
                    text.Append("    ");
                }

                text.Append(line).Append('\n');
            }

            /// <summary>
            /// The user's text of a statement at this depth. Its lines are indented further only when
            /// no token of it spans lines (a multi-line string's contents must stay as written).
            /// </summary>
            public void Raw(string statement, SyntaxNode node)
            {
                bool multiLineToken = node.DescendantTokens().Any(static t => t.Span.Length > 0 && t.Text.IndexOf('\n') >= 0);
                string[] lines = statement.Replace("\r\n", "\n").Split('\n');
                string extra = new string(' ', 4 * depth);
                for (int i = 0; i < lines.Length; i++)
                {
                    string line = lines[i];
                    if (i == 0)
                    {
                        text.Append(indent).Append(extra).Append(line.TrimStart()).Append('\n');
                    }
                    else
                    {
                        text.Append(multiLineToken || line.Length == 0 ? string.Empty : extra).Append(line).Append('\n');
                    }
                }
            }

            public void Open()
            {
                Line("{");
                depth++;
            }

            public void Close()
            {
                depth--;
                Line("}");
            }
        }
    }
}
