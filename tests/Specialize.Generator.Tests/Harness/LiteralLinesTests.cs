using Specialize.Generator.Helpers;
using Xunit;

namespace Specialize.Generator.Tests.Harness;

/// <summary>Which lines re-indenting code must leave alone: those that start inside a multi-line token.</summary>
public sealed class LiteralLinesTests
{
    [Fact]
    public void Inner_lines_of_raw_verbatim_and_interpolated_strings_are_inside_and_code_and_comments_are_not()
    {
        string text = string.Join(
            "\n",
            "int a = 1;",                     // 0
            "string raw = \"\"\"",            // 1: the literal starts here, on a line that starts outside it
            "    first",                      // 2
            "    \"\"\";",                    // 3: the closing quotes
            "/* a comment",                   // 4: trivia may move
            "   over lines */",               // 5
            "string verbatim = @\"one",       // 6
            "two\";",                         // 7
            "string both = $@\"{a}",          // 8
            "  {a} end\";",                   // 9
            "string interpolatedRaw = $\"\"\"", // 10
            "    {a}",                        // 11
            "    \"\"\";",                    // 12
            "int b = 2;");                    // 13
        bool[] inside = LiteralLines.StartInsideToken(text);
        Assert.Equal(
            new[] { false, false, true, true, false, false, false, true, false, true, false, true, true, false },
            inside);
    }

    [Fact]
    public void Text_on_one_line_or_unterminated_has_an_answer_for_every_line()
    {
        Assert.Equal(new[] { false }, LiteralLines.StartInsideToken("int a = \"x\";"));
        Assert.Equal(3, LiteralLines.StartInsideToken("string s = @\"open\nstill\nopen").Length);
    }
}
