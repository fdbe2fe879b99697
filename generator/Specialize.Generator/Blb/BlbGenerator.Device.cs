using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Blb;
using Specialize.Generator.Blb.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Blb;

public sealed partial class BlbGenerator
{
    /// <summary>
    /// Names of the GPU kernel (unique in the estimator), and what its rewrite needs: the rows of each subsampled
    /// input on the device, the accumulators' element targets and where each array accumulator's partial sums start.
    /// </summary>
    private sealed record DeviceNames(string Index, string Frame, string Inputs, string Lane, string Slot, string RowsAt, string WeightsAt, string DoubleAt, string IntegerAt, string Zero)
    {
        /// <summary>The view of the subsample's rows of each subsampled input, by input number.</summary>
        public Dictionary<int, string> Rows { get; } = new();

        /// <summary>The element targets of array accumulators in the loops (<c>sums[j]</c> of <c>sums[j] += v</c>).</summary>
        public Dictionary<SyntaxNode, BlbAccumulator> AccumulatorElements { get; } = new();

        /// <summary>Per array accumulator, the local holding the index of its element 0 in this thread's partial sums.</summary>
        public Dictionary<BlbAccumulator, string> AccumulatorAt { get; } = new();

        /// <summary>Per array accumulator, the local holding its length.</summary>
        public Dictionary<BlbAccumulator, string> AccumulatorLength { get; } = new();

        /// <summary>'.Length' reads of [NoSubsample] arrays and spans, which become the view's IntLength.</summary>
        public HashSet<SyntaxNode> ParameterLengths { get; } = new();
    }

    internal static partial class Parser
    {
        /// <summary>Whether an accumulator's sums travel as doubles (double) or as 64-bit integers (int, long).</summary>
        internal static bool IsDouble(BlbAccumulator accumulator) => BlbDeviceLowering.IsDoubleFamily(accumulator);

        /// <summary>
        /// The GPU form of an estimator whose prefix and loops lower (<see cref="BlbDeviceLowering"/>): an ILGPU kernel
        /// that computes one lane of one bootstrap's sums per thread, the struct of what it reads, the accumulators'
        /// widths, and the host method that runs the suffix per bootstrap from the sums.
        /// </summary>
        private static BlbDeviceSpec DeviceForm(
            BlbEstimatorAnalysis analysis,
            BlbDeviceLowering lowering,
            BatchNames batch,
            IReadOnlyDictionary<int, string> rowViews,
            Func<string, string> unique,
            string index,
            string weight,
            string repeat,
            SemanticModel model,
            CancellationToken cancellationToken)
        {
            BlbBatchPlan plan = lowering.Plan!;
            var names = new DeviceNames(
                Index: unique("index"),
                Frame: unique("frame"),
                Inputs: unique("inputs"),
                Lane: unique("lane"),
                Slot: unique("slot"),
                RowsAt: unique("rowsAt"),
                WeightsAt: unique("weightsAt"),
                DoubleAt: unique("doubleAt"),
                IntegerAt: unique("integerAt"),
                Zero: unique("zero"));
            foreach (SyntaxNode node in lowering.ParameterLengthReads)
            {
                names.ParameterLengths.Add(node);
            }

            foreach (KeyValuePair<SyntaxNode, BlbBatchUpdate> update in plan.Updates)
            {
                if (update.Value.Index is not null)
                {
                    SyntaxNode target = update.Key switch
                    {
                        AssignmentExpressionSyntax a => a.Left,
                        PostfixUnaryExpressionSyntax p => p.Operand,
                        PrefixUnaryExpressionSyntax p => p.Operand,
                        _ => update.Key,
                    };
                    names.AccumulatorElements[target] = update.Value.Target;
                }
            }

            // What the kernel reads: the subsample's rows of each input that a loop visits, and the [NoSubsample]
            // parameters the prefix and the loops use.
            var fields = new List<BlbDeviceFieldSpec>();
            foreach (int input in analysis.WeightedLoops.Values.Distinct().OrderBy(static i => i))
            {
                IParameterSymbol parameter = analysis.Subsampled[input];
                string row = BlbEstimatorAnalysis.ElementType(parameter.Type)!.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                names.Rows[input] = rowViews[input];
                fields.Add(new BlbDeviceFieldSpec(Escape(parameter.Name), $"global::ILGPU.ArrayView<{row}>", names.Rows[input], BlbDeviceFieldKind.Rows, input, parameter.Ordinal));
            }

            foreach (IParameterSymbol parameter in lowering.DeviceParameters)
            {
                bool viewed = BlbDeviceLowering.IsDeviceArray(parameter.Type);
                string type = viewed
                    ? $"global::ILGPU.ArrayView<{DeviceElement(parameter.Type).ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat)}>"
                    : parameter.Type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat);
                fields.Add(new BlbDeviceFieldSpec(Escape(parameter.Name), type, Escape(parameter.Name), viewed ? BlbDeviceFieldKind.Array : BlbDeviceFieldKind.Value, -1, parameter.Ordinal));
            }

