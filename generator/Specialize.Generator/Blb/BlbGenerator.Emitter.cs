using System.CodeDom.Compiler;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Specialize.Generator.Blb.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Blb;

public sealed partial class BlbGenerator
{
    /// <summary>Plain data to source text. Output depends only on the spec, so it is deterministic.</summary>
    internal static class Emitter
    {
        public static string Emit(BlbEstimatorSpec spec)
        {
            using var buffer = new StringWriter();
            using IndentedTextWriter writer = GeneratedFile.CreateWriter(buffer);
            GeneratedFile.WriteHeader(writer, spec.NullableDirective, spec.Scopes.FileDirectives);
            if (spec.Device is not null)
            {
                // ILGPU's CPU accelerator runs a kernel through a type it emits into an assembly of its own, which reads
                // the kernel's parameters: the inputs struct and the rows, internal to this assembly.
                writer.WriteLine("[assembly: global::System.Runtime.CompilerServices.InternalsVisibleTo(\"ILGPURuntime\")]");
                writer.WriteLineNoTabs(string.Empty);
            }

            int scopes = spec.Scopes.OpenNamespaces(writer);
            scopes += GeneratedFile.OpenScopes(writer, string.Empty, spec.TypeHeaders);

            EmitRun(writer, spec);
            writer.WriteLineNoTabs(string.Empty);
            EmitEstimateWeighted(writer, spec);
            if (spec.BatchBody is not null)
            {
                writer.WriteLineNoTabs(string.Empty);
                EmitEstimateWeightedBatch(writer, spec);
            }

            if (spec.Device is { } device)
            {
                writer.WriteLineNoTabs(string.Empty);
                EmitDeviceForm(writer, spec, device);
            }

            GeneratedFile.CloseScopes(writer, scopes);

            writer.Flush();
            return buffer.ToString();
        }

        /// <summary>
        /// Run. Where Estimate takes spans, two overloads: one with arrays in their place, which the threads share as
        /// they are, and one with the spans, which copies them into arrays (a span cannot cross threads) and calls it.
        /// </summary>
        private static void EmitRun(IndentedTextWriter writer, BlbEstimatorSpec spec)
        {
            if (spec.Parameters.Any(static p => p.IsSpan))
            {
                EmitRunOverload(writer, spec, arrays: false);
                writer.WriteLineNoTabs(string.Empty);
            }

            EmitRunOverload(writer, spec, arrays: true);
        }

        private static void EmitRunOverload(IndentedTextWriter writer, BlbEstimatorSpec spec, bool arrays)
        {
            string nullable = spec.NullableEnabled ? "?" : string.Empty;
            string result = spec.IsVector ? "global::Specialize.BlbVectorResult" : "global::Specialize.BlbResult";
            List<BlbParameterSpec> subsampled = spec.Parameters.Where(static p => p.Subsampled).ToList();
            BlbParameterSpec first = subsampled[0];

            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// Assesses <c>Estimate</c> with the Bag of Little Bootstraps: subsamples of the rows of "
                + string.Join(", ", subsampled.Select(static p => $"<paramref name=\"{p.Name.TrimStart('@')}\"/>")) + ",");
            writer.WriteLine("/// multinomial weights per bootstrap, and <c>EstimateWeighted</c> on each weighted subsample, in parallel.");
            writer.WriteLine("/// </summary>");
            foreach (BlbParameterSpec parameter in spec.Parameters)
            {
                string what = parameter.Subsampled ? "Subsampled data" : "Passed to every estimator call unchanged.";
                if (parameter.Subsampled)
                {
                    what += parameter == first ? "; not empty" : $"; as many rows as <paramref name=\"{first.Name.TrimStart('@')}\"/>";
                    what += parameter.CheckNaN ? ", no NaN." : ".";
                }

                if (parameter.IsSpan && arrays)
                {
                    what += " Shared with the threads as it is, not copied.";
                }

                writer.WriteLine($"/// <param name=\"{parameter.Name.TrimStart('@')}\">{what}</param>");
            }

