// The live dashboard: regions (public, polled) or the operator's server-sent event stream (snapshots + alerts),
// scaling, DePIN and payout panels that degrade to a note when their route is not deployed, and a payout "verify"
// view that recomputes the Merkle root in the browser. Every value from the API is set as text, never as HTML.
import { verifyReport } from './merkle.mjs';

const KEY = 'aisto.apiKey';
const POLL_MS = 5000;
const state = { key: sessionStorage.getItem(KEY) || '', stream: null, poll: null, alerts: new Map(), regions: [] };

const $ = id => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (name === 'class') node.className = value;
    else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function api(path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  if (state.key) headers.Authorization = `Bearer ${state.key}`;
  return fetch(`/api${path}`, { ...options, headers });
}

const num = v => (v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US', { maximumFractionDigits: 2 }));
const pct = v => `${(Number(v) * 100).toFixed(0)} %`;
const secs = v => (v === null || v === undefined ? '–' : `${Number(v).toFixed(1)} s`);
const time = v => (v ? new Date(v).toISOString().slice(11, 19) : '–');

function setConnection(kind, text) {
  $('connection').dataset.state = kind;
  $('connection').textContent = text;
}

// ---- regions --------------------------------------------------------------------------------------------------

function poolBar(pools, total) {
  const bar = el('div', { class: 'bar', title: Object.entries(pools).map(([p, v]) => `${p}: ${num(v.allocated)} / ${num(v.total)} (borrowed ${num(v.borrowed)})`).join('\n') });
  for (const [name, pool] of Object.entries(pools)) {
    if (total > 0 && pool.allocated > 0) bar.append(el('i', { class: name, style: `width:${(100 * pool.allocated / total).toFixed(2)}%` }));
  }
  return bar;
}

function renderRegions(regions, at) {
  state.regions = regions;
  $('snapshot-at').textContent = at ? `as of ${time(at)} UTC` : '';
  const container = $('regions');
  container.replaceChildren(...regions.map(region => {
    const rows = region.gpus.map(gpu => el('tr', { 'data-model': gpu.model },
      el('td', {}, gpu.model),
      el('td', { 'data-field': 'total' }, num(gpu.total)),
      el('td', { 'data-field': 'allocated' }, num(gpu.allocated)),
      el('td', { 'data-field': 'borrowed' }, num(gpu.borrowed)),
      el('td', { 'data-field': 'free' }, num(gpu.free)),
      el('td', { 'data-field': 'utilization' }, pct(gpu.utilization)),
      el('td', {}, poolBar(gpu.pools, gpu.total)),
      el('td', { 'data-field': 'queue' }, num(gpu.queueLength)),
      el('td', { 'data-field': 'p50' }, secs(gpu.wait.p50Seconds)),
      el('td', { 'data-field': 'p95' }, secs(gpu.wait.p95Seconds))));
    return el('article', { class: 'region', 'data-region': region.id },
      el('h3', {}, el('span', {}, region.displayName, ' ', el('small', { class: 'muted' }, region.id)),
        el('span', { class: `status-${region.status}`, 'data-field': 'status' }, `${region.status} · ${pct(region.utilization)}`)),
      el('table', { class: 'grid' },
        el('thead', {}, el('tr', {}, ['GPU', 'total', 'alloc', 'borrowed', 'free', 'util', 'pools', 'queue', 'p50', 'p95'].map(h => el('th', {}, h)))),
        el('tbody', {}, rows)));
  }));
  container.append(el('p', { class: 'legend' }, 'pools:', el('b', { style: 'background:var(--leasing)' }), 'leasing',
    el('b', { style: 'background:var(--depin)' }), 'DePIN', el('b', { style: 'background:var(--incubation)' }), 'incubation',
    ' · waits are request → active over the last hour'));
  const select = $('scaling-region');
  if (select.options.length !== regions.length) {
    select.replaceChildren(...regions.map(r => el('option', { value: r.id }, r.displayName)));
    loadScaling();
  }
}

async function pollRegions() {
  try {
    const response = await api('/regions');
    if (response.ok) renderRegions((await response.json()).items, new Date().toISOString());
  } catch { /* next poll */ }
}

function startPolling() {
  stopPolling();
  pollRegions();
  state.poll = setInterval(pollRegions, POLL_MS);
}

function stopPolling() {
  if (state.poll) clearInterval(state.poll);
  state.poll = null;
}

// ---- operator stream (server-sent events over fetch, so the key travels in a header, never in a URL) -----------

function parseEvent(block) {
  let event = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) continue;
    if (line.startsWith('event:')) event = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
  }
  return data.length ? { event, data: JSON.parse(data.join('\n')) } : null;
}