            var doubles = plan.Accumulators.Where(IsDouble).ToList();
            var integers = plan.Accumulators.Where(static a => !IsDouble(a)).ToList();
            foreach (BlbAccumulator accumulator in plan.Accumulators.Where(static a => a.IsArray))
            {
                names.AccumulatorAt[accumulator] = unique(accumulator.Local.Name + "At");
                names.AccumulatorLength[accumulator] = batch.LengthOf(accumulator);
            }

            string kernel = KernelBody(analysis, plan, names, fields, doubles, integers, index, weight, repeat, model, cancellationToken);

            // The host's part: the accumulators' widths before a run, and the suffix from each bootstrap's sums.
            string n = unique("n");
            string doubleSums = unique("doubleSums");
            string integerSums = unique("integerSums");
            string doubleWidth = unique("doubleWidth");
            string integerWidth = unique("integerWidth");
            string sums = unique("sums");
            string integerSumsOfBootstrap = unique("integers");
            var hostRewriter = new WeightedLoopRewriter(analysis, n, string.Empty, index, weight, repeat, new Dictionary<int, (string Source, string Map)>(), batch);
            string widths = WidthsBody(plan, batch, hostRewriter, doubles, integers);
            string indentation = LastIndentation(plan.Loops[0]);
            string middle = SumsFromDevice(batch, doubles, integers, indentation, doubleSums, integerSums, doubleWidth, integerWidth, sums, integerSumsOfBootstrap);
            string finish = PerBootstrapBody(plan, batch, hostRewriter, opening: string.Empty, middle, model, cancellationToken);
            return new BlbDeviceSpec(
                KernelBody: kernel,
                KeepsLocalsForTheSuffix: plan.Prefix.Any(statement => plan.AccumulatorsDeclaredBy(statement).Count is var count
                    && (count == 0 || ((LocalDeclarationStatementSyntax)statement).Declaration.Variables.Count > count)),
                IndexName: names.Index,
                FrameName: names.Frame,
                InputsName: names.Inputs,
                Fields: new EquatableArray<BlbDeviceFieldSpec>(fields),
                WidthsBody: widths,
                FinishBody: finish,
                LengthName: n,
                DoubleSumsName: doubleSums,
                IntegerSumsName: integerSums);
        }

        private static ITypeSymbol DeviceElement(ITypeSymbol type) => type switch
        {
            IArrayTypeSymbol array => array.ElementType,
            INamedTypeSymbol named => named.TypeArguments[0],
            _ => type,
        };

