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
    internal sealed partial class TwinWriter
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
        private Dictionary<SyntaxNode, string>? overrides;
        private int maps;
        private readonly string fileName;
        private readonly SyntaxNode topContainer;
        private readonly List<(IMethodSymbol Method, MethodDeclarationSyntax Syntax)>? copies;
        private string callerMember;

        public TwinWriter(SemanticModel model, IMethodSymbol host, string twinName, FuturePlan body, bool nullable, CancellationToken cancellationToken)
        {
            this.model = model;
            this.host = host;
            this.twinName = twinName;
            this.nullable = nullable;
            this.cancellationToken = cancellationToken;
            typeFormat = nullable ? QualifiedFormat : SymbolDisplayFormat.FullyQualifiedFormat;
            fileName = System.IO.Path.GetFileName(body.Container.SyntaxTree.FilePath);
            topContainer = body.Container;
            callerMember = host.Name;
            copies = CopiedCallees(body.Container);
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
            WritePlan(text, body);
            return text.ToString();
        }

        // ---- plans ----------------------------------------------------------------------------

        private void WritePlan(StringBuilder text, FuturePlan plan)
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
                    if (block == topContainer)
                    {
                        WriteCopies(text, indent);
                    }

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
                    if (arrow == topContainer)
                    {
                        WriteCopies(text, indent);
                    }

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

                if (step.Choice is { } choice)
                {
                    if (first)
                    {
                        AppendComments(text, step.Statement);
                    }

                    WriteChoice(text, code, step, choice, indent);
                    continue;
                }

                if (step.Map is { } map)
                {
                    if (first)
                    {
                        AppendComments(text, step.Statement);
                    }

                    WriteMap(code, map);
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
    }
}
