using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

/// <summary>
/// The purity corpus: methods marked <c>[Pure]</c>, pure ones that must stay silent and impure ones,
/// each impure for its own reason, that must be reported exactly where the reason is written.
/// </summary>
public sealed class PurityCorpusTests
{
    private const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Collections.Immutable;
        using System.Linq;
        using System.Numerics.Tensors;
        using System.Text;
        using System.Threading;
        using Specialize;

        """;

    public static TheoryData<string, string> PureMethods => new()
    {
        {
            "arithmetic with Math and MathF",
            """
            public static class C
            {
                [Pure]
                public static double F(double x, float y) => Math.Sqrt(Math.Abs(x)) + Math.Clamp(x, 0, 1) + MathF.Sin(y);
            }
            """
        },
        {
            "writes to locals and to a freshly allocated array",
            """
            public static class C
            {
                [Pure]
                public static double[] Scale(double[] x, double alpha)
                {
                    var y = new double[x.Length];
                    double last = 0;
                    for (int i = 0; i < x.Length; i++)
                    {
                        last = alpha * x[i];
                        y[i] = last;
                    }

                    return y;
                }
            }
            """
        },
        {
            "writes to the fields of a freshly allocated object",
            """
            public sealed class Node
            {
                public int Value;
                public Node? Next;
            }

            public static class C
            {
                [Pure]
                public static Node Make(int v)
                {
                    var n = new Node();
                    n.Value = v;
                    n.Next = null;
                    return n;
                }
            }
            """
        },
        {
            "object initializer on a new object",
            """
            public sealed class Point
            {
                public int X;
                public int Y { get; set; }
            }

