using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Blb;
using Specialize.Analysis.Purity;
using Specialize.Generator.Blb.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Blb;

public sealed partial class BlbGenerator
{
    /// <summary>Symbols and syntax to plain data: the checked estimator and its rewritten body.</summary>
    internal static partial class Parser
    {
        private static readonly SymbolDisplayFormat QualifiedFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        /// <summary>The spec of an estimator, or null when the estimator language is violated (the analyzer says where).</summary>
        public static BlbEstimatorSpec? Parse(INamedTypeSymbol type, Compilation compilation, CancellationToken cancellationToken)
        {
            BlbEstimatorAnalysis analysis = BlbEstimatorAnalysis.Analyze(type, compilation, new PurityAnalysis(compilation), cancellationToken);
            if (analysis.Diagnostics.Any(static d => d.Severity == DiagnosticSeverity.Error) || analysis.Estimate is null || analysis.EstimateSyntax is null)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            IMethodSymbol estimate = analysis.Estimate;
            MethodDeclarationSyntax syntax = analysis.EstimateSyntax;
            SemanticModel model = compilation.GetSemanticModel(syntax.SyntaxTree);

            var taken = new HashSet<string>(
                syntax.DescendantTokens().Where(static t => t.IsKind(SyntaxKind.IdentifierToken)).Select(static t => t.ValueText),
                System.StringComparer.Ordinal);
            string Unique(string name)
            {
                string candidate = name;
                for (int i = 2; taken.Contains(candidate); i++)
                {
                    candidate = name + i.ToString(CultureInfo.InvariantCulture);
                }

                taken.Add(candidate);
                return candidate;
            }

            string sample = Unique("sample");
            string weights = Unique("weights");
            string index = Unique("row");
            string weight = Unique("weight");
            string repeat = Unique("repeat");

            var parameters = new List<BlbParameterSpec>();
            var views = new Dictionary<int, (string Source, string Map)>();
            var rowViews = new Dictionary<int, string>();
            foreach (IParameterSymbol parameter in estimate.Parameters)
            {
                int input = analysis.Subsampled.FindIndex(p => SymbolEqualityComparer.Default.Equals(p, parameter));
                ITypeSymbol? element = input >= 0 ? BlbEstimatorAnalysis.ElementType(parameter.Type) : null;
                bool isSpan = parameter.Type is INamedTypeSymbol { IsGenericType: true } named && named.OriginalDefinition.ToDisplayString() == "System.ReadOnlySpan<T>";
                parameters.Add(new BlbParameterSpec(
                    Name: Escape(parameter.Name),
                    Type: parameter.Type.ToDisplayString(QualifiedFormat),
                    Subsampled: input >= 0,
                    ElementType: element?.ToDisplayString(QualifiedFormat) ?? string.Empty,
                    IsArray: parameter.Type is IArrayTypeSymbol,
                    IsSpan: isSpan,
                    CheckNaN: element is { SpecialType: SpecialType.System_Double or SpecialType.System_Single }
                        || element?.ToDisplayString() == "System.Half",
                    SpanElementType: isSpan ? ((INamedTypeSymbol)parameter.Type).TypeArguments[0].ToDisplayString(QualifiedFormat) : string.Empty));
            }

            // Row views are declared once, for the inputs that have a weighted loop.
            var preamble = new StringBuilder();
            string indent = "    ";
            preamble.Append($"{indent}global::System.ReadOnlySpan<int> {weights} = {sample}.Weights;\n");
            foreach (int input in analysis.WeightedLoops.Values.Distinct().OrderBy(static i => i))
            {
                IParameterSymbol parameter = analysis.Subsampled[input];
                string rows = Unique(parameter.Name + "Rows");
                rowViews[input] = rows;
                string element = BlbEstimatorAnalysis.ElementType(parameter.Type)!.ToDisplayString(QualifiedFormat);
                preamble.Append($"{indent}global::Specialize.BlbRows<{element}> {rows} = {sample}.Rows<{element}>({input}, {Escape(parameter.Name)});\n");
                string source = Unique(parameter.Name + "Source");
                string map = Unique(parameter.Name + "Map");
                views[input] = (source, map);
                preamble.Append($"{indent}global::System.ReadOnlySpan<{element}> {source} = {rows}.Source;\n");
                preamble.Append($"{indent}global::System.ReadOnlySpan<int> {map} = {rows}.Map;\n");
            }

            var rewriter = new WeightedLoopRewriter(analysis, $"{sample}.N", weights, index, weight, repeat, views, null);
            string body;
            if (syntax.Body is { } block)
            {
                var rewritten = (BlockSyntax)rewriter.Visit(block);
                string inner = string.Concat(rewritten.Statements.Select(static s => s.ToFullString())) + BeforeClosingBrace(rewritten);
                body = "{\n" + preamble + Reindent(inner) + "}";
            }
            else
            {
                var expression = (ExpressionSyntax)rewriter.Visit(syntax.ExpressionBody!.Expression);
                body = "{\n" + preamble + indent + "return " + expression.ToFullString().Trim() + ";\n}";
            }

            // The batched form, where the estimator's shape allows it (names made unique after those above, so that
            // EstimateWeighted does not change with it).
            string? batchBody = null;
            BatchNames? batchNames = null;
            BlbDeviceSpec? device = null;
            BlbDeviceLowering lowering = BlbDeviceLowering.Analyze(analysis, compilation, cancellationToken);
            if (lowering.Plan is { } plan)
            {
                batchNames = new BatchNames(plan, Unique("count"), Unique("results"), Unique("bootstrap"), Unique("rowWeights"), Unique("rowWeightsAsDouble"), Unique("term"), Unique("at"), Unique("rowWeight"), Unique("nextBootstrap"), Unique("batchTerms"));
                foreach (BlbAccumulator accumulator in plan.Accumulators)
                {
                    batchNames.Accumulators[accumulator] = new AccumulatorNames(
                        Unique(accumulator.Local.Name + "Batch"),
                        accumulator.IsArray ? Unique(accumulator.Local.Name + "Length") : string.Empty);
                }

                var batchRewriter = new WeightedLoopRewriter(analysis, $"{sample}.N", weights, index, weight, repeat, views, batchNames);
                batchBody = BatchBody(plan, batchNames, batchRewriter, preamble.ToString().Replace($"{indent}global::System.ReadOnlySpan<int> {weights} = {sample}.Weights;\n", string.Empty), sample, weights, model, cancellationToken);

                // The GPU form, where every construct before and in the loops has a lowering (otherwise the analyzer
                // reports SPEC111 and the bootstraps stay on the processor).
                if (lowering.Lowers)
                {
                    device = DeviceForm(analysis, lowering, batchNames, rowViews, Unique, index, weight, repeat, model, cancellationToken);
                }
            }

            // Run's own parameters, and the state parameter of its lambdas, must not be named like Estimate's, which Run
            // takes too.
            var runNames = new HashSet<string>(estimate.Parameters.Select(static p => p.Name), System.StringComparer.Ordinal);
            string optionsName = Identifiers.Unique("options", runNames);
            string progressName = Identifiers.Unique("progress", runNames);
            string cancellationName = Identifiers.Unique("cancellationToken", runNames);
            string stateName = runNames.Contains("state") ? Identifiers.Unique("blbState", runNames) : "state";

            (int subsamples, int bootstraps, double gamma) = AttributeDefaults(type);
            NullableContext nullable = model.GetNullableContext(syntax.SpanStart);
            return new BlbEstimatorSpec(
                HintName: HintNames.For(type, ".Blb.g.cs"),
                Scopes: SourceScopes.Of(syntax),
                NullableDirective: GeneratedFile.NullableDirective(nullable),
                NullableEnabled: (nullable & NullableContext.AnnotationsEnabled) != 0,
                TypeHeaders: new EquatableArray<string>(Identifiers.TypeHeaders(type)),
                IsVector: analysis.IsVector,
                Parameters: new EquatableArray<BlbParameterSpec>(parameters),
                SampleName: sample,
                WeightedBody: body,
                Subsamples: subsamples,
                Bootstraps: bootstraps,
                Gamma: gamma.ToString("R", CultureInfo.InvariantCulture) is var g && g.IndexOfAny(new[] { '.', 'E', 'e' }) < 0 ? g + ".0" : gamma.ToString("R", CultureInfo.InvariantCulture),
                HasReduceBootstraps: analysis.ReduceBootstraps is not null,
                HasAverage: analysis.Average is not null,
                Accessibility: AccessibilityText(estimate.DeclaredAccessibility),
                StateName: stateName,
                OptionsName: optionsName,
                ProgressName: progressName,
                CancellationName: cancellationName,
                BatchBody: batchBody,
                BatchInRun: batchNames?.Plan.Pays ?? false,
                WeightsName: weights,
                CountName: batchNames?.Count ?? string.Empty,
                ResultsName: batchNames?.Results ?? string.Empty,
                Device: device);
        }

