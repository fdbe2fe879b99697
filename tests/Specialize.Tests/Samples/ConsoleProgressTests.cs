using Specialize.Samples;
using Xunit;

namespace Specialize.Tests.Samples;

/// <summary>The samples' progress: plain lines when the output is not a terminal (redirected, CI).</summary>
public sealed class ConsoleProgressTests
{
    [Fact]
    public void Redirected_output_is_not_a_terminal()
    {
        // The test host's standard output is a pipe, as a sample's is when its output goes to a file or a CI log.
        Assert.True(Console.IsOutputRedirected);
        Assert.False(ConsoleProgress.Interactive);
    }

    [Fact]
    public void Plain_lines_count_the_steps_and_carry_what_each_found()
    {
        using var output = new StringWriter();

        int result = ConsoleProgress.Run("fitting", 3, steps =>
        {
            steps.Done();
            steps.Done("BIC 12.5");
            steps.Done();
            return 42;
        }, output);

        Assert.Equal(42, result);
        Assert.Equal(["fitting: 3 steps", "fitting: 1/3", "fitting: 2/3: BIC 12.5", "fitting: 3/3"], output.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public void Bad_arguments_are_named()
    {
        Assert.Equal("title", Assert.Throws<ArgumentException>(() => ConsoleProgress.Run(" ", 1, static _ => 0, TextWriter.Null)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => ConsoleProgress.Run("t", -1, static _ => 0, TextWriter.Null)).ParamName);
    }
}
