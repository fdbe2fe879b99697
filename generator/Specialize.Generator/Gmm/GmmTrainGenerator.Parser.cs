using System.Collections.Generic;
using System.Globalization;
using System.Linq;
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
    /// <summary>
    /// Symbols and syntax to plain data. A valid declaration becomes a spec; one with problems becomes a stand-in that
    /// throws, with the problems to report, where a stand-in can be added; otherwise nothing, and the compiler and the
    /// analyzer say what is wrong.
    /// </summary>
    internal static class Parser
    {
        /// <summary>Types as generated code names them: fully qualified, with their nullable annotations.</summary>
        private static readonly SymbolDisplayFormat TypeFormat = SymbolDisplayFormat.FullyQualifiedFormat
            .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

        private const string HintSuffix = ".GmmTrain.g.cs";

        public static SpecResult? Parse(MethodDeclarationSyntax syntax, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
        {
            GmmTrainDeclaration declaration = GmmTrainDeclaration.Analyze(method, attribute, cancellationToken);
            if (!CanImplement(syntax, method))
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            LocationInfo location = LocationInfo.From(syntax.Identifier.GetLocation());
            GmmMethodFrame frame = Frame(syntax, method);
            if (!declaration.IsValid || declaration.RowType is null)
            {
                var diagnostics = declaration.Problems.Select(static p => DiagnosticInfo.Create(p.Descriptor, p.Location, p.Arguments.ToArray())).ToList();
                string message = $"Specialize did not implement [GmmTrain] method '{method.Name}': "
                    + string.Join(" ", declaration.Problems.Select(static p => $"{p.Descriptor.Id}: {p.ToDiagnostic().GetMessage(CultureInfo.InvariantCulture)}."));
                return new SpecResult(method.Name, location, null, new GmmStandInSpec(frame, message), new EquatableArray<DiagnosticInfo>(diagnostics));
            }

            // The locals of the body must not be named like the parameters.
            var taken = new HashSet<string>(System.StringComparer.Ordinal) { method.Parameters[0].Name };
            string progressName = Identifiers.Unique("progress", taken);
            string cancellationName = Identifiers.Unique("cancellationToken", taken);
            var spec = new GmmTrainSpec(
                Frame: frame,
                ProgressOverload: DeclaresProgressOverload(method) ? null : ProgressOverload(syntax, method, progressName, cancellationName),
                Call: Identifiers.Escape(method.Name) + TypeArgumentList(method.TypeParameters),
                ProgressName: progressName,
                CancellationName: cancellationName,
                ParameterName: Identifiers.Escape(method.Parameters[0].Name),
                ValuesName: Identifiers.Unique("values", taken),
                DataName: Identifiers.Unique("data", taken),
                OptionsName: Identifiers.Unique("options", taken),
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
            return new SpecResult(method.Name, location, spec, null, default);
        }

        /// <summary>
        /// Whether an implementing part can be added: the method is a partial definition nobody implemented, in partial
        /// types that another file can extend (not file-local), with a signature whose types all exist. Otherwise the
        /// compiler reports the declaration itself (and a second part would only add to its errors).
        /// </summary>
        private static bool CanImplement(MethodDeclarationSyntax syntax, IMethodSymbol method)
        {
            if (!method.IsPartialDefinition || method.PartialImplementationPart is not null || syntax.Body is not null || syntax.ExpressionBody is not null)
            {
                return false;
            }

            if (syntax.Ancestors().OfType<TypeDeclarationSyntax>().Any(static t => !t.Modifiers.Any(SyntaxKind.PartialKeyword)))
            {
                return false;
            }

            for (INamedTypeSymbol? type = method.ContainingType; type is not null; type = type.ContainingType)
            {
                if (type.IsFileLocal)
                {
                    return false;
                }
            }

            return !HasErrorType(method.ReturnType) && !method.Parameters.Any(static p => HasErrorType(p.Type));
        }

        private static bool HasErrorType(ITypeSymbol type) => type switch
        {
            IErrorTypeSymbol => true,
            IArrayTypeSymbol array => HasErrorType(array.ElementType),
            IPointerTypeSymbol pointer => HasErrorType(pointer.PointedAtType),
            INamedTypeSymbol named => named.TypeArguments.Any(HasErrorType),
            _ => false,
        };

        /// <summary>The implementing declaration, mirroring the user's: modifiers, ref return, type parameters, parameter modifiers, annotations.</summary>
        private static GmmMethodFrame Frame(MethodDeclarationSyntax syntax, IMethodSymbol method)
        {
            string modifiers = string.Join(" ", syntax.Modifiers.Select(static m => m.Text));
            string returns = (method.ReturnsByRefReadonly ? "ref readonly " : method.ReturnsByRef ? "ref " : string.Empty) + method.ReturnType.ToDisplayString(TypeFormat);
            var parameters = new List<string>();
            for (int i = 0; i < method.Parameters.Length; i++)
            {
                IParameterSymbol parameter = method.Parameters[i];
                string parameterModifiers = i < syntax.ParameterList.Parameters.Count
                    ? string.Concat(syntax.ParameterList.Parameters[i].Modifiers.Select(static m => m.Text + " "))
                    : string.Empty;
                parameters.Add($"{parameterModifiers}{parameter.Type.ToDisplayString(TypeFormat)} {Identifiers.Escape(parameter.Name)}");
            }

            string declaration = $"{modifiers} {returns} {Identifiers.Escape(method.Name)}{Identifiers.TypeParameterList(method.TypeParameters)}({string.Join(", ", parameters)})";
            INamespaceSymbol ns = method.ContainingType.ContainingNamespace;
            return new GmmMethodFrame(
                HintName: HintNames.For(method, HintSuffix),
                Namespace: Identifiers.Namespace(ns),
                TypeHeaders: new EquatableArray<string>(Identifiers.TypeHeaders(method.ContainingType)),
                Declaration: declaration,
                Constraints: new EquatableArray<string>(Identifiers.ConstraintClauses(method.TypeParameters, TypeFormat)));
        }

        private const string ProgressType = "global::System.IProgress<global::Specialize.Mixture.GmmProgress>";
        private const string CancellationType = "global::System.Threading.CancellationToken";

        /// <summary>
        /// The declaration of the overload that takes progress and cancellation: the user's modifiers but <c>partial</c>
        /// (and <c>new</c>, which would hide nothing), the rows parameter without <c>params</c> (no longer the last one),
        /// then the two optional parameters, as <c>BlbRuntime.Run</c> takes them.
        /// </summary>
        private static string ProgressOverload(MethodDeclarationSyntax syntax, IMethodSymbol method, string progressName, string cancellationName)
        {
            string modifiers = string.Join(" ", syntax.Modifiers
                .Where(static m => !m.IsKind(SyntaxKind.PartialKeyword) && !m.IsKind(SyntaxKind.NewKeyword))
                .Select(static m => m.Text));
            string rowsModifiers = string.Concat(syntax.ParameterList.Parameters[0].Modifiers
                .Where(static m => !m.IsKind(SyntaxKind.ParamsKeyword))
                .Select(static m => m.Text + " "));
            IParameterSymbol rows = method.Parameters[0];
            return $"{modifiers} {method.ReturnType.ToDisplayString(TypeFormat)} {Identifiers.Escape(method.Name)}{Identifiers.TypeParameterList(method.TypeParameters)}("
                + $"{rowsModifiers}{rows.Type.ToDisplayString(TypeFormat)} {Identifiers.Escape(rows.Name)}, "
                + $"{ProgressType}? {progressName} = null, {CancellationType} {cancellationName} = default)";
        }

        /// <summary>Whether the type already declares the overload with progress and cancellation, which then is not generated.</summary>
        private static bool DeclaresProgressOverload(IMethodSymbol method) =>
            method.ContainingType.GetMembers(method.Name).OfType<IMethodSymbol>().Any(other =>
                other.Parameters.Length == 3
                && other.TypeParameters.Length == method.TypeParameters.Length
                && SymbolEqualityComparer.Default.Equals(other.Parameters[0].Type, method.Parameters[0].Type)
                && other.Parameters[1].Type.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString() == "System.IProgress<Specialize.Mixture.GmmProgress>"
                && other.Parameters[2].Type.ToDisplayString() == "System.Threading.CancellationToken");

        /// <summary><c>&lt;T, U&gt;</c> to call a generic method with its own type parameters, or empty.</summary>
        private static string TypeArgumentList(IEnumerable<ITypeParameterSymbol> typeParameters)
        {
            string[] names = typeParameters.Select(static p => Identifiers.Escape(p.Name)).ToArray();
            return names.Length == 0 ? string.Empty : "<" + string.Join(", ", names) + ">";
        }

        /// <summary>A double as a C# literal that reads back to the same value ("0.001", "1E-06").</summary>
        private static string Literal(double value)
        {
            string text = value.ToString("R", CultureInfo.InvariantCulture);
            return text.IndexOfAny(['.', 'E', 'e']) >= 0 ? text : text + ".0";
        }
    }
}