            writer.WriteLine($"/// <param name=\"{spec.OptionsName}\">Run parameters; <see langword=\"null\"/> for Subsamples = {spec.Subsamples}, Bootstraps = {spec.Bootstraps}, Gamma = {spec.Gamma} from the attribute.</param>");
            writer.WriteLine($"/// <param name=\"{spec.ProgressName}\">Told after each finished subsample; may be <see langword=\"null\"/>.</param>");
            writer.WriteLine($"/// <param name=\"{spec.CancellationName}\">Stops the run between bootstraps.</param>");
            writer.WriteLine("/// <returns>The quality assessment of the estimator and what the runtime decided.</returns>");
            if (!arrays)
            {
                writer.WriteLine("/// <remarks>");
                writer.WriteLine("/// A span cannot cross threads: the spans are copied into arrays once, and the overload that takes arrays runs on");
                writer.WriteLine("/// them. Pass arrays to share them with the threads without the copy.");
                writer.WriteLine("/// </remarks>");
            }

            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            var signature = spec.Parameters.Select(p => $"{(p.IsSpan && arrays ? p.SpanElementType + "[]" : p.Type)} {p.Name}").ToList();
            signature.Add($"global::Specialize.BlbOptions{nullable} {spec.OptionsName} = null");
            signature.Add($"global::System.IProgress<global::Specialize.BlbProgress>{nullable} {spec.ProgressName} = null");
            signature.Add($"global::System.Threading.CancellationToken {spec.CancellationName} = default");
            writer.WriteLine($"{spec.Accessibility} static {result} Run(");
            writer.Indent++;
            for (int i = 0; i < signature.Count; i++)
            {
                writer.WriteLine(signature[i] + (i < signature.Count - 1 ? "," : ")"));
            }

            writer.Indent--;
            writer.WriteLine("{");
            writer.Indent++;
            if (!arrays)
            {
                var forwarded = spec.Parameters.Select(static p => p.IsSpan ? $"{p.Name}.ToArray()" : p.Name)
                    .Concat(new[] { spec.OptionsName, spec.ProgressName, spec.CancellationName });
                writer.WriteLine($"return Run({string.Join(", ", forwarded)});");
                writer.Indent--;
                writer.WriteLine("}");
                return;
            }

            foreach (BlbParameterSpec parameter in subsampled)
            {
                if (parameter.IsArray || parameter.IsSpan)
                {
                    writer.WriteLine($"global::System.ArgumentNullException.ThrowIfNull({parameter.Name});");
                }
            }

            writer.WriteLine($"if ({first.Name}.Length == 0)");
            writer.WriteLine("{");
            writer.Indent++;
            writer.WriteLine($"throw new global::System.ArgumentException(\"The data must not be empty: BLB draws subsamples of its rows.\", nameof({first.Name}));");
            writer.Indent--;
            writer.WriteLine("}");
            writer.WriteLineNoTabs(string.Empty);
            foreach (BlbParameterSpec parameter in subsampled.Skip(1))
            {
                writer.WriteLine($"global::Specialize.BlbRuntime.ThrowIfLengthDiffers({first.Name}.Length, {parameter.Name}.Length, nameof({parameter.Name}));");
            }

            foreach (BlbParameterSpec parameter in subsampled.Where(static p => p.CheckNaN))
            {
                writer.WriteLine($"global::Specialize.BlbRuntime.ThrowIfAnyNaN<{parameter.ElementType}>({parameter.Name}, nameof({parameter.Name}));");
            }

            writer.WriteLine($"{spec.OptionsName} ??= new global::Specialize.BlbOptions {{ Subsamples = {spec.Subsamples}, Bootstraps = {spec.Bootstraps}, Gamma = {spec.Gamma} }};");
            writer.WriteLineNoTabs(string.Empty);

