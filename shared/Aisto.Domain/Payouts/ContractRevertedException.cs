namespace Aisto.Domain.Payouts;

/// <summary>
/// A contract call reverted: <see cref="ErrorName"/> is the decoded custom error (e.g. "AlreadyClaimed"),
/// "Error" for a revert string, "Panic" for a panic code, or "Unknown" when the data matched no known error.
/// </summary>
public sealed class ContractRevertedException : Exception
{
    public ContractRevertedException()
        : this("Unknown", [], "0x", "The contract call reverted.")
    {
    }

    public ContractRevertedException(string message)
        : this("Unknown", [], "0x", message)
    {
    }

    public ContractRevertedException(string message, Exception innerException)
        : base(message, innerException)
    {
        ErrorName = "Unknown";
        Arguments = [];
        RevertData = "0x";
    }

    public ContractRevertedException(string errorName, IReadOnlyList<KeyValuePair<string, object?>> arguments, string revertData, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorName = errorName;
        Arguments = arguments;
        RevertData = revertData;
    }

    public string ErrorName { get; }

    /// <summary>The error's arguments by name, in declaration order.</summary>
    public IReadOnlyList<KeyValuePair<string, object?>> Arguments { get; }

    /// <summary>The raw revert data, 0x-hex.</summary>
    public string RevertData { get; }
}
