/**
 * The dashboard in a real browser: `trunkguard proxy --http 127.0.0.1:0` between a SIPp UAC (the
 * customer's PBX) and a SIPp UAS (the carrier), its page open in headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core) while calls go through: 2 clean calls (the
 * carrier answers from 168.86.128.20, inside Twilio's media range), then 1 whose answer comes
 * from 203.0.113.50 (outside it: media-ip-out-of-range, verdict fail). The page must show them
 * as they happen: the calls table, the findings panel and its filters, the ladder of the failing
 * call, the findings chart; with no console error. A screenshot goes to
 * test-artifacts/dashboard.png.
 *
 * Every wait is bounded (Playwright's waitFor/waitForFunction with a timeout, the harness's
 * waits); the browser and every process are closed in t.teardown, passed or failed.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { type Browser, chromium, type Page } from 'playwright-core';
import { CUSTOMER_MEDIA, OUT_OF_RANGE_MEDIA, TWILIO_MEDIA } from './harness/media.js';
import { freePort } from './harness/ports.js';
import {
  actionOf,
  fieldOf,
  type LogLine,
  type ProxyProcess,
  parseLogLine,
  REPO_ROOT,
  startProxyProcess,
} from './harness/proxy.js';
import { headerOf, runSipp, type SippResult, startSippUas, UAC_SCENARIO } from './harness/sipp.js';

const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long the page gets to show what the API has (it polls every 2 s). */
const PAGE_WAIT_MS = 10_000;

const SCREENSHOT = join(REPO_ROOT, 'test-artifacts', 'dashboard.png');

