namespace Specialize.Testing;

/// <summary>A failed expectation of one of the harnesses; the message says what differed.</summary>
public sealed class HarnessException : Exception
{
    public HarnessException(string message)
        : base(message)
    {
    }
}
