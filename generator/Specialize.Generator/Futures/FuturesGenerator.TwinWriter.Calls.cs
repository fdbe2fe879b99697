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
    internal sealed partial class TwinWriter
    {
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

        /// <summary>
        /// A statement around a conditional expression whose arms make pure calls: an <c>if</c>/<c>else</c>
        /// whose branches make each arm's calls (overlapping where they can) and end the way the
        /// statement does with the arm's value.
        /// </summary>
        private void WriteChoice(StringBuilder text, CodeLines code, FutureStep step, FutureChoice choice, string indent)
        {
            if (choice.Kind == FutureChoiceKind.Declare)
            {
                string type = choice.DeclaredType is { IsVar: false } declared ? declared.ToString() : choice.VariableType!.ToDisplayString(typeFormat);
                code.Line($"{type} {choice.Variable};");
            }

            code.Line($"if ({Text(choice.Conditional.Condition, step.Replacements).Trim()})");
            WriteArm(text, code, choice.WhenTrue, indent);
            code.Line("else");
            WriteArm(text, code, choice.WhenFalse, indent);
        }

        private void WriteArm(StringBuilder text, CodeLines code, FuturePlan arm, string indent)
        {
            code.Line("{");
            string inner = indent + "    ";
            writing.Add(arm.Container);
            try
            {
                WriteSteps(text, arm, inner, replaceLeading: inner);
                Force(new CodeLines(text, inner), arm.ForcedAtEnd);
            }
            finally
            {
                writing.Remove(arm.Container);
            }

            code.Line("}");
        }

        /// <summary>
        /// A loop whose calls may run as a parallel map: when the loop's site predicts enough work for
        /// the element count, every call is made on the threads at once, and the loop then runs as
        /// written, storing each result (or rethrowing its exception) in order; otherwise the loop runs
        /// as written, timed now and then to keep the site's model current.
        /// </summary>
        private void WriteMap(CodeLines code, FutureMap map)
        {
            int n = maps++;
            string site = $"FutureSites.Site{sites.Count}";
            FileLinePositionSpan line = map.Call.InvocationSyntax.GetLocation().GetLineSpan();
            sites.Add($"{map.Call.InvocationSyntax} in a loop at {fileName}({line.StartLinePosition.Line + 1},{line.StartLinePosition.Character + 1})");

            IMethodSymbol callee = map.Call.Callee;
            string resultType = callee.ReturnType.ToDisplayString(typeFormat);
            var state = new List<string>();
            var stateTypes = new List<string>();
            foreach (ISymbol symbol in map.Captured)
            {
                (string name, ITypeSymbol type) = symbol switch
                {
                    ILocalSymbol local => (Escape(local.Name), local.Type),
                    IParameterSymbol parameter => (Escape(parameter.Name), parameter.Type),
                    _ => ("this", (ITypeSymbol)symbol),
                };
                state.Add($"({type.ToDisplayString(QualifiedFormat)})({name})");
                stateTypes.Add(type.ToDisplayString(typeFormat));
            }

            string Item(int index) => state.Count == 1 ? "__s" : $"__s.Item{index + 1}";
            string stateText = state.Count switch { 0 => "0", 1 => state[0], _ => "(" + string.Join(", ", state) + ")" };
            string stateType = stateTypes.Count switch { 0 => "int", 1 => stateTypes[0], _ => "(" + string.Join(", ", stateTypes) + ")" };

            // The call, in the lambda: captured variables read from the state, the loop variable from the index.
            var inLambda = new Dictionary<SyntaxNode, string>();
            foreach (KeyValuePair<SyntaxNode, int> captured in map.CapturedNodes)
            {
                inLambda[captured.Key] = Item(captured.Value);
            }

            foreach (SyntaxNode reference in map.VariableNodes)
            {
                inLambda[reference] = map.IsForEach ? $"{Item(map.SourceIndex)}[__i]" : "__i";
            }

            if (SymbolEqualityComparer.Default.Equals(callee.OriginalDefinition, host.OriginalDefinition))
            {
                inLambda[call(map).Expression is MemberAccessExpressionSyntax member ? member.Name : call(map).Expression] = twinName;
            }

            string work = WithOverrides(inLambda, () => Text(call(map), NoReplacements).Trim());
            string count = map.IsForEach
                ? $"{Text(map.Source!, NoReplacements).Trim()}.{(map.SourceType is IArrayTypeSymbol ? "Length" : "Count")}"
                : $"__count{n}";

            code.Line($"// The calls of '{callee.Name}' in this loop may run at once, as a parallel map, when its site predicts enough work;");
            code.Line("// the loop then stores each result, or rethrows its call's exception, in its own order.");
            string condition;
            string first;
            if (map.IsForEach)
            {
                condition = $"{count} > 1 && {site}.TrySpawn({count})";
                first = "0";
            }
            else
            {
                code.Line($"int __from{n} = {Text(map.From!, NoReplacements).Trim()};");
                code.Line($"long __count{n} = (long)({Text(map.To!, NoReplacements).Trim()}) - __from{n}{(map.Inclusive ? " + 1" : string.Empty)};");
                condition = $"__count{n} > 1 && __from{n} + __count{n} <= int.MaxValue && {site}.TrySpawn(__count{n})";
                first = $"__from{n}";
            }

            code.Line($"if ({condition})");
            code.Open();
            string end = map.IsForEach ? count : $"(int)(__from{n} + __count{n})";
            code.Line($"var __map{n} = global::Specialize.Futures.Future.Map<{stateType}, {resultType}>({site}, {first}, {end}, {stateText}, static (__s, __i) => {work});");
            if (map.IsForEach)
            {
                code.Line($"int __index{n} = 0;");
            }

            // The loop as written, reading each call's result from the map.
            string result = map.IsForEach ? $"__map{n}[__index{n}++]" : $"__map{n}[{Escape(map.Variable)} - __from{n}]";
            var reading = new Dictionary<SyntaxNode, string> { [call(map)] = result };
            code.Raw(WithOverrides(reading, () => Text(map.Loop, NoReplacements)), map.Loop);
            code.Close();
            code.Line("else");
            code.Open();
            code.Line($"long __timing{n} = {site}.StartTiming({count});");
            code.Raw(Text(map.Loop, NoReplacements), map.Loop);
            code.Line($"{site}.StopTiming(__timing{n}, {count});");
            code.Close();

            static InvocationExpressionSyntax call(FutureMap map) => map.Call.InvocationSyntax;
        }

        private static string Escape(string name) => SyntaxFacts.GetKeywordKind(name) != SyntaxKind.None ? "@" + name : name;

        private string WithOverrides(Dictionary<SyntaxNode, string> replaced, System.Func<string> write)
        {
            Dictionary<SyntaxNode, string>? saved = overrides;
            overrides = replaced;
            try
            {
                return write();
            }
            finally
            {
                overrides = saved;
            }
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
    }
}
