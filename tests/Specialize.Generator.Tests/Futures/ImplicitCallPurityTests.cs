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
