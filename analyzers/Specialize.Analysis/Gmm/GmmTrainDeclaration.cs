using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Specialize.Analysis.Diagnostics;

namespace Specialize.Analysis.Gmm;

/// <summary>
/// What a <c>[GmmTrain]</c> declaration says, checked: the row type's shape (D values of one element
/// type), the attribute's options, and every reason the declaration cannot be implemented (SPEC201 to
/// SPEC204). The analyzer reports the problems; the generator implements only declarations without any.
/// </summary>
public sealed class GmmTrainDeclaration
{
    public const string AttributeName = "Specialize.GmmTrainAttribute";
    public const string GaussianMixtureName = "Specialize.Mixture.GaussianMixture";
    private const string InlineArrayAttributeName = "System.Runtime.CompilerServices.InlineArrayAttribute";
    private const string StructLayoutAttributeName = "System.Runtime.InteropServices.StructLayoutAttribute";

    /// <summary>The names of <c>Specialize.Mixture.CovarianceType</c>'s values, by value.</summary>
    public static readonly ImmutableArray<string> CovarianceTypeNames = ImmutableArray.Create("Full", "Tied", "Diagonal", "Spherical");

    private GmmTrainDeclaration(ImmutableArray<GmmTrainProblem> problems)
    {
        Problems = problems;
    }

    /// <summary>Why the declaration cannot be implemented; empty when it can.</summary>
    public ImmutableArray<GmmTrainProblem> Problems { get; }

    /// <summary>Whether the generator can implement the declaration.</summary>
    public bool IsValid => Problems.IsEmpty;

    /// <summary>The row struct (valid declarations only).</summary>
    public INamedTypeSymbol? RowType { get; private set; }

    /// <summary>Whether the rows are passed as <c>TRow[]</c> rather than <c>ReadOnlySpan&lt;TRow&gt;</c>.</summary>
    public bool RowsAreArray { get; private set; }

    /// <summary>Whether the row is an <c>[InlineArray(D)]</c> struct rather than D fields.</summary>
    public bool RowIsInlineArray { get; private set; }

    /// <summary>Number of values per row <c>D</c>.</summary>
    public int Dimension { get; private set; }

    /// <summary><c>"double"</c> or <c>"float"</c>.</summary>
    public string ElementType { get; private set; } = "double";

    public int Components { get; private set; } = 1;

    public int CovarianceType { get; private set; }

    public double Tolerance { get; private set; } = 1e-3;

    public double Regularization { get; private set; } = 1e-6;

    public int MaxIterations { get; private set; } = 100;

    /// <summary>The seed of the initialization, when the attribute sets one.</summary>
    public int? Seed { get; private set; }

    /// <summary>Checks a method carrying <c>[GmmTrain]</c> (the partial definition, if the method is partial).</summary>
    public static GmmTrainDeclaration Analyze(IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
    {
        var problems = ImmutableArray.CreateBuilder<GmmTrainProblem>();
        Location location = method.Locations.FirstOrDefault() ?? Location.None;
        var declaration = new GmmTrainDeclaration(ImmutableArray<GmmTrainProblem>.Empty);

        if (!method.IsStatic || !method.IsPartialDefinition)
        {
            problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainMethodNotStaticPartial, location, method.Name));
        }

