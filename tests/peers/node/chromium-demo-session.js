#!/usr/bin/env node
'use strict';
// Drives the session echo of the demo page of `duplex serve` in headless Chromium as a person
// would: opens PAGE_URL (?transport=T pins the transport), waits until #rt-status says the session
// is connected and on which transport, types a message into #rt-input (Enter sends) and waits for
// its echo in #rt-log; then picks each transport of --pick in turn in the #transport picker and
// does the same on each (the URL follows the pick).
//
// usage: node chromium-demo-session.js PAGE_URL --expect TRANSPORT [--pick T1,T2,...] [--timeout SECONDS] [--chromium PATH] [--trust-spki BASE64]
// For a pick of auto, the session is expected on websocket (the server's first choice).
// Prints one JSON line, {"ok":true,"steps":[...]} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, intOption, printResult, chromiumPath, extraChromiumArgs, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

const { positional, options } = parseArgs(process.argv.slice(2));
const pageUrl = positional[0];
const timeoutMs = intOption(options, 'timeout', 30) * 1000;
const executablePath = chromiumPath(options);
const expected = options.expect;
const picks = options.pick ? options.pick.split(',') : [];
if (!pageUrl || !expected) {
  printResult({ ok: false, error: 'usage: chromium-demo-session.js PAGE_URL --expect TRANSPORT [--pick T1,T2,...]' });
  process.exit(2);
}
exitUnlessChromiumAt(executablePath);

function main() {
  return withChromiumPage({ executablePath, timeoutMs, extraArgs: extraChromiumArgs(options), profilePrefix: 'duplex-demo-session-' }, async (page, browserLog) => {
    const steps = [];
    let echoes = 0;

    async function check(transport, picked) {
      await page.waitForSelector(`#rt-status[data-state="connected"][data-transport="${transport}"]`);
      const text = `echo over ${transport} ✓ ${steps.length}`;
      await page.fill('#rt-input', text);
      await page.press('#rt-input', 'Enter');
      await page.waitForFunction(
        ([n, t]) => { const r = document.querySelectorAll('#rt-log li.received .text'); return r.length > n && r[n].textContent === t; },
        [echoes, text]);
      echoes++;
      steps.push({ picked, transport, echoed: text, search: await page.evaluate(() => location.search), status: await page.textContent('#rt-status') });
    }

    await page.goto(pageUrl);
    await check(expected, await page.inputValue('#transport'));
    for (const pick of picks) {
      await page.selectOption('#transport', pick);
      await check(pick === 'auto' ? 'websocket' : pick, pick);
    }
    if (browserLog.length > 0) return { ok: false, error: 'the page raised errors', browserLog, steps };
    return { ok: true, steps };
  });
}

runBrowserPeer(main, timeoutMs);