async function connectStream() {
  state.stream?.abort();
  const controller = new AbortController();
  state.stream = controller;
  try {
    const response = await api('/monitor/stream', { headers: { Accept: 'text/event-stream' }, signal: controller.signal });
    if (response.status === 401 || response.status === 403) {
      setConnection('error', response.status === 401 ? 'key not accepted — public view' : 'not an operator key — public view');
      startPolling();
      return;
    }
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    stopPolling();
    setConnection('live', 'live (operator stream)');
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const message = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message) onStreamEvent(message);
      }
    }
    throw new Error('stream ended');
  } catch (error) {
    if (controller.signal.aborted) return;
    setConnection('error', `reconnecting (${error.message})`);
    startPolling();
    setTimeout(() => { if (state.stream === controller) connectStream(); }, 3000);
  }
}

function onStreamEvent({ event, data }) {
  if (event === 'snapshot') {
    renderRegions(data.regions, data.at);
    renderLeases(data.recentLeases);
    for (const alert of data.openAlerts) state.alerts.set(alert.alertId, alert);
    renderAlerts();
  } else if (event === 'alert') {
    state.alerts.set(data.alertId, data);
    renderAlerts();
  }
}

function renderAlerts() {
  const alerts = [...state.alerts.values()].sort((a, b) => b.raisedAt.localeCompare(a.raisedAt)).slice(0, 50);
  $('alerts').replaceChildren(...(alerts.length ? alerts.map(a => el('li', { class: a.state === 'Resolved' ? 'Resolved' : a.severity, 'data-alert': a.key },
    `${time(a.raisedAt)} ${a.severity} ${a.kind}: ${a.message}`)) : [el('li', { class: 'muted' }, 'No alerts.')]));
}

function renderLeases(leases) {
  $('leases').replaceChildren(
    el('thead', {}, el('tr', {}, ['lease', 'tenant', 'status', 'region', 'GPUs', 'pool', 'requested', 'changed'].map(h => el('th', {}, h)))),
    el('tbody', {}, leases.length ? leases.map(l => el('tr', { 'data-lease': l.leaseId, 'data-status': l.status },
      el('td', {}, l.leaseId), el('td', {}, l.tenantId), el('td', { 'data-field': 'status' }, l.status), el('td', {}, l.region ?? '–'),
      el('td', {}, `${num(l.gpus)} × ${l.gpuModel}`), el('td', {}, l.pool), el('td', {}, time(l.requestedAt)), el('td', {}, time(l.at))))
      : el('tr', {}, el('td', { colspan: 8, class: 'muted' }, 'No lease changes in the last hour.'))));
}

// ---- panels built on routes other features serve (a 404 means "not deployed here": say so, do not fail) -------

async function getOptional(path, panel, what) {
  try {
    const response = await api(path);
    if (response.ok) return await response.json();
    const note = response.status === 404 ? `${what} is not available on this deployment.`
      : response.status === 401 || response.status === 403 ? `${what} needs an API key.` : `${what}: HTTP ${response.status}.`;
    panel.replaceChildren(el('caption', { class: 'muted' }, note));
  } catch (error) {
    panel.replaceChildren(el('caption', { class: 'muted' }, `${what}: ${error.message}`));
  }
  return null;
}

function series(body, ...names) {
  for (const name of names) if (Array.isArray(body?.[name])) return body[name];
  return [];
}

