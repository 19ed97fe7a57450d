#!/usr/bin/env node
'use strict';
// Drives the demo page of `duplex serve` in headless Chromium as a person would: waits for the
// page's WebSocket to open, types messages into #input (Enter sends, and the Send button too),
// waits for each echo in #log, then presses Close and waits for the closed state.
//
// usage: node chromium-demo.js PAGE_URL [--timeout SECONDS] [--chromium PATH] [--trust-spki BASE64]
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, intOption, printResult, chromiumPath, extraChromiumArgs, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const timeoutMs = intOption(options, 'timeout', 30) * 1000;
const executablePath = chromiumPath(options);
if (!pageUrl) {
  printResult({ ok: false, error: 'usage: chromium-demo.js PAGE_URL' });
  process.exit(2);
}
exitUnlessChromiumAt(executablePath);

function main() {
  return withChromiumPage({ executablePath, timeoutMs, extraArgs: extraChromiumArgs(options), profilePrefix: 'duplex-demo-' }, async (page, browserLog) => {
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
  });
}

runBrowserPeer(main, timeoutMs);
