using Microsoft.CodeAnalysis;
using Specialize.Analysis.Purity;
using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

/// <summary>
/// Calls whose target an object chooses at run time (interface and overridable members, reached
/// directly or through framework code: foreach, LINQ, formatting, comparers, hashing). Such a call is
/// pure only where every implementation that can run is known pure.
/// </summary>
public sealed class ForeignCodePurityTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Linq;
        using System.Text;
        using Specialize;

        """;

    // A sealed type whose ToString, Equals, GetHashCode and CompareTo each count their calls in a static field.
    private const string Noisy = """

        public sealed class Noisy : IComparable<Noisy>, IEquatable<Noisy>
        {
            public static int Calls;

            public override string ToString()
            {
                Calls++;
                return "n";
            }

            public bool Equals(Noisy? other)
            {
                Calls++;
                return other is not null;
            }

            public override bool Equals(object? obj) => obj is Noisy other && Equals(other);

            public override int GetHashCode()
            {
                Calls++;
                return 0;
            }

            public int CompareTo(Noisy? other)
            {
                Calls++;
                return 0;
            }
        }

        public sealed class Quiet : IComparable<Quiet>, IEquatable<Quiet>
        {
            public int Value;

            public override string ToString() => "q" + Value;

            public bool Equals(Quiet? other) => other is not null && other.Value == Value;

            public override bool Equals(object? obj) => obj is Quiet other && Equals(other);

            public override int GetHashCode() => Value;

            public int CompareTo(Quiet? other) => other is null ? 1 : Value.CompareTo(other.Value);
        }

        public enum Color
        {
            Red,
            Green,
        }
        """;

    private static IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic> Verify(string markup) =>
        AnalyzerHarness.Verify(Usings + markup + Noisy);

    // ---- foreach -------------------------------------------------------------------------------

    [Fact]
    public void Foreach_over_an_interface_parameter_is_reported_naming_GetEnumerator_and_the_object_that_chooses_it()
    {
        var diagnostics = Verify("""
            public static class C
            {
                [Pure]
                public static int SumAll(IEnumerable<int> xs, int bias)
                {
                    int s = bias;
                    foreach (var x in {|SPEC002:xs|})
                    {
                        s += x;
                    }

                    return s;
                }
            }
            """);

        string message = diagnostics.Single().GetMessage();
        Assert.Contains("IEnumerable<int>.GetEnumerator()", message, StringComparison.Ordinal);
        Assert.Contains("foreach over 'xs'", message, StringComparison.Ordinal);
        Assert.Contains("the object behind 'xs'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Foreach_over_arrays_strings_spans_catalogue_collections_and_what_the_method_built_is_silent()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int SumAll(int[] xs, string s, ReadOnlySpan<int> span, List<int> list, Dictionary<string, int> map)
                {
                    int total = 0;
                    foreach (int x in xs) total += x;
                    foreach (char c in s) total += c;
                    foreach (int x in span) total += x;
                    foreach (int x in list) total += x;
                    foreach (KeyValuePair<string, int> pair in map) total += pair.Value;
                    IEnumerable<int> built = new List<int> { 1, 2 };
                    foreach (int x in built) total += x;
                    foreach (int x in xs.Where(v => v > 0).Select(v => v * 2)) total += x;
                    return total;
                }
            }
            """);
    }

    [Fact]
    public void Foreach_over_a_sealed_collection_whose_iterator_is_pure_is_silent_and_one_whose_iterator_is_not_is_reported()
    {
        Verify("""
            public sealed class Pure3 : IEnumerable<int>
            {
                public IEnumerator<int> GetEnumerator()
                {
                    yield return 1;
                    yield return 2;
                }

                System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
            }

            public sealed class Counted : IEnumerable<int>
            {
                public static int Enumerations;

                public IEnumerator<int> GetEnumerator()
                {
                    Enumerations++;
                    yield return 1;
                }

                System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
            }

            public static class C
            {
                [Pure]
                public static int Sum(Pure3 xs)
                {
                    int s = 0;
                    foreach (int x in xs) s += x;
                    return s;
                }

                [Pure]
                public static int Count(Counted xs)
                {
                    int s = 0;
                    foreach (int x in {|SPEC002:xs|}) s += x;
                    return s;
                }
            }
            """);
    }

    // ---- LINQ and other catalogue members that call into their arguments -----------------------

    [Fact]
    public void LINQ_over_an_interface_parameter_is_reported_at_the_argument()
    {
        var diagnostics = Verify("""
            public static class C
            {
                [Pure]
                public static int SumLinq(IEnumerable<int> xs, int bias) => {|SPEC002:xs|}.Sum() + bias;
            }
            """);

        string message = diagnostics.Single().GetMessage();
        Assert.Contains("Enumerable.Sum", message, StringComparison.Ordinal);
        Assert.Contains("the object behind 'xs'", message, StringComparison.Ordinal);
    }

    [Fact]
    public void LINQ_over_an_array_a_List_and_a_LINQ_result_over_them_is_silent()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int SumLinq(int[] xs, List<int> list, int bias)
                {
                    IEnumerable<int> evens = xs.Where(x => x % 2 == 0);
                    var squares = evens.Select(x => x * x);
                    return xs.Sum() + list.Sum() + evens.Sum() + squares.Max() + list.Where(x => x > bias).Count() + bias;
                }
            }
            """);
    }

    [Fact]
    public void Copying_spreading_or_adding_the_elements_of_an_interface_parameter_is_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int Count(IEnumerable<int> xs)
                {
                    var list = new List<int>({|SPEC002:xs|});
                    list.AddRange({|SPEC002:xs|});
                    List<int> spread = [.. {|SPEC002:xs|}];
                    return list.Count + spread.Count;
                }
            }
            """);
    }

    [Fact]
    public void Groups_and_their_keys_made_by_GroupBy_over_an_array_are_the_framework_s_own()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int Histogram(int[] xs, string[] words)
                {
                    Dictionary<int, int> counts = xs.GroupBy(x => x % 3).ToDictionary(g => g.Key, g => g.Count());
                    int longest = words.GroupBy(w => w.Length).Select(g => g.Key * g.Count()).Max();
                    List<int> spread = [.. xs, .. counts.Keys];
                    return counts.Count + longest + spread.Count;
                }
            }
            """);
    }

    [Fact]
    public void A_delegate_parameter_handed_to_LINQ_is_reported_and_a_lambda_or_a_pure_method_group_is_not()
    {
        Verify("""
            public static class C
            {
                private static int seen;

                [Pure]
                public static int Apply(int[] xs, Func<int, int> f) => xs.Select({|SPEC002:f|}).Sum();

                [Pure]
                public static int Lambda(int[] xs) => xs.Select(x => x + 1).Sum() + xs.Select(Twice).Sum();

                [Pure]
                public static int ImpureGroup(int[] xs) => xs.Select({|SPEC002:Remember|}).Sum();

                private static int Twice(int x) => 2 * x;

                private static int Remember(int x)
                {
                    seen = x;
                    return x;
                }
            }
            """);
    }

    // ---- ToString, Equals, GetHashCode and CompareTo reached through the framework --------------

    [Fact]
    public void Interpolating_a_sealed_type_whose_ToString_writes_a_static_is_reported()
    {
        var diagnostics = Verify("""
            public static class C
            {
                [Pure]
                public static string Describe(Noisy n, int k) => $"{{|SPEC002:n|}}:{k}";
            }
            """);

        Assert.Contains("Noisy.ToString()", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_reached_through_concatenation_Concat_Format_Join_and_StringBuilder_is_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static string Plus(Noisy n) => "x" + {|SPEC002:n|};

                [Pure]
                public static string Concat(Noisy n, int k) => string.Concat({|SPEC002:n|}, k);

                [Pure]
                public static string Format(Noisy n) => string.Format("{0}", {|SPEC002:n|});

                [Pure]
                public static string Join(List<Noisy> ns) => string.{|SPEC002:Join|}(",", ns);

                [Pure]
                public static string Append(Noisy n)
                {
                    var sb = new StringBuilder();
                    sb.Append({|SPEC002:n|});
                    return sb.ToString();
                }
            }
            """);
    }

    [Fact]
    public void Equals_GetHashCode_and_CompareTo_reached_through_comparers_collections_and_ordering_are_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static bool Same(Noisy a, Noisy b) => EqualityComparer<Noisy>.Default.{|SPEC002:Equals|}(a, b);

                [Pure]
                public static int Order(Noisy a, Noisy b) => Comparer<Noisy>.Default.{|SPEC002:Compare|}(a, b);

                [Pure]
                public static bool Contains(List<Noisy> list, Noisy n) => list.{|SPEC002:Contains|}(n);

                [Pure]
                public static int Lookup(Dictionary<Noisy, int> map, Noisy n) => {|SPEC002:map[n]|};

                [Pure]
                public static Noisy[] Sorted(Noisy[] ns) => ns.{|SPEC002:OrderBy|}(x => x).ToArray();
            }
            """);
    }

    [Fact]
    public void A_comparer_parameter_is_reported_as_before()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int Order(IComparer<int> comparer, int a, int b) => comparer.{|SPEC002:Compare|}(a, b);
            }
            """);
    }

    [Fact]
    public void Formatting_and_comparing_primitives_strings_enums_and_a_sealed_type_with_pure_members_is_silent()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static string Describe(Quiet q, int k, string s, double d, Color c, List<int> list, Dictionary<string, int> map, Quiet[] qs)
                {
                    var sb = new StringBuilder();
                    sb.Append(q).Append(k);
                    bool same = EqualityComparer<Quiet>.Default.Equals(q, q) && EqualityComparer<int>.Default.Equals(k, k);
                    int order = Comparer<Quiet>.Default.Compare(q, q) + Comparer<double>.Default.Compare(d, d);
                    bool found = list.Contains(k) && map.ContainsKey(s) && qs.Contains(q);
                    Quiet[] sorted = qs.OrderBy(x => x).ToArray();
                    return $"{q}:{k}:{s}:{d}:{c}" + "x" + q + k + c + string.Concat(q, k) + string.Format("{0}", q)
                        + string.Join(",", new List<Quiet> { q }) + sb.ToString() + same + order + found + sorted.Length;
                }
            }
            """);
    }

    [Fact]
    public void Tuples_anonymous_objects_and_records_format_and_compare_their_values()
    {
        Verify("""
            public sealed record Tagged(Noisy N);

            public sealed record Plain(int A, string B);

            public static class C
            {
                [Pure]
                public static string Tuple(Noisy n) => $"{{|SPEC002:(n, 1)|}}";

                [Pure]
                public static string Anonymous(Noisy n) => $"{{|SPEC002:new { N = n }|}}";

                [Pure]
                public static string Record(Tagged t) => $"{{|SPEC002:t|}}";

                [Pure]
                public static bool RecordEquality(Tagged a, Tagged b) => a {|SPEC002:==|} b;

                [Pure]
                public static string Fine(int k, Plain p) => $"{(k, 1)}{new { K = k }}{p}" + (p == new Plain(k, "b"));
            }
            """);
    }

    [Fact]
    public void ToString_on_an_object_parameter_is_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static string Show(object o) => o.{|SPEC002:ToString|}() ?? "";

                [Pure]
                public static string Interpolate(object o) => $"{{|SPEC002:o|}}";
            }
            """);
    }

    // ---- type parameters -----------------------------------------------------------------------

    [Fact]
    public void A_generic_method_calling_through_its_type_parameter_is_checked_where_it_is_instantiated()
    {
        var diagnostics = Verify("""
            public static class C
            {
                [Pure]
                public static T Max<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) >= 0 ? a : b;

                [Pure]
                public static int OfInts(int a, int b) => Max(a, b);

                [Pure]
                public static Quiet OfQuiet(Quiet a, Quiet b) => Max(a, b);

                [Pure]
                public static Noisy OfNoisy(Noisy a, Noisy b) => {|SPEC002:Max|}(a, b);
            }
            """);

        Assert.Contains("Noisy", diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_type_argument_that_is_not_sealed_may_be_a_derived_type_with_other_code()
    {
        Verify("""
            public interface IShape
            {
                double Area();
            }

            public class Square : IShape
            {
                public double Side;

                public double Area() => Side * Side;
            }

            public sealed class Circle : IShape
            {
                public double Radius;

                public double Area() => Math.PI * Radius * Radius;
            }

            public static class C
            {
                [Pure]
                public static double AreaOf<T>(T shape) where T : IShape => shape.Area();

                [Pure]
                public static double OfSquare(Square s) => {|SPEC002:AreaOf|}(s);

                [Pure]
                public static double OfCircle(Circle c) => AreaOf(c);

                [Pure]
                public static double OfNewSquare(double side)
                {
                    IShape s = new Square { Side = side };
                    return s.Area();
                }
            }
            """);
    }

    [Fact]
    public void A_generic_caller_passes_the_condition_on_its_own_type_parameter_up_to_its_callers()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static T Max<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) >= 0 ? a : b;

                [Pure]
                public static U Outer<U>(U a, U b) where U : IComparable<U> => Max(Max(a, b), b);

                [Pure]
                public static double OfDoubles(double a, double b) => Outer(a, b);

                [Pure]
                public static Noisy OfNoisy(Noisy a, Noisy b) => {|SPEC002:Outer|}(a, b);
            }
            """);
    }

    [Fact]
    public void Generic_math_is_silent_in_the_generic_method_and_at_numeric_instantiations()
    {
        Verify("""
            using System.Numerics;

            public static class C
            {
                [Pure]
                public static T Clamp<T>(T x, T lo, T hi) where T : INumber<T> => T.Max(lo, T.Min(x, hi)) + T.Zero;

                [Pure]
                public static T Sum<T>(T[] xs) where T : INumber<T>
                {
                    T s = T.Zero;
                    foreach (T x in xs)
                    {
                        s += x;
                    }

                    return s - T.One + T.One;
                }

                [Pure]
                public static double Use(double[] xs, int i, decimal m) => Clamp(xs[0], 0.0, 1.0) + Sum(xs) + Clamp(i, 0, 9) + (double)Sum(new[] { m });
            }
            """);
    }

    [Fact]
    public void Generic_math_instantiated_with_a_user_number_whose_operator_writes_a_static_is_reported()
    {
        Verify("""
            using System.Numerics;

            public readonly struct Counted : IAdditionOperators<Counted, Counted, Counted>, IAdditiveIdentity<Counted, Counted>
            {
                public static int Additions;

                public Counted(int value) => Value = value;

                public int Value { get; }

                public static Counted AdditiveIdentity => default;

                public static Counted operator +(Counted a, Counted b)
                {
                    Additions++;
                    return new Counted(a.Value + b.Value);
                }
            }

            public readonly struct Plain : IAdditionOperators<Plain, Plain, Plain>, IAdditiveIdentity<Plain, Plain>
            {
                public Plain(int value) => Value = value;

                public int Value { get; }

                public static Plain AdditiveIdentity => default;

                public static Plain operator +(Plain a, Plain b) => new Plain(a.Value + b.Value);
            }

            public static class C
            {
                [Pure]
                public static T Sum<T>(T[] xs) where T : IAdditionOperators<T, T, T>, IAdditiveIdentity<T, T>
                {
                    T s = T.AdditiveIdentity;
                    for (int i = 0; i < xs.Length; i++)
                    {
                        s += xs[i];
                    }

                    return s;
                }

                [Pure]
                public static Plain OfPlain(Plain[] xs) => Sum(xs);

                [Pure]
                public static Counted OfCounted(Counted[] xs) => {|SPEC002:Sum|}(xs);
            }
            """);
    }

    [Fact]
    public void ToString_and_Equals_through_an_unconstrained_type_parameter_are_checked_at_the_instantiation()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static string Show<T>(T x) => (x?.ToString() ?? "") + $"{x}";

                [Pure]
                public static bool Same<T>(T a, T b) => EqualityComparer<T>.Default.Equals(a, b) || Equals(a, b);

                [Pure]
                public static string Fine(int k, Quiet q, Color c) => Show(k) + Show(q) + Show(c) + Same(k, k) + Same(q, q);

                [Pure]
                public static string Shown(Noisy n) => {|SPEC002:Show|}(n);

                [Pure]
                public static bool Compared(Noisy n) => {|SPEC002:Same|}(n, n);
            }
            """);
    }

    [Fact]
    public void IsPure_of_a_generic_method_is_decided_by_its_type_arguments()
    {
        Compilation compilation = References.Compile([Usings + """
            public static class C
            {
                [Pure]
                public static T Max<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) >= 0 ? a : b;

                [Pure]
                public static T Twice<T>(T a) where T : System.Numerics.INumber<T> => a + a;
            }
            """ + Noisy]);
        var analysis = new PurityAnalysis(compilation);
        INamedTypeSymbol c = compilation.GetTypeByMetadataName("C")!;
        IMethodSymbol max = c.GetMembers("Max").OfType<IMethodSymbol>().Single();
        IMethodSymbol twice = c.GetMembers("Twice").OfType<IMethodSymbol>().Single();

        Assert.True(analysis.IsPure(max.Construct(compilation.GetSpecialType(SpecialType.System_Int32)), CancellationToken.None));
        Assert.True(analysis.IsPure(max.Construct(compilation.GetSpecialType(SpecialType.System_String)), CancellationToken.None));
        Assert.True(analysis.IsPure(max.Construct(compilation.GetTypeByMetadataName("Quiet")!), CancellationToken.None));
        Assert.False(analysis.IsPure(max.Construct(compilation.GetTypeByMetadataName("Noisy")!), CancellationToken.None));
        Assert.False(analysis.IsPure(max, CancellationToken.None));
        Assert.True(analysis.IsPure(twice.Construct(compilation.GetSpecialType(SpecialType.System_Double)), CancellationToken.None));
        Assert.False(analysis.IsPure(twice, CancellationToken.None));
    }
}
