#!/usr/bin/env node
'use strict';
// Drives duplex.js, the browser client of Duplex's session protocol, in headless Chromium against
// a Duplex server whose realtime endpoint echoes every message to its sender.
//
// usage: node chromium-realtime.js PAGE_URL [--base /realtime] [--transport auto|websocket|sse|long-polling|polling]
//                                  [--texts N] [--open-timeout-ms MS] [--pause] [--settle] [--lose] [--end]
//                                  [--api-checks] [--timeout SECONDS] [--chromium PATH]
//
// Opens PAGE_URL (a page of the server's origin that loads {base}/duplex.js), connects a
// RealtimeClient, and sends N texts (default 50, with 1- to 4-byte characters, and an empty one)
// interleaved with binary messages (every byte value 0-255, an empty one, 64 KiB of a pattern);
// every echo must come back exactly, once, in order, text as strings and binary as ArrayBuffers.
// With --pause the messages go in two halves: once the first echo of the first half is in (with
// --settle or --lose, every echo of the first half), the
// script prints `PAUSE` and waits for a line `GO` on stdin (meanwhile the test resets every
// connection of its fault proxy, or waits for heartbeats); then the second half goes.
// With --lose, the test makes the server forget the session during the pause: the client must
// report it lost, open a new session, and echo 5 more texts on it. If the second half was sent
// before the loss was noticed, it must be among the unacknowledged messages (last, in order) and
// never come back; if after it, it goes on the new session (lostBeforeSecondHalf says which).
// Finally the client closes; with --end, it asks the server instead to end the session (the text
// "please end the session") and must then be closed with the server's reason, its close() a no-op.
// With --api-checks, the page first checks what the API refuses (a full offline queue, a message
// that is not a string or binary, a lone surrogate, an unknown transport). The result says which transport the session was first and last on,
// and every state change the page saw.
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const readline = require('readline');
const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

let pageUrl;
let settings;
let timeoutMs;
let executablePath;
try {
  const { positional, options } = parseArgs(process.argv.slice(2), { flags: ['pause', 'settle', 'lose', 'end', 'api-checks'] });
  if (positional.length !== 1) throw new Error('expected exactly one PAGE_URL');
  pageUrl = positional[0];
  timeoutMs = intOption(options, 'timeout', 60) * 1000;
  executablePath = chromiumPath(options);
  settings = {
    base: options.base || '/realtime',
    transport: options.transport || 'auto',
    texts: intOption(options, 'texts', 50),
    openTimeoutMs: intOption(options, 'open-timeout-ms', 5000),
    pause: options.pause === true || options.settle === true || options.lose === true,
    lose: options.lose === true,
    settle: options.settle === true || options.lose === true,
    end: options.end === true,
    apiChecks: options['api-checks'] === true,
    stepTimeoutMs: timeoutMs,
  };
} catch (e) {
  printResult({ ok: false, error: `bad arguments: ${e.message}` });
  process.exit(2);
}

exitUnlessChromiumAt(executablePath);