        /// <summary>
        /// The kernel: thread <c>index</c> is lane <c>index % Lanes</c> of bootstrap slot <c>index / Lanes</c>. It runs the
        /// prefix with its accumulators at zero, visits its lane's rows with the slot's weights, and writes its partial
        /// sums; the runtime adds the lanes in lane order.
        /// </summary>
        private static string KernelBody(
            BlbEstimatorAnalysis analysis,
            BlbBatchPlan plan,
            DeviceNames names,
            List<BlbDeviceFieldSpec> fields,
            List<BlbAccumulator> doubles,
            List<BlbAccumulator> integers,
            string index,
            string weight,
            string repeat,
            SemanticModel model,
            CancellationToken cancellationToken)
        {
            const string indent = "    ";
            var rewriter = new WeightedLoopRewriter(analysis, $"{names.Frame}.N", string.Empty, index, weight, repeat, new Dictionary<int, (string Source, string Map)>(), null, names);
            var text = new StringBuilder("{\n");
            text.Append($"{indent}int {names.Lane} = {names.Frame}.Lane({names.Index});\n");
            text.Append($"{indent}int {names.Slot} = {names.Frame}.Slot({names.Index});\n");
            text.Append($"{indent}long {names.RowsAt} = {names.Frame}.RowOffset({names.Slot});\n");
            text.Append($"{indent}long {names.WeightsAt} = {names.Frame}.WeightOffset({names.Slot});\n");
            foreach (BlbDeviceFieldSpec field in fields)
            {
                text.Append($"{indent}{field.Type} {field.Local} = {names.Inputs}.{field.Name};\n");
            }

            // Array accumulators start after the scalars of their kind, in order of declaration.
            if (doubles.Any(static a => a.IsArray))
            {
                text.Append($"{indent}int {names.DoubleAt} = {doubles.Count(static a => !a.IsArray)};\n");
            }

            if (integers.Any(static a => a.IsArray))
            {
                text.Append($"{indent}int {names.IntegerAt} = {integers.Count(static a => !a.IsArray)};\n");
            }

            var head = new StringBuilder();
            foreach (StatementSyntax statement in plan.Prefix)
            {
                cancellationToken.ThrowIfCancellationRequested();
                AppendPrefixStatement(head, statement, plan, rewriter, (accumulator, leading) =>
                {
                    if (!accumulator.IsArray)
                    {
                        // The thread's share starts at zero; the initial value is added once, on the host.
                        head.Append($"{leading}{accumulator.ElementType} {Escape(accumulator.Local.Name)} = 0;\n");
                        return;
                    }

                    bool isDouble = IsDouble(accumulator);
                    string length = ((ExpressionSyntax)rewriter.Visit(accumulator.Initializer)).WithoutTrivia().ToFullString();
                    string at = names.AccumulatorAt[accumulator];
                    string cursor = isDouble ? names.DoubleAt : names.IntegerAt;
                    string partials = isDouble ? "DoublePartials" : "IntegerPartials";
                    string partial = isDouble ? "DoublePartial" : "IntegerPartial";
                    string inner = Indentation(leading);
                    string lengthLocal = names.AccumulatorLength[accumulator];
                    head.Append($"{leading}long {at} = {names.Frame}.{partial}({names.Slot}, {cursor}, {names.Lane});\n");
                    head.Append($"{inner}int {lengthLocal} = {length};\n");
                    head.Append($"{inner}for (int {names.Zero} = 0; {names.Zero} < {lengthLocal}; {names.Zero}++)\n{inner}{{\n");
                    head.Append($"{inner}    {names.Frame}.{partials}[{at} + ((long){names.Zero} * {names.Frame}.Lanes)] = 0;\n{inner}}}\n\n");
                    head.Append($"{inner}{cursor} += {lengthLocal};\n");
                });
            }

            foreach (StatementSyntax loop in plan.Loops)
            {
                head.Append(rewriter.Visit(loop).ToFullString());
            }

            // This thread's share of the scalars.
            string last = LastIndentation(plan.Loops[plan.Loops.Count - 1]);
            var writes = new StringBuilder();
            int position = 0;
            foreach (BlbAccumulator accumulator in doubles.Where(static a => !a.IsArray))
            {
                writes.Append($"{last}{names.Frame}.DoublePartials[{names.Frame}.DoublePartial({names.Slot}, {position++}, {names.Lane})] = {Escape(accumulator.Local.Name)};\n");
            }

            position = 0;
            foreach (BlbAccumulator accumulator in integers.Where(static a => !a.IsArray))
            {
                writes.Append($"{last}{names.Frame}.IntegerPartials[{names.Frame}.IntegerPartial({names.Slot}, {position++}, {names.Lane})] = {Escape(accumulator.Local.Name)};\n");
            }

            if (writes.Length > 0)
            {
                head.Append('\n').Append(writes);
            }

            text.Append(Reindent(head.ToString()));
            text.Append('}');
            return text.ToString();
        }

        /// <summary>The widths of the sums on the host: the prefix, with each array accumulator's length computed, and their totals per kind.</summary>
        private static string WidthsBody(BlbBatchPlan plan, BatchNames batch, WeightedLoopRewriter rewriter, List<BlbAccumulator> doubles, List<BlbAccumulator> integers)
        {
            var head = new StringBuilder();
            foreach (StatementSyntax statement in plan.Prefix)
            {
                AppendPrefixStatement(head, statement, plan, rewriter, (accumulator, leading) =>
                {
                    if (accumulator.IsArray)
                    {
                        string length = ((ExpressionSyntax)rewriter.Visit(accumulator.Initializer)).WithoutTrivia().ToFullString();
                        head.Append($"{leading}int {batch.LengthOf(accumulator)} = {length};\n");
                    }
                });
            }

            head.Append($"{(head.Length > 0 ? "\n" : string.Empty)}{LastIndentation(plan.Loops[0])}return new global::Specialize.BlbDeviceWidths({Width(batch, doubles)}, {Width(batch, integers)});\n");
            return "{\n" + Reindent(head.ToString()) + "}";
        }

