using System.Collections.Generic;
using System.Linq;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Specialize.Generator.Futures;

public sealed partial class FuturesGenerator
{
    internal sealed partial class TwinWriter
    {
        // ---- optimized copies of the methods a twin calls ----------------------------------------
        //
        // A twin is compiled optimized from its first call, but the helpers it calls (a partition, an
        // insertion sort, a concatenation) start as the runtime's quick first-tier code and are
        // recompiled optimized only after the runtime's tiering delay, which new code keeps extending
        // while a program starts. A program that sorts once spends most of that run in the slow
        // helpers, and it loses most on the parallel side, which does the run's work sooner. So a
        // static helper of the same type, written in the same file, that loops gets a copy inside
        // the twin: a static local function of the same name and text, compiled optimized at once.
        // The twin's calls bind to the local function because its name hides the method's; a helper
        // is copied only where that changes nothing else (every use of the name in the twin and in
        // the copies is a call of that same method). The copy computes what the method computes:
        // it is the method's own text.

        /// <summary>The helpers to copy into the twin, in the order of their first call.</summary>
        private List<(IMethodSymbol Method, MethodDeclarationSyntax Syntax)> CopiedCallees(SyntaxNode hostBody)
        {
            var chosen = new List<(IMethodSymbol Method, MethodDeclarationSyntax Syntax)>();
            var seen = new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default);
            foreach (InvocationExpressionSyntax invocation in hostBody.DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (invocation.Expression is not IdentifierNameSyntax
                    || model.GetSymbolInfo(invocation, cancellationToken).Symbol is not IMethodSymbol callee
                    || !seen.Add(callee.OriginalDefinition)
                    || CopyableSyntax(callee) is not { } syntax)
                {
                    continue;
                }

                chosen.Add((callee, syntax));
            }

            // Drop a name whose use anywhere in the twin or the copies is not a call of that method,
            // until every kept name is used only that way.
            bool changed = true;
            while (changed && chosen.Count > 0)
            {
                changed = false;
                var names = chosen.ToDictionary(static c => c.Method.Name, static c => c.Method, System.StringComparer.Ordinal);
                var regions = new List<SyntaxNode> { host.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) };
                regions.AddRange(chosen.Select(static c => (SyntaxNode)c.Syntax));
                var bad = new HashSet<string>(System.StringComparer.Ordinal);
                foreach (SyntaxNode region in regions)
                {
                    foreach (SyntaxToken token in region.DescendantTokens())
                    {
                        if (token.IsKind(SyntaxKind.IdentifierToken) && names.TryGetValue(token.ValueText, out IMethodSymbol? method)
                            && !IsCallOf(token, method, region))
                        {
                            bad.Add(token.ValueText);
                        }
                    }
                }

                if (bad.Count > 0)
                {
                    chosen.RemoveAll(c => bad.Contains(c.Method.Name));
                    changed = true;
                }
            }