            // The arrays travel to the threads as they are (the span overload made them).
            var stateItems = spec.Parameters.Select(static p => p.Name).ToList();
            string state = stateItems.Count == 1 ? stateItems[0] : "(" + string.Join(", ", stateItems) + ")";
            var arguments = spec.Parameters.Select((p, i) => spec.Parameters.Length == 1 ? spec.StateName : $"{spec.StateName}.Item{i + 1}");
            string bytesPerRow = string.Join(" + ", subsampled.Select(static p => $"global::System.Runtime.CompilerServices.Unsafe.SizeOf<{p.ElementType}>()"));
            writer.WriteLine($"return global::Specialize.BlbRuntime.{(spec.IsVector ? "RunVector" : "Run")}(");
            writer.Indent++;
            writer.WriteLine($"{first.Name}.Length,");
            writer.WriteLine($"{bytesPerRow},");
            writer.WriteLine($"{state},");
            writer.WriteLine($"static ({spec.SampleName}, {spec.StateName}) => EstimateWeighted({spec.SampleName}, {string.Join(", ", arguments)}),");
            if (spec.BatchBody is not null && spec.BatchInRun)
            {
                writer.WriteLine($"static ({spec.SampleName}, {spec.WeightsName}, {spec.CountName}, {spec.StateName}, {spec.ResultsName}) => EstimateWeightedBatch({spec.SampleName}, {spec.WeightsName}, {spec.CountName}, {string.Join(", ", arguments)}, {spec.ResultsName}),");
            }
            else if (spec.Device is not null)
            {
                writer.WriteLine("batch: null,");
            }

            if (spec.Device is not null)
            {
                writer.WriteLine($"device: {DeviceFormName},");
            }
            writer.WriteLine("reduceBootstraps: " + (spec.HasReduceBootstraps ? "ReduceBootstraps" : "null") + ",");
            writer.WriteLine("average: " + (spec.HasAverage ? "Average" : "null") + ",");
            writer.WriteLine($"{spec.OptionsName},");
            writer.WriteLine($"{spec.ProgressName},");
            writer.WriteLine($"{spec.CancellationName});");
            writer.Indent--;
            writer.Indent--;
            writer.WriteLine("}");
        }

        /// <summary>
        /// The weighted estimators run thousands of times in a run that is often the program's only one: they are
        /// compiled fully optimized from the first call instead of starting unoptimized and waiting for tiering.
        /// </summary>
        private const string OptimizedFromTheFirstCall =
            "[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]";

