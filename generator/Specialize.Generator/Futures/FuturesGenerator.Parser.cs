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
using Specialize.Analysis.Purity;
using Specialize.Generator.Futures.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Futures;

public sealed partial class FuturesGenerator
{
    /// <summary>Syntax to plain data: decides whether a method gets a twin and what the twin says.</summary>
    internal static class Parser
    {
        private static readonly SymbolDisplayFormat QualifiedFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>
        /// Cheap syntax filter: a method body with at least two local declarations initialized by a call.
        /// </summary>
        public static bool IsCandidate(SyntaxNode node)
        {
            if (node is not MethodDeclarationSyntax { Body: { } body } || node.Parent is not ClassDeclarationSyntax and not RecordDeclarationSyntax)
            {
                return false;
            }

            int calls = 0;
            foreach (StatementSyntax statement in body.Statements)
            {
                if (statement is LocalDeclarationStatementSyntax { Declaration.Variables: { Count: 1 } variables }
                    && variables[0].Initializer?.Value is InvocationExpressionSyntax && ++calls >= 2)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The twin for a method, or null when it has nothing that can overlap.</summary>
        public static FutureTwinSpec? Parse(MethodDeclarationSyntax syntax, SemanticModel model, CancellationToken cancellationToken)
        {
            if (model.GetDeclaredSymbol(syntax, cancellationToken) is not { } method || !CanHostTwin(method, syntax))
            {
                return null;
            }

            var purity = new PurityAnalysis(model.Compilation);
            SyntaxList<StatementSyntax> statements = syntax.Body!.Statements;
            bool nullable = (model.GetNullableContext(syntax.SpanStart) & NullableContext.AnnotationsEnabled) != 0;
            FuturePlan plan = FuturePlan.Create(statements, model, purity, cancellationToken);
            if (plan.Runs.Length == 0)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            var calls = new Dictionary<StatementSyntax, FutureCall>();
            foreach (FutureRun run in plan.Runs)
            {
                foreach (FutureCandidate candidate in run.Calls)
                {
                    calls[candidate.Statement] = ToFutureCall(candidate, nullable, method);
                }
            }

            string twinName = method.Name + "_Parallel";
            var sites = new List<string>();
            string body = RewriteBody(syntax.Body, plan, calls, sites, syntax.SyntaxTree.FilePath, nullable);
            string twin = BuildTwin(syntax, twinName, body);

            return new FutureTwinSpec(
                HintName: HintName(method),
                MethodKey: MethodKey(method),
                Usings: new EquatableArray<string>(CollectUsings(syntax)),
                NullableEnabled: (model.GetNullableContext(syntax.SpanStart) & NullableContext.AnnotationsEnabled) != 0,
                Namespace: method.ContainingNamespace.IsGlobalNamespace ? string.Empty : method.ContainingNamespace.ToDisplayString(),
                TypeHeaders: new EquatableArray<string>(TypeHeaders(syntax)),
                TwinName: twinName,
                TwinSource: twin,
                Sites: new EquatableArray<string>(sites),
                Interceptor: BuildInterceptor(method, twinName));
        }

        /// <summary>The stable key of a method, shared by its twin and its call sites.</summary>
        public static string MethodKey(IMethodSymbol method) => method.OriginalDefinition.GetDocumentationCommentId() ?? method.ToDisplayString();

        private static bool CanHostTwin(IMethodSymbol method, MethodDeclarationSyntax syntax)
        {
            // Interceptors replace a call with a call of the same signature: the method and its
            // types must be nameable from the generated namespace, and the call must not be virtual.
            if (method.IsGenericMethod || method.IsVirtual || method.IsOverride || method.IsAbstract || method.IsExtensionMethod
                || method.IsAsync || method.ReturnsByRef || method.ReturnsByRefReadonly || method.PartialDefinitionPart is not null
                || method.PartialImplementationPart is not null || method.ReturnType.IsRefLikeType)
            {
                return false;
            }

            if (syntax.Body is null || syntax.Body.DescendantNodes().Any(static n => n is YieldStatementSyntax))
            {
                return false;
            }

            if (!TwinHosts.CanContainTwin(method.ContainingType))
            {
                return false;
            }

            for (SyntaxNode? node = syntax.Parent; node is TypeDeclarationSyntax typeDeclaration; node = node.Parent)
            {
                if (!typeDeclaration.Modifiers.Any(SyntaxKind.PartialKeyword))
                {
                    return false;
                }
            }

            if (!IsNameable(method.ReturnType) && method.ReturnType.SpecialType != SpecialType.System_Void)
            {
                return false;
            }

            foreach (IParameterSymbol parameter in method.Parameters)
            {
                if (parameter.RefKind != RefKind.None || parameter.IsParams || parameter.Type.IsRefLikeType || !IsNameable(parameter.Type))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsNameable(ITypeSymbol type) => TwinHosts.IsNameable(type);

        /// <summary>One pure call of a run, as text.</summary>
        private sealed class FutureCall
        {
            public FutureCall(LocalDeclarationStatementSyntax statement, string variable, string declaredType, string resultType, string state, string work, string direct, string size, string display, string typeArguments)
            {
                Statement = statement;
                Variable = variable;
                DeclaredType = declaredType;
                ResultType = resultType;
                State = state;
                Work = work;
                Direct = direct;
                Size = size;
                Display = display;
                TypeArguments = typeArguments;
            }

            public LocalDeclarationStatementSyntax Statement { get; }

            /// <summary>The declared variable, as written (with its '@' if it has one).</summary>
            public string Variable { get; }

            /// <summary>The variable's name without '@', for the names of the twin's own locals.</summary>
            public string Name => Variable.TrimStart('@');

            public string DeclaredType { get; }

            /// <summary>The callee's return type, fully qualified.</summary>
            public string ResultType { get; }

            /// <summary>The call's receiver and arguments as one state value, for a spawned call.</summary>
            public string State { get; }

            /// <summary>The body of the static lambda that makes the call from its state.</summary>
            public string Work { get; }

            /// <summary>The call itself, as a plain call (the twin itself for a recursive call).</summary>
            public string Direct { get; }

            /// <summary>The size feature of the call, from its arguments.</summary>
            public string Size { get; }

            public string Display { get; }

            /// <summary>The state and result types, spelled out so that no inference depends on flow state.</summary>
            public string TypeArguments { get; }
        }

        /// <summary>
        /// A pure call of a run (decided in the shared <see cref="FuturePlan"/>, which the analyzers use
        /// too), as text. Its argument and result types are nameable: the plan admits no other calls.
        /// </summary>
        private static FutureCall ToFutureCall(FutureCandidate candidate, bool nullable, IMethodSymbol host)
        {
            SymbolDisplayFormat typeFormat = nullable ? QualifiedFormat : SymbolDisplayFormat.FullyQualifiedFormat;
            var stateTypes = new List<string>();
            LocalDeclarationStatementSyntax declaration = candidate.Statement;
            VariableDeclaratorSyntax variable = declaration.Declaration.Variables[0];
            InvocationExpressionSyntax invocationSyntax = candidate.InvocationSyntax;
            IInvocationOperation invocation = candidate.Invocation;
            IMethodSymbol callee = candidate.Callee;

            // The state carries the receiver (for an instance call) and every argument, each cast to
            // its parameter type; arguments must be free of side effects so that evaluating them
            // before an earlier call has finished cannot be observed.
            var stateParts = new List<string>();
            string target;

            // A recursive call runs the twin itself, so that every level of the recursion can
            // overlap its calls (calls from generated code are not intercepted).
            bool recursive = SymbolEqualityComparer.Default.Equals(callee.OriginalDefinition, host.OriginalDefinition);
            if (callee.IsStatic)
            {
                target = recursive ? host.Name + "_Parallel" : CalleeExpression(invocationSyntax.Expression);
            }
            else
            {
                IOperation? receiver = invocation.Instance;
                stateParts.Add($"({callee.ContainingType.ToDisplayString(QualifiedFormat)})({receiver!.Syntax})");
                stateTypes.Add(callee.ContainingType.ToDisplayString(typeFormat));
                target = "{0}." + (recursive ? host.Name + "_Parallel" : MemberName(invocationSyntax.Expression));
            }

            string? size = null;
            int sizeIndex = 0;
            for (int i = 0; i < invocation.Arguments.Length; i++)
            {
                IArgumentOperation argument = invocation.Arguments[i];
                string parameterType = argument.Parameter!.Type.ToDisplayString(QualifiedFormat);
                stateParts.Add($"({parameterType})({((ArgumentSyntax)argument.Syntax).Expression})");
                stateTypes.Add(argument.Parameter.Type.ToDisplayString(typeFormat));
                if (size is null && SizeFeature(argument.Parameter.Type) is { } feature)
                {
                    size = feature;
                    sizeIndex = stateParts.Count - 1;
                }
            }

            string state = stateParts.Count switch
            {
                0 => "0",
                1 => stateParts[0],
                _ => "(" + string.Join(", ", stateParts) + ")",
            };

            string StateItem(int index) => stateParts.Count == 1 ? "__s" : $"__s.Item{index + 1}";
            var arguments = new List<string>();
            int first = callee.IsStatic ? 0 : 1;
            for (int i = first; i < stateParts.Count; i++)
            {
                arguments.Add(StateItem(i));
            }

            string callTarget = callee.IsStatic ? target : string.Format(target, StateItem(0));
            string call = $"{callTarget}({string.Join(", ", arguments)})";
            string sizeText = size is null ? "1L" : string.Format(size, stateParts[sizeIndex]);
            string declaredType = declaration.Declaration.Type.ToString();
            string direct = DirectCall(invocationSyntax, recursive ? host.Name + "_Parallel" : null);

            string stateType = stateTypes.Count switch
            {
                0 => "int",
                1 => stateTypes[0],
                _ => "(" + string.Join(", ", stateTypes) + ")",
            };
            string resultType = callee.ReturnType.ToDisplayString(typeFormat);
            string typeArguments = $"<{stateType}, {resultType}>";
            return new FutureCall(declaration, variable.Identifier.Text, declaredType, resultType, state, call, direct, sizeText, invocationSyntax.ToString(), typeArguments);
        }

        /// <summary>
        /// The call as the user wrote it, on one line; a recursive call names the twin instead, so
        /// that every level of the recursion can overlap its own calls.
        /// </summary>
        private static string DirectCall(InvocationExpressionSyntax invocation, string? twinName)
        {
            string target = twinName is null
                ? invocation.Expression.ToString()
                : invocation.Expression is MemberAccessExpressionSyntax member ? $"{member.Expression}{member.OperatorToken.Text}{twinName}" : twinName;
            return $"{target}({string.Join(", ", invocation.ArgumentList.Arguments.Select(static a => a.ToString()))})";
        }

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
                return "(long){0}";
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

        private static string CalleeExpression(ExpressionSyntax expression) => expression.ToString();

        private static string MemberName(ExpressionSyntax expression) => expression switch
        {
            MemberAccessExpressionSyntax member => member.Name.ToString(),
            _ => expression.ToString(),
        };

        /// <summary>
        /// The block as the plan says: statements kept as written, pure calls started as futures or made
        /// directly, declarations that may throw while calls run guarded, and each value bound where
        /// it is forced, in program order.
        /// </summary>
        private static string RewriteBody(BlockSyntax body, FuturePlan plan, Dictionary<StatementSyntax, FutureCall> calls, List<string> sites, string filePath, bool nullable)
        {
            SymbolDisplayFormat typeFormat = nullable ? QualifiedFormat : SymbolDisplayFormat.FullyQualifiedFormat;
            var started = new HashSet<StatementSyntax>(plan.Steps.Where(static s => s.Kind == FutureStepKind.Start).Select(static s => s.Statement));
            var runByFirst = plan.Runs.ToDictionary(static r => r.First);
            var text = new StringBuilder();
            text.Append(body.OpenBraceToken.ToFullString());
            string indent = string.Empty;

            void Force(CodeLines code, IEnumerable<FutureCandidate> forced)
            {
                foreach (FutureCandidate candidate in forced)
                {
                    FutureCall call = calls[candidate.Statement];
                    code.Line(started.Contains(candidate.Statement)
                        ? $"{call.DeclaredType} {call.Variable} = global::Specialize.Futures.Future.Join<{call.ResultType}>(__future_{call.Name}, __value_{call.Name});"
                        : $"{call.DeclaredType} {call.Variable} = __value_{call.Name};");
                }
            }

            for (int i = 0; i < plan.Steps.Length; i++)
            {
                FutureStep step = plan.Steps[i];
                StatementSyntax statement = step.Statement;
                indent = statement.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
                var code = new CodeLines(text, indent);
                Force(code, step.ForcedBefore);
                if (step.Kind == FutureStepKind.Plain)
                {
                    text.Append(statement.ToFullString());
                    continue;
                }

                // The statement's own comments stay; its indentation is the generated lines'.
                SyntaxTriviaList leading = statement.GetLeadingTrivia();
                text.Append((leading.Count > 0 && leading[leading.Count - 1].IsKind(SyntaxKind.WhitespaceTrivia) ? leading.RemoveAt(leading.Count - 1) : leading).ToFullString());
                if (runByFirst.TryGetValue(i, out FutureRun? run))
                {
                    code.Line($"// These {run.Calls.Length} pure calls may run at once. Each one that has another after it, before its value is needed,");
                    code.Line("// starts as a future when its site predicts enough work to pay for one, and is otherwise a plain call;");
                    code.Line("// values are forced, in program order, at their first use.");
                }

                List<FutureCall> running = step.Running.Select(c => calls[c.Statement]).ToList();
                switch (step.Kind)
                {
                    case FutureStepKind.Start:
                    {
                        FutureCall call = calls[statement];
                        FileLinePositionSpan line = call.Statement.GetLocation().GetLineSpan();
                        string site = $"FutureSites.Site{sites.Count}";
                        sites.Add($"{call.Display} at {System.IO.Path.GetFileName(filePath)}({line.StartLinePosition.Line + 1},{line.StartLinePosition.Character + 1})");
                        EmitStart(code, call, site, running, nullable);
                        break;
                    }

                    case FutureStepKind.Direct:
                    {
                        FutureCall call = calls[statement];
                        code.Line($"{call.ResultType} __value_{call.Name};");
                        EmitGuarded(code, $"__value_{call.Name} = {call.Direct};", running);
                        break;
                    }

                    case FutureStepKind.Guarded:
                    {
                        // A pure declaration that may throw: declared before the try, bound after it.
                        var declaration = (LocalDeclarationStatementSyntax)statement;
                        VariableDeclaratorSyntax variable = declaration.Declaration.Variables[0];
                        string name = "__value_" + variable.Identifier.ValueText;
                        code.Line($"{step.Declared!.Type.ToDisplayString(typeFormat)} {name};");
                        EmitGuarded(code, $"{name} = {variable.Initializer!.Value};", running);
                        code.Line($"{declaration.Declaration.Type} {variable.Identifier.Text} = {name};");
                        break;
                    }
                }
            }

            Force(new CodeLines(text, indent), plan.ForcedAtEnd);
            text.Append(body.CloseBraceToken.ToFullString());
            return text.ToString();
        }

        /// <summary>
        /// A call that may start as a future: spawned when its site says the work pays for a thread,
        /// otherwise made right here as a plain call (timed now and then, to keep the site's cost
        /// model current). The spawned task and the inline value are two locals, so the inline path
        /// touches no future at all.
        /// </summary>
        private static void EmitStart(CodeLines code, FutureCall call, string site, List<FutureCall> earlier, bool nullable)
        {
            string future = "__future_" + call.Name;
            string value = "__value_" + call.Name;
            string size = "__size_" + call.Name;
            string timing = "__timing_" + call.Name;
            code.Line($"global::System.Threading.Tasks.Task<{call.ResultType}>{(nullable ? "?" : string.Empty)} {future} = null;");
            code.Line($"{call.ResultType} {value} = default{(nullable ? "!" : string.Empty)};");
            code.Line($"long {size} = {call.Size};");
            code.Line($"if ({site}.TrySpawn({size}))");
            code.Open();
            code.Line($"{future} = global::Specialize.Futures.Future.Spawn{call.TypeArguments}({site}, {size}, {call.State}, static __s => {call.Work});");
            code.Close();
            code.Line("else");
            code.Open();
            code.Line($"long {timing} = {site}.StartTiming({size});");
            EmitGuarded(code, $"{value} = {call.Direct};", earlier);
            code.Line($"{site}.StopTiming({timing}, {size});");
            code.Close();
            code.Line(string.Empty);
        }

        /// <summary>
        /// A statement that may throw while earlier calls are still running as futures: the
        /// sequential program would have thrown their exceptions first, so on the way out it forces
        /// them, in program order, and rethrows its own exception only when none of them throws.
        /// </summary>
        private static void EmitGuarded(CodeLines code, string statement, List<FutureCall> earlier)
        {
            if (earlier.Count == 0)
            {
                code.Line(statement);
                return;
            }

            code.Line("try");
            code.Open();
            code.Line(statement);
            code.Close();
            code.Line("catch");
            code.Open();
            code.Line("// The sequential program would have thrown an earlier call's exception first.");
            foreach (FutureCall call in earlier)
            {
                code.Line($"global::Specialize.Futures.Future.Wait(__future_{call.Name});");
            }

            code.Line("throw;");
            code.Close();
            code.Line(string.Empty);
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

        private static string BuildTwin(MethodDeclarationSyntax syntax, string twinName, string body)
        {
            var modifiers = new List<string> { "internal" };
            if (syntax.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                modifiers.Add("static");
            }

            if (syntax.Modifiers.Any(SyntaxKind.UnsafeKeyword))
            {
                modifiers.Add("unsafe");
            }

            string parameters = string.Join(", ", syntax.ParameterList.Parameters.Select(p => $"{p.Type} {p.Identifier.ValueText}"));
            string indent = syntax.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            return $"{indent}{string.Join(" ", modifiers)} {syntax.ReturnType} {twinName}({parameters})\n{indent}{body.TrimStart()}";
        }

        private static InterceptorSignature BuildInterceptor(IMethodSymbol method, string twinName)
        {
            var parameters = new List<string>();
            var arguments = new List<string>();
            string type = method.ContainingType.ToDisplayString(QualifiedFormat);
            if (!method.IsStatic)
            {
                parameters.Add($"this {type} @this");
            }

            foreach (IParameterSymbol parameter in method.Parameters)
            {
                parameters.Add($"{parameter.Type.ToDisplayString(QualifiedFormat)} @{parameter.Name}");
                arguments.Add("@" + parameter.Name);
            }

            string receiver = method.IsStatic ? type : "@this";
            return new InterceptorSignature(
                method.Name,
                method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(QualifiedFormat),
                string.Join(", ", parameters),
                $"{receiver}.{twinName}({string.Join(", ", arguments)})");
        }

        private static IEnumerable<string> CollectUsings(SyntaxNode node)
        {
            var usings = new List<string>();
            for (SyntaxNode? current = node; current is not null; current = current.Parent)
            {
                SyntaxList<UsingDirectiveSyntax> directives = current switch
                {
                    CompilationUnitSyntax unit => unit.Usings,
                    BaseNamespaceDeclarationSyntax ns => ns.Usings,
                    _ => default,
                };
                foreach (UsingDirectiveSyntax directive in directives)
                {
                    if (directive.GlobalKeyword == default)
                    {
                        usings.Add(directive.WithoutTrivia().ToString());
                    }
                }
            }

            usings.Sort(System.StringComparer.Ordinal);
            return usings.Distinct();
        }

        private static IEnumerable<string> TypeHeaders(MethodDeclarationSyntax syntax)
        {
            var headers = new List<string>();
            for (SyntaxNode? node = syntax.Parent; node is TypeDeclarationSyntax type; node = node.Parent)
            {
                string keyword = type is RecordDeclarationSyntax record
                    ? "record" + (record.ClassOrStructKeyword == default ? string.Empty : " " + record.ClassOrStructKeyword.Text)
                    : type.Keyword.Text;
                string modifiers = string.Join(" ", type.Modifiers.Where(m => m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text));
                headers.Insert(0, $"{modifiers} {keyword} {type.Identifier.ValueText}".Trim());
            }

            return headers;
        }

        private static string HintName(IMethodSymbol method)
        {
            var name = new StringBuilder();
            name.Append(method.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None)));
            name.Append('.').Append(method.Name);
            foreach (IParameterSymbol parameter in method.Parameters)
            {
                name.Append('_').Append(parameter.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat));
            }

            for (int i = 0; i < name.Length; i++)
            {
                char c = name[i];
                if (!(char.IsLetterOrDigit(c) || c == '.' || c == '_'))
                {
                    name[i] = '_';
                }
            }

            return name.Append(".Parallel.g.cs").ToString();
        }

        /// <summary>The call site of an invocation of a method with a twin, or null.</summary>
        public static FutureCallSite? ParseCallSite(InvocationExpressionSyntax invocation, SemanticModel model, CancellationToken cancellationToken)
        {
            if (model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol target)
            {
                return null;
            }

#pragma warning disable RSEXPERIMENTAL002 // Interceptable locations are the supported way to write [InterceptsLocation].
            var location = model.GetInterceptableLocation(invocation, cancellationToken);
#pragma warning restore RSEXPERIMENTAL002
            if (location is null)
            {
                return null;
            }

            return new FutureCallSite(MethodKey(target), location.Version, location.Data, location.GetDisplayLocation());
        }
    }
}
