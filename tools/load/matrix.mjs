// The lease load test as one command: for each configuration, start the app fresh (Release build, Azurite in memory),
// run tools/load/leases.mjs against it, report latency, throughput and the CPU the app and Azurite spent per request
// (Linux: from /proc), stop the app. Run from the repository root after `dotnet build -c Release functions`:
//   node tools/load/matrix.mjs [--duration 20] [--warmup 10] [--only NAME[,NAME...]] [--json]
// Each run is preceded by --warmup seconds of the same load, not counted: a long-running app has its code compiled.
// Exits 1 if any run had an error or a 5xx.
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const duration = arg('duration', '20');
const warmup = arg('warmup', '10');
const only = arg('only', '')?.split(',').filter(Boolean) ?? [];
const json = process.argv.includes('--json');
const url = 'http://127.0.0.1:7071';

// name, durable backend, load arguments. `--spread 50` paces the rate evenly (see leases.mjs); without it autocannon
// sends each second's share as one burst.
const configurations = [
  ['memory-10%post-paced', 'InMemory', ['--rate', '200', '--posts', '0.1', '--spread', '50']],
  ['memory-10%post-bursts', 'InMemory', ['--rate', '200', '--posts', '0.1']],
  ['memory-50%post-paced', 'InMemory', ['--rate', '200', '--posts', '0.5', '--spread', '50']],
  ['memory-50%post-saturation', 'InMemory', ['--rate', '0', '--posts', '0.5']],
  ['azure-10%post-paced', 'AzureStorage', ['--rate', '200', '--posts', '0.1', '--spread', '50']],
  ['azure-50%post-paced', 'AzureStorage', ['--rate', '200', '--posts', '0.5', '--spread', '50']],
].filter(([name]) => only.length === 0 || only.includes(name));

const ticksPerSecond = 100;
const cpuSeconds = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond; // utime + stime
  } catch {
    return 0;
  }
};
const findPid = (pattern) => {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(pattern)) return Number(pid);
    } catch { /* gone */ }
  }
  return null;
};

const startApp = async (backend) => {
  try {
    await fetch(`${url}/api/health`);
    throw new Error(`something already answers on ${url}: stop it first`);
  } catch (error) {
    if (error.message.startsWith('something')) throw error;
  }
  const app = spawn('dotnet', ['run', '-c', 'Release', '--no-build', '--project', 'functions'], {
    env: {
      ...process.env,
      Aisto__Standalone__StorageEmulatorData: 'Memory', // the persistent .azurite file is rewritten every few seconds
      Aisto__Durable__Backend: backend,
    },
    detached: true,
    stdio: 'ignore',
  });
  for (let i = 0; i < 120; i++) {
    try {
      if ((await fetch(`${url}/api/health`)).ok) return app;
    } catch { /* not up yet */ }
    await sleep(1000);
  }
  process.kill(-app.pid, 'SIGTERM');
  throw new Error('the app did not answer /api/health within 2 minutes');
};

// Stops the app and its Azurite; the next run must not find the old app still answering on the port (a stopping app
// answers 500), so it waits for the port to close and kills what is left after a minute.
const stopApp = async (app) => {
  try { process.kill(-app.pid, 'SIGTERM'); } catch { /* already gone */ }
  for (let i = 0; i < 60 && findPid('functions/bin/Release') !== null; i++) await sleep(1000);
  try { process.kill(-app.pid, 'SIGKILL'); } catch { /* already gone */ }
  for (let i = 0; i < 30; i++) {
    try {
      await fetch(`${url}/api/health`);
      await sleep(1000);
    } catch {
      return;
    }
  }
  throw new Error(`something still answers on ${url} after the app was stopped`);
};

const load = async (seconds, args) => {
  const run = spawn('node', ['tools/load/leases.mjs', '--duration', seconds, '--json', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  run.stdout.on('data', (d) => { out += d; });
  const code = await new Promise((resolve) => run.on('close', resolve));
  return { code, summary: JSON.parse(out.trim().split('\n').pop()) };
};

const results = [];
let failed = false;
for (const [name, backend, loadArgs] of configurations) {
  const app = await startApp(backend);
  await sleep(5000); // the first timers and table creation settle
  const appPid = findPid('functions/bin/Release');
  const azuritePid = findPid('azurite');
  if (Number(warmup) > 0) {
    failed ||= (await load(warmup, loadArgs)).code !== 0;
  }

  const before = [cpuSeconds(appPid), cpuSeconds(azuritePid)];
  const { code, summary } = await load(duration, loadArgs);
  const after = [cpuSeconds(appPid), cpuSeconds(azuritePid)];
  await stopApp(app);
  failed ||= code !== 0;
  const perRequest = (i) => Math.round(((after[i] - before[i]) * 1000 * 100) / Math.max(1, summary.requests)) / 100;
  const row = {
    name,
    backend,
    requestsPerSecond: summary.requestsPerSecond,
    p50: summary.latencyMs.p50,
    p99: summary.latencyMs.p99,
    getP99: summary.byKindMs.get.p99,
    postP99: summary.byKindMs.post.p99,
    errors: summary.errors + summary.timeouts,
    statuses: summary.statuses,
    appCpuMsPerRequest: perRequest(0),
    azuriteCpuMsPerRequest: perRequest(1),
  };
  results.push(row);
  if (!json) console.log(JSON.stringify(row));
}
if (json) console.log(JSON.stringify(results));
process.exit(failed ? 1 : 0);
