using System;

namespace Specialize.Variants;

/// <summary>A problem with the tuning file that was worked around (the file was ignored or could not be written).</summary>
public sealed class TuningStoreWarningEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="path">The tuning file.</param>
    /// <param name="message">What happened and what was done about it.</param>
    /// <param name="exception">The exception behind it, if any.</param>
    public TuningStoreWarningEventArgs(string path, string message, Exception? exception)
    {
        Path = path;
        Message = message;
        Exception = exception;
    }

    /// <summary>The tuning file.</summary>
    public string Path { get; }

    /// <summary>What happened and what was done about it.</summary>
    public string Message { get; }

    /// <summary>The exception behind it, if any.</summary>
    public Exception? Exception { get; }
}