// stdin lines, for the test's GO.
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

  function apiChecks(base) {
    const checks = [];
    function refuses(what, code, action) {
      try {
        action();
      } catch (e) {
        if (code === 'TypeError' ? e instanceof TypeError : e.code === code) {
          checks.push(what);
          return;
        }
        throw new Error(`${what}: threw ${e.name} ${e.code} ${e.message}`);
      }
      throw new Error(`${what}: did not throw`);
    }
    const idle = new Duplex.RealtimeClient(base, { maxOfflineMessages: 3 });
    if (idle.state !== 'idle' || idle.transport !== null || idle.sessionId !== null) throw new Error('a new client is not idle');
    for (let i = 0; i < 3; i++) idle.send(`queued ${i}`);
    refuses('queue-full', 'queue-full', () => idle.send('one too many'));
    refuses('not a message', 'TypeError', () => idle.send(42));
    refuses('lone surrogate', 'TypeError', () => idle.send('\ud800'));
    refuses('unknown transport', 'TypeError', () => new Duplex.RealtimeClient(base, { transport: 'carrier-pigeon' }));
    if (Duplex.version !== 1) throw new Error(`Duplex.version is ${Duplex.version}`);
    return checks;
  }

  const client = new Duplex.RealtimeClient(s.base, { transport: s.transport, openTimeoutMs: s.openTimeoutMs });
  let lost = null;
  client.addEventListener('statechange', (e) => {
    const d = e.detail;
    events.push({ state: d.state, transport: d.transport, reason: d.reason, from: d.from, to: d.to });
    if (d.state === 'session-lost') lost = d;
    if (wake) wake();
  });
  client.addEventListener('message', (e) => {
    received.push(e.data);
    if (wake) wake();
  });

  try {
    if (s.apiChecks) {
      result.step = 'api checks';
      result.checks = apiChecks(s.base);
    }
    result.step = 'connect';
    await client.connect();
    result.connectedOn = client.transport;
    result.step = 'send';
    const half = s.pause ? Math.ceil(plan.length / 2) : plan.length;
    for (let i = 0; i < half; i++) client.send(plan[i]);
    if (s.pause) {
      await waitFor('the first echoes', () => received.length >= (s.settle ? half : 1));
      result.step = 'pause';
      result.echoesBeforePause = received.length;
      await window.duplexPause();
      result.step = 'send after the pause';
      result.lostBeforeSecondHalf = lost !== null;
      for (let i = half; i < plan.length; i++) client.send(plan[i]);
    }
    let expected = plan;
    if (s.lose) {
      result.step = 'session lost';
      await waitFor('the session lost and a new one', () => lost !== null && events[events.length - 1].state === 'connected');
      result.unacknowledged = lost.unacknowledged.length;
      result.lostReason = lost.reason;
      // Sent before the loss was noticed, the second half is what the server never acknowledged
      // (last, in order); sent after it, the second half went on the new session.
      const second = plan.slice(half);
      const tail = lost.unacknowledged.slice(-second.length);
      if (!result.lostBeforeSecondHalf && (tail.length !== second.length || !second.every((m, i) => same(m, tail[i])))) {
        throw new Error(`unacknowledged: ${lost.unacknowledged.length} messages, not ending with the ${second.length} sent during the pause`);
      }
      const third = [];
      for (let i = 0; i < 5; i++) third.push(`after the loss ${i}`);
      result.step = 'send on the new session';
      for (const text of third) client.send(text);
      expected = (result.lostBeforeSecondHalf ? plan : plan.slice(0, half)).concat(third);
    }
    result.step = 'echoes';
    await waitFor('every echo', () => received.length >= expected.length);
    for (let i = 0; i < expected.length; i++) {
      if (!same(expected[i], received[i])) throw new Error(`echo ${i} is ${describe(received[i])}, expected ${describe(expected[i])}`);
    }
    result.step = 'close';
    result.finalTransport = client.transport;
    if (s.end) {
      client.send('please end the session');
      await waitFor('the end of the session', () => client.state === 'closed');
      result.endReason = events[events.length - 1].reason;
      try {
        client.send('too late');
        throw new Error('send() after the end did not throw');
      } catch (e) {
        if (e.code !== 'closed') throw e;
      }
    }
    await client.close();
    if (client.state !== 'closed') throw new Error(`state ${client.state} after close()`);
    if (received.length !== expected.length) throw new Error(`${received.length} echoes for ${expected.length} messages`);
    result.sent = expected.length;
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
    await page.exposeFunction('duplexPause', async () => {
      process.stdout.write('PAUSE\n');
      const line = await nextLine();
      if (line !== 'GO') throw new Error(`expected GO on stdin, got ${line}`);
    });
    await page.goto(pageUrl);
    await page.waitForFunction(() => typeof Duplex === 'object' && typeof Duplex.RealtimeClient === 'function');
    const result = await page.evaluate(pageScript, settings);
    if (result.ok && browserLog.length > 0) return { ok: false, error: 'the page raised errors', browserLog, ...result };
    return result;
  });
}

runBrowserPeer(main, timeoutMs);
