using System.Threading.Channels;
using Aisto.Domain.Monitoring;

namespace Aisto.Orchestrations.Monitoring;

/// <summary>
/// Pushes alerts raised or resolved in this process to every open monitor stream at once. Streams also read the
/// alert store on every tick, so alerts raised by other instances arrive within one snapshot interval.
/// </summary>
public sealed class AlertFeed
{
    private readonly Lock gate = new();
    private readonly List<Channel<Alert>> subscribers = [];

    public ChannelReader<Alert> Subscribe(CancellationToken unsubscribe)
    {
        var channel = Channel.CreateBounded<Alert>(new BoundedChannelOptions(256) { FullMode = BoundedChannelFullMode.DropOldest });
        lock (gate)
        {
            subscribers.Add(channel);
        }

        unsubscribe.Register(() =>
        {
            lock (gate)
            {
                subscribers.Remove(channel);
            }

            channel.Writer.TryComplete();
        });
        return channel.Reader;
    }

    public void Publish(Alert alert)
    {
        lock (gate)
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Writer.TryWrite(alert);
            }
        }
    }
}
