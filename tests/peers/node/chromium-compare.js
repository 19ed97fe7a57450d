#!/usr/bin/env node
'use strict';
// Opens the compare page of `duplex serve` (web/compare.html) in headless Chromium, reads what it
// says of the last report (#last-status and the rows of #last-table), clicks "Run in this browser"
// and waits until #progress says the live run is over (data-state done or failed); then reads the
// live results table, one row per transport. With --screenshot FILE the page is saved as a PNG.
//
// usage: node chromium-compare.js PAGE_URL [--screenshot FILE] [--timeout SECONDS] [--chromium PATH]
// Prints one JSON line, {"ok":true,"last":{...},"progress":{...},"rows":[...]} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, finishPage, runBrowserPeer } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const timeoutMs = intOption(options, 'timeout', 90) * 1000;
const executablePath = chromiumPath(options);
if (!pageUrl) {
  printResult({ ok: false, error: 'usage: chromium-compare.js PAGE_URL [--screenshot FILE]' });
  process.exit(2);
}
exitUnlessChromiumAt(executablePath);

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-compare-' }, async (page, browserLog) => {
    await page.setViewportSize({ width: 1320, height: 900 });
    await page.goto(pageUrl);
    await page.waitForSelector('#last-status:not([data-state="loading"])');
    const last = {
      state: await page.getAttribute('#last-status', 'data-state'),
      text: await page.textContent('#last-status'),
      approaches: await page.$$eval('#last-table tbody tr', (rows) => rows.map((r) => r.dataset.approach)),
    };
    await page.click('#run');
    await page.waitForSelector('#progress[data-state="done"], #progress[data-state="failed"]');
    const progress = { state: await page.getAttribute('#progress', 'data-state'), text: await page.textContent('#progress') };
    const rows = await page.$$eval('#live-table tbody tr', (trs) => trs.map((tr) => ({
      transport: tr.dataset.transport,
      error: tr.dataset.error || null,
      lost: Number(tr.dataset.lost),
      duplicated: Number(tr.dataset.duplicated),
      reordered: Number(tr.dataset.reordered),
      delivered: Number(tr.dataset.delivered),
      expected: Number(tr.dataset.expected),
      cells: [...tr.querySelectorAll('td')].map((td) => td.textContent),
    })));
    const result = { ok: true, last, progress, rows };
    return finishPage(page, result, browserLog, options.screenshot);
  });
}

runBrowserPeer(main, timeoutMs);
