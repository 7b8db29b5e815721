using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Aisto.Functions.Monitoring;

/// <summary>
/// A <c>text/event-stream</c> response: <paramref name="produce"/> writes events until the client goes away (the
/// request's abort token) or it returns. A disconnect is the normal end of a stream, not an error.
/// </summary>
public sealed class ServerSentEvents(Func<ServerSentEventWriter, CancellationToken, Task> produce) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache, no-transform";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        var aborted = httpContext.RequestAborted;
        try
        {
            await response.StartAsync(aborted);
            await produce(new ServerSentEventWriter(response, httpContext.RequestServices), aborted);
        }
        catch (Exception ex) when (aborted.IsCancellationRequested && ex is OperationCanceledException or IOException)
        {
            // The client closed the stream.
        }
    }
}

/// <summary>Writes one SSE event at a time (JSON data, flushed at once).</summary>
public sealed class ServerSentEventWriter(HttpResponse response, IServiceProvider services)
{
    private readonly JsonSerializerOptions json = Json(services);

    public async Task WriteAsync(string eventName, object data, CancellationToken cancellationToken, string? id = null)
    {
        var text = new StringBuilder();
        if (id is not null)
        {
            text.Append("id: ").Append(id).Append('\n');
        }

        text.Append("event: ").Append(eventName).Append('\n')
            .Append("data: ").Append(JsonSerializer.Serialize(data, json)).Append("\n\n");
        await response.WriteAsync(text.ToString(), cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    /// <summary>A comment line: keeps proxies from closing an idle stream.</summary>
    public async Task KeepAliveAsync(CancellationToken cancellationToken)
    {
        await response.WriteAsync(": keep-alive\n\n", cancellationToken);
        await response.Body.FlushAsync(cancellationToken);
    }

    private static JsonSerializerOptions Json(IServiceProvider services) =>
        (services.GetService(typeof(Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>))
            as Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>)?.Value.SerializerOptions
        ?? JsonSerializerOptions.Web;
}
