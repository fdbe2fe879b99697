using Specialize.Testing;
using Xunit;

namespace Specialize.Analyzers.Tests.Futures;

public sealed class MarkCalleePureCodeFixTests
{
    /// <summary>
    /// The fix marks the callee; SPEC002 at the call remains (the callee is still impure), the fix is not offered again,
    /// and SPEC001 now points at the write inside the callee, which is what the user must change.
    /// </summary>
    [Fact]
    public void Mark_callee_pure_adds_the_attribute_and_the_error_moves_to_what_keeps_the_callee_impure()
    {
        CodeFixHarness.Verify(
            """
            using Specialize;
            public static class Kernels
            {
                private static int seen;

                [Pure]
                public static int Twice(int x) => {|SPEC002:Remember|}(x) * 2;

                public static int Remember(int x)
                {
                    seen = x;
                    return x;
                }
            }
            """,
            """
            using Specialize;
            public static class Kernels
            {
                private static int seen;

                [Pure]
                public static int Twice(int x) => {|SPEC002:Remember|}(x) * 2;

                [Pure]
                public static int Remember(int x)
                {
                    {|SPEC001:seen|} = x;
                    return x;
                }
            }
            """,
            title: "Mark 'Remember' [Pure]");
    }
}
