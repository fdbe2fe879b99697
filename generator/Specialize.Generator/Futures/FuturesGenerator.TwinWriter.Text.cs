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

            if (statement is ExpressionSyntax arm && plans.TryGetValue(arm, out FuturePlan? armPlan) && armPlan.ArmPrefix is { } prefix)
            {
                // The end of an arm of a conditional: its value, used the way the statement used the conditional's.
                text.Append(replaceLeading).Append(prefix).Append(Text(arm, replacements).Trim()).Append(armPlan.ArmSuffix).Append('\n');
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
            if (overrides is not null && overrides.TryGetValue(node, out string? replacement))
            {
                AppendTrivia(text, node.GetLeadingTrivia());
                text.Append(replacement);
                AppendTrivia(text, node.GetTrailingTrivia());
                return;
            }

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
                WritePlan(text, nested);
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
                        return SymbolDisplay.FormatLiteral(callerMember, quote: true);
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