        /// <summary>
        /// The body of EstimateWeightedBatch: the prefix once (accumulators become <c>count</c> copies, laid out so that
        /// the copies of one accumulator element are contiguous), each weighted loop once over the rows adding every
        /// term into all bootstraps' accumulators, then the suffix once per bootstrap with that bootstrap's accumulators.
        /// </summary>
        private static string BatchBody(BlbBatchPlan plan, BatchNames names, WeightedLoopRewriter rewriter, string preamble, string sample, string weights, SemanticModel model, CancellationToken cancellationToken)
        {
            string opening = $"    global::Specialize.BlbBatch.ThrowIfInvalid({sample}.Count, {weights}.Length, {names.Count}, {names.Results}.Length);\n" + preamble;
            return PerBootstrapBody(plan, names, rewriter, opening, middle: null, model, cancellationToken);
        }

        /// <summary>
        /// A body that runs the prefix once with <c>count</c> copies of each accumulator, fills them (<paramref name="middle"/>,
        /// or the weighted loops adding every row's terms into all copies when it is null), then runs the suffix once per
        /// bootstrap with that bootstrap's copy: the batched form, and the host's part of the GPU form.
        /// </summary>
        private static string PerBootstrapBody(BlbBatchPlan plan, BatchNames names, WeightedLoopRewriter rewriter, string opening, string? middle, SemanticModel model, CancellationToken cancellationToken)
        {
            const string indent = "    ";
            var text = new StringBuilder("{\n");
            text.Append(opening);

            var head = new StringBuilder();
            foreach (StatementSyntax statement in plan.Prefix)
            {
                AppendPrefixStatement(head, statement, plan, rewriter, (accumulator, leading) =>
                {
                    string initializer = ((ExpressionSyntax)rewriter.Visit(accumulator.Initializer)).WithoutTrivia().ToFullString();
                    string element = accumulator.ElementType;
                    if (accumulator.IsArray)
                    {
                        head.Append($"{leading}int {names.LengthOf(accumulator)} = {initializer};\n");
                        head.Append($"{Indentation(leading)}{element}[] {names.BatchOf(accumulator)} = new {element}[checked({names.LengthOf(accumulator)} * {names.Count})];\n");
                    }
                    else
                    {
                        head.Append($"{leading}{element}[] {names.BatchOf(accumulator)} = new {element}[{names.Count}];\n");
                        if (!IsZero(model.GetConstantValue(accumulator.Initializer, cancellationToken)))
                        {
                            head.Append($"{Indentation(leading)}global::System.Array.Fill<{element}>({names.BatchOf(accumulator)}, {initializer});\n");
                        }
                    }
                });
            }

            if (middle is not null)
            {
                head.Append(middle);
            }
            else
            {
                if (plan.CollectsTerms)
                {
                    string arrays = string.Join(", ", plan.TermAccumulators.Select(names.BatchOf));
                    head.Append($"{LastIndentation(plan.Loops[0])}global::Specialize.BlbBatchTerms {names.Terms} = new global::Specialize.BlbBatchTerms({names.Count}, {arrays});\n");
                }
                else if (plan.NeedsDoubleWeights)
                {
                    head.Append($"{LastIndentation(plan.Loops[0])}double[] {names.RowWeightsAsDouble} = new double[{names.Count}];\n");
                }

                foreach (StatementSyntax loop in plan.Loops)
                {
                    head.Append(rewriter.Visit(loop).ToFullString());
                    if (plan.CollectsTerms)
                    {
                        // The last rows' terms reach the accumulators before anything else runs.
                        head.Append($"\n{LastIndentation(loop)}{names.Terms}.Flush();\n");
                    }
                }
            }

            text.Append(Reindent(head.ToString()));
            text.Append('\n');

            // The suffix, once per bootstrap, on that bootstrap's accumulators.
            var suffix = new StringBuilder();
            foreach (BlbAccumulator accumulator in plan.Accumulators)
            {
                string name = Escape(accumulator.Local.Name);
                if (accumulator.IsArray)
                {
                    suffix.Append($"{accumulator.ElementType}[] {name} = new {accumulator.ElementType}[{names.LengthOf(accumulator)}];\n");
                    suffix.Append($"for (int {names.At} = 0; {names.At} < {names.LengthOf(accumulator)}; {names.At}++)\n{{\n");
                    suffix.Append($"    {name}[{names.At}] = {names.BatchOf(accumulator)}[({names.At} * {names.Count}) + {names.Bootstrap}];\n}}\n\n");
                }
                else
                {
                    suffix.Append($"{accumulator.ElementType} {name} = {names.BatchOf(accumulator)}[{names.Bootstrap}];\n");
                }
            }

            if (suffix.Length > 0 && plan.Accumulators[plan.Accumulators.Count - 1].IsArray)
            {
                suffix.Length--;
            }

            var rest = new StringBuilder();
            for (int i = 0; i < plan.Suffix.Count; i++)
            {
                StatementSyntax statement = plan.Suffix[i];
                if (i == plan.Suffix.Count - 1 && statement is ReturnStatementSyntax { Expression: { } value })
                {
                    // The last statement: no jump to the next bootstrap needed.
                    string leading = statement.GetLeadingTrivia().ToFullString();
                    rest.Append($"{leading}{names.Results}[{names.Bootstrap}] = {((ExpressionSyntax)rewriter.Visit(value)).WithoutTrivia().ToFullString()};\n");
                }
                else
                {
                    rest.Append(rewriter.Visit(statement).ToFullString());
                }
            }

            suffix.Append('\n');
            string restText = Reindent(rest.ToString()).Trim('\n');
            string[] restLines = restText.Split('\n');
            bool[] restInside = LiteralLines.StartInsideToken(restText);
            for (int i = 0; i < restLines.Length; i++)
            {
                // Inner lines of a string literal that spans lines are part of its value: copied as they are.
                string line = restLines[i];
                suffix.Append(!restInside[i] && line.StartsWith(indent, System.StringComparison.Ordinal) ? line.Substring(indent.Length) : line).Append('\n');
            }

            if (rewriter.UsedLabel)
            {
                suffix.Append($"\n{names.Label}:\n;\n");
            }

            text.Append($"{indent}for (int {names.Bootstrap} = 0; {names.Bootstrap} < {names.Count}; {names.Bootstrap}++)\n{indent}{{\n");
            string suffixText = suffix.ToString().TrimEnd();
            string[] suffixLines = suffixText.Split('\n');
            bool[] suffixInside = LiteralLines.StartInsideToken(suffixText);
            for (int i = 0; i < suffixLines.Length; i++)
            {
                string line = suffixLines[i];
                text.Append(suffixInside[i] ? line + "\n" : line.Trim().Length == 0 ? "\n" : indent + indent + line + "\n");
            }

            text.Append($"{indent}}}\n}}");
            return text.ToString();
        }

