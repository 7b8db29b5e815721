namespace Aisto.Orchestrations.Leases;

/// <summary>
/// A continuation token that the store cannot decode or that its storage refused: the caller sent a token this API
/// never issued. Thrown only for the token, never for a stored row, so the API can name the field with confidence.
/// </summary>
public sealed class InvalidContinuationTokenException : Exception
{
    public InvalidContinuationTokenException()
    {
    }

    public InvalidContinuationTokenException(string message)
        : base(message)
    {
    }

    public InvalidContinuationTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
