namespace Aisto.Orchestrations.Results;

/// <summary>Why a command did not succeed; the HTTP layer maps each kind to one status code.</summary>
public enum CommandFailure
{
    None,
    Invalid,
    NotFound,
    Conflict,
    Forbidden,
}

/// <summary>A command's result: a value, or a failure kind with a message and (for invalid input) field errors.</summary>
public sealed record CommandResult<T>
{
    private CommandResult(T? value, CommandFailure failure, string? detail, IReadOnlyDictionary<string, string[]>? errors)
    {
        Value = value;
        Failure = failure;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    public T? Value { get; }
    public CommandFailure Failure { get; }
    public string? Detail { get; }
    public IReadOnlyDictionary<string, string[]> Errors { get; }
    public bool Succeeded => Failure == CommandFailure.None;

    public static CommandResult<T> Ok(T value) => new(value, CommandFailure.None, null, null);

    public static CommandResult<T> NotFound(string detail) => new(default, CommandFailure.NotFound, detail, null);

    public static CommandResult<T> Conflict(string detail) => new(default, CommandFailure.Conflict, detail, null);

    public static CommandResult<T> Invalid(string field, string message) =>
        new(default, CommandFailure.Invalid, message, new Dictionary<string, string[]> { [field] = [message] });

    public static implicit operator CommandResult<T>(T value) => Ok(value);
}
