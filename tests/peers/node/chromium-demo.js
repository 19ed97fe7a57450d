#!/usr/bin/env node
'use strict';
// Drives the demo page of `duplex serve` in headless Chromium as a person would: waits for the
// page's WebSocket to open, types messages into #input (Enter sends, and the Send button too),
// waits for each echo in #log, then presses Close and waits for the closed state.
//
// usage: node chromium-demo.js PAGE_URL [--timeout SECONDS] [--chromium PATH]
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs, intOption, printResult } = require('./peer-common');

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const timeoutMs = intOption(options, 'timeout', 30) * 1000;
const executablePath = options.chromium || process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!pageUrl) {
  printResult({ ok: false, error: 'usage: chromium-demo.js PAGE_URL' });
  process.exit(2);
}
if (!fs.existsSync(executablePath)) {
  printResult({ ok: false, error: `Chromium not found at ${executablePath}; run ./test.sh to install it` });
  process.exit(1);
}

async function main() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    return { ok: false, error: `playwright-core is not installed in tests/peers (run ./test.sh): ${e.message}` };
  }
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'duplex-demo-'));
  const browserLog = [];
  let context;
  try {
    context = await chromium.launchPersistentContext(userDataDir, { executablePath, headless: true, args: CHROMIUM_ARGS, timeout: timeoutMs });
    const page = context.pages()[0] || (await context.newPage());
    page.setDefaultTimeout(timeoutMs);
    page.on('pageerror', (e) => browserLog.push(`pageerror: ${e.message}`));
    await page.goto(pageUrl);
    await page.waitForSelector('#status[data-state="open"]');

    const messages = ['hello from the demo', 'κόσμε ✓ 🎉'];
    await page.fill('#input', messages[0]);
    await page.press('#input', 'Enter');
    await page.fill('#input', messages[1]);
    await page.click('#send');
    for (let i = 0; i < messages.length; i++) {
      await page.waitForFunction(
        ([n, text]) => { const r = document.querySelectorAll('#log li.received .text'); return r.length > n && r[n].textContent === text; },
        [i, messages[i]]);
    }
    const echoed = await page.$$eval('#log li.received .text', (spans) => spans.map((s) => s.textContent));
    const stats = await page.textContent('#stats');

    await page.click('#close');
    await page.waitForSelector('#status[data-state="closed"]');
    const status = await page.textContent('#status');
    if (browserLog.length > 0) return { ok: false, error: 'the page raised errors', browserLog };
    return { ok: true, echoed, stats, status };
  } catch (e) {
    return { ok: false, error: `browser: ${e.message}`, browserLog };
  } finally {
    if (context) await context.close().catch(() => {});
    fs.rmSync(userDataDir, { recursive: true, force: true });
  }
}

const overall = setTimeout(() => {
  printResult({ ok: false, error: `timed out after ${(3 * timeoutMs) / 1000} s in total` });
  process.exit(1);
}, 3 * timeoutMs);
main().then((result) => {
  clearTimeout(overall);
  printResult(result);
  process.exit(result.ok ? 0 : 1);
});