            return chosen;
        }

        /// <summary>
        /// Whether an identifier is a call of <paramref name="method"/> by its simple name, or the name
        /// in the copied method's own declaration.
        /// </summary>
        private bool IsCallOf(SyntaxToken token, IMethodSymbol method, SyntaxNode region)
        {
            if (region is MethodDeclarationSyntax declaration && token == declaration.Identifier)
            {
                // The host's own name, or a copy's: the copy is written under this name.
                return SymbolEqualityComparer.Default.Equals(model.GetDeclaredSymbol(declaration, cancellationToken)?.OriginalDefinition, method.OriginalDefinition);
            }

            return token.Parent is IdentifierNameSyntax { Parent: InvocationExpressionSyntax invocation } name
                && invocation.Expression == name
                && model.GetSymbolInfo(invocation, cancellationToken).Symbol is IMethodSymbol target
                && SymbolEqualityComparer.Default.Equals(target.OriginalDefinition, method.OriginalDefinition);
        }

        /// <summary>The declaration of a helper that can be copied into the twin, or null.</summary>
        private MethodDeclarationSyntax? CopyableSyntax(IMethodSymbol callee)
        {
            if (!callee.IsStatic || callee.MethodKind != MethodKind.Ordinary || callee.IsGenericMethod || callee.IsExtern || callee.IsExtensionMethod
                || callee.IsAsync || callee.ReturnsByRef || callee.ReturnsByRefReadonly || callee.IsVararg
                || callee.PartialDefinitionPart is not null || callee.PartialImplementationPart is not null
                || SymbolEqualityComparer.Default.Equals(callee.OriginalDefinition, host.OriginalDefinition)
                || !SymbolEqualityComparer.Default.Equals(callee.ContainingType, host.ContainingType)
                || callee.DeclaringSyntaxReferences.Length != 1
                || callee.GetAttributes().Any(static a => a.AttributeClass?.Name != "PureAttribute")
                || callee.GetReturnTypeAttributes().Length > 0)
            {
                return null;
            }

            if (callee.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken) is not MethodDeclarationSyntax syntax
                || !syntax.SyntaxTree.Equals(model.SyntaxTree)
                || syntax.Modifiers.Any(SyntaxKind.UnsafeKeyword)
                || syntax.ParameterList.Parameters.Any(static p => p.AttributeLists.Count > 0)
                || ((SyntaxNode?)syntax.Body ?? syntax.ExpressionBody) is not { } body)
            {
                return null;
            }

            // Only helpers that loop: loop-free ones are short, or inlined into the twin.
            if (!body.DescendantNodes().Any(static n => n is ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax or ForEachVariableStatementSyntax)
                || body.DescendantNodes().Any(static n => n is YieldStatementSyntax))
            {
                return null;
            }

            // The copy is written in the twin's nullable context: it must be the helper's too.
            NullableContext hostContext = model.GetNullableContext(host.DeclaringSyntaxReferences[0].GetSyntax(cancellationToken).SpanStart);
            NullableContext calleeContext = model.GetNullableContext(syntax.SpanStart);
            if ((hostContext & (NullableContext.AnnotationsEnabled | NullableContext.WarningsEnabled))
                != (calleeContext & (NullableContext.AnnotationsEnabled | NullableContext.WarningsEnabled))
                || body.DescendantTrivia().Any(static t => t.IsKind(SyntaxKind.NullableDirectiveTrivia)))
            {
                return null;
            }

            return syntax;
        }

        /// <summary>Writes the copies as static local functions at the end of the twin's body.</summary>
        private void WriteCopies(StringBuilder text, string indent)
        {
            if (copies is not { Count: > 0 })
            {
                return;
            }

            string saved = callerMember;
            try
            {
                foreach ((IMethodSymbol method, MethodDeclarationSyntax syntax) in copies)
                {
                    callerMember = method.Name;
                    string parameters = string.Join(", ", syntax.ParameterList.Parameters.Select(static p => Parser.WithoutDirectives(p)));
                    text.Append('\n');
                    text.Append(indent).Append("// ").Append(method.Name).Append(" as written, compiled optimized from its first call (the method itself starts\n");
                    text.Append(indent).Append("// unoptimized until the runtime recompiles it).\n");
                    text.Append(indent).Append("[global::System.Runtime.CompilerServices.MethodImpl(global::System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]\n");
                    text.Append(indent).Append("static ").Append(Parser.WithoutDirectives(syntax.ReturnType)).Append(' ')
                        .Append(syntax.Identifier.Text).Append('(').Append(parameters).Append(")\n");
                    if (syntax.Body is { } block)
                    {
                        text.Append(Reindent(block, indent)).Append('\n');
                    }
                    else
                    {
                        text.Append(indent).Append("    => ").Append(Text(syntax.ExpressionBody!.Expression, NoReplacements).Trim()).Append(";\n");
                    }
                }
            }
            finally
            {
                callerMember = saved;
            }
        }

        /// <summary>
        /// A helper's block at the twin's indentation. Lines keep their own indentation where a token
        /// spans lines (a multi-line string), so that no string changes.
        /// </summary>
        private string Reindent(BlockSyntax block, string indent)
        {
            string body = Text(block, NoReplacements).TrimStart();
            string own = LineIndent(block);
            if (block.DescendantTokens().Any(static t => t.Text.IndexOf('\n') >= 0) || indent.Length < own.Length)
            {
                return indent + body;
            }

            string extra = indent.Substring(own.Length);
            string[] lines = body.Split('\n');
            var result = new StringBuilder(indent).Append(lines[0]);
            for (int i = 1; i < lines.Length; i++)
            {
                result.Append('\n');
                if (lines[i].Length > 0)
                {
                    result.Append(extra).Append(lines[i]);
                }
            }

            return result.ToString();
        }
    }
}