        /// <summary>
        /// Writes a statement of the part before the loops: as the user wrote it (rewritten), or, where it declares
        /// accumulators, declarator by declarator: each accumulator as <paramref name="accumulator"/> writes it (given the
        /// leading trivia to start with), the other locals it declares as <c>T name = value;</c>.
        /// </summary>
        private static void AppendPrefixStatement(StringBuilder head, StatementSyntax statement, BlbBatchPlan plan, WeightedLoopRewriter rewriter, Action<BlbAccumulator, string> accumulator)
        {
            IReadOnlyList<BlbAccumulator> declared = plan.AccumulatorsDeclaredBy(statement);
            if (declared.Count == 0)
            {
                head.Append(rewriter.Visit(statement).ToFullString());
                return;
            }

            var declaration = (LocalDeclarationStatementSyntax)statement;
            string leading = statement.GetLeadingTrivia().ToFullString();
            foreach (VariableDeclaratorSyntax declarator in declaration.Declaration.Variables)
            {
                string start = declarator == declaration.Declaration.Variables[0] ? leading : Indentation(leading);
                if (declared.FirstOrDefault(a => a.Declarator == declarator) is { } declaredAccumulator)
                {
                    accumulator(declaredAccumulator, start);
                    continue;
                }

                string value = declarator.Initializer is { } initializer
                    ? " = " + ((ExpressionSyntax)rewriter.Visit(initializer.Value)).WithoutTrivia().ToFullString()
                    : string.Empty;
                head.Append($"{start}{declaration.Declaration.Type.WithoutTrivia()} {declarator.Identifier.Text}{value};\n");
            }
        }

