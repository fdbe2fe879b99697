using Spectre.Console;

namespace Specialize.Samples;

/// <summary>
/// Progress of a long run in the samples and the bench: a live progress bar (Spectre.Console) when the output is a
/// terminal, and plain lines otherwise (output redirected to a file or a pipe, CI), which a log keeps readable.
/// Linked into each program from samples/Common.
/// </summary>
internal static class ConsoleProgress
{
    /// <summary>Whether the output is a terminal that can show a live display.</summary>
    public static bool Interactive => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>
    /// Runs <paramref name="work"/>, which calls <see cref="ProgressSteps.Done"/> after each of its
    /// <paramref name="steps"/> steps, and returns what it returns.
    /// </summary>
    /// <param name="title">What the run does, in a few words.</param>
    /// <param name="steps">How many steps the run has.</param>
    /// <param name="work">The run.</param>
    public static T Run<T>(string title, int steps, Func<ProgressSteps, T> work) =>
        Run(title, steps, work, Interactive ? null : Console.Out);

    /// <summary>As <see cref="Run{T}(string, int, Func{ProgressSteps, T})"/>; plain lines go to <paramref name="plain"/>, and without it to a live display.</summary>
    internal static T Run<T>(string title, int steps, Func<ProgressSteps, T> work, TextWriter? plain)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentNullException.ThrowIfNull(work);
        if (plain is not null)
        {
            plain.WriteLine($"{title}: {steps} steps");
            return work(new ProgressSteps(title, steps, plain, task: null));
        }

        return AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(context => work(new ProgressSteps(title, steps, plain: null, context.AddTask(Markup.Escape(title), maxValue: Math.Max(steps, 1)))));
    }
}

/// <summary>The steps of a run that <see cref="ConsoleProgress"/> shows.</summary>
internal sealed class ProgressSteps
{
    private readonly string title;
    private readonly int steps;
    private readonly TextWriter? plain;
    private readonly ProgressTask? task;
    private int done;

    internal ProgressSteps(string title, int steps, TextWriter? plain, ProgressTask? task)
    {
        this.title = title;
        this.steps = steps;
        this.plain = plain;
        this.task = task;
    }

    /// <summary>One more step is done; <paramref name="line"/>, when given, says what it found.</summary>
    public void Done(string? line = null)
    {
        done++;
        if (plain is not null)
        {
            plain.WriteLine(line is null ? $"{title}: {done}/{steps}" : $"{title}: {done}/{steps}: {line}");
            return;
        }

        if (line is not null)
        {
            AnsiConsole.WriteLine(line);
        }

        task!.Increment(1);
    }
}
