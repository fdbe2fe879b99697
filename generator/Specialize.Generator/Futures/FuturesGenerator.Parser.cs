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
        /// Cheap syntax filter: a method body with at least two calls outside lambdas and local
        /// functions (two pure calls are the least that can overlap), or a call in a loop.
        /// </summary>
        public static bool IsCandidate(SyntaxNode node)
        {
            if (node is not MethodDeclarationSyntax method || node.Parent is not ClassDeclarationSyntax and not RecordDeclarationSyntax
                || ((SyntaxNode?)method.Body ?? method.ExpressionBody) is not { } body)
            {
                return false;
            }

            int calls = 0;
            foreach (SyntaxNode descendant in body.DescendantNodes(static n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            {
                // Two calls, or one in a loop (a parallel map).
                if (descendant is InvocationExpressionSyntax && (++calls >= 2 || descendant.Ancestors().Any(static a => a is ForStatementSyntax or ForEachStatementSyntax)))
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
            bool nullable = (model.GetNullableContext(syntax.SpanStart) & NullableContext.AnnotationsEnabled) != 0;
            FuturePlan plan = syntax.Body is { } block
                ? FuturePlan.ForBody(block, model, purity, method, cancellationToken)
                : FuturePlan.ForExpressionBody(syntax.ExpressionBody!, model, purity, method, cancellationToken);
            if (!plan.HasRuns)
            {
                return null;
            }

            cancellationToken.ThrowIfCancellationRequested();
            string twinName = method.Name + "_Parallel";
            var writer = new TwinWriter(model, method, twinName, plan, nullable, cancellationToken);
            string body = writer.WriteBody(plan);
            string twin = BuildTwin(syntax, method, twinName, body);

            return new FutureTwinSpec(
                HintName: HintName(method),
                MethodKey: MethodKey(method),
                NullableEnabled: nullable,
                Scopes: SourceScopes.Of(syntax),
                TypeHeaders: new EquatableArray<string>(TypeHeaders(syntax)),
                TwinName: twinName,
                TwinSource: twin,
                Sites: new EquatableArray<string>(writer.Sites),
                Interceptor: BuildInterceptor(method, twinName),
                Location: LocationInfo.From(syntax.Identifier.GetLocation()));
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

            if (syntax.Body is null && syntax.ExpressionBody is null || syntax.Body?.DescendantNodes().Any(static n => n is YieldStatementSyntax) == true)
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

        /// <summary>True when the method and every type containing it are public.</summary>
        private static bool IsPublic(IMethodSymbol method)
        {
            for (ISymbol? symbol = method; symbol is IMethodSymbol or INamedTypeSymbol; symbol = symbol.ContainingSymbol)
            {
                if (symbol.DeclaredAccessibility != Accessibility.Public)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>
        /// The twins in referenced assemblies compiled with Specialize that this compilation may call:
        /// their originals' calls here are intercepted too.
        /// </summary>
        public static ImmutableArray<ReferencedTwin> ParseReferencedTwins(Compilation compilation, CancellationToken cancellationToken)
        {
            INamedTypeSymbol? marker = compilation.GetTypeByMetadataName(TwinAttributeName);
            if (marker is null)
            {
                return ImmutableArray<ReferencedTwin>.Empty;
            }

            var twins = ImmutableArray.CreateBuilder<ReferencedTwin>();
            foreach (MetadataReference reference in compilation.References)
            {
                if (compilation.GetAssemblyOrModuleSymbol(reference) is not IAssemblySymbol assembly
                    || SymbolEqualityComparer.Default.Equals(assembly, marker.ContainingAssembly)
                    || !assembly.Modules.Any(static m => m.ReferencedAssemblies.Any(static a => a.Name == "Specialize")))
                {
                    continue;
                }

                var types = new Stack<INamespaceOrTypeSymbol>();
                types.Push(assembly.GlobalNamespace);
                while (types.Count > 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    INamespaceOrTypeSymbol current = types.Pop();
                    foreach (ISymbol member in current.GetMembers())
                    {
                        if (member is INamespaceOrTypeSymbol container)
                        {
                            types.Push(container);
                        }
                        else if (member is IMethodSymbol twin && twin.Name.EndsWith("_Parallel", System.StringComparison.Ordinal)
                            && twin.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, marker)) is { } attribute
                            && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string key
                            && compilation.IsSymbolAccessibleWithin(twin, compilation.Assembly)
                            && current is INamedTypeSymbol type
                            && type.GetMembers(twin.Name.Substring(0, twin.Name.Length - "_Parallel".Length)).OfType<IMethodSymbol>()
                                .FirstOrDefault(m => MethodKey(m) == key) is { } original)
                        {
                            twins.Add(new ReferencedTwin(key, BuildInterceptor(original, twin.Name)));
                        }
                    }
                }
            }

            return twins.ToImmutable();
        }

        /// <summary>The attribute a twin carries, naming its original.</summary>
        public const string TwinAttributeName = "Specialize.Futures.ParallelTwinAttribute";

        private static string BuildTwin(MethodDeclarationSyntax syntax, IMethodSymbol method, string twinName, string body)
        {
            // Public when the original is public, so that other assemblies' calls can be routed to it.
            var modifiers = new List<string> { IsPublic(method) ? "public" : "internal" };
            if (syntax.Modifiers.Any(SyntaxKind.StaticKeyword))
            {
                modifiers.Add("static");
            }

            if (syntax.Modifiers.Any(SyntaxKind.UnsafeKeyword))
            {
                modifiers.Add("unsafe");
            }

            // Parameters as declared (attributes, '@' names and defaults included), on one line.
            string parameters = string.Join(", ", syntax.ParameterList.Parameters.Select(static p => WithoutDirectives(p)));
            string indent = syntax.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia)).ToFullString();
            string returnType = WithoutDirectives(syntax.ReturnType);
            return $"{indent}{string.Join(" ", modifiers)} {returnType} {twinName}({parameters})\n{indent}{body.TrimStart(' ', '\t')}";
        }

        /// <summary>A node's text on one line, without comments, preprocessor directives or inactive code.</summary>
        internal static string WithoutDirectives(SyntaxNode node)
        {
            var text = new StringBuilder();
            SyntaxToken previous = default;
            foreach (SyntaxToken token in node.DescendantTokens())
            {
                if (text.Length > 0 && (previous.TrailingTrivia.Count > 0
                    || token.LeadingTrivia.Any(static t => !t.IsDirective && !t.IsKind(SyntaxKind.DisabledTextTrivia))))
                {
                    text.Append(' ');
                }

                text.Append(token.Text);
                previous = token;
            }

            return text.ToString();
        }

        private static InterceptorSignature BuildInterceptor(IMethodSymbol method, string twinName)
        {
            var parameters = new List<string>();
            var arguments = new List<string>();
            string type = method.ContainingType.ToDisplayString(QualifiedFormat);

            // The receiver's name must not be one of the method's own parameter names.
            string receiver = "@this";
            for (int i = 0; method.Parameters.Any(p => "@" + p.Name == receiver); i++)
            {
                receiver = "__receiver" + (i == 0 ? string.Empty : i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            if (!method.IsStatic)
            {
                parameters.Add($"this {type} {receiver}");
            }

            foreach (IParameterSymbol parameter in method.Parameters)
            {
                parameters.Add($"{parameter.Type.ToDisplayString(QualifiedFormat)} @{parameter.Name}");
                arguments.Add("@" + parameter.Name);
            }

            return new InterceptorSignature(
                method.Name,
                method.ReturnsVoid ? "void" : method.ReturnType.ToDisplayString(QualifiedFormat),
                string.Join(", ", parameters),
                $"{(method.IsStatic ? type : receiver)}.{twinName}({string.Join(", ", arguments)})");
        }

        private static IEnumerable<string> TypeHeaders(MethodDeclarationSyntax syntax)
        {
            var headers = new List<string>();
            for (SyntaxNode? node = syntax.Parent; node is TypeDeclarationSyntax type; node = node.Parent)
            {
                string keyword = type is RecordDeclarationSyntax record
                    ? "record" + (record.ClassOrStructKeyword == default ? string.Empty : " " + record.ClassOrStructKeyword.Text)
                    : type.Keyword.Text;
                string modifiers = string.Join(" ", type.Modifiers
                    .Where(static m => m.IsKind(SyntaxKind.StaticKeyword) || m.IsKind(SyntaxKind.UnsafeKeyword) || m.IsKind(SyntaxKind.PartialKeyword))
                    .Select(static m => m.Text));
                headers.Insert(0, $"{modifiers} {keyword} {type.Identifier.Text}".Trim());
            }

            return headers;
        }

        /// <summary>
        /// A readable file name for the twin: the type, the method and its parameter types. Twins whose
        /// names still coincide are told apart when they are emitted.
        /// </summary>
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
