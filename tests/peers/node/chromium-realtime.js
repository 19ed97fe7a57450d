#!/usr/bin/env node
'use strict';
// Drives duplex.js, the browser client of Duplex's session protocol, in headless Chromium against
// a Duplex server whose realtime endpoint echoes every message to its sender.
//
// usage: node chromium-realtime.js PAGE_URL [--base /realtime] [--transport auto|websocket|sse|long-polling|polling]
//                                  [--texts N] [--open-timeout-ms MS] [--reset] [--timeout SECONDS] [--chromium PATH]
//
// Opens PAGE_URL (a page of the server's origin that loads {base}/duplex.js), connects a
// RealtimeClient, and sends N texts (default 50, with 1- to 4-byte characters, and an empty one)
// interleaved with binary messages (every byte value 0-255, an empty one, 64 KiB of a pattern);
// every echo must come back exactly, once, in order, text as strings and binary as ArrayBuffers.
// With --reset the messages go in two halves: once the first echo of the first half is in, the
// script prints `RESET` and waits for a line `RESET-DONE` on stdin (the test resets every
// connection of its fault proxy meanwhile); then the second half goes, while the client reconnects.
// Finally the client closes. The result says which transport the session was first and last on,
// and every state change the page saw.
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const readline = require('readline');
const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

let pageUrl;
let settings;
let timeoutMs;
let executablePath;
try {
  const { positional, options } = parseArgs(process.argv.slice(2), { flags: ['reset'] });
  if (positional.length !== 1) throw new Error('expected exactly one PAGE_URL');
  pageUrl = positional[0];
  timeoutMs = intOption(options, 'timeout', 60) * 1000;
  executablePath = chromiumPath(options);
  settings = {
    base: options.base || '/realtime',
    transport: options.transport || 'auto',
    texts: intOption(options, 'texts', 50),
    openTimeoutMs: intOption(options, 'open-timeout-ms', 5000),
    reset: options.reset === true,
    stepTimeoutMs: timeoutMs,
  };
} catch (e) {
  printResult({ ok: false, error: `bad arguments: ${e.message}` });
  process.exit(2);
}

exitUnlessChromiumAt(executablePath);

// stdin lines, for the test's RESET-DONE.
const lines = [];
const lineWaiters = [];
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const waiter = lineWaiters.shift();
  if (waiter) waiter(line);
  else lines.push(line);
});
function nextLine() {
  return lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((resolve) => lineWaiters.push(resolve));
}

// Runs inside the page: everything here is duplex.js and the browser's own APIs.
async function pageScript(s) {
  const events = [];
  const result = { ok: false, events, step: 'connect' };
  const received = [];
  let wake = null;
  function waitFor(what, condition) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { wake = null; reject(new Error(`timed out waiting for ${what} (${received.length} echoes)`)); }, s.stepTimeoutMs);
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        wake = null;
        resolve();
      };
      wake = check;
      check();
    });
  }

  function pattern(size) {
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = (i * 31 + 7) & 0xff;
    return bytes;
  }
  const everyByte = new Uint8Array(256);
  for (let i = 0; i < 256; i++) everyByte[i] = i;
  const plan = [];
  for (let i = 0; i < s.texts; i++) {
    plan.push(i === 1 ? '' : `text ${i} κόσμε ✓ € 🎉 "quoted" \\ \n`);
    if (i === 3) plan.push(everyByte.buffer.slice(0));
    if (i === 7) plan.push(new ArrayBuffer(0));
    if (i === 11) plan.push(pattern(64 * 1024).buffer);
    if (i === 20) plan.push(everyByte.slice().reverse());
  }

  function same(expected, actual) {
    if (typeof expected === 'string') return actual === expected;
    if (!(actual instanceof ArrayBuffer)) return false;
    const a = new Uint8Array(ArrayBuffer.isView(expected) ? expected.buffer : expected);
    const b = new Uint8Array(actual);
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  function describe(value) {
    return typeof value === 'string' ? JSON.stringify(value).slice(0, 60) : `<${value instanceof ArrayBuffer ? 'ArrayBuffer' : typeof value} ${value && value.byteLength}>`;
  }

  const client = new Duplex.RealtimeClient(s.base, { transport: s.transport, openTimeoutMs: s.openTimeoutMs, renewLostSession: false });
  client.addEventListener('statechange', (e) => {
    const d = e.detail;
    events.push({ state: d.state, transport: d.transport, reason: d.reason, from: d.from, to: d.to });
    if (wake) wake();
  });
  client.addEventListener('message', (e) => {
    received.push(e.data);
    if (wake) wake();
  });

  try {
    await client.connect();
    result.connectedOn = client.transport;
    result.step = 'send';
    const half = s.reset ? Math.ceil(plan.length / 2) : plan.length;
    for (let i = 0; i < half; i++) client.send(plan[i]);
    if (s.reset) {
      await waitFor('the first echo', () => received.length >= 1);
      result.step = 'reset';
      result.echoesBeforeReset = received.length;
      await window.duplexRequestReset();
      result.step = 'send after the reset';
      for (let i = half; i < plan.length; i++) client.send(plan[i]);
    }
    result.step = 'echoes';
    await waitFor('every echo', () => received.length >= plan.length);
    for (let i = 0; i < plan.length; i++) {
      if (!same(plan[i], received[i])) throw new Error(`echo ${i} is ${describe(received[i])}, expected ${describe(plan[i])}`);
    }
    result.step = 'close';
    result.finalTransport = client.transport;
    await client.close();
    if (client.state !== 'closed') throw new Error(`state ${client.state} after close()`);
    if (received.length !== plan.length) throw new Error(`${received.length} echoes for ${plan.length} messages`);
    result.sent = plan.length;
    result.echoed = received.length;
    result.ok = true;
  } catch (e) {
    result.error = `${result.step}: ${e.message}`;
    result.echoed = received.length;
    client.close().catch(() => {});
  }
  return result;
}

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-realtime-' }, async (page, browserLog) => {
    await page.exposeFunction('duplexRequestReset', async () => {
      process.stdout.write('RESET\n');
      const line = await nextLine();
      if (line !== 'RESET-DONE') throw new Error(`expected RESET-DONE on stdin, got ${line}`);
    });
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof Duplex === 'object' && typeof Duplex.RealtimeClient === 'function');
    const result = await page.evaluate(pageScript, settings);
    if (result.ok && browserLog.length > 0) return { ok: false, error: 'the page raised errors', browserLog, ...result };
    return result;
  });
}

runBrowserPeer(main, timeoutMs);
