using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Gmm;
using Specialize.Generator.Gmm.Model;
using Specialize.Generator.Helpers;

namespace Specialize.Generator.Gmm;

public sealed partial class GmmTrainGenerator
{
    /// <summary>Symbols and syntax to plain data. Declarations with problems yield nothing: the analyzer reports them.</summary>
    internal static class Parser
    {
        public static GmmTrainSpec? Parse(MethodDeclarationSyntax syntax, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
        {
            GmmTrainDeclaration declaration = GmmTrainDeclaration.Analyze(method, attribute, cancellationToken);
            if (!declaration.IsValid || declaration.RowType is null)
            {
                return null;
            }

            // Every containing type must be partial too, or the implementation cannot be added (the compiler says so).
            if (syntax.Ancestors().OfType<TypeDeclarationSyntax>().Any(static t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            INamespaceSymbol ns = method.ContainingType.ContainingNamespace;
            return new GmmTrainSpec(
                HintName: HintName(method),
                Namespace: ns.IsGlobalNamespace ? string.Empty : ns.ToDisplayString(),
                TypeHeaders: new EquatableArray<string>(TypeHeaders(syntax)),
                Modifiers: string.Join(" ", syntax.Modifiers.Select(static m => m.Text)),
                MethodName: method.Name,
                ParameterName: method.Parameters[0].Name,
                RowType: declaration.RowType.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
                RowTypeName: declaration.RowType.Name,
                RowsAreArray: declaration.RowsAreArray,
                RowIsInlineArray: declaration.RowIsInlineArray,
                ElementType: declaration.ElementType,
                Dimension: declaration.Dimension,
                Components: declaration.Components,
                CovarianceType: GmmTrainDeclaration.CovarianceTypeNames[declaration.CovarianceType],
                Tolerance: Literal(declaration.Tolerance),
                Regularization: Literal(declaration.Regularization),
                MaxIterations: declaration.MaxIterations,
                Seed: declaration.Seed);
        }

        /// <summary>A double as a C# literal that reads back to the same value ("0.001", "1E-06").</summary>
        private static string Literal(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
        }

        private static IEnumerable<string> TypeHeaders(MethodDeclarationSyntax syntax)
        {
            var headers = new List<string>();
            for (SyntaxNode? node = syntax.Parent; node is TypeDeclarationSyntax type; node = node.Parent)
            {
                string keyword = type is RecordDeclarationSyntax record
                    ? "record" + (record.ClassOrStructKeyword == default ? string.Empty : " " + record.ClassOrStructKeyword.Text)
                    : type.Keyword.Text;
                string modifiers = string.Join(" ", type.Modifiers.Where(static m => m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.PartialKeyword)).Select(static m => m.Text));
                headers.Insert(0, $"{modifiers} {keyword} {type.Identifier.ValueText}{type.TypeParameterList}".Trim());
            }

            return headers;
        }

        private static string HintName(IMethodSymbol method)
        {
            var name = new StringBuilder();
            name.Append(method.ContainingType.ToDisplayString(SymbolDisplayFormat.CSharpErrorMessageFormat.WithGenericsOptions(SymbolDisplayGenericsOptions.None)));
            name.Append('.').Append(method.Name);
            for (int i = 0; i < name.Length; i++)
            {
                if (!char.IsLetterOrDigit(name[i]) && name[i] != '.')
                {
                    name[i] = '_';
                }
            }

            return name.Append(".GmmTrain.g.cs").ToString();
        }
    }
}
