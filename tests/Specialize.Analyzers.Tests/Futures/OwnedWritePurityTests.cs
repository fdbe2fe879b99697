using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

/// <summary>
/// Writes to memory the method allocated itself, reached through ranges, ref locals, pointers,
/// fixed statements and jagged arrays, and calls of delegates the method made: silent. The same
/// constructs over memory the method did not allocate stay reported.
/// </summary>
public sealed class OwnedWritePurityTests
{
    private const string Usings = """
        using System;
        using Specialize;

        """;

    private static IReadOnlyList<Microsoft.CodeAnalysis.Diagnostic> Verify(string markup) => AnalyzerHarness.Verify(Usings + markup);

    // ---- ranges --------------------------------------------------------------------------------

    [Fact]
    public void A_range_of_an_array_or_a_string_is_a_fresh_copy_the_method_may_write()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int[] SortedPart(int[] xs, int lo, int hi)
                {
                    var part = xs[lo..hi];
                    Array.Sort(part);
                    var all = xs[..];
                    all[0] = part.Length;
                    return all;
                }

                [Pure]
                public static char[] Letters(string s, int a, int b)
                {
                    char[] letters = s[a..b].ToCharArray();
                    letters[0] = 'x';
                    return letters;
                }
            }
            """);
    }

    [Fact]
    public void A_span_over_a_range_of_a_parameter_array_is_a_view_and_writing_it_is_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int SortTail(int[] xs, int lo)
                {
                    {|SPEC001:xs.AsSpan(lo..)|}.Sort();
                    return xs[lo];
                }
            }
            """);
    }

    // ---- ref locals ----------------------------------------------------------------------------

    [Fact]
    public void A_ref_local_into_a_stackalloc_span_or_a_new_array_may_be_written()
    {
        Verify("""
            public struct Cell
            {
                public int Value;
            }

            public static class C
            {
                [Pure]
                public static int First(int n)
                {
                    Span<int> s = stackalloc int[4];
                    ref int r = ref s[0];
                    r = 5;
                    var cells = new Cell[n + 1];
                    ref Cell c = ref cells[0];
                    c.Value = n;
                    return s[0] + cells[0].Value;
                }
            }
            """);
    }

    [Fact]
    public void A_ref_local_into_a_parameter_array_stays_reported_also_through_a_struct_field()
    {
        Verify("""
            public struct Cell
            {
                public int Value;
            }

            public static class C
            {
                [Pure]
                public static int First(int[] xs, Cell[] cells)
                {
                    ref int r = ref xs[0];
                    {|SPEC001:r|} = 5;
                    ref Cell c = ref cells[0];
                    {|SPEC001:c.Value|} = 1;
                    return r + c.Value;
                }
            }
            """);
    }

    // ---- pointers and fixed --------------------------------------------------------------------

    [Fact]
    public void Writes_through_a_pointer_to_stackalloc_memory_are_silent()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static unsafe int Sum(int n)
                {
                    int* p = stackalloc int[4];
                    p[1] = 2;
                    *p = 1;
                    int* q = p + 2;
                    *q = n;
                    return p[0] + p[1] + p[2];
                }
            }
            """);
    }

    [Fact]
    public void Writes_through_a_pointer_parameter_are_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static unsafe int Set(int* p, int n)
                {
                    {|SPEC001:*p|} = n;
                    {|SPEC001:p[1]|} = n;
                    return n;
                }
            }
            """);
    }

    [Fact]
    public void Writes_inside_fixed_on_an_array_the_method_allocated_are_silent()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static unsafe int[] Make(int n)
                {
                    var a = new int[4];
                    fixed (int* p = a)
                    {
                        p[0] = n;
                        *(p + 1) = n;
                    }

                    return a;
                }
            }
            """);
    }

    [Fact]
    public void Writes_inside_fixed_on_a_parameter_array_are_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static unsafe int Set(int[] a, int n)
                {
                    fixed (int* p = a)
                    {
                        {|SPEC001:p[0]|} = n;
                    }

                    return n;
                }
            }
            """);
    }

    // ---- jagged arrays -------------------------------------------------------------------------

    [Fact]
    public void Elements_of_a_jagged_array_made_in_the_method_may_be_written()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int[][] Make(int n)
                {
                    var j = new int[2][];
                    j[0] = new int[2];
                    j[1] = new int[] { 1, 2, 3 };
                    j[0][1] = n;
                    j[1][0] += n;
                    var k = new int[][] { new int[1], new int[n] };
                    k[1][0] = j[0][1];
                    return j;
                }
            }
            """);
    }

    [Fact]
    public void Elements_of_a_jagged_array_passed_in_or_holding_a_parameter_row_stay_reported()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int Set(int[][] j, int n)
                {
                    {|SPEC001:j[0][1]|} = n;
                    return n;
                }

                [Pure]
                public static int[][] Wrap(int[] row, int n)
                {
                    var j = new int[2][];
                    j[0] = row;
                    {|SPEC001:j[0][0]|} = n;
                    return j;
                }
            }
            """);
    }

    // ---- delegates -----------------------------------------------------------------------------

    [Fact]
    public void Invoking_a_local_lambda_or_local_delegate_with_a_pure_body_is_silent()
    {
        Verify("""
            public static class C
            {
                [Pure]
                public static int Squares(int n)
                {
                    Func<int, int> sq = x => x * x;
                    Func<int, int> twice = Twice;
                    Func<int, int> pick = n > 0 ? sq : twice;
                    return sq(3) + twice(n) + pick.Invoke(n);
                }

                private static int Twice(int x) => 2 * x;
            }
            """);
    }

    [Fact]
    public void Invoking_a_delegate_parameter_or_a_local_holding_one_stays_reported()
    {
        var diagnostics = Verify("""
            public static class C
            {
                [Pure]
                public static int Apply(Func<int, int> f, int n)
                {
                    Func<int, int> g = n > 0 ? f : x => x;
                    return {|SPEC002:f|}(n) + {|SPEC002:g|}(n);
                }
            }
            """);

        Assert.All(diagnostics, d => Assert.Contains("the method behind a delegate is not known", d.GetMessage(), StringComparison.Ordinal));
    }

    [Fact]
    public void Invoking_a_local_lambda_whose_body_is_not_pure_is_reported_inside_the_lambda()
    {
        Verify("""
            public static class C
            {
                public static int Seen;

                [Pure]
                public static int Squares(int n)
                {
                    Func<int, int> sq = x =>
                    {
                        {|SPEC001:Seen|} = x;
                        return x * x;
                    };
                    return sq(n);
                }
            }
            """);
    }
}
