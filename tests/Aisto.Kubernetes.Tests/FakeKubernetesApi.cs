using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Aisto.Kubernetes.Tests;

/// <summary>
/// An in-test Kubernetes API server on Kestrel: the REST paths AISTO uses (namespaces, resourcequotas, limitranges,
/// pods, nodes, batch/v1 jobs, Cluster API machinedeployments with their scale subresource and machines, /version),
/// label selectors, one resourceVersion counter, an event log that list+watch streams are served from (with
/// compaction: a watch from a compacted version gets the ERROR 410 event a real server sends), real status codes and
/// Status bodies (201, 404 NotFound, 409 AlreadyExists/Conflict, 401), bearer-token auth, foreground deletion, a job
/// controller that makes one pod per Job, and injectable faults (status codes with Retry-After, hangs, outages).
/// KubernetesClient talks to it over HTTP exactly as it would to a cluster; nothing of the client is mocked.
/// </summary>
public sealed class FakeKubernetesApi : IAsyncDisposable
{
    public const string Token = "aisto-test-token";

    private static readonly string[] ClusterScoped = ["namespaces", "nodes"];
    private readonly Lock sync = new();
    private readonly Dictionary<string, JsonObject> objects = new(StringComparer.Ordinal);
    private readonly List<(long Version, string Type, string Resource, JsonObject Object)> events = [];
    private readonly List<Watcher> watchers = [];
    private readonly List<Fault> faults = [];
    private readonly WebApplication app;
    private readonly CancellationTokenSource stopping = new();
    private long version = 100;
    private long compactedThrough;
    private TaskCompletionSource watchGate = CompletedGate();

    private FakeKubernetesApi(WebApplication app) => this.app = app;

    public string Url { get; private set; } = "";

    /// <summary>Every request as "METHOD path?query" (body kept for DELETE and PATCH).</summary>
    public List<(string Method, string Target, string Body)> Requests { get; } = [];