        private static void EmitEstimateWeighted(IndentedTextWriter writer, BlbEstimatorSpec spec)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// <c>Estimate</c> on one weighted subsample: each loop over subsampled data visits the subsample's rows,");
            writer.WriteLine("/// skips rows of weight 0, and scales '+=', '-=', '++' and '--' by the row's weight, so that a row drawn");
            writer.WriteLine("/// w times counts w times; the data's length is n. Equal to <c>Estimate</c> on the resample with every");
            writer.WriteLine("/// row repeated as often as its weight says.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"/// <param name=\"{spec.SampleName}\">The subsample's rows and weights (<see cref=\"global::Specialize.BlbSample.Create\"/> makes one by hand).</param>");
            WriteParameterDocs(writer, spec);

            writer.WriteLine("/// <returns>The estimate on the weighted subsample.</returns>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            writer.WriteLine(OptimizedFromTheFirstCall);
            string parameters = string.Join(", ", new[] { $"global::Specialize.BlbSample {spec.SampleName}" }.Concat(spec.Parameters.Select(static p => $"{p.Type} {p.Name}")));
            writer.WriteLine($"{spec.Accessibility} static {(spec.IsVector ? "double[]" : "double")} EstimateWeighted({parameters})");
            WriteBody(writer, spec.WeightedBody);
        }

        private static void EmitEstimateWeightedBatch(IndentedTextWriter writer, BlbEstimatorSpec spec)
        {
            writer.WriteLine("/// <summary>");
            writer.WriteLine($"/// <c>EstimateWeighted</c> for <paramref name=\"{spec.CountName}\"/> bootstraps of one subsample in one pass over its rows: each row's");
            writer.WriteLine("/// terms are computed once and added, scaled by each bootstrap's weight of the row, into that bootstrap's copy of");
            writer.WriteLine("/// the accumulators; then the rest of <c>Estimate</c> runs once per bootstrap on its copy. Bootstrap <c>k</c>'s");
            writer.WriteLine("/// result equals <c>EstimateWeighted</c> with weights <c>weights[i * count + k]</c>: the same terms, added in the same");
            writer.WriteLine("/// row order.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"/// <param name=\"{spec.SampleName}\">The subsample's rows (its own weights are not read).</param>");
            writer.WriteLine($"/// <param name=\"{spec.WeightsName}\">The weights row by row: row <c>i</c>'s weight in bootstrap <c>k</c> is at <c>i * {spec.CountName} + k</c>.</param>");
            writer.WriteLine($"/// <param name=\"{spec.CountName}\">Number of bootstraps; at least 1.</param>");
            WriteParameterDocs(writer, spec);

            writer.WriteLine($"/// <param name=\"{spec.ResultsName}\">Receives the estimate of each bootstrap.</param>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            writer.WriteLine(OptimizedFromTheFirstCall);
            string results = spec.IsVector ? "global::System.Span<double[]>" : "global::System.Span<double>";
            string parameters = string.Join(", ", new[] { $"global::Specialize.BlbSample {spec.SampleName}", $"global::System.ReadOnlySpan<int> {spec.WeightsName}", $"int {spec.CountName}" }
                .Concat(spec.Parameters.Select(static p => $"{p.Type} {p.Name}"))
                .Concat(new[] { $"{results} {spec.ResultsName}" }));
            writer.WriteLine($"{spec.Accessibility} static void EstimateWeightedBatch({parameters})");
            WriteBody(writer, spec.BatchBody!);
        }

        private const string DeviceFormName = "EstimateWeightedDeviceForm";
        private const string InputsTypeName = "EstimateWeightedDeviceInputs";

        /// <summary>
        /// The GPU form: the struct of what the kernel reads, the kernel, the accumulators' widths, the host's part (the
        /// suffix per bootstrap from the sums), and the object that hands them to the runtime.
        /// </summary>
        private static void EmitDeviceForm(IndentedTextWriter writer, BlbEstimatorSpec spec, BlbDeviceSpec device)
        {
            string parameters = string.Join(", ", spec.Parameters.Select(static p => $"{p.Type} {p.Name}"));
            string result = spec.IsVector ? "global::System.Span<double[]>" : "global::System.Span<double>";

            writer.WriteLine("/// <summary>What <c>EstimateWeightedOnDevice</c> reads besides the weights: the subsample's rows of each input its loops visit, and the parameters its loops use, on the device.</summary>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            writer.WriteLine($"internal struct {InputsTypeName}");
            writer.WriteLine("{");
            writer.Indent++;
            foreach (BlbDeviceFieldSpec field in device.Fields)
            {
                string what = field.Kind switch
                {
                    BlbDeviceFieldKind.Rows => $"The rows of <c>{field.Name.TrimStart('@')}</c> in the subsamples of the launch, one subsample after another.",
                    BlbDeviceFieldKind.Array => $"<c>{field.Name.TrimStart('@')}</c>, uploaded once per run.",
                    _ => $"<c>{field.Name.TrimStart('@')}</c>.",
                };
                writer.WriteLine($"/// <summary>{what}</summary>");
                writer.WriteLine($"public {field.Type} {field.Name};");
                if (field != device.Fields[device.Fields.Length - 1])
                {
                    writer.WriteLineNoTabs(string.Empty);
                }
            }

            writer.Indent--;
            writer.WriteLine("}");
            writer.WriteLineNoTabs(string.Empty);

            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// <c>EstimateWeighted</c>'s loops as an ILGPU kernel: thread <c>index</c> is lane <c>index % Lanes</c> of the bootstrap in slot");
            writer.WriteLine("/// <c>index / Lanes</c>. It adds, with that bootstrap's weights, the terms of rows <c>lane</c>, <c>lane + Lanes</c>, ... of its subsample");
            writer.WriteLine("/// into accumulators that start at zero, and writes them to its partial sums; the runtime adds the lanes in lane order,");
            writer.WriteLine("/// so a bootstrap's sums do not depend on how the device schedules the threads.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"/// <param name=\"{device.IndexName}\">The thread.</param>");
            writer.WriteLine($"/// <param name=\"{device.FrameName}\">The launch: sizes, weights and partial sums.</param>");
            writer.WriteLine($"/// <param name=\"{device.InputsName}\">The rows and the parameters.</param>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            if (device.KeepsLocalsForTheSuffix)
            {
                writer.WriteLineNoTabs("#pragma warning disable CS0219 // A local the part before the loops sets for the part after them only");
            }

            writer.WriteLine($"private static void EstimateWeightedOnDevice(global::ILGPU.Index1D {device.IndexName}, global::Specialize.BlbDeviceFrame {device.FrameName}, {InputsTypeName} {device.InputsName})");
            WriteBody(writer, device.KernelBody);
            writer.WriteLineNoTabs(string.Empty);

            writer.WriteLine("/// <summary>How many sums <c>EstimateWeightedOnDevice</c> writes per bootstrap: one per scalar accumulator, the length of each array, as doubles and as integers.</summary>");
            writer.WriteLine($"/// <param name=\"{device.LengthName}\">Number of rows of the data.</param>");
            WriteParameterDocs(writer, spec);

            writer.WriteLine("/// <returns>The widths.</returns>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            writer.WriteLine($"private static global::Specialize.BlbDeviceWidths EstimateWeightedDeviceWidths(int {device.LengthName}, {parameters})");
            WriteBody(writer, device.WidthsBody);
            if (device.KeepsLocalsForTheSuffix)
            {
                writer.WriteLineNoTabs("#pragma warning restore CS0219");
            }

            writer.WriteLineNoTabs(string.Empty);

            writer.WriteLine("/// <summary>");
            writer.WriteLine("/// The rest of <c>Estimate</c> for <paramref name=\"" + spec.CountName + "\"/> bootstraps whose sums <c>EstimateWeightedOnDevice</c> computed: the part before");
            writer.WriteLine("/// the loops once, each bootstrap's sums added to the accumulators' initial values, then the part after the loops per");
            writer.WriteLine("/// bootstrap, as in <c>EstimateWeightedBatch</c>.");
            writer.WriteLine("/// </summary>");
            writer.WriteLine($"/// <param name=\"{device.LengthName}\">Number of rows of the data.</param>");
            writer.WriteLine($"/// <param name=\"{device.DoubleSumsName}\">Bootstrap <c>k</c>'s sums of double accumulators at <c>[k * doubleWidth, (k + 1) * doubleWidth)</c>.</param>");
            writer.WriteLine($"/// <param name=\"{device.IntegerSumsName}\">Bootstrap <c>k</c>'s sums of integer accumulators at <c>[k * integerWidth, (k + 1) * integerWidth)</c>.</param>");
            writer.WriteLine($"/// <param name=\"{spec.CountName}\">Number of bootstraps.</param>");
            WriteParameterDocs(writer, spec);

            writer.WriteLine($"/// <param name=\"{spec.ResultsName}\">Receives the estimate of each bootstrap.</param>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            writer.WriteLine($"private static void EstimateWeightedFromDeviceSums(int {device.LengthName}, global::System.ReadOnlySpan<double> {device.DoubleSumsName}, global::System.ReadOnlySpan<long> {device.IntegerSumsName}, int {spec.CountName}, {parameters}, {result} {spec.ResultsName})");
            WriteBody(writer, device.FinishBody);
            writer.WriteLineNoTabs(string.Empty);

            // The runtime's handle on all of it, made once; the state is what Run passes (arrays in place of spans).
            var stateTypes = spec.Parameters.Select(static p => p.IsSpan ? p.SpanElementType + "[]" : p.Type).ToList();
            string stateType = stateTypes.Count == 1 ? stateTypes[0] : "(" + string.Join(", ", stateTypes) + ")";
            string Item(int position) => spec.Parameters.Length == 1 ? spec.StateName : $"{spec.StateName}.Item{position + 1}";
            string arguments = string.Join(", ", spec.Parameters.Select((_, i) => Item(i)));
            string deviceName = "device";
            var fields = device.Fields.Select(f => f.Kind switch
            {
                BlbDeviceFieldKind.Rows => $"{f.Name} = {deviceName}.Rows({f.Input}, {Item(f.Parameter)})",
                BlbDeviceFieldKind.Array => $"{f.Name} = {deviceName}.Array({Item(f.Parameter)})",
                _ => $"{f.Name} = {Item(f.Parameter)}",
            });
            writer.WriteLine("/// <summary>The GPU form of <c>Estimate</c>, which <c>Run</c> hands to the runtime: the kernel, its inputs, the sums' widths and the host's part.</summary>");
            writer.WriteLine(GeneratorInfo.GeneratedCodeAttribute);
            writer.WriteLine($"private static readonly global::Specialize.BlbDeviceEstimator<{stateType}> {DeviceFormName} = global::Specialize.BlbDeviceEstimator.{(spec.IsVector ? "CreateVector" : "Create")}<{stateType}, {InputsTypeName}>(");
            writer.Indent++;
            writer.WriteLine("EstimateWeightedOnDevice,");
            writer.WriteLine($"static ({deviceName}, {spec.StateName}) => new {InputsTypeName} {{ {string.Join(", ", fields)} }},");
            writer.WriteLine($"static ({device.LengthName}, {spec.StateName}) => EstimateWeightedDeviceWidths({device.LengthName}, {arguments}),");
            writer.WriteLine($"static ({device.LengthName}, {device.DoubleSumsName}, {device.IntegerSumsName}, {spec.CountName}, {spec.StateName}, {spec.ResultsName}) => EstimateWeightedFromDeviceSums({device.LengthName}, {device.DoubleSumsName}, {device.IntegerSumsName}, {spec.CountName}, {arguments}, {spec.ResultsName}));");
            writer.Indent--;
        }

        /// <summary>Writes a body at the writer's indentation; inner lines of a string literal that spans lines are written as they are.</summary>
        /// <summary>The documentation of the estimator's own parameters, as every generated method that takes them repeats them.</summary>
        private static void WriteParameterDocs(IndentedTextWriter writer, BlbEstimatorSpec spec)
        {
            foreach (BlbParameterSpec parameter in spec.Parameters)
            {
                writer.WriteLine($"/// <param name=\"{parameter.Name.TrimStart('@')}\">{(parameter.Subsampled ? "All n rows of the data." : "As for <c>Estimate</c>.")}</param>");
            }
        }

        private static void WriteBody(IndentedTextWriter writer, string body)
        {
            string[] lines = body.Split('\n');
            bool[] inside = LiteralLines.StartInsideToken(body);
            for (int i = 0; i < lines.Length; i++)
            {
                string line = lines[i];
                if (inside[i])
                {
                    writer.WriteLineNoTabs(line);
                }
                else if (line.Trim().Length == 0 && !(i + 1 < lines.Length && inside[i + 1]))
                {
                    writer.WriteLineNoTabs(string.Empty);
                }
                else
                {
                    writer.WriteLine(line);
                }
            }
        }
    }
}