        /// <summary>The number of sums of one kind: one per scalar, the length of each array.</summary>
        private static string Width(BatchNames batch, List<BlbAccumulator> accumulators)
        {
            var terms = new List<string>();
            int scalars = accumulators.Count(static a => !a.IsArray);
            if (scalars > 0 || accumulators.Count == 0)
            {
                terms.Add(scalars.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            terms.AddRange(accumulators.Where(static a => a.IsArray).Select(batch.LengthOf));
            return string.Join(" + ", terms);
        }

        /// <summary>
        /// The host's part of the GPU form, between the prefix and the suffix: each bootstrap's sums from the device
        /// (<c>doubleSums[bootstrap * doubleWidth + position]</c>, likewise for the integers) added to its copy of the
        /// accumulators, which hold their initial values.
        /// </summary>
        private static string SumsFromDevice(BatchNames batch, List<BlbAccumulator> doubles, List<BlbAccumulator> integers, string indent, string doubleSums, string integerSums, string doubleWidth, string integerWidth, string sums, string integerSumsOfBootstrap)
        {
            var text = new StringBuilder();
            text.Append($"{indent}int {doubleWidth} = {Width(batch, doubles)};\n");
            text.Append($"{indent}int {integerWidth} = {Width(batch, integers)};\n");
            text.Append($"{indent}global::Specialize.BlbDeviceWidths.ThrowIfInvalid({doubleSums}.Length, {integerSums}.Length, {batch.Count}, {doubleWidth}, {integerWidth}, {batch.Results}.Length);\n");
            text.Append($"{indent}for (int {batch.Bootstrap} = 0; {batch.Bootstrap} < {batch.Count}; {batch.Bootstrap}++)\n{indent}{{\n");
            AppendKind(text, batch, doubles, indent + "    ", doubleSums, doubleWidth, sums, "double", string.Empty);
            AppendKind(text, batch, integers, indent + "    ", integerSums, integerWidth, integerSumsOfBootstrap, "long", "unchecked(({0}){1})");
            if (text[text.Length - 2] == '\n')
            {
                text.Length--;
            }

            text.Append($"{indent}}}\n");
            return text.ToString();
        }

        private static void AppendKind(StringBuilder text, BatchNames batch, List<BlbAccumulator> accumulators, string indent, string source, string width, string sums, string element, string narrowing)
        {
            if (accumulators.Count == 0)
            {
                return;
            }

            text.Append($"{indent}global::System.ReadOnlySpan<{element}> {sums} = {source}.Slice({batch.Bootstrap} * {width}, {width});\n");
            var offset = new List<string>();
            int scalars = 0;
            foreach (BlbAccumulator accumulator in accumulators.Where(static a => !a.IsArray))
            {
                string value = Narrow(narrowing, accumulator, $"{sums}[{scalars}]");
                text.Append($"{indent}{batch.BatchOf(accumulator)}[{batch.Bootstrap}] += {value};\n");
                scalars++;
            }

            offset.Add(scalars.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (BlbAccumulator accumulator in accumulators.Where(static a => a.IsArray))
            {
                string start = string.Join(" + ", offset.Where(static o => o != "0").DefaultIfEmpty("0"));
                string position = start == "0" ? batch.At : $"{start} + {batch.At}";
                string value = Narrow(narrowing, accumulator, $"{sums}[{position}]");
                text.Append($"{indent}for (int {batch.At} = 0; {batch.At} < {batch.LengthOf(accumulator)}; {batch.At}++)\n{indent}{{\n");
                text.Append($"{indent}    {batch.BatchOf(accumulator)}[({batch.At} * {batch.Count}) + {batch.Bootstrap}] += {value};\n{indent}}}\n");
                offset.Add(batch.LengthOf(accumulator));
            }

            text.Append('\n');
        }

        private static string Narrow(string narrowing, BlbAccumulator accumulator, string value) =>
            narrowing.Length == 0 || accumulator.Element.SpecialType == SpecialType.System_Int64
                ? value
                : string.Format(System.Globalization.CultureInfo.InvariantCulture, narrowing, accumulator.ElementType, value);
    }
}