    /// <summary>Every answer is 503 while true (an API server that is down).</summary>
    public bool Unavailable { get; set; }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var api = new FakeKubernetesApi(app);
        app.Run(api.HandleSafelyAsync);
        await app.StartAsync();
        api.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return api;
    }

    /// <summary>An inline kubeconfig pointing at this server, as a region's <c>Kubernetes:Kubeconfig</c> setting.</summary>
    public string Kubeconfig(string context = "fake") => $"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: fake-cluster
          cluster:
            server: {Url}
        users:
        - name: aisto
          user:
            token: {Token}
        contexts:
        - name: {context}
          context:
            cluster: fake-cluster
            user: aisto
        current-context: {context}
        """;

    /// <summary>The next <paramref name="times"/> requests matching answer <paramref name="status"/> (or hang when status is 0).</summary>
    public void Fail(Func<string, string, bool> match, int status, int times = 1, int? retryAfterSeconds = null)
    {
        lock (sync)
        {
            faults.Add(new Fault(match, status, times, retryAfterSeconds));
        }
    }

    public JsonObject Put(string resource, string? ns, JsonObject obj)
    {
        lock (sync)
        {
            return Store("ADDED", resource, ns, obj);
        }
    }

    public JsonObject? Get(string resource, string? ns, string name)
    {
        lock (sync)
        {
            return objects.TryGetValue(Key(resource, ns, name), out var obj) ? (JsonObject)obj.DeepClone() : null;
        }
    }

    public IReadOnlyList<JsonObject> List(string resource) => ListWhere(resource, null, null);

    /// <summary>Changes a stored object (a MODIFIED event), e.g. a pod becoming ready.</summary>
    public void Modify(string resource, string? ns, string name, Action<JsonObject> change)
    {
        lock (sync)
        {
            var obj = objects[Key(resource, ns, name)];
            change(obj);
            Store("MODIFIED", resource, ns, obj);
        }
    }

    /// <summary>Deletes behind AISTO's back (a DELETED event), e.g. someone running kubectl delete.</summary>
    public void Remove(string resource, string? ns, string name)
    {
        lock (sync)
        {
            Delete(resource, ns, name);
        }
    }

    /// <summary>Forgets the event history up to now: a watch resuming from an older version gets 410 Gone.</summary>
    public void Compact()
    {
        lock (sync)
        {
            compactedThrough = version;
            events.Clear();
        }
    }

    /// <summary>While held, new watch requests wait (a client reconnecting to a restarting API server).</summary>
    public void HoldWatches(bool hold)
    {
        lock (sync)
        {
            if (hold)
            {
                watchGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            else
            {
                watchGate.TrySetResult();
            }
        }
    }

    /// <summary>Ends every open watch stream (as an API server restart or a load balancer timeout would).</summary>
    public void DropWatches()
    {
        lock (sync)
        {
            foreach (var w in watchers)
            {
                w.Channel.Writer.TryComplete();
            }

            watchers.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        DropWatches();
        await app.StopAsync();
        await app.DisposeAsync();
        stopping.Dispose();
    }

    /// <summary>Marks the pod of a lease Running and Ready, as the kubelet would.</summary>
    public void MakePodReady(string leaseId) => PodOf(leaseId, pod =>
    {
        pod["status"] = new JsonObject
        {
            ["phase"] = "Running",
            ["conditions"] = new JsonArray(new JsonObject { ["type"] = "Ready", ["status"] = "True" }),
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "workload",
                ["ready"] = true,
                ["restartCount"] = 0,
                ["image"] = "x",
                ["imageID"] = "x",
                ["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = "2026-11-25T00:00:00Z" } },
            }),
        };
    });

    /// <summary>Marks the pod of a lease stuck on an image pull.</summary>
    public void FailImagePull(string leaseId) => PodOf(leaseId, pod =>
    {
        pod["status"] = new JsonObject
        {
            ["phase"] = "Pending",
            ["containerStatuses"] = new JsonArray(new JsonObject
            {
                ["name"] = "workload",
                ["ready"] = false,
                ["restartCount"] = 0,
                ["image"] = "x",
                ["imageID"] = "",
                ["state"] = new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ErrImagePull", ["message"] = "pull access denied" } },
            }),
        };
    });

    private void PodOf(string leaseId, Action<JsonObject> change)
    {
        lock (sync)
        {
            var pod = ListWhere("pods", null, $"aisto.io/lease-id={leaseId}").Single();
            var meta = pod["metadata"]!;
            Modify("pods", meta["namespace"]!.GetValue<string>(), meta["name"]!.GetValue<string>(), change);
        }
    }

    /// <summary>Exceptions the fake itself threw (a test fails on them: they are bugs of the fake, not answers).</summary>
    public List<Exception> Errors { get; } = [];

    private async Task HandleSafelyAsync(HttpContext context)
    {
        try
        {
            await HandleAsync(context);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            lock (sync)
            {
                Errors.Add(e);
            }

            throw;
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var target = request.Path + request.QueryString.Value;
        var body = await new StreamReader(request.Body, Encoding.UTF8).ReadToEndAsync();
        Fault? fault;
        lock (sync)
        {
            Requests.Add((request.Method, Uri.UnescapeDataString(target), body));
            fault = faults.FirstOrDefault(f => f.Times > 0 && f.Match(request.Method, request.Path.Value ?? ""));
            if (fault is not null)
            {
                fault.Times--;
            }
        }

        if (Unavailable)
        {
            await StatusAsync(context, 503, "ServiceUnavailable", "the API server is down (test)");
            return;
        }

        if (fault is not null)
        {
            if (fault.Status == 0)
            {
                await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }

            if (fault.RetryAfter is { } seconds)
            {
                context.Response.Headers["Retry-After"] = seconds.ToString(CultureInfo.InvariantCulture);
            }

            await StatusAsync(context, fault.Status, fault.Status == 403 ? "Forbidden" : "InjectedFault", $"injected {fault.Status}");
            return;
        }

        if (request.Headers.Authorization.ToString() != $"Bearer {Token}")
        {
            await StatusAsync(context, 401, "Unauthorized", "Unauthorized");
            return;
        }

        if (request.Path.Value?.TrimEnd('/') == "/version")
        {
            await JsonAsync(context, 200, new JsonObject { ["major"] = "1", ["minor"] = "31", ["gitVersion"] = "v1.31.0-fake" });
            return;
        }

        // /api/v1/... or /apis/{group}/{version}/...
        var segments = (request.Path.Value ?? "").Trim('/').Split('/');
        var rest = segments[0] == "api" ? segments[2..] : segments[3..];
        string? ns = null;
        string resource;
        string? name = null;
        string? sub = null;
        if (rest.Length >= 3 && rest[0] == "namespaces")
        {
            ns = rest[1];
            resource = rest[2];
            name = rest.Length > 3 ? rest[3] : null;
            sub = rest.Length > 4 ? rest[4] : null;
        }
        else
        {
            resource = rest[0];
            name = rest.Length > 1 ? rest[1] : null;
        }

        var query = request.Query;
        switch (request.Method)
        {
            case "GET" when name is null && query["watch"] == "true":
                await WatchAsync(context, resource, ns, query["labelSelector"], query["resourceVersion"]);
                return;
            case "GET" when name is null:
                await ListAsync(context, resource, ns, query["labelSelector"]);
                return;
            case "GET" when sub == "scale":
                await ScaleAsync(context, ns, name!, null);
                return;
            case "GET":
                await ItemAsync(context, resource, ns, name!);
                return;
            case "POST":
                await CreateAsync(context, resource, ns, JsonNode.Parse(body)!.AsObject());
                return;
            case "PUT":
                await ReplaceAsync(context, resource, ns, name!, JsonNode.Parse(body)!.AsObject());
                return;
            case "PATCH" when sub == "scale":
                await ScaleAsync(context, ns, name!, JsonNode.Parse(body)!.AsObject());
                return;
            case "PATCH":
                await PatchAsync(context, resource, ns, name!, JsonNode.Parse(body)!.AsObject());
                return;
            case "DELETE":
                await DeleteAsync(context, resource, ns, name!, body);
                return;
            default:
                await StatusAsync(context, 405, "MethodNotAllowed", request.Method);
                return;
        }
    }

    private Task ListAsync(HttpContext context, string resource, string? ns, string? selector)
    {
        JsonObject list;
        lock (sync)
        {
            list = new JsonObject
            {
                ["kind"] = "List",
                ["apiVersion"] = "v1",
                ["metadata"] = new JsonObject { ["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray([.. ListWhere(resource, ns, selector).Select(o => (JsonNode)o)]),
            };
        }

        return JsonAsync(context, 200, list);
    }

    private async Task WatchAsync(HttpContext context, string resource, string? ns, string? selector, string? from)
    {
        Task gate;
        lock (sync)
        {
            gate = watchGate.Task;
        }

        await gate.WaitAsync(context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
        var since = long.Parse(from ?? "0", CultureInfo.InvariantCulture);
        var watcher = new Watcher(resource, ns, selector, Channel.CreateUnbounded<string>());
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        lock (sync)
        {
            if (since < compactedThrough)
            {
                watcher.Channel.Writer.TryWrite(Line("ERROR", new JsonObject
                {
                    ["kind"] = "Status",
                    ["apiVersion"] = "v1",
                    ["metadata"] = new JsonObject(),
                    ["status"] = "Failure",
                    ["message"] = $"too old resource version: {since} ({compactedThrough})",
                    ["reason"] = "Expired",
                    ["code"] = 410,
                }));
                watcher.Channel.Writer.TryComplete();
            }
            else
            {
                foreach (var e in events.Where(e => e.Version > since && watcher.Wants(e.Resource, e.Object)))
                {
                    watcher.Channel.Writer.TryWrite(Line(e.Type, e.Object));
                }

                watchers.Add(watcher);
            }
        }

        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token);
        try
        {
            await context.Response.StartAsync(ended.Token);
            await foreach (var line in watcher.Channel.Reader.ReadAllAsync(ended.Token))
            {
                await context.Response.WriteAsync(line, ended.Token);
                await context.Response.Body.FlushAsync(ended.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away.
        }
        finally
        {
            lock (sync)
            {
                watchers.Remove(watcher);
            }
        }
    }

    private Task ItemAsync(HttpContext context, string resource, string? ns, string name)
    {
        var obj = Get(resource, ns, name);
        return obj is null ? NotFoundAsync(context, resource, name) : JsonAsync(context, 200, obj);
    }

    private Task CreateAsync(HttpContext context, string resource, string? ns, JsonObject obj)
    {
        var name = obj["metadata"]!["name"]!.GetValue<string>();
        JsonObject stored;
        lock (sync)
        {
            if (objects.ContainsKey(Key(resource, ns, name)))
            {
                return StatusAsync(context, 409, "AlreadyExists", $"{resource} \"{name}\" already exists");
            }

            stored = Store("ADDED", resource, ns, obj);
            if (resource == "jobs")
            {
                RunJobController(ns!, stored);
            }
        }

        return JsonAsync(context, 201, stored);
    }

    private Task ReplaceAsync(HttpContext context, string resource, string? ns, string name, JsonObject obj)
    {
        lock (sync)
        {
            if (!objects.TryGetValue(Key(resource, ns, name), out var current))
            {
                return NotFoundAsync(context, resource, name);
            }

            var expected = obj["metadata"]?["resourceVersion"]?.GetValue<string>();
            if (expected is not null && expected != current["metadata"]!["resourceVersion"]!.GetValue<string>())
            {
                return StatusAsync(context, 409, "Conflict", "the object has been modified; please apply your changes to the latest version");
            }

            return JsonAsync(context, 200, Store("MODIFIED", resource, ns, obj));
        }
    }

    private Task PatchAsync(HttpContext context, string resource, string? ns, string name, JsonObject patch)
    {
        lock (sync)
        {
            if (!objects.TryGetValue(Key(resource, ns, name), out var current))
            {
                return NotFoundAsync(context, resource, name);
            }

            MergePatch(current, patch);
            return JsonAsync(context, 200, Store("MODIFIED", resource, ns, current));
        }
    }

    private Task ScaleAsync(HttpContext context, string? ns, string name, JsonObject? patch)
    {
        lock (sync)
        {
            if (!objects.TryGetValue(Key("machinedeployments", ns, name), out var md))
            {
                return NotFoundAsync(context, "machinedeployments", name);
            }

            if (patch?["spec"]?["replicas"] is { } replicas)
            {
                md["spec"]!["replicas"] = replicas.GetValue<int>();
                md = Store("MODIFIED", "machinedeployments", ns, md);
            }

            return JsonAsync(context, 200, new JsonObject
            {
                ["kind"] = "Scale",
                ["apiVersion"] = "autoscaling/v1",
                ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = ns, ["resourceVersion"] = md["metadata"]!["resourceVersion"]!.DeepClone() },
                ["spec"] = new JsonObject { ["replicas"] = md["spec"]!["replicas"]!.DeepClone() },
                ["status"] = new JsonObject { ["replicas"] = md["status"]?["replicas"]?.DeepClone() ?? 0 },
            });
        }
    }

    private Task DeleteAsync(HttpContext context, string resource, string? ns, string name, string body)
    {
        lock (sync)
        {
            if (!objects.TryGetValue(Key(resource, ns, name), out var current))
            {
                return NotFoundAsync(context, resource, name);
            }

            var policy = body.Length > 0 ? JsonNode.Parse(body)?["propagationPolicy"]?.GetValue<string>() : null;
            if (resource == "jobs" && policy == "Foreground")
            {
                // Foreground: the owner is marked, its dependents go first, then the owner.
                current["metadata"]!["deletionTimestamp"] = "2026-11-25T00:00:00Z";
                current["metadata"]!["finalizers"] = new JsonArray("foregroundDeletion");
                var marked = Store("MODIFIED", resource, ns, current);
                foreach (var pod in ListWhere("pods", ns, $"job-name={name}"))
                {
                    Delete("pods", ns, pod["metadata"]!["name"]!.GetValue<string>());
                }

                Delete(resource, ns, name);
                return JsonAsync(context, 200, marked);
            }

            Delete(resource, ns, name);
            return JsonAsync(context, 200, current);
        }
    }

    private void RunJobController(string ns, JsonObject job)
    {
        var jobName = job["metadata"]!["name"]!.GetValue<string>();
        var template = job["spec"]!["template"]!.AsObject();
        var labels = (JsonObject?)template["metadata"]?["labels"]?.DeepClone() ?? [];
        labels["job-name"] = jobName;
        var spec = (JsonObject)template["spec"]!.DeepClone();
        spec["nodeName"] = spec["nodeSelector"]?["kubernetes.io/hostname"]?.DeepClone();
        Store("ADDED", "pods", ns, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = new JsonObject { ["name"] = $"{jobName}-x7k2p", ["labels"] = labels },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["phase"] = "Pending" },
        });
    }

    private JsonObject Store(string type, string resource, string? ns, JsonObject obj)
    {
        var meta = obj["metadata"]!.AsObject();
        var name = meta["name"]!.GetValue<string>();
        version++;
        meta["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
        meta["uid"] ??= Guid.NewGuid().ToString();
        meta["creationTimestamp"] ??= "2026-11-25T00:00:00Z";
        if (ns is not null)
        {
            meta["namespace"] = ns;
        }

        var stored = (JsonObject)obj.DeepClone();
        objects[Key(resource, ns, name)] = stored;
        Publish(type, resource, stored);
        return (JsonObject)stored.DeepClone();
    }

    private void Delete(string resource, string? ns, string name)
    {
        if (objects.Remove(Key(resource, ns, name), out var gone))
        {
            version++;
            gone["metadata"]!["resourceVersion"] = version.ToString(CultureInfo.InvariantCulture);
            Publish("DELETED", resource, gone);
        }
    }

    private void Publish(string type, string resource, JsonObject obj)
    {
        var snapshot = (JsonObject)obj.DeepClone();
        events.Add((version, type, resource, snapshot));
        foreach (var w in watchers.Where(w => w.Wants(resource, snapshot)))
        {
            w.Channel.Writer.TryWrite(Line(type, snapshot));
        }
    }

    private List<JsonObject> ListWhere(string resource, string? ns, string? selector)
    {
        lock (sync)
        {
            return [.. objects
                .Where(o => o.Key.StartsWith(resource + "|", StringComparison.Ordinal) && (ns is null || o.Key.StartsWith($"{resource}|{ns}|", StringComparison.Ordinal)))
                .Select(o => o.Value)
                .Where(o => Matches(selector, o))
                .OrderBy(o => o["metadata"]!["name"]!.GetValue<string>(), StringComparer.Ordinal)
                .Select(o => (JsonObject)o.DeepClone())];
        }
    }

    private static TaskCompletionSource CompletedGate()
    {
        var gate = new TaskCompletionSource();
        gate.SetResult();
        return gate;
    }

    private static bool Matches(string? selector, JsonObject obj)
    {
        if (string.IsNullOrEmpty(selector))
        {
            return true;
        }

        var labels = obj["metadata"]?["labels"] as JsonObject;
        foreach (var term in selector.Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            var value = (string key) => labels?[key]?.GetValue<string>();
            var ok = term switch
            {
                _ when term.Contains("!=", StringComparison.Ordinal) => value(term.Split("!=")[0]) != term.Split("!=")[1],
                _ when term.Contains('=', StringComparison.Ordinal) => value(term.Split('=')[0]) == term.Split('=')[^1],
                _ when term.StartsWith('!') => value(term[1..]) is null,
                _ => value(term) is not null,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static void MergePatch(JsonObject target, JsonObject patch)
    {
        foreach (var (key, value) in patch.ToList())
        {
            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject child && target[key] is JsonObject existing)
            {
                MergePatch(existing, child);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }
    }

    private static string Key(string resource, string? ns, string name) =>
        ClusterScoped.Contains(resource) ? $"{resource}||{name}" : $"{resource}|{ns}|{name}";

    private static string Line(string type, JsonObject obj) =>
        new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString() + "\n";

    private static Task NotFoundAsync(HttpContext context, string resource, string name) =>
        StatusAsync(context, 404, "NotFound", $"{resource} \"{name}\" not found");

    private static Task StatusAsync(HttpContext context, int code, string reason, string message) =>
        JsonAsync(context, code, new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
            ["code"] = code,
        });

    private static async Task JsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    private sealed record Watcher(string Resource, string? Namespace, string? Selector, Channel<string> Channel)
    {
        public bool Wants(string resource, JsonObject obj) =>
            resource == Resource &&
            (Namespace is null || obj["metadata"]?["namespace"]?.GetValue<string>() == Namespace) &&
            Matches(Selector, obj);
    }

    private sealed class Fault(Func<string, string, bool> match, int status, int times, int? retryAfter)
    {
        public Func<string, string, bool> Match { get; } = match;
        public int Status { get; } = status;
        public int Times { get; set; } = times;
        public int? RetryAfter { get; } = retryAfter;
    }
}
