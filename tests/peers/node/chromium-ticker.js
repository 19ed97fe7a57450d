#!/usr/bin/env node
'use strict';
// Opens the ticker page of `duplex serve` (web/ticker.html, ?transport=T pins the transport) in
// headless Chromium and watches it: every symbol's card must receive --ticks ticks (default 8),
// show at least two different prices and draw them, and the page must show the transport and a
// delivery latency. With --screenshot FILE the page is saved as a PNG.
//
// usage: node chromium-ticker.js PAGE_URL [--ticks N] [--screenshot FILE] [--timeout SECONDS] [--chromium PATH]
// Prints one JSON line, {"ok":true,"symbols":[...],...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, finishPage, runBrowserPeer } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const timeoutMs = intOption(options, 'timeout', 60) * 1000;
const ticks = intOption(options, 'ticks', 8);
const executablePath = chromiumPath(options);
if (!pageUrl) {
  printResult({ ok: false, error: 'usage: chromium-ticker.js PAGE_URL [--ticks N] [--screenshot FILE]' });
  process.exit(2);
}
exitUnlessChromiumAt(executablePath);

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-ticker-' }, async (page, browserLog) => {
    await page.setViewportSize({ width: 1000, height: 620 });
    await page.goto(pageUrl);
    await page.waitForSelector('#status[data-state="connected"]');
    await page.waitForFunction((n) => {
      const cards = [...document.querySelectorAll('#board .card')];
      return cards.length > 0 && cards.every((c) => Number(c.dataset.ticks) >= n);
    }, ticks);
    const symbols = await page.$$eval('#board .card', (cards) => cards.map((c) => ({
      symbol: c.querySelector('.symbol').textContent,
      ticks: Number(c.dataset.ticks),
      price: c.querySelector('.price').textContent,
      points: c.querySelector('polyline').getAttribute('points').trim().split(/\s+/).length,
    })));
    // The prices each card showed, read back one tick at a time: they must move.
    const moving = await page.evaluate(() => new Promise((resolve) => {
      const card = document.querySelector('#board .card');
      const seen = new Set([card.querySelector('.price').textContent]);
      const observer = new MutationObserver(() => {
        seen.add(card.querySelector('.price').textContent);
        if (seen.size >= 3) {
          observer.disconnect();
          resolve([...seen]);
        }
      });
      observer.observe(card.querySelector('.price'), { childList: true, characterData: true, subtree: true });
    }));
    const result = {
      ok: true,
      symbols,
      moving,
      transport: await page.textContent('#transport'),
      status: await page.textContent('#status'),
      latency: await page.textContent('#latency'),
      latencyMs: Number(await page.getAttribute('#latency', 'data-ms')),
    };
    return finishPage(page, result, browserLog, options.screenshot);
  });
}

runBrowserPeer(main, timeoutMs);
