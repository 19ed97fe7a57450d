#!/usr/bin/env node
'use strict';
// Opens a page (file:// or http://) in headless Chromium, waits for it to load, checks that a
// selector is there, saves a full-page screenshot and reports what the page holds: its title,
// how many table body rows it has (in all and per table id), and every request it made for
// anything other than the page itself (a self-contained page makes none).
//
// usage: node chromium-screenshot.js PAGE_URL [--selector CSS] [--screenshot FILE] [--width PX] [--height PX] [--timeout SECONDS] [--chromium PATH]
// Prints one JSON line, {"ok":true,"rows":N,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, finishPage, runBrowserPeer } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const selector = options.selector || 'body';
const timeoutMs = intOption(options, 'timeout', 30) * 1000;
const width = intOption(options, 'width', 1360);
const height = intOption(options, 'height', 900);
const executablePath = chromiumPath(options);
if (!pageUrl) {
  printResult({ ok: false, error: 'usage: chromium-screenshot.js PAGE_URL [--selector CSS] [--screenshot FILE]' });
  process.exit(2);
}
exitUnlessChromiumAt(executablePath);

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-screenshot-' }, async (page, browserLog) => {
    const otherRequests = [];
    page.on('request', (request) => {
      const url = request.url();
      if (url !== pageUrl && !url.startsWith('data:')) otherRequests.push(url);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') browserLog.push(`console: ${message.text()}`);
    });
    await page.setViewportSize({ width, height });
    const response = await page.goto(pageUrl, { waitUntil: 'load' });
    if (response && !response.ok() && !pageUrl.startsWith('file:')) {
      return { ok: false, error: `the page answered ${response.status()}` };
    }
    const found = await page.$(selector);
    if (!found) return { ok: false, error: `no element matches ${selector}` };
    const facts = await page.evaluate(() => ({
      title: document.title,
      rows: document.querySelectorAll('table tbody tr').length,
      tables: [...document.querySelectorAll('table')].map((t) => ({ id: t.id || null, rows: t.querySelectorAll('tbody tr').length })),
      svgs: document.querySelectorAll('svg').length,
      scrollWidth: document.documentElement.scrollWidth,
      clientWidth: document.documentElement.clientWidth,
    }));
    const result = { ok: true, selector, ...facts, otherRequests };
    return finishPage(page, result, browserLog, options.screenshot);
  });
}

runBrowserPeer(main, timeoutMs);
