// Load test of POST /api/leases and GET /api/leases/{id} against a running AISTO app (autocannon).
//   node tools/load/leases.mjs [--url http://127.0.0.1:7071] [--rate 200] [--duration 20] [--connections 20]
//                              [--key aisto-dev-tenant-a] [--posts 0.5] [--json]
// --rate 0 runs unthrottled (throughput at saturation). A share --posts of the requests (default half) create
// leases (each with its own Idempotency-Key, each a real 1-hour lease), the rest read a lease created earlier. Prints latency percentiles, status counts and
// errors; exits 1 on any error or 5xx.
import autocannon from 'autocannon';
import { randomUUID } from 'node:crypto';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const url = arg('url', 'http://127.0.0.1:7071');
const rate = Number(arg('rate', '200'));
const duration = Number(arg('duration', '20'));
const connections = Number(arg('connections', '20'));
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
const instance = autocannon({
  url,
  connections,
  duration,
  ...(rate > 0 ? { overallRate: rate } : {}),
  requests: [
    {
      setupRequest: (req) => {
        n++;
        if (Math.floor(n * posts) === Math.floor((n - 1) * posts)) {
          const id = created[Math.floor(Math.random() * created.length)];
          return { ...req, method: 'GET', path: `/api/leases/${id}`, headers };
        }
        return {
          ...req,
          method: 'POST',
          path: '/api/leases',
          headers: { ...headers, 'idempotency-key': randomUUID() },
          body: JSON.stringify({ gpuModel: models[n % models.length], gpuCount: 1, durationHours: 1 }),
        };
      },
      onResponse: (status, body) => {
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status === 202 && created.length < 10000) {
          try { created.push(JSON.parse(body).leaseId); } catch { /* counted by status */ }
        }
      },
    },
  ],
});
if (!json) autocannon.track(instance, { renderProgressBar: false });

instance.on('done', (r) => {
  const fivexx = Object.entries(statuses).filter(([s]) => Number(s) >= 500).reduce((a, [, c]) => a + c, 0);
  const summary = {
    target: rate > 0 ? `${rate} req/s` : 'unthrottled',
    postShare: posts,
    connections,
    seconds: r.duration,
    requests: r.requests.total,
    requestsPerSecond: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    statuses,
    errors: r.errors,
    timeouts: r.timeouts,
    non2xx: r.non2xx,
  };
  console.log(JSON.stringify(summary, null, json ? 0 : 2));
  process.exit(r.errors > 0 || r.timeouts > 0 || fivexx > 0 ? 1 : 0);
});
