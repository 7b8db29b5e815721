using System.Collections.Concurrent;
using System.Diagnostics;

namespace Aisto.Bench;

/// <summary>
/// Counts the HTTP requests the process sends to storage, by method and resource (table, queue or blob container,
/// with the account's prefix of the run removed), from the HttpClient diagnostic events — so a benchmark can say how
/// many storage calls one lifecycle costs and which store makes them.
/// </summary>
public sealed class StorageRequestCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string prefix;
    private readonly IDisposable subscription;
    private readonly List<IDisposable> listeners = [];
    private readonly ConcurrentDictionary<string, int> counts = new(StringComparer.Ordinal);

    public StorageRequestCounter(string prefix)
    {
        this.prefix = prefix;
        subscription = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public bool Counting { get; set; }

    /// <summary>Requests per lifecycle by "METHOD resource", most first.</summary>
    public IReadOnlyList<KeyValuePair<string, double>> PerItem(int items) =>
        [.. counts.OrderByDescending(c => c.Value).Select(c => KeyValuePair.Create(c.Key, Math.Round((double)c.Value / items, 2)))];

    public double TotalPerItem(int items) => Math.Round((double)counts.Values.Sum() / items, 1);

    public void OnNext(DiagnosticListener value)
    {
        if (value.Name == "HttpHandlerDiagnosticListener")
        {
            lock (listeners)
            {
                // Only the request-start events: the others would be built (and reflected over) for nothing.
                listeners.Add(value.Subscribe(this, (name, _, _) => name.StartsWith("System.Net.Http.HttpRequestOut", StringComparison.Ordinal)));
            }
        }
    }

    public void OnNext(KeyValuePair<string, object?> value)
    {
        if (!Counting || value.Key != "System.Net.Http.HttpRequestOut.Start" ||
            value.Value?.GetType().GetProperty("Request")?.GetValue(value.Value) is not HttpRequestMessage { RequestUri: { } uri } request ||
            !uri.IsLoopback || uri.Segments.Length < 2 || !uri.AbsolutePath.StartsWith("/devstoreaccount1", StringComparison.Ordinal))
        {
            return;
        }

        // /devstoreaccount1/<prefix>leases(PartitionKey='…',RowKey='…') → leases(key); /devstoreaccount1/$batch → $batch
        var segment = Uri.UnescapeDataString(uri.Segments.Length > 2 ? uri.Segments[2].TrimEnd('/') : uri.Segments[1].TrimEnd('/'));
        var paren = segment.IndexOf('(', StringComparison.Ordinal);
        var name = paren > 0 ? segment[..paren] + (segment.Length > paren + 2 ? "(key)" : "") : segment;
        name = name.Replace(prefix, "", StringComparison.OrdinalIgnoreCase);
        counts.AddOrUpdate($"{request.Method} {name}", 1, (_, n) => n + 1);
    }

    public void OnCompleted()
    {
    }

    public void OnError(Exception error)
    {
    }

    public void Dispose()
    {
        subscription.Dispose();
        lock (listeners)
        {
            listeners.ForEach(l => l.Dispose());
        }
    }
}
