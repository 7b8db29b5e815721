// Load test of POST /api/leases and GET /api/leases/{id} against a running AISTO app (autocannon).
//   node tools/load/leases.mjs [--url http://127.0.0.1:7071] [--rate 200] [--duration 20] [--connections 20]
//                              [--key aisto-dev-tenant-a] [--posts 0.5] [--spread 1] [--json]
// --rate 0 runs unthrottled (throughput at saturation). A share --posts of the requests (default half) create
// leases (each with its own Idempotency-Key, each a real 1-hour lease), the rest read a lease created earlier.
//
// Pacing. autocannon's rate limit is per connection and per second: at every second tick each connection sends its
// share back to back, so `--rate 200` arrives as one burst of 200 requests at the start of each second. `--spread N`
// splits the rate over N autocannon instances of one connection each, started 1/N s apart, so the same rate arrives
// as N small bursts spread over the second (N = 50: 4 requests every 20 ms), closer to independent clients.
//
// Prints latency percentiles (overall and per kind of request, measured here from send to response), status counts
// and errors; exits 1 on any error or 5xx.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const url = arg('url', 'http://127.0.0.1:7071');
const rate = Number(arg('rate', '200'));
const duration = Number(arg('duration', '20'));
const spread = Math.max(1, Number(arg('spread', '1')));
const connections = spread > 1 ? 1 : Number(arg('connections', '20'));
const key = arg('key', 'aisto-dev-tenant-a');
const json = process.argv.includes('--json');
const posts = Number(arg('posts', '0.5'));

const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
const models = ['H100', 'A100', 'L40S', 'RTX4090'];
const created = [];

// One lease to read from the start, so GETs never wait for the first POST.
const seed = await fetch(`${url}/api/leases`, {
  method: 'POST',
  headers: { ...headers, 'idempotency-key': randomUUID() },
  body: JSON.stringify({ gpuModel: 'L40S', gpuCount: 1, durationHours: 1 }),
});
if (seed.status !== 202) {
  console.error(`seed lease: HTTP ${seed.status} ${await seed.text()}`);
  process.exit(1);
}
created.push((await seed.json()).leaseId);

let n = 0;
const statuses = {};
const byKind = { GET: [], POST: [] };
const percentiles = (samples) => {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p) => (sorted.length === 0 ? null : Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] * 10) / 10);
  return { count: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: at(1) };
};

const request = {
  setupRequest: (req, context) => {
    n++;
    context.sentAt = performance.now();
    if (Math.floor(n * posts) === Math.floor((n - 1) * posts)) {
      const id = created[Math.floor(Math.random() * created.length)];
      context.kind = 'GET';
      return { ...req, method: 'GET', path: `/api/leases/${id}`, headers };
    }
    context.kind = 'POST';
    return {
      ...req,
      method: 'POST',
      path: '/api/leases',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: JSON.stringify({ gpuModel: models[n % models.length], gpuCount: 1, durationHours: 1 }),
    };
  },
  onResponse: (status, body, context) => {
    statuses[status] = (statuses[status] ?? 0) + 1;
    byKind[context.kind].push(performance.now() - context.sentAt);
    if (status === 202 && created.length < 10000) {
      try { created.push(JSON.parse(body).leaseId); } catch { /* counted by status */ }
    }
  },
};

const runOne = (delayMs) => new Promise((resolve) => setTimeout(() => {
  const instance = autocannon({
    url,
    connections,
    duration,
    ...(rate > 0 ? { overallRate: rate / spread } : {}),
    requests: [request],
  }, (error, result) => resolve(error ? { errors: 1, timeouts: 0, non2xx: 0, duration: 0, requests: { total: 0 } } : result));
  if (!json && spread === 1) autocannon.track(instance, { renderProgressBar: false });
}, delayMs));

const results = await Promise.all(Array.from({ length: spread }, (_, i) => runOne((i * 1000) / spread)));
const sum = (pick) => results.reduce((a, r) => a + pick(r), 0);
const fivexx = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((a, [, c]) => a + c, 0);
const seconds = Math.max(...results.map((r) => r.duration));
const total = sum((r) => r.requests.total);
const all = percentiles([...byKind.GET, ...byKind.POST]);
const summary = {
  target: rate > 0 ? `${rate} req/s` : 'unthrottled',
  postShare: posts,
  connections: connections * spread,
  spread,
  seconds,
  requests: total,
  requestsPerSecond: Math.round(total / (seconds || 1)),
  latencyMs: { p50: all.p50, p90: all.p90, p99: all.p99, max: all.max },
  byKindMs: { get: percentiles(byKind.GET), post: percentiles(byKind.POST) },
  statuses,
  errors: sum((r) => r.errors),
  timeouts: sum((r) => r.timeouts),
  non2xx: sum((r) => r.non2xx),
};
console.log(JSON.stringify(summary, null, json ? 0 : 2));
process.exit(summary.errors > 0 || summary.timeouts > 0 || fivexx > 0 ? 1 : 0);