async function loadScaling() {
  const region = $('scaling-region').value;
  if (!region) return;
  const chart = $('scaling-chart');
  const actions = $('scaling-actions');
  chart.replaceChildren();
  const body = await getOptional(`/regions/${encodeURIComponent(region)}/scaling`, actions, 'Scaling history');
  if (!body) return;
  const forecast = series(body.forecast ?? body, 'points', 'forecast', 'forecastPoints');
  const actual = series(body, 'actual', 'samples', 'demand');
  drawChart(chart, forecast, actual);
  const applied = series(body, 'actions', 'recentActions', 'plans');
  actions.replaceChildren(
    el('thead', {}, el('tr', {}, ['at', 'pool', 'action', 'nodes', 'reason'].map(h => el('th', {}, h)))),
    el('tbody', {}, applied.slice(0, 15).map(a => el('tr', {},
      el('td', {}, time(a.at ?? a.appliedAt)), el('td', {}, `${a.gpuModel ?? ''} ${a.pool ?? ''}`), el('td', {}, a.action ?? a.kind ?? a.direction ?? ''),
      el('td', {}, num(a.nodes ?? a.nodeCount ?? a.nodeIds?.length)), el('td', { style: 'text-align:left' }, a.reason ?? '')))));
}

function drawChart(container, forecast, actual) {
  const points = [...forecast.map(p => ({ t: Date.parse(p.at), v: p.upper ?? p.expected })), ...actual.map(p => ({ t: Date.parse(p.at), v: p.requestedGpus ?? p.value ?? p.gpus }))]
    .filter(p => Number.isFinite(p.t) && Number.isFinite(p.v));
  if (!points.length) {
    container.replaceChildren(el('p', { class: 'muted' }, 'No forecast or demand samples yet.'));
    return;
  }
  const [w, h, pad] = [600, 200, 24];
  const t0 = Math.min(...points.map(p => p.t)), t1 = Math.max(...points.map(p => p.t)) || t0 + 1;
  const vMax = Math.max(1, ...points.map(p => p.v));
  const x = t => pad + (w - 2 * pad) * ((t - t0) / Math.max(1, t1 - t0));
  const y = v => h - pad - (h - 2 * pad) * (v / vMax);
  const path = (list, value) => list.map((p, i) => `${i ? 'L' : 'M'}${x(Date.parse(p.at)).toFixed(1)},${y(value(p)).toFixed(1)}`).join(' ');
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
  const add = (tag, attrs, text) => {
    const node = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text) node.textContent = text;
    svg.append(node);
  };
  if (forecast.length && forecast[0].lower !== undefined) {
    const upper = forecast.map(p => `${x(Date.parse(p.at)).toFixed(1)},${y(p.upper).toFixed(1)}`);
    const lower = [...forecast].reverse().map(p => `${x(Date.parse(p.at)).toFixed(1)},${y(p.lower).toFixed(1)}`);
    add('polygon', { class: 'band', points: [...upper, ...lower].join(' ') });
  }
  if (forecast.length) add('path', { class: 'forecast', d: path(forecast, p => p.expected) });
  if (actual.length) add('path', { class: 'actual', d: path(actual, p => p.requestedGpus ?? p.value ?? p.gpus) });
  add('text', { x: pad, y: 12 }, `GPUs (max ${num(vMax)}) — blue: forecast (band), amber: actual`);
  container.replaceChildren(svg);
}