function workDir(t: ExecutionContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'trunkguard-dashboard-e2e-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * The HTTP server's base URL from the line the proxy logs once the API listens
 * (event.action `http-listening`, server.address and server.port), or null for any other line.
 */
function httpAddress(line: LogLine | null): string | null {
  if (actionOf(line) !== 'http-listening') return null;
  const host = fieldOf(line, 'server.address');
  const port = fieldOf(line, 'server.port');
  if (typeof host !== 'string' || typeof port !== 'number') return null;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

async function waitForHttp(proxy: ProxyProcess, timeoutMs: number): Promise<string> {
  const line = await proxy.proc.waitForLine((text) => httpAddress(parseLogLine(text)) !== null, timeoutMs);
  const address = httpAddress(parseLogLine(line));
  if (address === null) throw new Error(`no HTTP address in ${line}`);
  return address;
}

/** The Call-IDs of the INVITEs a UAC sent. */
function callIdsOf(uac: SippResult): string[] {
  return [
    ...new Set(
      uac.messages
        .filter((message) => message.direction === 'sent' && message.method === 'INVITE')
        .map((message) => headerOf(message, 'Call-ID') ?? ''),
    ),
  ];
}

async function launchBrowser(t: ExecutionContext): Promise<Browser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  t.teardown(async () => {
    await browser.close().catch(() => undefined);
  });
  return browser;
}

/** The little of the page's globals the functions run in the page use (the test compiles without DOM types). */
interface PageGlobals {
  readonly document: { querySelectorAll(selector: string): { readonly length: number } };
  scrollTo(x: number, y: number): void;
}

/**
 * Waits until `selector` matches exactly `count` elements. A function, not a string: the page's
 * CSP (script-src 'self') forbids evaluating strings.
 */
async function waitForCount(page: Page, selector: string, count: number, timeoutMs = PAGE_WAIT_MS) {
  try {
    await page.waitForFunction(
      ([sel, n]) => (globalThis as unknown as PageGlobals).document.querySelectorAll(sel).length === n,
      [selector, count] as const,
      { timeout: timeoutMs, polling: 100 },
    );
  } catch (error) {
    const seen = await page.locator(selector).count();
    throw new Error(`expected ${count} of ${selector}, found ${seen}: ${(error as Error).message}`);
  }
}

test('dashboard: calls, findings and their filters, the ladder and the chart, live in Chromium', async (t) => {
  if (!existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: install Debian's chromium (.ci/run does)`);
    return;
  }
  const started = Date.now();
  const dir = workDir(t);

  // The carrier: a UAS for the 2 clean calls first (on one port, which the failing call's UAS
  // takes over once the first has answered both and exited).
  const uasPort = await freePort();
  const cleanUas = await startSippUas({
    localPort: uasPort,
    transport: 'u1',
    calls: 2,
    keys: TWILIO_MEDIA,
    traceDir: dir,
    name: 'uas-clean',
    t,
  });
  const proxy = await startProxyProcess({
    listen: ['udp:127.0.0.1:0'],
    carrier: `127.0.0.1:${uasPort};transport=udp`,
    extraArgs: ['--http', '127.0.0.1:0'],
    t,
  });
  t.teardown(() => {
    if (!t.passed) t.log(`proxy output:\n${proxy.proc.tail(60)}`);
  });
  if (proxy.udpPort === null) throw new Error('the proxy logged no UDP listener');
  const base = await waitForHttp(proxy, 10_000);

  // The page, open before any call.
  const browser = await launchBrowser(t);
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(`uncaught: ${error.message}`));
  page.on('requestfailed', (request) =>
    consoleErrors.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  );
  await page.goto(`${base}/`, { waitUntil: 'load', timeout: PAGE_WAIT_MS });

  // What it is, which profile, where to send calls: the empty state says how.
  t.regex(
    (await page.locator('header').textContent()) ?? '',
    /trunkguard[\s\S]*SIP trunk media negotiation watch/,
  );
  await page.locator('#profile', { hasText: 'Twilio' }).waitFor({ timeout: PAGE_WAIT_MS });
  await page
    .locator('#listeners', { hasText: `127.0.0.1:${proxy.udpPort}` })
    .waitFor({ timeout: PAGE_WAIT_MS });
  const empty = page.locator('#calls-empty');
  await empty.waitFor({ state: 'visible', timeout: PAGE_WAIT_MS });
  t.regex((await empty.textContent()) ?? '', /No calls yet[\s\S]*127\.0\.0\.1:\d+;transport=udp/);

  // 2 clean calls, then 1 answered from outside the carrier's range.
  const runUac = async (calls: number, name: string) =>
    runSipp({
      scenario: UAC_SCENARIO,
      remote: `127.0.0.1:${proxy.udpPort}`,
      localPort: await freePort(),
      transport: 'u1',
      calls,
      rate: 10,
      keys: CUSTOMER_MEDIA,
      timeoutMs: 15_000,
      recvTimeoutMs: 5000,
      traceDir: dir,
      name,
      t,
    });
  const cleanUac = await runUac(2, 'uac-clean');
  t.is(cleanUac.code, 0, cleanUac.errors);
  t.is((await cleanUas.result(10_000)).code, 0);
  const badUas = await startSippUas({
    localPort: uasPort,
    transport: 'u1',
    calls: 1,
    keys: OUT_OF_RANGE_MEDIA,
    traceDir: dir,
    name: 'uas-out-of-range',
    t,
  });
  const badUac = await runUac(1, 'uac-out-of-range');
  t.is(badUac.code, 0, badUac.errors);
  t.is((await badUas.result(10_000)).code, 0);
  const [badCallId] = callIdsOf(badUac);
  if (badCallId === undefined) throw new Error('the failing call has no Call-ID in the UAC log');
  t.is(callIdsOf(cleanUac).length, 2);

  // The calls table: 3 rows, the failing one red with the carrier's out-of-range address.
  await waitForCount(page, '#calls-body tr', 3);
  await waitForCount(page, '#calls-body tr[data-verdict="fail"]', 1);
  await waitForCount(page, '#calls-body tr[data-verdict="ok"]', 2);
  t.true(await empty.isHidden());
  const failRow = page.locator('#calls-body tr[data-verdict="fail"]');
  t.is(await failRow.getAttribute('data-call-id'), badCallId);
  const failText = (await failRow.textContent()) ?? '';
  t.regex(failText, /fail/i);
  t.regex(failText, /203\.0\.113\.50:20000/);
  t.regex(failText, /media-ip-out-of-range/);
  for (const text of await page.locator('#calls-body tr[data-verdict="ok"]').allTextContents()) {
    t.regex(text, /168\.86\.128\.20:20000[\s\S]*RTP\/AVP/);
    t.regex(text, /127\.0\.0\.1:30000/);
  }
  // The verdict colour: red for fail, green for ok (computed, so the stylesheet did load).
  const colour = (selector: string) =>
    page
      .locator(selector)
      .first()
      .evaluate((element) => element.ownerDocument.defaultView?.getComputedStyle(element).color);
  t.is(await colour('#calls-body tr[data-verdict="fail"] .verdict'), 'rgb(164, 22, 15)');
  t.is(await colour('#calls-body tr[data-verdict="ok"] .verdict'), 'rgb(30, 125, 60)');

  // The findings panel: the finding, with its message and its evidence (as text).
  const finding = page.locator('#findings-list li[data-code="media-ip-out-of-range"]');
  await finding.first().waitFor({ timeout: PAGE_WAIT_MS });
  const findingText = (await finding.first().textContent()) ?? '';
  t.regex(findingText, /high/i);
  t.regex(findingText, /carrier side/);
  t.regex((await finding.first().locator('.message').textContent()) ?? '', /203\.0\.113\.50/);
  t.is(await finding.first().locator('code.evidence').textContent(), 'c=IN IP4 203.0.113.50');

  // The chart: at least one bar, drawn from /api/findings.
  await page.locator('#chart rect.bar').first().waitFor({ timeout: PAGE_WAIT_MS });
  t.true((await page.locator('#chart rect.bar').count()) >= 1);
  t.regex((await page.locator('#chart').textContent()) ?? '', /1 finding in the last 30 minutes: 1 high/);

  // Carrier media endpoints: the /24 inside Twilio's range and the one outside it, marked red.
  const inside = page.locator('#endpoints-list li[data-prefix="168.86.128.0/24"]');
  const outside = page.locator('#endpoints-list li[data-prefix="203.0.113.0/24"]');
  await outside.waitFor({ timeout: PAGE_WAIT_MS });
  await inside.waitFor({ timeout: PAGE_WAIT_MS });
  t.is(await inside.getAttribute('data-outside'), 'false');
  t.regex((await inside.textContent()) ?? '', /inside 168\.86\.128\.0\/18[\s\S]*2 calls[\s\S]*20000-20999/);
  t.is(await outside.getAttribute('data-outside'), 'true');
  t.regex(
    (await outside.textContent()) ?? '',
    /outside the published ranges[\s\S]*1 call\b[\s\S]*20000-20999/,
  );
  t.is(await colour('#endpoints-list li[data-outside="true"] .place'), 'rgb(164, 22, 15)');

  // The ladder of the failing call: INVITE and 200 arrows, the SDP answer's address, the finding.
  await failRow.locator('button.callid-button').click();
  const ladder = page.locator('#ladder');
  await ladder.locator('li.step[data-label="200 INVITE"]').first().waitFor({ timeout: PAGE_WAIT_MS });
  t.true(await page.locator('#call-detail').isVisible());
  t.regex((await page.locator('#detail-title').textContent()) ?? '', new RegExp(escapeRegExp(badCallId)));
  const invite = ladder.locator('li.step[data-label="INVITE"]').first();
  t.true(await invite.isVisible());
  t.regex((await invite.textContent()) ?? '', /SDP offer[\s\S]*127\.0\.0\.1:30000/);
  t.true(await invite.evaluate((element) => element.classList.contains('rightward')));
  const ok = ladder.locator('li.step[data-label="200 INVITE"].has-sdp').first();
  t.true(await ok.evaluate((element) => element.classList.contains('leftward')));
  const okText = (await ok.textContent()) ?? '';
  t.regex(okText, /SDP answer/);
  t.regex(okText, /203\.0\.113\.50:20000/);
  t.regex(okText, /media-ip-out-of-range/);
  t.is(
    await ok.locator('.step-finding[data-code="media-ip-out-of-range"] code.evidence').textContent(),
    'c=IN IP4 203.0.113.50',
  );
  t.true((await ladder.locator('li.step[data-label="ACK"]').count()) >= 1);
  t.true((await ladder.locator('li.step[data-label="BYE"]').count()) >= 1);

  // Filtering by minimum severity: critical hides the (high) finding; back to any shows it again.
  await page.selectOption('#filter-severity', 'critical', { timeout: PAGE_WAIT_MS });
  await waitForCount(page, '#findings-list li[data-code="media-ip-out-of-range"]', 0);
  await page
    .locator('#findings-empty', { hasText: 'No finding matches these filters' })
    .waitFor({ timeout: PAGE_WAIT_MS });
  await page.selectOption('#filter-severity', 'high', { timeout: PAGE_WAIT_MS });
  await finding.first().waitFor({ timeout: PAGE_WAIT_MS });
  await page.selectOption('#filter-side', 'customer', { timeout: PAGE_WAIT_MS });
  await waitForCount(page, '#findings-list li[data-code="media-ip-out-of-range"]', 0);
  await page.selectOption('#filter-side', '', { timeout: PAGE_WAIT_MS });
  await page.selectOption('#filter-code', 'media-ip-out-of-range', { timeout: PAGE_WAIT_MS });
  await finding.first().waitFor({ timeout: PAGE_WAIT_MS });
  await page.selectOption('#filter-code', '', { timeout: PAGE_WAIT_MS });
  await page.selectOption('#filter-severity', '', { timeout: PAGE_WAIT_MS });
  await finding.first().waitFor({ timeout: PAGE_WAIT_MS });

  // The screenshot: the whole page, the failing call's ladder open.
  mkdirSync(join(REPO_ROOT, 'test-artifacts'), { recursive: true });
  await page.evaluate(() => (globalThis as unknown as PageGlobals).scrollTo(0, 0));
  await page.screenshot({ path: SCREENSHOT, fullPage: true, timeout: PAGE_WAIT_MS });
  t.log(`screenshot: ${SCREENSHOT}`);

  t.deepEqual(consoleErrors, [], 'console errors in the page');
  t.log(`took ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