        private static string Indentation(string leading) =>
            leading.Substring(leading.LastIndexOf('\n') + 1);

        private static string LastIndentation(StatementSyntax statement) =>
            statement.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();

        private static bool IsZero(Optional<object?> constant) => constant.HasValue && constant.Value switch
        {
            int i => i == 0,
            long l => l == 0,
            double d => System.BitConverter.DoubleToInt64Bits(d) == 0,
            float f => System.BitConverter.DoubleToInt64Bits(f) == 0,
            _ => false,
        };

        private static string AccessibilityText(Accessibility accessibility) => accessibility switch
        {
            Microsoft.CodeAnalysis.Accessibility.Public => "public",
            Microsoft.CodeAnalysis.Accessibility.Internal => "internal",
            Microsoft.CodeAnalysis.Accessibility.Protected => "protected",
            Microsoft.CodeAnalysis.Accessibility.ProtectedOrInternal => "protected internal",
            Microsoft.CodeAnalysis.Accessibility.ProtectedAndInternal => "private protected",
            _ => "private",
        };

        private static string Escape(string name) => Identifiers.Escape(name);

        /// <summary>
        /// What stands before a block's closing brace when it is more than its indentation: the end of a preprocessor
        /// branch (<c>#else ... #endif</c>) or a comment, which belong to the brace and would be lost with it.
        /// </summary>
        internal static string BeforeClosingBrace(BlockSyntax block)
        {
            SyntaxTriviaList trivia = block.CloseBraceToken.LeadingTrivia;
            if (trivia.All(static t => t.IsKind(SyntaxKind.WhitespaceTrivia) || t.IsKind(SyntaxKind.EndOfLineTrivia)))
            {
                return string.Empty;
            }

            string text = trivia.ToFullString();
            int end = text.LastIndexOf('\n');
            return end >= 0 ? text.Substring(0, end + 1) : text + "\n";
        }

        /// <summary>
        /// Moves the user's statements to one level of indentation, keeping their relative layout. Only lines that start
        /// outside a token move: the inner lines of a string literal that spans lines (raw, verbatim, interpolated) are
        /// part of its value and are copied as they are, with the line end before each of them, trailing spaces included.
        /// </summary>
        private static string Reindent(string statements)
        {
            string trimmedEnd = statements.TrimEnd();
            string[] lines = trimmedEnd.Split('\n');
            bool[] inside = LiteralLines.StartInsideToken(trimmedEnd);
            // Preprocessor directives are often written at the start of the line: they do not set the indentation.
            int common = lines
                .Where((l, i) => !inside[i] && l.Trim().Length > 0 && !l.TrimStart().StartsWith("#", System.StringComparison.Ordinal))
                .Select(static l => l.Length - l.TrimStart().Length)
                .DefaultIfEmpty(0)
                .Min();
            var text = new StringBuilder();
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                bool endsInside = i + 1 < lines.Length && inside[i + 1];
                if (inside[i])
                {
                    text.Append(endsInside ? line : line.TrimEnd('\r')).Append('\n');
                    continue;
                }

                string trimmed = line.Substring(System.Math.Min(common, line.Length - line.TrimStart().Length));
                if (!endsInside)
                {
                    trimmed = trimmed.TrimEnd();
                }

                text.Append(trimmed.Trim().Length == 0 && !endsInside ? "\n" : "    " + trimmed + "\n");
            }

            return text.ToString();
        }

        private static (int Subsamples, int Bootstraps, double Gamma) AttributeDefaults(INamedTypeSymbol type)
        {
            int subsamples = 25;
            int bootstraps = 100;
            double gamma = 0.7;
            AttributeData? attribute = type.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == BlbEstimatorAnalysis.AttributeName);
            if (attribute is not null)
            {
                foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
                {
                    switch (argument.Key)
                    {
                        case "Subsamples" when argument.Value.Value is int s:
                            subsamples = s;
                            break;
                        case "Bootstraps" when argument.Value.Value is int r:
                            bootstraps = r;
                            break;
                        case "Gamma" when argument.Value.Value is double g:
                            gamma = g;
                            break;
                    }
                }
            }

