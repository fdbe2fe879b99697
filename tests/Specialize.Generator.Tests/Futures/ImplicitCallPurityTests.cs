using Specialize.Testing;
using Xunit;

namespace Specialize.Generator.Tests.Futures;

/// <summary>
/// A [Pure] method whose impurity is in a member C# calls for it (here an operator) is not verified
/// pure, so calls to it never become futures; with a pure operator the same code gets its twin.
/// </summary>
public sealed class ImplicitCallPurityTests
{
    private static string Source(string operatorBody) => $$"""
        using Specialize;

        public readonly struct Money
        {
            public static int Additions;

            public readonly long Cents;

            public Money(long cents) => Cents = cents;

            public static Money operator +(Money a, Money b)
            {
                {{operatorBody}}
                return new Money(a.Cents + b.Cents);
            }
        }

        public static partial class Ledger
        {
            [Pure]
            public static Money Total(Money[] items)
            {
                Money sum = new Money(0);
                for (int i = 0; i < items.Length; i++)
                {
                    sum = sum + items[i];
                }

                return sum;
            }

            public static long Both(Money[] a, Money[] b)
            {
                var first = Total(a);
                var second = Total(b);
                return first.Cents + second.Cents;
            }
        }
        """;

    [Fact]
    public void A_pure_method_that_is_impure_through_an_operator_gets_no_twin()
    {
        GeneratorRun run = GeneratorHarness.Run(Source("Additions++;"));

        Assert.Empty(run.GeneratedSources);
    }

    [Fact]
    public void The_same_method_with_a_pure_operator_gets_its_twin()
    {
        GeneratorRun run = GeneratorHarness.Run(Source("_ = a.Cents;"));

        Assert.Contains(run.GeneratedSources.Keys, name => name.Contains("Ledger.Both", StringComparison.Ordinal));
    }
}

/// <summary>
/// The program that once gave different results with futures: two [Pure] claims over an
/// IEnumerable&lt;int&gt; (a foreach and LINQ) whose iterator counts in a static field. Neither claim is
/// verified now, so the caller gets no twin and computes what the sequential program computes.
/// </summary>
[Collection(nameof(FutureRuntimeCollection))]
public sealed class EnumerationPurityTests : IDisposable
{
    private readonly bool always = Specialize.Futures.FutureRuntime.SpawnAlways;

    private const string Source = """
        using System.Collections.Generic;
        using System.Linq;
        using Specialize;

        public static class Counting
        {
            public static int Steps;

            public static IEnumerable<int> Numbers(int n)
            {
                for (int i = 0; i < n; i++)
                {
                    Steps++;
                    yield return i + Steps;
                }
            }
        }

        public static partial class Sums
        {
            [Pure]
            public static int SumAll(IEnumerable<int> xs, int bias)
            {
                int sum = bias;
                foreach (int x in xs)
                {
                    sum += x;
                }

                return sum;
            }

            [Pure]
            public static int SumLinq(IEnumerable<int> xs, int bias) => xs.Sum() + bias;

            public static int Both(IEnumerable<int> xs, int n) => SumAll(xs, n) * 31 + SumLinq(xs, n);

            public static int Run(int n)
            {
                Counting.Steps = 0;
                return Both(Counting.Numbers(n), n);
            }
        }
        """;

    [Fact]
    public void Pure_claims_over_an_interface_are_not_verified_so_nothing_overlaps()
    {
        GeneratorRun run = GeneratorHarness.Run(Source);

        Assert.DoesNotContain(run.GeneratedSources.Keys, static k => k.Contains("Both", StringComparison.Ordinal));
        Specialize.Futures.FutureRuntime.SpawnAlways = true;
        var results = Enumerable.Range(0, 50).Select(_ => (int)run.Invoke("Sums", "Run", 2_000)!).Distinct().ToList();
        Assert.Single(results);
    }

    public void Dispose() => Specialize.Futures.FutureRuntime.SpawnAlways = always;
}
