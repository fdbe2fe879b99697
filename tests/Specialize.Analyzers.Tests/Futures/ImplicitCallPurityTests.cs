using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

/// <summary>
/// Members C# calls without a call in the source: operators, conversions, Deconstruct, the
/// enumerator of a foreach, Dispose at the end of a using, a record's copy constructor, ToString in
/// concatenation and interpolation, and their siblings. Each runs user code, so each is checked and,
/// when it is not pure, reported where the construct is written, naming the member.
/// </summary>
public sealed class ImplicitCallPurityTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using Specialize;

        public static class Log
        {
            public static int Count;
        }

        """;

    private static IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic> Verify(string markup) => AnalyzerHarness.Verify(Usings + markup);

    private static void AssertNames(IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic> diagnostics, string member)
    {
        Assert.Contains(member, diagnostics.Single().GetMessage(), StringComparison.Ordinal);
    }

    // ---- operators and conversions -------------------------------------------------------------

    [Fact]
    public void A_user_defined_operator_that_writes_a_static_is_reported_at_the_operator()
    {
        var diagnostics = Verify("""
            public readonly struct Money
            {
                public readonly long Cents;

                public Money(long cents) => Cents = cents;

                public static Money operator +(Money a, Money b)
                {
                    Log.Count++;
                    return new Money(a.Cents + b.Cents);
                }
            }

            public static class C
            {
                [Pure]
                public static Money Total(Money a, Money b) => a {|SPEC002:+|} b;
            }
            """);

        AssertNames(diagnostics, "Money.operator +(Money, Money)");
    }

    [Fact]
    public void A_pure_user_defined_operator_is_silent()
    {
        Verify("""
            public readonly struct Money
            {
                public readonly long Cents;

                public Money(long cents) => Cents = cents;

                public static Money operator +(Money a, Money b) => new Money(a.Cents + b.Cents);

                public static Money operator -(Money a) => new Money(-a.Cents);

                public static bool operator ==(Money a, Money b) => a.Cents == b.Cents;

                public static bool operator !=(Money a, Money b) => !(a == b);

                public override bool Equals(object? obj) => obj is Money m && m == this;

                public override int GetHashCode() => Cents.GetHashCode();
            }

            public static class C
            {
                [Pure]
                public static bool Balanced(Money a, Money b)
                {
                    Money sum = a + b;
                    sum += -b;
                    return sum == a && !(sum != a);
                }
            }
            """);
    }

    [Fact]
    public void Unary_increment_compound_and_checked_user_operators_that_write_a_static_are_reported()
    {
        Verify("""
            public readonly struct Counter
            {
                public readonly int Value;

                public Counter(int value) => Value = value;

                public static Counter operator -(Counter a)
                {
                    Log.Count++;
                    return new Counter(-a.Value);
                }

                public static Counter operator ++(Counter a)
                {
                    Log.Count++;
                    return new Counter(a.Value + 1);
                }

                public static Counter operator *(Counter a, int k) => new Counter(a.Value * k);

                public static Counter operator checked *(Counter a, int k)
                {
                    Log.Count++;
                    return new Counter(checked(a.Value * k));
                }
            }

            public static class C
            {
                [Pure]
                public static Counter Negate(Counter a) => {|SPEC002:-|}a;

                [Pure]
                public static Counter Next(Counter a)
                {
                    a{|SPEC002:++|};
                    return a;
                }

                [Pure]
                public static Counter Scale(Counter a, int k) => checked(a {|SPEC002:*|} k);

                [Pure]
                public static Counter ScaleInPlace(Counter a, int k)
                {
                    checked
                    {
                        a {|SPEC002:*=|} k;
                    }

                    return a;
                }
            }
            """);
    }

    [Fact]
    public void True_and_false_operators_of_a_user_type_in_conditions_and_short_circuits_are_checked()
    {
        Verify("""
            public readonly struct Flag
            {
                public readonly bool Value;

                public Flag(bool value) => Value = value;

                public static bool operator true(Flag f)
                {
                    Log.Count++;
                    return f.Value;
                }

                public static bool operator false(Flag f)
                {
                    Log.Count++;
                    return !f.Value;
                }

                public static Flag operator &(Flag a, Flag b) => new Flag(a.Value && b.Value);
            }

            public static class C
            {
                [Pure]
                public static int Pick(Flag f) => {|SPEC002:f|} ? 1 : 0;

                [Pure]
                public static Flag Both(Flag a, Flag b) => a {|SPEC002:&&|} b;
            }
            """);
    }

    [Fact]
    public void Tuple_equality_runs_the_elements_user_defined_equality_operators()
    {
        Verify("""
            public readonly struct Id
            {
                public readonly int Value;

                public Id(int value) => Value = value;

                public static bool operator ==(Id a, Id b)
                {
                    Log.Count++;
                    return a.Value == b.Value;
                }

                public static bool operator !=(Id a, Id b) => !(a == b);

                public override bool Equals(object? obj) => obj is Id other && other.Value == Value;

                public override int GetHashCode() => Value;
            }

            public static class C
            {
                [Pure]
                public static bool Same((Id, int) a, (Id, int) b) => a {|SPEC002:==|} b;

                [Pure]
                public static bool SameInts((int, int) a, (int, int) b) => a == b;
            }
            """);
    }

    [Fact]
    public void Await_foreach_and_await_using_are_reported()
    {
        Verify("""
            public sealed class Resource : IAsyncDisposable
            {
                public System.Threading.Tasks.ValueTask DisposeAsync() => default;
            }

            public static class C
            {
                [Pure]
                public static async System.Threading.Tasks.Task<int> Sum(IAsyncEnumerable<int> xs)
                {
                    int s = 0;
                    {|SPEC002:await|} foreach (int x in xs)
                    {
                        s += x;
                    }

                    {|SPEC002:await|} using var resource = new Resource();
                    return s;
                }
            }
            """);
    }

    [Fact]
    public void A_user_defined_implicit_conversion_that_writes_a_static_is_reported_at_the_converted_value()
    {
        var diagnostics = Verify("""
            public readonly struct Meters
            {
                public readonly double Value;

                public Meters(double value) => Value = value;

                public static implicit operator double(Meters m)
                {
                    Log.Count++;
                    return m.Value;
                }
            }

            public static class C
            {
                [Pure]
                public static double Twice(Meters m)
                {
                    double d = {|SPEC002:m|};
                    return 2 * d;
                }
            }
            """);

        AssertNames(diagnostics, "Meters.implicit operator double(Meters)");
    }

    [Fact]
    public void Pure_conversions_user_and_framework_are_silent()
    {
        Verify("""
            public readonly struct Meters
            {
                public readonly double Value;

                public Meters(double value) => Value = value;

                public static implicit operator double(Meters m) => m.Value;

                public static explicit operator Meters(double d) => new Meters(d);
            }

            public static class C
            {
                [Pure]
                public static double Twice(Meters m, decimal k, DateTime a, DateTime b)
                {
                    double d = m;
                    Meters back = (Meters)(2 * d);
                    TimeSpan span = a - b;
                    return back.Value + (double)k + span.TotalSeconds;
                }
            }
            """);
    }

    // ---- Deconstruct ---------------------------------------------------------------------------

    [Fact]
    public void Deconstruct_that_writes_a_static_is_reported_in_assignments_foreach_and_positional_patterns()
    {
        Verify("""
            public sealed class Pair
            {
                public int A;
                public int B;

                public void Deconstruct(out int a, out int b)
                {
                    Log.Count++;
                    a = A;
                    b = B;
                }
            }

            public static class C
            {
                [Pure]
                public static int Sum(Pair p)
                {
                    var {|SPEC002:(a, b)|} = p;
                    return a + b;
                }

                [Pure]
                public static int SumAll(Pair[] ps)
                {
                    int s = 0;
                    foreach (var {|SPEC002:(a, b)|} in ps)
                    {
                        s += a + b;
                    }

                    return s;
                }

                [Pure]
                public static bool StartsAtZero(Pair p) => p is {|SPEC002:(0, _)|};
            }
            """);
    }

    [Fact]
    public void A_pure_Deconstruct_is_silent()
    {
        Verify("""
            public sealed class Pair
            {
                public int A;
                public int B;

                public void Deconstruct(out int a, out int b)
                {
                    a = A;
                    b = B;
                }
            }

            public static class C
            {
                [Pure]
                public static int Sum(Pair p, Pair[] ps)
                {
                    var (a, b) = p;
                    int s = a + b;
                    foreach (var (x, y) in ps)
                    {
                        s += x * y;
                    }

                    return p is (0, _) ? s : -s;
                }
            }
            """);
    }

    // ---- foreach and using ---------------------------------------------------------------------

    // A struct whose pattern enumerator yields the decimal digits of n; moveNext is the first statement of MoveNext.
    private static string Digits(string moveNext, string collection) => $$"""
        public readonly struct Digits
        {
            private readonly int n;

            public Digits(int n) => this.n = n;

            public Enumerator GetEnumerator() => new Enumerator(n);

            public struct Enumerator
            {
                private int rest;
                private int current;

                public Enumerator(int n)
                {
                    rest = n;
                    current = 0;
                }

                public int Current => current;

                public bool MoveNext()
                {
                    {{moveNext}}
                    if (rest == 0)
                    {
                        return false;
                    }

                    current = rest % 10;
                    rest /= 10;
                    return true;
                }
            }
        }

        public static class C
        {
            [Pure]
            public static int DigitSum(int n)
            {
                int s = 0;
                foreach (int d in {{collection}})
                {
                    s += d;
                }

                return s;
            }
        }
        """;

    [Fact]
    public void Foreach_over_a_struct_with_a_pattern_enumerator_that_writes_a_static_is_reported()
    {
        var diagnostics = Verify(Digits("Log.Count++;", "{|SPEC002:new Digits(n)|}"));

        AssertNames(diagnostics, "Digits.Enumerator.MoveNext()");
    }

    [Fact]
    public void Foreach_over_a_struct_with_a_pure_pattern_enumerator_is_silent()
    {
        Verify(Digits("current = -1;", "new Digits(n)"));
    }

    [Fact]
    public void Dispose_that_writes_a_static_is_reported_at_using_statements_and_declarations()
    {
        var diagnostics = Verify("""
            public sealed class Scope : IDisposable
            {
                public int Depth;

                public void Dispose() => Log.Count++;
            }

            public ref struct Lease
            {
                public Lease(int size) => Size = size;

                public int Size { get; }

                public void Dispose() => Log.Count--;
            }

            public static class C
            {
                [Pure]
                public static int Statement(int x)
                {
                    {|SPEC002:using|} (var scope = new Scope())
                    {
                        scope.Depth = x;
                        return scope.Depth;
                    }
                }

                [Pure]
                public static int Declaration(int x)
                {
                    {|SPEC002:using|} var scope = new Scope();
                    scope.Depth = x;
                    return scope.Depth;
                }

                [Pure]
                public static int Pattern(int x)
                {
                    {|SPEC002:using|} var lease = new Lease(x);
                    return lease.Size;
                }
            }
            """);

        Assert.All(diagnostics, d => Assert.Contains("Dispose()", d.GetMessage(), StringComparison.Ordinal));
    }

    [Fact]
    public void Dispose_that_only_writes_the_object_the_method_created_is_silent()
    {
        Verify("""
            public sealed class Scope : IDisposable
            {
                public int Depth;

                public void Dispose() => Depth = 0;
            }

            public static class C
            {
                [Pure]
                public static int Statement(int x)
                {
                    using (var scope = new Scope())
                    {
                        scope.Depth = x;
                    }

                    using var other = new Scope();
                    return x + other.Depth;
                }
            }
            """);
    }

    // ---- with, ToString ------------------------------------------------------------------------

    [Fact]
    public void A_user_written_copy_constructor_that_writes_a_static_is_reported_at_with()
    {
        var diagnostics = Verify("""
            public sealed record Point(int X, int Y)
            {
                private Point(Point original)
                {
                    Log.Count++;
                    X = original.X;
                    Y = original.Y;
                }
            }

            public static class C
            {
                [Pure]
                public static Point Shift(Point p) => p {|SPEC002:with|} { X = p.X + 1 };
            }
            """);

        AssertNames(diagnostics, "Point");
    }

    [Fact]
    public void A_pure_copy_constructor_and_a_synthesized_one_are_silent()
    {
        Verify("""
            public sealed record Point(int X, int Y)
            {
                private Point(Point original)
                {
                    X = original.X;
                    Y = original.Y;
                }
            }

            public sealed record Plain(int X);

            public static class C
            {
                [Pure]
                public static int Shift(Point p, Plain q) => (p with { X = p.X + 1 }).X + (q with { X = 2 }).X;
            }
            """);
    }

    [Fact]
    public void ToString_that_writes_a_static_is_reported_in_concatenation_and_interpolation()
    {
        Verify("""
            public sealed class Tag
            {
                public override string ToString()
                {
                    Log.Count++;
                    return "tag";
                }
            }

            public static class C
            {
                [Pure]
                public static string Concatenated(Tag e) => "x" + {|SPEC002:e|};

                [Pure]
                public static string Interpolated(Tag e) => $"<{{|SPEC002:e|}}>";
            }
            """);
    }

    [Fact]
    public void A_pure_ToString_in_concatenation_and_interpolation_is_silent()
    {
        Verify("""
            public sealed class Tag
            {
                public int Id;

                public override string ToString() => "tag" + Id;
            }

            public readonly struct Bare
            {
                public readonly int Id;

                public Bare(int id) => Id = id;
            }

            public static class C
            {
                [Pure]
                public static string Both(Tag e, Bare b) => "x" + e + $"<{e}>" + b + $"{b}";
            }
            """);
    }

    // ---- initializers, indices and ranges, patterns --------------------------------------------

    [Fact]
    public void Add_of_a_user_collection_is_checked_in_collection_initializers_and_collection_expressions()
    {
        Verify("""
            public sealed class Bag : System.Collections.IEnumerable
            {
                private readonly List<int> items = new();

                public void Add(int item)
                {
                    Log.Count++;
                    items.Add(item);
                }

                public System.Collections.IEnumerator GetEnumerator() => items.GetEnumerator();
            }

            public static class C
            {
                [Pure]
                public static Bag Initializer(int x) => new Bag { {|SPEC002:x|} };

                [Pure]
                public static Bag Expression(int x)
                {
                    Bag bag = {|SPEC002:[x, x]|};
                    return bag;
                }
            }
            """);
    }

    [Fact]
    public void Index_and_range_members_of_a_user_type_are_checked()
    {
        Verify("""
            public sealed class Window
            {
                private readonly int[] items;

                public Window(int[] items) => this.items = items;

                public int Length => items.Length;

                public int this[int i]
                {
                    get
                    {
                        Log.Count++;
                        return items[i];
                    }
                }

                public Window Slice(int start, int length)
                {
                    Log.Count++;
                    return new Window(items.AsSpan(start, length).ToArray());
                }
            }

            public sealed class Calm
            {
                private readonly int[] items;

                public Calm(int[] items) => this.items = items;

                public int Length => items.Length;

                public int this[int i] => items[i];

                public Calm Slice(int start, int length) => new Calm(items.AsSpan(start, length).ToArray());
            }

            public static class C
            {
                [Pure]
                public static int Last(Window w) => {|SPEC002:w[^1]|};

                [Pure]
                public static Window Tail(Window w) => {|SPEC002:w[1..]|};

                [Pure]
                public static int Calm(Calm c) => c[^1] + c[1..].Length;
            }
            """);
    }

    [Fact]
    public void Property_getters_in_property_patterns_are_checked()
    {
        Verify("""
            public sealed class Box
            {
                private readonly int size;

                public Box(int size) => this.size = size;

                public int Size
                {
                    get
                    {
                        Log.Count++;
                        return size;
                    }
                }

                public int Plain => size;
            }

            public static class C
            {
                [Pure]
                public static bool Empty(Box b) => b is { {|SPEC002:Size|}: 0 };

                [Pure]
                public static bool PlainEmpty(Box b) => b is { Plain: 0 };
            }
            """);
    }

    [Fact]
    public void Event_accessors_written_in_source_are_checked_where_handlers_are_added()
    {
        Verify("""
            public sealed class Counted
            {
                private Action? handlers;

                public event Action? Changed
                {
                    add
                    {
                        Log.Count++;
                        handlers += value;
                    }

                    remove => handlers -= value;
                }
            }

            public sealed class Plain
            {
                public event Action? Changed;

                public void Raise() => Changed?.Invoke();
            }

            public static class C
            {
                [Pure]
                public static int Subscribe(int x)
                {
                    var counted = new Counted();
                    {|SPEC002:counted.Changed += () => { }|};
                    counted.Changed -= () => { };
                    var plain = new Plain();
                    plain.Changed += () => { };
                    return x;
                }
            }
            """);
    }

    [Fact]
    public void Nameof_runs_nothing()
    {
        Verify("""
            public static class C
            {
                public static int Mutable;

                [Pure]
                public static int Length() => nameof(Mutable).Length + nameof(Log.Count).Length + nameof(Console.WriteLine).Length;
            }
            """);
    }

    // ---- static constructors -------------------------------------------------------------------

    [Fact]
    public void Touching_a_type_whose_static_constructor_is_not_pure_is_reported()
    {
        Verify("""
            public static class Table
            {
                public static readonly int[] Squares;

                static Table()
                {
                    Log.Count++;
                    Squares = new int[16];
                    for (int i = 0; i < Squares.Length; i++)
                    {
                        Squares[i] = i * i;
                    }
                }
            }

            public static class Noisy
            {
                public static readonly int Seed = Next();

                private static int Next()
                {
                    Log.Count++;
                    return Log.Count;
                }
            }

            public static class C
            {
                [Pure]
                public static int Square(int i) => {|SPEC002:Table.Squares|}[i];

                [Pure]
                public static int Seeded(int i) => i + {|SPEC002:Noisy.Seed|};
            }
            """);
    }

    [Fact]
    public void A_static_constructor_that_only_initializes_its_own_statics_is_silent()
    {
        Verify("""
            public static class Table
            {
                public static readonly int[] Squares;
                public static readonly int Builds;

                static Table()
                {
                    Builds++;
                    Squares = new int[16];
                    for (int i = 0; i < Squares.Length; i++)
                    {
                        Squares[i] = i * i;
                    }
                }
            }

            public static class Limits
            {
                public static readonly double Epsilon = Math.Pow(2, -52);
            }

            public static class C
            {
                [Pure]
                public static double Square(int i) => Table.Squares[i] + Limits.Epsilon;
            }
            """);
    }
}