            return (subsamples, bootstraps, gamma);
        }
    }

    /// <summary>Names the batched form adds (unique in the estimator) and its plan.</summary>
    private sealed record BatchNames(BlbBatchPlan Plan, string Count, string Results, string Bootstrap, string RowWeights, string RowWeightsAsDouble, string Term, string At, string RowWeight, string Label, string Terms)
    {
        /// <summary>The names each accumulator's batched copies get.</summary>
        public Dictionary<BlbAccumulator, AccumulatorNames> Accumulators { get; } = new();

        public string BatchOf(BlbAccumulator accumulator) => Accumulators[accumulator].Batch;

        public string LengthOf(BlbAccumulator accumulator) => Accumulators[accumulator].Length;
    }

    /// <summary>An accumulator's copies, one per bootstrap of the batch, and the length of an array accumulator.</summary>
    private sealed record AccumulatorNames(string Batch, string Length);

    /// <summary>
    /// The weighted-loop rewrite: each <c>foreach</c> over a subsampled input becomes a loop over the
    /// subsample's rows that skips weight-zero rows; '+=' / '-=' / '++' / '--' on variables declared outside
    /// the loop are scaled by the row's weight; '.Length' of subsampled data becomes n. Everything else is
    /// the user's code as written. With batch names, the loops add into every bootstrap's accumulators at once; with
    /// device names, they are a GPU kernel thread's share of one bootstrap's rows.
    /// </summary>
    private sealed class WeightedLoopRewriter : CSharpSyntaxRewriter
    {
        private readonly BlbEstimatorAnalysis analysis;
        private readonly string length;
        private readonly string weights;
        private readonly string index;
        private readonly string weight;
        private readonly string repeat;
        private readonly Dictionary<int, (string Source, string Map)> views;
        private readonly BatchNames? batch;
        private readonly DeviceNames? device;

        /// <param name="analysis">The estimator.</param>
        /// <param name="length">The expression '.Length' of subsampled data becomes: n.</param>
        /// <param name="weights">The weights (a span of the sample's; the row-by-row weights of a batch).</param>
        /// <param name="index">The row index of the loops.</param>
        /// <param name="weight">The row's weight.</param>
        /// <param name="repeat">The counter of updates repeated weight times.</param>
        /// <param name="views">The rows of each subsampled input: the span and the map of the sample's layout.</param>
        /// <param name="batch">The batched form's names, or null.</param>
        /// <param name="device">The GPU kernel's names, or null.</param>
        public WeightedLoopRewriter(BlbEstimatorAnalysis analysis, string length, string weights, string index, string weight, string repeat, Dictionary<int, (string Source, string Map)> views, BatchNames? batch, DeviceNames? device = null)
        {
            this.batch = batch;
            this.device = device;
            this.repeat = repeat;
            this.analysis = analysis;
            this.length = length;
            this.weights = weights;
            this.index = index;
            this.weight = weight;
            this.views = views;
        }

        public override SyntaxNode? VisitForEachStatement(ForEachStatementSyntax node) =>
            analysis.WeightedLoops.TryGetValue(node, out int input) ? WeightedLoop(node, input) : base.VisitForEachStatement(node);

        public override SyntaxNode? VisitForEachVariableStatement(ForEachVariableStatementSyntax node) =>
            analysis.WeightedLoops.TryGetValue(node, out int input) ? WeightedLoop(node, input) : base.VisitForEachVariableStatement(node);

        private SyntaxNode WeightedLoop(CommonForEachStatementSyntax node, int input)
        {
            var body = (StatementSyntax)Visit(node.Statement);
            string indent = node.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();

            // The user's statements, one level deeper than in the foreach: each loop below sits in an if/else block.
            string statements;
            if (body is BlockSyntax block)
            {
                statements = string.Concat(block.Statements.Select(static s => s.ToFullString())) + Parser.BeforeClosingBrace(block);
            }
            else
            {
                statements = indent + "    " + body.WithoutLeadingTrivia().ToFullString().TrimEnd() + "\n";
            }

            if (device is not null)
            {
                return DeviceLoop(node, input, indent, statements);
            }

            bool multiLineToken = body.DescendantTokens().Any(static t => t.ToString().IndexOf('\n') >= 0);
            if (!multiLineToken)
            {
                statements = string.Concat(statements.Split('\n').Select(static (line, i) => (i > 0 ? "\n" : string.Empty) + (line.Trim().Length == 0 ? line : "    " + line)));
            }

            (string source, string map) = views[input];

            // One loop per layout, so that no read branches on it: rows in order (load-in, the full-data pass),
            // or rows of the full input through the subsample's indices (indirection).
            var text = new StringBuilder();
            text.Append($"if ({map}.IsEmpty)\n{indent}{{\n");
            AppendLoop(text, node, indent + "    ", $"{source}.Length", $"{source}[{index}]", statements);
            text.Append($"{indent}}}\n{indent}else\n{indent}{{\n");
            AppendLoop(text, node, indent + "    ", $"{map}.Length", $"{source}[{map}[{index}]]", statements);
            text.Append($"{indent}}}");
            StatementSyntax loop = SyntaxFactory.ParseStatement(text.ToString());
            return loop.WithLeadingTrivia(node.GetLeadingTrivia()).WithTrailingTrivia(node.GetTrailingTrivia());
        }

        private void AppendLoop(StringBuilder text, CommonForEachStatementSyntax node, string indent, string length, string read, string statements)
        {
            string inner = indent + "    ";
            text.Append($"{indent}for (int {index} = 0; {index} < {length}; {index}++)\n");
            text.Append($"{indent}{{\n");
            if (batch is null)
            {
                text.Append($"{inner}int {weight} = {weights}[{index}];\n");
                text.Append($"{inner}if ({weight} == 0)\n{inner}{{\n{inner}    continue;\n{inner}}}\n\n");
            }
            else
            {
                // The row's weight in each bootstrap of the batch.
                text.Append($"{inner}global::System.ReadOnlySpan<int> {batch.RowWeights} = {weights}.Slice({index} * {batch.Count}, {batch.Count});\n");
                if (batch.Plan.CollectsTerms)
                {
                    text.Append($"{inner}{batch.Terms}.Row({batch.RowWeights});\n");
                }
                else if (batch.Plan.NeedsDoubleWeights)
                {
                    text.Append($"{inner}global::Specialize.BlbBatch.ToDouble({batch.RowWeights}, {batch.RowWeightsAsDouble});\n");
                }

                text.Append('\n');
            }

            AppendRowAndBody(text, node, inner, read, statements);
            text.Append($"{indent}}}\n");
        }

        /// <summary>The row, as the foreach names it or deconstructs it ('var (x, y) = row;'), then the loop's statements.</summary>
        private static void AppendRowAndBody(StringBuilder text, CommonForEachStatementSyntax node, string inner, string read, string statements)
        {
            switch (node)
            {
                case ForEachStatementSyntax { Type: RefTypeSyntax refType } named:
                    string modifiers = refType.ReadOnlyKeyword == default ? "ref readonly" : $"{refType.RefKeyword.Text} {refType.ReadOnlyKeyword.Text}";
                    text.Append($"{inner}{modifiers} {refType.Type} {named.Identifier.Text} = ref {read};\n");
                    break;
                case ForEachStatementSyntax named:
                    text.Append($"{inner}{named.Type} {named.Identifier.Text} = {read};\n");
                    break;
                case ForEachVariableStatementSyntax deconstructing:
                    text.Append($"{inner}{deconstructing.Variable.WithoutTrivia()} = {read};\n");
                    break;
            }

            text.Append(statements);
            if (!statements.EndsWith("\n", System.StringComparison.Ordinal))
            {
                text.Append('\n');
            }
        }

        /// <summary>
        /// The weighted loop in a GPU kernel: the thread's lane of one bootstrap's rows (rows <c>lane</c>,
        /// <c>lane + Lanes</c>, ...), each read from the subsample's rows on the device with its weight in that
        /// bootstrap, weight-zero rows skipped.
        /// </summary>
        private SyntaxNode DeviceLoop(CommonForEachStatementSyntax node, int input, string indent, string statements)
        {
            DeviceNames names = device!;
            string inner = indent + "    ";
            var text = new StringBuilder();
            text.Append($"for (int {index} = {names.Lane}; {index} < {names.Frame}.Rows; {index} += {names.Frame}.Lanes)\n");
            text.Append($"{indent}{{\n");
            text.Append($"{inner}int {weight} = {names.Frame}.Weights[{names.WeightsAt} + {index}];\n");
            text.Append($"{inner}if ({weight} == 0)\n{inner}{{\n{inner}    continue;\n{inner}}}\n\n");
            AppendRowAndBody(text, node, inner, $"{names.Rows[input]}[{names.RowsAt} + {index}]", statements);
            text.Append($"{indent}}}");
            StatementSyntax loop = SyntaxFactory.ParseStatement(text.ToString());
            return loop.WithLeadingTrivia(node.GetLeadingTrivia()).WithTrailingTrivia(node.GetTrailingTrivia());
        }

        public override SyntaxNode? VisitElementAccessExpression(ElementAccessExpressionSyntax node)
        {
            if (device is null || !device.AccumulatorElements.TryGetValue(node, out BlbAccumulator? accumulator))
            {
                return base.VisitElementAccessExpression(node);
            }

            // An element of an array accumulator: this thread's partial sum of it, one of the bootstrap's lanes.
            string element = ((ExpressionSyntax)Visit(node.ArgumentList.Arguments[0].Expression)).WithoutTrivia().ToFullString();
            string partials = Parser.IsDouble(accumulator) ? "DoublePartials" : "IntegerPartials";
            return SyntaxFactory.ParseExpression($"{device.Frame}.{partials}[{device.AccumulatorAt[accumulator]} + ((long)({element}) * {device.Frame}.Lanes)]").WithTriviaFrom(node);
        }

        /// <summary>True once a return in the suffix jumped to the next bootstrap's label.</summary>
        public bool UsedLabel { get; private set; }

        public override SyntaxNode? VisitReturnStatement(ReturnStatementSyntax node)
        {
            if (batch is null || node.Expression is null || node.Ancestors().Any(static a => a is AnonymousFunctionExpressionSyntax))
            {
                return base.VisitReturnStatement(node);
            }

            // The bootstrap's result; then on to the next bootstrap (a label when the return sits in a loop of its own).
            bool inLoop = node.Ancestors().TakeWhile(static a => a is not MethodDeclarationSyntax)
                .Any(static a => a is ForStatementSyntax or CommonForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax);
            UsedLabel |= inLoop;
            string indent = node.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            string value = ((ExpressionSyntax)Visit(node.Expression)).WithoutTrivia().ToFullString();
            string jump = inLoop ? $"goto {batch.Label};" : "continue;";
            StatementSyntax block = SyntaxFactory.ParseStatement($"{{\n{indent}    {batch.Results}[{batch.Bootstrap}] = {value};\n{indent}    {jump}\n{indent}}}");
            return Spliced(node, block);
        }

        public override SyntaxNode? VisitExpressionStatement(ExpressionStatementSyntax node)
        {
            if (batch is not null && batch.Plan.Updates.TryGetValue(node.Expression, out BlbBatchUpdate? batchUpdate))
            {
                return BatchedUpdate(node, batchUpdate, batch);
            }

            if (!analysis.RepeatedUpdates.Contains(node.Expression))
            {
                return base.VisitExpressionStatement(node);
            }

            // The target is not a built-in number, so the update cannot be multiplied by the weight: it is
            // repeated weight times instead (its operands are pure, so this is the same as w copies of the row).
            var expression = (ExpressionSyntax)Visit(node.Expression switch
            {
                AssignmentExpressionSyntax assignment => assignment.Left,
                PostfixUnaryExpressionSyntax postfix => postfix.Operand,
                PrefixUnaryExpressionSyntax prefix => prefix.Operand,
                _ => node.Expression,
            });
            string update = node.Expression switch
            {
                AssignmentExpressionSyntax assignment => $"{expression.WithoutTrivia().ToFullString()} {assignment.OperatorToken.Text} {((ExpressionSyntax)Visit(assignment.Right)).WithoutTrivia().ToFullString()}",
                PostfixUnaryExpressionSyntax postfix => $"{expression.WithoutTrivia().ToFullString()}{postfix.OperatorToken.Text}",
                PrefixUnaryExpressionSyntax prefix => $"{prefix.OperatorToken.Text}{expression.WithoutTrivia().ToFullString()}",
                _ => node.Expression.ToString(),
            };
            string indent = node.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            StatementSyntax loop = SyntaxFactory.ParseStatement(
                $"for (int {repeat} = 0; {repeat} < {weight}; {repeat}++)\n{indent}{{\n{indent}    {update};\n{indent}}}");
            return loop.WithLeadingTrivia(node.GetLeadingTrivia()).WithTrailingTrivia(node.GetTrailingTrivia());
        }

        /// <summary>
        /// <c>acc[i] += term</c> for every bootstrap of the batch: the term is computed once, then added with each
        /// bootstrap's weight of the row (rows of weight 0 add nothing, as in the weighted loop).
        /// </summary>
        private SyntaxNode BatchedUpdate(ExpressionStatementSyntax node, BlbBatchUpdate update, BatchNames names)
        {
            string indent = node.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            string inner = indent + "    ";
            BlbAccumulator target = update.Target;
            string? index = update.Index is null ? null : ((ExpressionSyntax)Visit(update.Index)).WithoutTrivia().ToFullString();
            string? term = update.Term is null ? null : ((ExpressionSyntax)Visit(update.Term)).WithoutTrivia().ToFullString();
            StatementSyntax statement;
            if (update.Vectorized && names.Plan.CollectsTerms)
            {
                // Collected with the row's other terms and added in blocks of rows: the index, then the term, each evaluated once,
                // in the order of the original update.
                string scaled = update.Subtract ? $"-({term})" : term!;
                int number = names.Plan.TermAccumulators.IndexOf(target);
                statement = SyntaxFactory.ParseStatement($"{names.Terms}.Add(/* {target.Local.Name} */ {number}, {index ?? "0"}, {scaled});");
            }
            else if (update.Vectorized)
            {
                // One call: the index, then the term, each evaluated once, in the order of the original update.
                string position = update.Index is IdentifierNameSyntax or LiteralExpressionSyntax or ParenthesizedExpressionSyntax ? index! : $"({index})";
                string accumulators = index is null ? names.BatchOf(target) : $"{names.BatchOf(target)}.AsSpan({position} * {names.Count}, {names.Count})";
                string scaled = update.Subtract ? $"-({term})" : term!;
                statement = SyntaxFactory.ParseStatement($"global::Specialize.BlbBatch.AddScaled({accumulators}, {names.RowWeightsAsDouble}, {scaled});");
            }
            else
            {
                var text = new StringBuilder("{\n");
                string offset = string.Empty;
                if (index is not null)
                {
                    text.Append($"{inner}int {names.At} = {index};\n");
                    offset = $"({names.At} * {names.Count}) + ";
                }

                if (term is not null)
                {
                    text.Append($"{inner}var {names.Term} = {term};\n");
                }

                string scaled = term is null ? names.RowWeight : $"{names.RowWeight} * {names.Term}";
                text.Append($"{inner}for (int {names.Bootstrap} = 0; {names.Bootstrap} < {names.Count}; {names.Bootstrap}++)\n{inner}{{\n");
                text.Append($"{inner}    int {names.RowWeight} = {names.RowWeights}[{names.Bootstrap}];\n");
                text.Append($"{inner}    if ({names.RowWeight} != 0)\n{inner}    {{\n");
                text.Append($"{inner}        {names.BatchOf(target)}[{offset}{names.Bootstrap}] {(update.Subtract ? "-=" : "+=")} {scaled};\n");
                text.Append($"{inner}    }}\n{inner}}}\n");
                text.Append($"{indent}}}");
                statement = SyntaxFactory.ParseStatement(text.ToString());
            }

            return statement.WithLeadingTrivia(node.GetLeadingTrivia()).WithTrailingTrivia(node.GetTrailingTrivia());
        }

        private static readonly SyntaxAnnotation Splice = new("Specialize.Splice");

        /// <summary>
        /// A block that replaces one statement; when that statement sits in a block, the block's statements take its
        /// place there (<see cref="VisitBlock"/>), with the replaced statement's indentation. Only for blocks that
        /// declare nothing, so that two spliced blocks in one scope cannot clash.
        /// </summary>
        private static SyntaxNode Spliced(StatementSyntax node, StatementSyntax block)
        {
            if (node.Parent is not BlockSyntax)
            {
                return block.WithLeadingTrivia(node.GetLeadingTrivia()).WithTrailingTrivia(node.GetTrailingTrivia());
            }

            var inner = (BlockSyntax)block;
            string indent = node.GetLeadingTrivia().LastOrDefault(static t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            var statements = inner.Statements.Select((s, i) => s.WithLeadingTrivia(i == 0 ? node.GetLeadingTrivia() : SyntaxFactory.TriviaList(SyntaxFactory.Whitespace(indent)))
                .WithTrailingTrivia(SyntaxFactory.EndOfLine("\n")));
            return inner.WithStatements(SyntaxFactory.List(statements)).WithAdditionalAnnotations(Splice);
        }

        public override SyntaxNode? VisitBlock(BlockSyntax node)
        {
            var block = (BlockSyntax)base.VisitBlock(node)!;
            if (!block.Statements.Any(static s => s.HasAnnotation(Splice)))
            {
                return block;
            }

            var statements = new List<StatementSyntax>();
            foreach (StatementSyntax statement in block.Statements)
            {
                if (statement.HasAnnotation(Splice))
                {
                    statements.AddRange(((BlockSyntax)statement).Statements);
                }
                else
                {
                    statements.Add(statement);
                }
            }

            return block.WithStatements(SyntaxFactory.List(statements));
        }

        public override SyntaxNode? VisitAssignmentExpression(AssignmentExpressionSyntax node)
        {
            var rewritten = (AssignmentExpressionSyntax)base.VisitAssignmentExpression(node)!;
            if (!analysis.ScaledUpdates.Contains(node))
            {
                return rewritten;
            }

            // x += v counted w times is x += w * v.
            ExpressionSyntax right = rewritten.Right.WithoutTrivia();
            bool simple = right is IdentifierNameSyntax or LiteralExpressionSyntax or MemberAccessExpressionSyntax
                or InvocationExpressionSyntax or ElementAccessExpressionSyntax or ParenthesizedExpressionSyntax;
            ExpressionSyntax scaled = SyntaxFactory.ParseExpression(simple ? $"{weight} * {right.ToFullString()}" : $"{weight} * ({right.ToFullString()})");
            return rewritten.WithRight(scaled.WithTriviaFrom(rewritten.Right));
        }

        public override SyntaxNode? VisitPostfixUnaryExpression(PostfixUnaryExpressionSyntax node) =>
            analysis.ScaledUpdates.Contains(node)
                ? ScaledIncrement(node, (ExpressionSyntax)Visit(node.Operand), node.IsKind(SyntaxKind.PostIncrementExpression))
                : base.VisitPostfixUnaryExpression(node);

        public override SyntaxNode? VisitPrefixUnaryExpression(PrefixUnaryExpressionSyntax node) =>
            analysis.ScaledUpdates.Contains(node)
                ? ScaledIncrement(node, (ExpressionSyntax)Visit(node.Operand), node.IsKind(SyntaxKind.PreIncrementExpression))
                : base.VisitPrefixUnaryExpression(node);

        private SyntaxNode ScaledIncrement(ExpressionSyntax node, ExpressionSyntax operand, bool increment)
        {
            // x++ counted w times is x += w.
            string op = increment ? "+=" : "-=";
            return SyntaxFactory.ParseExpression($"{operand.WithoutTrivia().ToFullString()} {op} {weight}").WithTriviaFrom(node);
        }

        public override SyntaxNode? VisitMemberAccessExpression(MemberAccessExpressionSyntax node)
        {
            if (analysis.LengthReads.Contains(node))
            {
                // The subsampled data stands for all n rows.
                return SyntaxFactory.ParseExpression(length).WithTriviaFrom(node);
            }

            if (device is not null && device.ParameterLengths.Contains(node))
            {
                // A [NoSubsample] array or span is a view on the device: its length as an int.
                var member = (MemberAccessExpressionSyntax)base.VisitMemberAccessExpression(node)!;
                return member.WithName(SyntaxFactory.IdentifierName("IntLength").WithTriviaFrom(member.Name));
            }

            return base.VisitMemberAccessExpression(node);
        }
    }
}
