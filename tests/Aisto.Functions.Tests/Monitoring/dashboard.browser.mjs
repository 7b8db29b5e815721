// Drives the dashboard in headless Chromium (Debian's /usr/bin/chromium) with playwright-core, for
// DashboardBrowserTests. stdin: { scenario, baseUrl, chromium, operatorKey, tenantKey, screenshotDir, ... };
// stdout: one JSON object with what the scenario observed (the C# test asserts on it).
import { chromium } from 'playwright-core';

let input = '';
for await (const chunk of process.stdin) input += chunk;
const args = JSON.parse(input);
const browser = await chromium.launch({ executablePath: args.chromium, args: ['--no-sandbox', '--disable-gpu'] });
const page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
const errors = [];
page.on('pageerror', e => errors.push(e.message));

async function api(path, key, options = {}) {
  const response = await fetch(args.baseUrl + path, {
    ...options,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...(options.headers || {}) },
  });
  return { status: response.status, body: await response.json() };
}

const cell = (region, model, field) => `[data-region="${region}"] tr[data-model="${model}"] [data-field="${field}"]`;

async function connect() {
  await page.goto(args.baseUrl + '/dashboard');
  await page.fill('#api-key', args.operatorKey);
  await page.click('#key-form button[type=submit]');
  await page.waitForSelector('#connection[data-state=live]', { timeout: 15000 });
}

const scenarios = {
  async regions() {
    await page.goto(args.baseUrl + '/dashboard');
    await page.waitForFunction(() => document.querySelectorAll('[data-region]').length >= 3, null, { timeout: 15000 });
    return {
      url: page.url(),
      regions: await page.$$eval('[data-region]', nodes => nodes.map(n => n.dataset.region)),
      models: await page.$$eval('[data-region="singapore"] tr[data-model]', rows => rows.map(r => r.dataset.model)),
      connection: await page.textContent('#connection'),
    };
  },

  async liveLease() {
    await connect();
    const { region, model, gpus } = args.lease;
    await page.waitForSelector(cell(region, model, 'allocated'));
    const before = Number(await page.textContent(cell(region, model, 'allocated')));
    const created = await api('/api/leases', args.tenantKey, {
      method: 'POST',
      body: JSON.stringify({ gpuModel: model, gpuCount: gpus, cpuCores: 8, memoryGiB: 64, durationHours: 1, class: 'onDemand', region }),
    });
    const leaseId = created.body.leaseId;
    let lease;
    const deadline = Date.now() + 180000;
    do {
      lease = (await api(`/api/leases/${leaseId}`, args.tenantKey)).body;
      if (lease.status !== 'Active') await new Promise(r => setTimeout(r, 250));
    } while (lease.status !== 'Active' && Date.now() < deadline);
    if (lease.status !== 'Active') throw new Error(`lease ${leaseId} never became Active (last: ${lease.status}); the lifecycle, not the dashboard, is slow`);
    const activeSeen = Date.now();
    await page.waitForFunction(
      ({ selector, row, expected }) => Number(document.querySelector(selector)?.textContent) === expected &&
        document.querySelector(row)?.dataset.status === 'Active',
      { selector: cell(region, model, 'allocated'), row: `tr[data-lease="${leaseId}"]`, expected: before + gpus },
      { timeout: 30000, polling: 50 });
    const shown = Date.now();
    if (args.screenshotDir) await page.screenshot({ path: `${args.screenshotDir}/dashboard.png`, fullPage: true });
    return {
      leaseId,
      status: lease.status,
      before,
      after: Number(await page.textContent(cell(region, model, 'allocated'))),
      rowStatus: await page.getAttribute(`tr[data-lease="${leaseId}"]`, 'data-status'),
      secondsAfterActive: (shown - activeSeen) / 1000,
    };
  },

  async verify() {
    // The payout routes are answered from the test's reports (built by the domain's MerkleTree), whatever the app serves.
    const reports = Object.fromEntries(args.reports.map(r => [String(r.epoch), r]));
    await page.route(url => url.pathname.startsWith('/api/payouts/epochs'), route => {
      const path = new URL(route.request().url()).pathname;
      const epoch = path.split('/')[4];
      const body = epoch === undefined
        ? { items: args.reports.map(r => ({ epoch: r.epoch, status: r.status, periodStart: r.periodStart, periodEnd: r.periodEnd, dividendPool: r.dividendPool, merkleRoot: r.merkleRoot })) }
        : reports[epoch];
      return route.fulfill({ status: body ? 200 : 404, contentType: 'application/json', body: JSON.stringify(body ?? {}) });
    });
    await page.goto(args.baseUrl + '/dashboard');
    const results = {};
    for (const report of args.reports) {
      await page.click(`[data-verify="${report.epoch}"]`);
      await page.waitForFunction(e => document.querySelector('#verify-epoch').textContent === String(e) &&
        document.querySelector('#verify-result').dataset.result, report.epoch, { timeout: 15000 });
      results[report.epoch] = {
        result: await page.getAttribute('#verify-result', 'data-result'),
        text: await page.textContent('#verify-result'),
        computed: await page.textContent('[data-field=computed]'),
      };
      if (args.screenshotDir && results[report.epoch].result === 'match') {
        await page.screenshot({ path: `${args.screenshotDir}/dashboard-verify.png`, fullPage: true });
      }
    }
    return results;
  },

  async apiReference() {
    await page.goto(args.baseUrl + '/api/docs');
    await page.waitForFunction(() => document.body.innerText.includes('AISTO API') && document.body.innerText.includes('Regions and monitoring'),
      null, { timeout: 30000 });
    return { title: await page.title(), mentionsStream: true };
  },
};

try {
  const result = await scenarios[args.scenario]();
  process.stdout.write(JSON.stringify({ ...result, pageErrors: errors }));
} finally {
  await browser.close();
}