        if (method.ReturnsByRef || method.ReturnsByRefReadonly
            || method.ReturnType.WithNullableAnnotation(NullableAnnotation.None).ToDisplayString() != GaussianMixtureName)
        {
            problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidSignature, location, method.Name,
                $"must return '{GaussianMixtureName}', not '{(method.ReturnsByRef ? "ref " : method.ReturnsByRefReadonly ? "ref readonly " : string.Empty)}{method.ReturnType.ToDisplayString()}'"));
        }

        ITypeSymbol? row = null;
        if (method.Parameters.Length != 1 || method.Parameters[0].RefKind != RefKind.None)
        {
            problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidSignature, location, method.Name,
                "must take exactly one parameter, the rows, passed by value as a ReadOnlySpan<TRow> or a TRow[]"));
        }
        else
        {
            ITypeSymbol type = method.Parameters[0].Type;
            if (type is INamedTypeSymbol { IsGenericType: true } span && span.OriginalDefinition.ToDisplayString() == "System.ReadOnlySpan<T>")
            {
                row = span.TypeArguments[0];
            }
            else if (type is IArrayTypeSymbol { Rank: 1 } array)
            {
                row = array.ElementType;
                declaration.RowsAreArray = true;
            }
            else
            {
                problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidSignature, location, method.Name,
                    $"takes '{type.ToDisplayString()}'; the rows must be a ReadOnlySpan<TRow> or a TRow[]"));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (row is not null)
        {
            string? reason = declaration.ReadRowShape(row);
            if (reason is not null)
            {
                problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainUnsupportedRowType, method.Parameters[0].Locations.FirstOrDefault() ?? location,
                    method.Name, row.ToDisplayString(), reason));
            }
        }

        declaration.ReadOptions(method, attribute, location, problems);
        return problems.Count == 0 ? declaration : new GmmTrainDeclaration(problems.ToImmutable());
    }

    /// <summary>Reads D and the element type of <paramref name="row"/>; returns why it is unsupported, or null.</summary>
    private string? ReadRowShape(ITypeSymbol row)
    {
        if (row is not INamedTypeSymbol named || named.TypeKind != TypeKind.Struct)
        {
            return "it is not a struct";
        }

        var fields = named.GetMembers().OfType<IFieldSymbol>().Where(static f => !f.IsStatic && !f.IsConst).ToList();
        AttributeData? inlineArray = named.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == InlineArrayAttributeName);
        if (inlineArray is not null)
        {
            int length = inlineArray.ConstructorArguments.Length == 1 && inlineArray.ConstructorArguments[0].Value is int l ? l : 0;
            if (length < 1)
            {
                return "its [InlineArray] length is less than 1 (D = 0)";
            }

            if (fields.Count != 1 || ElementName(fields[0].Type) is not { } inlineElement)
            {
                return "its [InlineArray] element type must be float or double";
            }

            RowIsInlineArray = true;
            Dimension = length;
            ElementType = inlineElement;
            RowType = named;
            return null;
        }

        AttributeData? layout = named.GetAttributes().FirstOrDefault(static a => a.AttributeClass?.ToDisplayString() == StructLayoutAttributeName);
        if (layout is not null && layout.ConstructorArguments.Length == 1 && layout.ConstructorArguments[0].Value is int kind && kind != 0)
        {
            return "it does not have sequential layout";
        }

        if (fields.Count == 0)
        {
            return "it has no instance fields (D = 0)";
        }

        string? element = null;
        IFieldSymbol? first = null;
        foreach (IFieldSymbol field in fields)
        {
            string fieldName = field.AssociatedSymbol?.Name ?? field.Name;
            if (field.Type.IsReferenceType)
            {
                return $"'{fieldName}' is of reference type '{field.Type.ToDisplayString()}'; every field must be float or double";
            }

            string? name = ElementName(field.Type);
            if (name is null)
            {
                return $"'{fieldName}' is of type '{field.Type.ToDisplayString()}'; every field must be float or double";
            }

            if (element is null)
            {
                element = name;
                first = field;
            }
            else if (element != name)
            {
                return $"its fields mix float and double ('{first!.AssociatedSymbol?.Name ?? first.Name}' is {element}, '{fieldName}' is {name})";
            }
        }

        Dimension = fields.Count;
        ElementType = element!;
        RowType = named;
        return null;
    }

    private static string? ElementName(ITypeSymbol type) => type.SpecialType switch
    {
        SpecialType.System_Double => "double",
        SpecialType.System_Single => "float",
        _ => null,
    };

    private void ReadOptions(IMethodSymbol method, AttributeData attribute, Location location, ImmutableArray<GmmTrainProblem>.Builder problems)
    {
        foreach (KeyValuePair<string, TypedConstant> argument in attribute.NamedArguments)
        {
            Location at = ArgumentLocation(attribute, argument.Key) ?? location;
            object? value = argument.Value.Value;
            switch (argument.Key)
            {
                case "Components" when value is int components:
                    Components = components;
                    if (components < 1)
                    {
                        problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidOption, at, method.Name, argument.Key, Format(components), "at least 1"));
                    }

                    break;
                case "MaxIterations" when value is int iterations:
                    MaxIterations = iterations;
                    if (iterations < 1)
                    {
                        problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidOption, at, method.Name, argument.Key, Format(iterations), "at least 1"));
                    }

                    break;
                case "Tolerance" when value is double tolerance:
                    Tolerance = tolerance;
                    if (!(tolerance >= 0) || double.IsInfinity(tolerance))
                    {
                        problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidOption, at, method.Name, argument.Key, Format(tolerance), "a finite number >= 0"));
                    }

                    break;
                case "Regularization" when value is double regularization:
                    Regularization = regularization;
                    if (!(regularization >= 0) || double.IsInfinity(regularization))
                    {
                        problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidOption, at, method.Name, argument.Key, Format(regularization), "a finite number >= 0"));
                    }

                    break;
                case "Seed" when value is int seed:
                    Seed = seed;
                    break;
                case "CovarianceType" when value is int covariance:
                    CovarianceType = covariance;
                    if (covariance < 0 || covariance >= CovarianceTypeNames.Length)
                    {
                        problems.Add(new GmmTrainProblem(DiagnosticDescriptors.GmmTrainInvalidOption, at, method.Name, argument.Key, Format(covariance), "Full, Tied, Diagonal or Spherical"));
                    }

                    break;
            }
        }
    }

    /// <summary>The location of the named argument <paramref name="name"/> in the attribute's syntax, if any.</summary>
    private static Location? ArgumentLocation(AttributeData attribute, string name) =>
        attribute.ApplicationSyntaxReference?.GetSyntax() is AttributeSyntax { ArgumentList: { } list }
            ? list.Arguments.FirstOrDefault(a => a.NameEquals?.Name.Identifier.ValueText == name)?.GetLocation()
            : null;

    private static string Format(double value) => value.ToString("R", System.Globalization.CultureInfo.InvariantCulture);

    private static string Format(int value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One reason a <c>[GmmTrain]</c> declaration cannot be implemented: a diagnostic as data, so that both the
/// analyzer and the generator can report it.</summary>
public sealed class GmmTrainProblem
{
    public GmmTrainProblem(DiagnosticDescriptor descriptor, Location location, params string[] arguments)
    {
        Descriptor = descriptor;
        Location = location;
        Arguments = ImmutableArray.Create(arguments);
    }

    public DiagnosticDescriptor Descriptor { get; }

    public Location Location { get; }

    /// <summary>The arguments of the descriptor's message format.</summary>
    public ImmutableArray<string> Arguments { get; }

    public Diagnostic ToDiagnostic() => Diagnostic.Create(Descriptor, Location, Arguments.ToArray<object>());
}
