using Aisto.Infrastructure.Depin;
using Aisto.Orchestrations.Depin;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Logging.Abstractions;

namespace Aisto.Functions.Tests;

/// <summary>
/// The Service Bus intake transport settles every message explicitly. No Service Bus emulator runs here, so these
/// use the SDK's own test types: messages from <see cref="ServiceBusModelFactory"/> and processor event args whose
/// settlement methods record what the handler did instead of calling the broker.
/// </summary>
public sealed class ServiceBusDepinHandlerTests
{
    [Theory]
    [InlineData(IntakeOutcome.Started)]
    [InlineData(IntakeOutcome.Duplicate)]
    public async Task A_started_or_duplicate_task_is_completed(IntakeOutcome outcome)
    {
        var args = new RecordingSessionArgs(Message("t-1"));

        await Handler((_, _) => Task.FromResult(new IntakeVerdict(outcome, "t-1"))).HandleAsync(args);

        Assert.Equal(["complete"], args.Settlements);
    }

    [Fact]
    public async Task A_rejected_task_is_dead_lettered_with_its_reason()
    {
        var args = new RecordingSessionArgs(Message("t-2"));

        await Handler((_, _) => Task.FromResult(new IntakeVerdict(IntakeOutcome.Rejected, "t-2", "gpuCount: must be a number from 1 to 8."))).HandleAsync(args);

        Assert.Equal([$"dead-letter {ServiceBusDepinHandler.RejectedReason}: gpuCount: must be a number from 1 to 8."], args.Settlements);
    }

    [Fact]
    public async Task A_fault_abandons_the_message_so_Service_Bus_delivers_it_again()
    {
        var args = new RecordingSessionArgs(Message("t-3", deliveryCount: 2));

        await Handler((_, _) => throw new Azure.RequestFailedException(503, "storage is down")).HandleAsync(args);

        Assert.Equal(["abandon"], args.Settlements);
    }

    [Fact]
    public async Task The_handler_reads_the_message_body_it_was_given()
    {
        ReadOnlyMemory<byte> seen = default;
        var args = new RecordingSessionArgs(Message("t-4"));

        await Handler((body, _) =>
        {
            seen = body;
            return Task.FromResult(new IntakeVerdict(IntakeOutcome.Started, "t-4"));
        }).HandleAsync(args);

        Assert.Equal("""{"taskId":"t-4"}""", System.Text.Encoding.UTF8.GetString(seen.Span));
    }

    [Fact]
    public async Task Without_sessions_the_same_settlement_rules_apply()
    {
        var args = new RecordingArgs(Message("t-5"));

        await Handler((_, _) => Task.FromResult(new IntakeVerdict(IntakeOutcome.Rejected, "t-5", "projectId: no project 'x'."))).HandleAsync(args);

        Assert.Equal([$"dead-letter {ServiceBusDepinHandler.RejectedReason}: projectId: no project 'x'."], args.Settlements);
    }

    private static ServiceBusDepinHandler Handler(Func<ReadOnlyMemory<byte>, CancellationToken, Task<IntakeVerdict>> accept) =>
        new(accept, NullLogger<ServiceBusDepinHandler>.Instance);

    private static ServiceBusReceivedMessage Message(string taskId, int deliveryCount = 1) =>
        ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: BinaryData.FromString($$"""{"taskId":"{{taskId}}"}"""),
            messageId: taskId,
            sessionId: "project-1",
            deliveryCount: deliveryCount);

    /// <summary>Session processor args that record settlements instead of talking to a broker.</summary>
    private sealed class RecordingSessionArgs(ServiceBusReceivedMessage message)
        : ProcessSessionMessageEventArgs(message, null!, CancellationToken.None)
    {
        public List<string> Settlements { get; } = [];

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Settlements.Add("complete");
            return Task.CompletedTask;
        }

        public override Task AbandonMessageAsync(
            ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default)
        {
            Settlements.Add("abandon");
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            Settlements.Add($"dead-letter {deadLetterReason}: {deadLetterErrorDescription}");
            return Task.CompletedTask;
        }
    }

    /// <summary>Non-session processor args, recording the same way.</summary>
    private sealed class RecordingArgs(ServiceBusReceivedMessage message)
        : ProcessMessageEventArgs(message, null!, CancellationToken.None)
    {
        public List<string> Settlements { get; } = [];

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            Settlements.Add("complete");
            return Task.CompletedTask;
        }

        public override Task AbandonMessageAsync(
            ServiceBusReceivedMessage message, IDictionary<string, object>? propertiesToModify = null, CancellationToken cancellationToken = default)
        {
            Settlements.Add("abandon");
            return Task.CompletedTask;
        }

        public override Task DeadLetterMessageAsync(
            ServiceBusReceivedMessage message, string deadLetterReason, string? deadLetterErrorDescription = null, CancellationToken cancellationToken = default)
        {
            Settlements.Add($"dead-letter {deadLetterReason}: {deadLetterErrorDescription}");
            return Task.CompletedTask;
        }
    }
}
