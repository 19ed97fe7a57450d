#!/usr/bin/env node
'use strict';
// Drives headless Chromium's fetch() against Duplex's HTTP/1.1 server, used as a third-party
// client by Duplex's interop tests.
//
// usage: node chromium-fetch.js PAGE_URL --cross CROSS_ORIGIN [--timeout SECONDS] [--chromium PATH]
//
// Opens PAGE_URL (served by one Duplex server) and runs in the page, one step at a time:
//   get      fetch('hello') on the page's own origin; the text must be "hello from duplex"
//   post     fetch('echo', POST, a text body with non-ASCII characters); the echo must match
//   cors     fetch(CROSS_ORIGIN + '/data', POST, Content-Type: application/json and X-Token):
//            not a simple request, so Chromium sends a preflight to the other server first; the
//            JSON body must come back, and the response's X-Seq header must be readable
//   refused  fetch(CROSS_ORIGIN + '/data', PUT): the other server's policy does not allow PUT,
//            so the preflight fails and fetch must reject with a TypeError
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

let pageUrl;
let settings;
let timeoutMs;
let executablePath;
try {
  const { positional, options } = parseArgs(process.argv.slice(2));
  if (positional.length !== 1) throw new Error('expected exactly one PAGE_URL');
  if (!options.cross) throw new Error('--cross CROSS_ORIGIN is required');
  pageUrl = positional[0];
  timeoutMs = options.timeout === undefined ? 60000 : Math.round(Number(options.timeout) * 1000);
  executablePath = chromiumPath(options);
  settings = { cross: options.cross };
} catch (e) {
  printResult({ ok: false, error: `bad arguments: ${e.message}` });
  process.exit(2);
}

exitUnlessChromiumAt(executablePath);

// Runs inside the page: everything here is the browser's own fetch API.
async function pageScript(s) {
  const result = { ok: false, steps: [] };
  let step = 'get';
  try {
    const hello = await fetch('hello');
    const helloText = await hello.text();
    if (hello.status !== 200 || helloText !== 'hello from duplex') throw new Error(`status ${hello.status}, text ${JSON.stringify(helloText)}`);
    result.steps.push(step);

    step = 'post';
    const body = 'posted from Chromium \u00e9\u2713\ud83d\ude00';
    const echo = await fetch('echo', { method: 'POST', headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body });
    const echoText = await echo.text();
    if (echoText !== body) throw new Error(`echo ${JSON.stringify(echoText)}`);
    result.steps.push(step);

    step = 'cors';
    const payload = JSON.stringify({ from: location.origin, n: 42 });
    const cross = await fetch(`${s.cross}/data`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Token': 'abc' }, body: payload });
    const crossText = await cross.text();
    if (cross.status !== 200 || crossText !== payload) throw new Error(`status ${cross.status}, text ${JSON.stringify(crossText)}`);
    result.seq = cross.headers.get('X-Seq');
    result.steps.push(step);

    step = 'refused';
    try {
      await fetch(`${s.cross}/data`, { method: 'PUT', body: 'x' });
      throw new Error('a PUT the policy does not allow was let through');
    } catch (e) {
      if (!(e instanceof TypeError)) throw e;
    }
    result.steps.push(step);
    result.ok = true;
  } catch (e) {
    result.error = `${step}: ${e && e.message ? e.message : String(e)}`;
  }
  return result;
}

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-fetch-' }, async (page, browserLog) => {
    const response = await page.goto(pageUrl, { timeout: timeoutMs });
    if (response && !response.ok()) {
      return { ok: false, error: `page ${pageUrl} answered HTTP ${response.status()}` };
    }
    const result = await page.evaluate(pageScript, settings);
    result.page = pageUrl;
    if (browserLog.length > 0) result.browserLog = browserLog;
    return result;
  });
}

runBrowserPeer(main, timeoutMs);