async function loadDepin() {
  const table = $('depin');
  const body = await getOptional('/depin/projects', table, 'DePIN');
  if (!body) return;
  const projects = body.items ?? [];
  table.replaceChildren(
    el('thead', {}, el('tr', {}, ['project', 'name', 'priority', 'reward / GPU-h', 'max GPUs'].map(h => el('th', {}, h)))),
    el('tbody', {}, projects.length ? projects.map(p => el('tr', { 'data-project': p.projectId },
      el('td', {}, p.projectId), el('td', {}, p.name), el('td', {}, p.priority), el('td', {}, p.rewardPerGpuHour), el('td', {}, p.maxGpus)))
      : el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No projects.'))));
}

async function loadEpochs() {
  const table = $('epochs');
  const body = await getOptional('/payouts/epochs', table, 'Payouts');
  if (!body) return;
  const epochs = body.items ?? [];
  table.replaceChildren(
    el('thead', {}, el('tr', {}, ['epoch', 'status', 'period end', 'dividend pool', 'root', ''].map(h => el('th', {}, h)))),
    el('tbody', {}, epochs.length ? epochs.map(e => el('tr', { 'data-epoch': e.epoch },
      el('td', {}, e.epoch), el('td', {}, e.status), el('td', {}, e.periodEnd ? String(e.periodEnd).slice(0, 16) : '–'), el('td', {}, e.dividendPool ?? '–'),
      el('td', { title: e.merkleRoot ?? '' }, e.merkleRoot ? `${e.merkleRoot.slice(0, 10)}…` : '–'),
      el('td', {}, e.merkleRoot ? el('button', { type: 'button', 'data-verify': e.epoch, onclick: () => verifyEpoch(e.epoch) }, 'verify') : '')))
      : el('tr', {}, el('td', { colspan: 6, class: 'muted' }, 'No epochs yet.'))));
}

async function verifyEpoch(epoch) {
  const response = await api(`/payouts/epochs/${encodeURIComponent(epoch)}`);
  if (!response.ok) {
    showVerification(epoch, null, `could not load the report (HTTP ${response.status})`);
    return;
  }
  showVerification(epoch, await response.json());
}

function showVerification(epoch, report, error) {
  $('verify').hidden = false;
  $('verify-epoch').textContent = epoch ?? '';
  const result = $('verify-result');
  if (!report) {
    result.dataset.result = 'error';
    result.textContent = error;
    $('verify-details').replaceChildren();
    return;
  }
  let outcome;
  try {
    outcome = verifyReport(report);
  } catch (e) {
    result.dataset.result = 'mismatch';
    result.textContent = `✗ the report is malformed: ${e.message}`;
    return;
  }
  result.dataset.result = outcome.matches ? 'match' : 'mismatch';
  result.textContent = outcome.matches
    ? `✓ root verified: ${outcome.allocations} allocations recomputed in this browser give the published root`
    : '✗ MISMATCH: the allocations do not give the published root';
  $('verify-details').replaceChildren(
    el('dt', {}, 'published root'), el('dd', { 'data-field': 'published' }, outcome.published),
    el('dt', {}, 'computed root'), el('dd', { 'data-field': 'computed' }, outcome.computed),
    el('dt', {}, 'sum of allocations (base units)'), el('dd', {}, outcome.total),
    el('dt', {}, 'dividend pool / rolled over'), el('dd', {}, `${report.dividendPool ?? '–'} / ${report.rolledOver ?? '–'}`));
}

// ---- wiring -----------------------------------------------------------------------------------------------------

function start() {
  state.alerts.clear();
  renderAlerts();
  if (state.key) {
    setConnection('connecting', 'connecting…');
    connectStream();
  } else {
    state.stream?.abort();
    state.stream = null;
    setConnection('public', 'public view (polling)');
    $('alerts').replaceChildren(el('li', { class: 'muted' }, 'Connect with an operator key to see alerts and recent leases.'));
    startPolling();
  }
  loadDepin();
  loadEpochs();
}

$('key-form').addEventListener('submit', event => {
  event.preventDefault();
  state.key = $('api-key').value.trim();
  $('api-key').value = '';
  if (state.key) sessionStorage.setItem(KEY, state.key); else sessionStorage.removeItem(KEY);
  start();
});
$('forget-key').addEventListener('click', () => {
  state.key = '';
  sessionStorage.removeItem(KEY);
  start();
});
$('scaling-region').addEventListener('change', loadScaling);
$('verify-pasted').addEventListener('click', () => {
  try {
    const report = JSON.parse($('report-input').value);
    showVerification(report.epoch, report);
  } catch (e) {
    showVerification(null, null, `not JSON: ${e.message}`);
  }
});
setInterval(loadScaling, 60_000);
setInterval(loadEpochs, 60_000);
start();