            public static class C
            {
                [Pure]
                public static Point Make(int x, int y) => new Point { X = x, Y = y };
            }
            """
        },
        {
            "anonymous object",
            """
            public static class C
            {
                [Pure]
                public static int F(int x)
                {
                    var pair = new { A = x, B = x + 1 };
                    return pair.A + pair.B;
                }
            }
            """
        },
        {
            "collection initializers on new List and Dictionary",
            """
            public static class C
            {
                [Pure]
                public static int Make(int x)
                {
                    var list = new List<int> { x, x + 1 };
                    var map = new Dictionary<string, int> { ["a"] = x, ["b"] = x + 1 };
                    return list.Count + map.Count;
                }
            }
            """
        },
        {
            "List built with Add, Insert and Sort",
            """
            public static class C
            {
                [Pure]
                public static List<int> Evens(int[] xs)
                {
                    var list = new List<int>();
                    foreach (int x in xs)
                    {
                        if (x % 2 == 0)
                        {
                            list.Add(x);
                        }
                    }

                    list.Insert(0, -1);
                    list.Sort();
                    return list;
                }
            }
            """
        },
        {
            "Dictionary built with its indexer and read with TryGetValue",
            """
            public static class C
            {
                [Pure]
                public static Dictionary<string, int> Count(string[] words)
                {
                    var counts = new Dictionary<string, int>();
                    foreach (string w in words)
                    {
                        counts.TryGetValue(w, out int n);
                        counts[w] = n + 1;
                    }

                    return counts;
                }
            }
            """
        },
        {
            "StringBuilder built with chained Append",
            """
            public static class C
            {
                [Pure]
                public static string Join(int[] xs)
                {
                    var sb = new StringBuilder();
                    foreach (int x in xs)
                    {
                        sb.Append(x).Append(',');
                    }

                    return sb.ToString();
                }
            }
            """
        },
        {
            "interpolated strings appended to a fresh StringBuilder",
            """
            public static class C
            {
                [Pure]
                public static string Describe(double[] xs)
                {
                    var sb = new StringBuilder();
                    for (int i = 0; i < xs.Length; i++)
                    {
                        sb.Append($"{i}={xs[i]:F2};");
                    }

                    return sb.ToString();
                }
            }
            """
        },
        {
            "Span from stackalloc written",
            """
            public static class C
            {
                [Pure]
                public static int SumOfSquares(int n)
                {
                    Span<int> s = stackalloc int[8];
                    for (int i = 0; i < s.Length; i++)
                    {
                        s[i] = i * n;
                    }

                    s.Fill(n);
                    int sum = 0;
                    foreach (int v in s)
                    {
                        sum += v * v;
                    }

                    return sum;
                }
            }
            """
        },
        {
            "TensorPrimitives writing into a destination array the method allocated",
            """
            public static class C
            {
                [Pure]
                public static float[] Add(float[] x, float[] y)
                {
                    var destination = new float[x.Length];
                    TensorPrimitives.Add(x, y, destination);
                    return destination;
                }
            }
            """
        },
        {
            "TensorPrimitives writing into a stackalloc span, then reducing it",
            """
            public static class C
            {
                [Pure]
                public static float Dot4(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
                {
                    Span<float> products = stackalloc float[4];
                    TensorPrimitives.Multiply(x.Slice(0, 4), y.Slice(0, 4), products);
                    return TensorPrimitives.Sum(products);
                }
            }
            """
        },
        {
            "LINQ with pure lambdas",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] xs) => xs.Where(v => v > 0).Select(v => v * 2).OrderBy(v => -v).Take(3).Sum();
            }
            """
        },
        {
            "lambda writing a local of the method",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] xs)
                {
                    int seen = 0;
                    int[] doubled = xs.Select(v =>
                    {
                        seen++;
                        return v * 2;
                    }).ToArray();
                    return doubled.Length + seen;
                }
            }
            """
        },
        {
            "local function writing a local of the method",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] xs)
                {
                    int total = 0;
                    void Add(int v) => total += v;
                    foreach (int x in xs)
                    {
                        Add(x);
                    }

                    return total;
                }
            }
            """
        },
        {
            "string methods and interpolation",
            """
            public static class C
            {
                [Pure]
                public static string F(string s, int n)
                {
                    string[] parts = s.Trim().Split(',');
                    string joined = string.Join("-", parts).Replace("a", "b").ToUpperInvariant();
                    return $"{joined}:{n}:{s.Length}" + string.Concat(s, s.Substring(0, 1));
                }
            }
            """
        },
        {
            "immutable collections",
            """
            public static class C
            {
                [Pure]
                public static ImmutableList<int> F(ImmutableList<int> list, int x)
                {
                    ImmutableArray<int> a = ImmutableArray.Create(x, x + 1);
                    ImmutableDictionary<int, int> d = ImmutableDictionary<int, int>.Empty.Add(x, a.Length);
                    return list.Add(x).AddRange(a).Remove(d.Count);
                }
            }
            """
        },
        {
            "immutable array builder the method created",
            """
            public static class C
            {
                [Pure]
                public static ImmutableArray<int> F(int n)
                {
                    ImmutableArray<int>.Builder builder = ImmutableArray.CreateBuilder<int>(n);
                    for (int i = 0; i < n; i++)
                    {
                        builder.Add(i);
                    }

                    return builder.ToImmutable();
                }
            }
            """
        },
        {
            "copy of a struct parameter written",
            """
            public struct Point
            {
                public int X;
                public int Y;
            }

            public static class C
            {
                [Pure]
                public static Point Move(Point p, int dx)
                {
                    p.X += dx;
                    p.Y = p.Y + 1;
                    return p;
                }
            }
            """
        },
        {
            "readonly and const fields read",
            """
            public sealed class C
            {
                public const double Offset = 1.0;
                public static readonly double Factor = 2.0;
                public readonly double Bias = 0.5;

                [Pure]
                public double F(double x) => (x * Factor) + Offset + Bias;
            }
            """
        },
        {
            "get-only static auto-property read",
            """
            public static class C
            {
                public static int Size { get; } = 4;

                [Pure]
                public static int F(int x) => x * Size;
            }
            """
        },
        {
            "instance fields of a sealed class read",
            """
            public sealed class Vec
            {
                public double X;
                public double Y;

                [Pure]
                public double Length() => Math.Sqrt((X * X) + (Y * Y));
            }
            """
        },
        {
            "constructor of a source class that assigns its fields",
            """
            public sealed class Interval
            {
                public readonly int Start;
                public readonly int End;

                public Interval(int start, int end)
                {
                    Start = start;
                    this.End = end;
                }
            }

            public static class C
            {
                [Pure]
                public static Interval Make(int x) => new Interval(x, x + 1);
            }
            """
        },
        {
            "positional record and primary-constructor class with field initializers constructed",
            """
            public sealed record Pair(int A, int B);

            public class Box(int size)
            {
                public readonly int[] Items = new int[size];
                public int Size { get; } = size;
            }

            public sealed class Crate(int size) : Box(size * 2)
            {
                public readonly List<int> Labels = new() { size };
            }

            public static class C
            {
                [Pure]
                public static int Make(int x) => new Pair(x, x + 1).A + new Box(x).Size + new Crate(x).Labels.Count;
            }
            """
        },
        {
            "setter with a body and a mutating method on a fresh object",
            """
            public sealed class Accumulator
            {
                private int total;

                public int Total
                {
                    get => total;
                    set => total = value;
                }

                public void Add(int v) => total += v;
            }

            public static class C
            {
                [Pure]
                public static int Sum(int[] xs)
                {
                    var acc = new Accumulator();
                    acc.Total = 0;
                    foreach (int x in xs)
                    {
                        acc.Add(x);
                    }

                    return acc.Total;
                }
            }
            """
        },
        {
            "direct recursion",
            """
            public static class C
            {
                [Pure]
                public static long Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);
            }
            """
        },
        {
            "mutual recursion through an unmarked method",
            """
            public static class C
            {
                [Pure]
                public static bool IsEven(int n) => n == 0 || IsOdd(n - 1);

                private static bool IsOdd(int n) => n != 0 && IsEven(n - 1);
            }
            """
        },
        {
            "functional quicksort recursing on fresh arrays",
            """
            public static partial class C
            {
                [Pure]
                public static int[] Sort(int[] xs)
                {
                    if (xs.Length <= 1)
                    {
                        return xs;
                    }

                    int pivot = xs[0];
                    int[] less = Sort(xs.Where(x => x < pivot).ToArray());
                    int[] more = Sort(xs.Skip(1).Where(x => x >= pivot).ToArray());
                    return less.Append(pivot).Concat(more).ToArray();
                }
            }
            """
        },
        {
            "call to an unmarked helper that is pure",
            """
            public static class C
            {
                [Pure]
                public static double Norm(double[] x) => Math.Sqrt(SumOfSquares(x));

                private static double SumOfSquares(double[] x)
                {
                    double sum = 0;
                    foreach (double v in x)
                    {
                        sum += v * v;
                    }

                    return sum;
                }
            }
            """
        },
        {
            "with-expression on a record",
            """
            public sealed record Pair(int A, int B);

            public static class C
            {
                [Pure]
                public static Pair Swap(Pair p) => p with { A = p.B, B = p.A };
            }
            """
        },
        {
            "collection expression written",
            """
            public static class C
            {
                [Pure]
                public static int[] F(int x)
                {
                    int[] a = [x, x, x];
                    a[1] = 0;
                    return a;
                }
            }
            """
        },
        {
            "tuple deconstruction into locals",
            """
            public static class C
            {
                [Pure]
                public static (int, int) Fib(int n)
                {
                    var (a, b) = (0, 1);
                    for (int i = 0; i < n; i++)
                    {
                        (a, b) = (b, a + b);
                    }

                    return (a, b);
                }
            }
            """
        },
        {
            "pattern matching and switch expressions",
            """
            public static class C
            {
                [Pure]
                public static int F(object o) => o switch
                {
                    int i when i > 0 => i,
                    string { Length: var n } => n,
                    _ => o is double d ? (int)d : 0,
                };
            }
            """
        },
        {
            "argument validation that throws",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] xs, int i)
                {
                    ArgumentNullException.ThrowIfNull(xs);
                    if (i < 0 || i >= xs.Length)
                    {
                        throw new ArgumentOutOfRangeException(nameof(i), "out of range");
                    }

                    return xs[i];
                }
            }
            """
        },
        {
            "call through a generic constraint, instantiated with numbers and strings",
            """
            public static class C
            {
                [Pure]
                public static bool Less<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) < 0;

                [Pure]
                public static bool F(int a, double b, string c) => Less(a, a) || Less(b, b) || Less(c, c);
            }
            """
        },
        {
            "sorting a clone of a parameter array",
            """
            public static class C
            {
                [Pure]
                public static int[] Sorted(int[] xs)
                {
                    var copy = (int[])xs.Clone();
                    Array.Sort(copy);
                    int[] other = xs.ToArray();
                    other.AsSpan().Reverse();
                    return copy;
                }
            }
            """
        },
    };

    public static TheoryData<string, string> ImpureMethods => new()
    {
        {
            "write to an instance field",
            """
            public sealed class C
            {
                public int Last;

                [Pure]
                public int F(int x)
                {
                    {|SPEC001:Last|} = x;
                    return x;
                }
            }
            """
        },
        {
            "compound write to a static field",
            """
            public static class C
            {
                public static int Total;

                [Pure]
                public static int F(int x)
                {
                    {|SPEC001:Total|} += x;
                    return x;
                }
            }
            """
        },
        {
            "write to an element of a parameter array",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] a)
                {
                    {|SPEC001:a[0]|} = 1;
                    return a.Length;
                }
            }
            """
        },
        {
            "write to a member reached from a parameter",
            """
            public sealed class Node
            {
                public int Value;
            }

            public static class C
            {
                [Pure]
                public static int F(Node node)
                {
                    {|SPEC001:node.Value|} = 1;
                    return 1;
                }
            }
            """
        },
        {
            "write to a ref parameter",
            """
            public static class C
            {
                [Pure]
                public static int F(ref int x)
                {
                    {|SPEC001:x|} = 2;
                    return 1;
                }
            }
            """
        },
        {
            "write to an out parameter",
            """
            public static class C
            {
                [Pure]
                public static bool F(int x, out int half)
                {
                    {|SPEC001:half|} = x / 2;
                    return x % 2 == 0;
                }
            }
            """
        },
        {
            "static field passed as an out argument",
            """
            public static class C
            {
                public static int Parsed;

                [Pure]
                public static bool F(string s) => int.TryParse(s, out {|SPEC001:Parsed|});
            }
            """
        },
        {
            "write to a captured primary constructor parameter",
            """
            public sealed class Counter(int seed)
            {
                [Pure]
                public int Next()
                {
                    {|SPEC001:seed|}++;
                    return 1;
                }
            }
            """
        },
        {
            "write through a ref local into a parameter array",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] a)
                {
                    ref int slot = ref a[0];
                    {|SPEC001:slot|} = 5;
                    return 0;
                }
            }
            """
        },
        {
            "write through a local alias of a parameter array",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] a)
                {
                    int[] alias = a;
                    {|SPEC001:alias[0]|} = 5;
                    return alias.Length;
                }
            }
            """
        },
        {
            "write to a field of a struct element of a parameter array",
            """
            public struct Point
            {
                public int X;
            }

            public static class C
            {
                [Pure]
                public static int F(Point[] points)
                {
                    {|SPEC001:points[0].X|} = 1;
                    return points.Length;
                }
            }
            """
        },
        {
            "write to an object a fresh array holds but did not allocate",
            """
            public sealed class Node
            {
                public int Value;
            }

            public static class C
            {
                [Pure]
                public static int F(Node node)
                {
                    var holder = new[] { node };
                    {|SPEC001:holder[0].Value|} = 1;
                    return holder.Length;
                }
            }
            """
        },
        {
            "write to a static auto-property",
            """
            public static class C
            {
                public static int Current { get; set; }

                [Pure]
                public static int F(int x)
                {
                    {|SPEC001:Current|} = x;
                    return x;
                }
            }
            """
        },
        {
            "write to an auto-property of this",
            """
            public sealed class C
            {
                public int Count { get; set; }

                [Pure]
                public int F(int x)
                {
                    {|SPEC001:Count|} = x;
                    return x;
                }
            }
            """
        },
        {
            "property setter with a side effect on a fresh object",
            """
            public sealed class Cell
            {
                public static int Writes;
                private int value;

                public int Value
                {
                    get => value;
                    set
                    {
                        Writes++;
                        this.value = value;
                    }
                }
            }

            public static class C
            {
                [Pure]
                public static int F(int x)
                {
                    var cell = new Cell();
                    cell.{|SPEC002:Value|} = x;
                    return x;
                }
            }
            """
        },
        {
            "constructor that counts instances in a static field",
            """
            public sealed class Tracked
            {
                public static int Created;

                public Tracked()
                {
                    Created++;
                }
            }

            public static class C
            {
                [Pure]
                public static Tracked Make() => {|SPEC002:new Tracked()|};
            }
            """
        },
        {
            "field initializer that counts instances in a static field",
            """
            public class Tracked
            {
                public static int Created;
                public readonly int Id = Created++;
            }

            public sealed class Derived : Tracked
            {
            }

            public static class C
            {
                [Pure]
                public static int Make() => {|SPEC002:new Derived()|}.Id;
            }
            """
        },
        {
            "mutating method called on a parameter object",
            """
            public sealed class Accumulator
            {
                public int Total;

                public void Add(int v) => Total += v;
            }

            public static class C
            {
                [Pure]
                public static int F(Accumulator acc, int x)
                {
                    acc.{|SPEC002:Add|}(x);
                    return x;
                }
            }
            """
        },
        {
            "subscription to a static event",
            """
            public static class C
            {
                public static event Action? Changed;

                public static void Raise() => Changed?.Invoke();

                [Pure]
                public static int F(Action handler)
                {
                    {|SPEC001:Changed|} += handler;
                    return 0;
                }
            }
            """
        },
        {
            "TensorPrimitives writing into a parameter destination",
            """
            public static class C
            {
                [Pure]
                public static int Add(float[] x, float[] y, float[] destination)
                {
                    TensorPrimitives.Add(x, y, {|SPEC001:destination|});
                    return destination.Length;
                }
            }
            """
        },
        {
            "Array.Sort on a parameter array",
            """
            public static class C
            {
                [Pure]
                public static int Median(int[] xs)
                {
                    Array.Sort({|SPEC001:xs|});
                    return xs[xs.Length / 2];
                }
            }
            """
        },
        {
            "Add to a parameter List",
            """
            public static class C
            {
                [Pure]
                public static int F(List<int> list)
                {
                    list.{|SPEC001:Add|}(1);
                    return list.Count;
                }
            }
            """
        },
        {
            "Dictionary parameter written through its indexer",
            """
            public static class C
            {
                [Pure]
                public static int F(Dictionary<string, int> counts, string key)
                {
                    {|SPEC001:counts[key]|} = 1;
                    return counts.Count;
                }
            }
            """
        },
        {
            "Append to a parameter StringBuilder",
            """
            public static class C
            {
                [Pure]
                public static int F(StringBuilder sb, int x)
                {
                    sb.{|SPEC001:Append|}(x);
                    return sb.Length;
                }
            }
            """
        },
        {
            "Fill of a parameter span",
            """
            public static class C
            {
                [Pure]
                public static int F(Span<int> span)
                {
                    span.{|SPEC001:Fill|}(0);
                    return span.Length;
                }
            }
            """
        },
        {
            "Add to a parameter immutable array builder",
            """
            public static class C
            {
                [Pure]
                public static int F(ImmutableArray<int>.Builder builder)
                {
                    builder.{|SPEC001:Add|}(1);
                    return builder.Count;
                }
            }
            """
        },
        {
            "console output",
            """
            public static class C
            {
                [Pure]
                public static int F(int x)
                {
                    Console.{|SPEC002:WriteLine|}(x);
                    return x;
                }
            }
            """
        },
        {
            "file read",
            """
            public static class C
            {
                [Pure]
                public static int F(string path) => System.IO.File.{|SPEC002:ReadAllText|}(path).Length;
            }
            """
        },
        {
            "lock statement",
            """
            public static class C
            {
                private static readonly object Gate = new();

                [Pure]
                public static int F(int x)
                {
                    {|SPEC002:lock|} (Gate)
                    {
                        return x + 1;
                    }
                }
            }
            """
        },
        {
            "Interlocked operation",
            """
            public static class C
            {
                [Pure]
                public static int F(int x)
                {
                    int n = x;
                    return Interlocked.{|SPEC002:Increment|}(ref n);
                }
            }
            """
        },
        {
            "Volatile read",
            """
            public static class C
            {
                [Pure]
                public static int F(int x)
                {
                    int n = x;
                    return Volatile.{|SPEC002:Read|}(ref n);
                }
            }
            """
        },
        {
            "await",
            """
            public static class C
            {
                [Pure]
                public static async System.Threading.Tasks.Task<int> F(int x)
                {
                    {|SPEC002:await System.Threading.Tasks.Task.{|SPEC002:Yield|}()|};
                    return x;
                }
            }
            """
        },
        {
            "DateTime.Now",
            """
            public static class C
            {
                [Pure]
                public static DateTime F() => DateTime.{|SPEC002:Now|};
            }
            """
        },
        {
            "Random",
            """
            public static class C
            {
                [Pure]
                public static int F(int seed)
                {
                    var random = {|SPEC002:new Random(seed)|};
                    return random.{|SPEC002:Next|}();
                }
            }
            """
        },
        {
            "Guid.NewGuid",
            """
            public static class C
            {
                [Pure]
                public static Guid F() => Guid.{|SPEC002:NewGuid|}();
            }
            """
        },
        {
            "environment variable read",
            """
            public static class C
            {
                [Pure]
                public static string? F(string name) => Environment.{|SPEC002:GetEnvironmentVariable|}(name);
            }
            """
        },
        {
            "virtual call",
            """
            public class Shape
            {
                public virtual double Area() => 0;
            }

            public static class C
            {
                [Pure]
                public static double F(Shape s) => s.{|SPEC002:Area|}() * 2;
            }
            """
        },
        {
            "interface call",
            """
            public interface IShape
            {
                double Area();
            }

            public static class C
            {
                [Pure]
                public static double F(IShape s) => s.{|SPEC002:Area|}() * 2;
            }
            """
        },
        {
            "generic method instantiated with a type whose CompareTo writes a static",
            """
            public sealed class Counted : IComparable<Counted>
            {
                public static int Comparisons;

                public int CompareTo(Counted? other)
                {
                    Comparisons++;
                    return 0;
                }
            }

            public static class C
            {
                [Pure]
                public static bool Less<T>(T a, T b) where T : IComparable<T> => a.CompareTo(b) < 0;

                [Pure]
                public static bool F(Counted a, Counted b) => {|SPEC002:Less|}(a, b);
            }
            """
        },
        {
            "constructor through a new() constraint",
            """
            public static class C
            {
                [Pure]
                public static T F<T>() where T : new() => {|SPEC002:new T()|};
            }
            """
        },
        {
            "delegate call",
            """
            public static class C
            {
                [Pure]
                public static int F(Func<int, int> f, int x) => {|SPEC002:f|}(x) + 1;
            }
            """
        },
        {
            "extern method call",
            """
            public static class C
            {
                [System.Runtime.InteropServices.DllImport("native")]
                private static extern int Native(int x);

                [Pure]
                public static int F(int x) => {|SPEC002:Native|}(x);
            }
            """
        },
        {
            "unmarked helper that writes a static field",
            """
            public static class C
            {
                public static int Seen;

                [Pure]
                public static int F(int x) => {|SPEC002:Remember|}(x) * 2;

                private static int Remember(int x)
                {
                    Seen = x;
                    return x;
                }
            }
            """
        },
        {
            "helper two calls deep that uses a shared Random",
            """
            public static class C
            {
                [Pure]
                public static int F(int x) => {|SPEC002:Outer|}(x) + 1;

                private static int Outer(int x) => Inner(x) * 2;

                private static int Inner(int x) => x + Random.Shared.Next();
            }
            """
        },
        {
            "mutual recursion with an impure member of the cycle",
            """
            public static class C
            {
                [Pure]
                public static int Ping(int[] a, int n) => n <= 0 ? 0 : {|SPEC002:Pong|}(a, n - 1);

                private static int Pong(int[] a, int n)
                {
                    a[n] = n;
                    return Ping(a, n - 1);
                }
            }
            """
        },
        {
            "call to a [Pure] method that is itself impure",
            """
            public static class C
            {
                [Pure]
                public static int F(int[] a) => {|SPEC002:G|}(a) + 1;

                [Pure]
                public static int G(int[] a)
                {
                    Array.Reverse({|SPEC001:a|});
                    return a[0];
                }
            }
            """
        },
        {
            "read of a mutable static field",
            """
            public static class C
            {
                public static double Factor = 2.0;

                [Pure]
                public static double F(double x) => x * {|SPEC003:Factor|};
            }
            """
        },
        {
            "read of a mutable static auto-property",
            """
            public static class C
            {
                public static double Factor { get; set; } = 2.0;

                [Pure]
                public static double F(double x) => x * {|SPEC003:Factor|};
            }
            """
        },
        {
            "struct method writing a field of its own receiver",
            """
            public struct Counter
            {
                public int Count;

                [Pure]
                public int Next()
                {
                    {|SPEC001:Count|}++;
                    return Count;
                }
            }
            """
        },
        {
            "write through a pointer",
            """
            public static class C
            {
                [Pure]
                public static unsafe int F(int[] a)
                {
                    fixed (int* p = a)
                    {
                        {|SPEC001:*p|} = 1;
                    }

                    return a.Length;
                }
            }
            """
        },
        {
            "call to a framework member with process-wide effects",
            """
            public static class C
            {
                [Pure]
                public static int F(int x)
                {
                    GC.{|SPEC002:Collect|}();
                    return x;
                }
            }
            """
        },
    };

    [Theory]
    [MemberData(nameof(PureMethods))]
    public void Pure_method_is_silent(string behaviour, string source)
    {
        Assert.False(string.IsNullOrWhiteSpace(behaviour));
        Assert.DoesNotContain("{|", source, StringComparison.Ordinal);
        Assert.Empty(AnalyzerHarness.Verify(Usings + source));
    }

    [Theory]
    [MemberData(nameof(ImpureMethods))]
    public void Impure_method_is_reported_where_the_reason_is_written(string behaviour, string markup)
    {
        Assert.False(string.IsNullOrWhiteSpace(behaviour));
        Assert.NotEmpty(AnalyzerHarness.Verify(Usings + markup));
    }

    [Fact]
    public void Corpus_holds_at_least_forty_methods_with_distinct_behaviours()
    {
        var names = PureMethods.Select(row => (string)row[0]).Concat(ImpureMethods.Select(row => (string)row[0])).ToList();
        Assert.True(names.Count >= 40, $"only {names.Count} cases");
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }
}
