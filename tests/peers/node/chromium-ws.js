#!/usr/bin/env node
'use strict';
// Drives headless Chromium's native WebSocket, used as a third-party peer by Duplex's interop tests.
//
// usage: node chromium-ws.js PAGE_URL --ws WS_URL [--subprotocol NAME]... [--count N]
//                            [--size S] [--binary-size B] [--json-size J] [--close-code C] [--close-reason R]
//                            [--timeout SECONDS] [--chromium PATH]
//
// Launches the system Chromium (default /usr/bin/chromium, or $CHROMIUM_PATH) headless through
// playwright-core with a fresh profile, opens PAGE_URL, and runs in the page a script that opens
// `new WebSocket(WS_URL)` to an echo endpoint and checks, one step at a time: a text with 1- to
// 4-byte characters, a 0-byte text, a 0-byte ArrayBuffer, a B-byte ArrayBuffer of a known pattern
// (default 64 KiB), an S-byte text (default 256 KiB), with --json-size a text of at least J bytes
// that looks like a JSON API answer (an array of chat messages; the step is named json-J), a burst
// of N messages (default 10) alternating text and binary whose echoes must come back in order;
// then closes with C (default
// 1000) and R (default "bye") and checks the close event (same code, wasClean).
// The result reports `extensions`: the page's `ws.extensions`, i.e. what the server agreed to in
// Sec-WebSocket-Extensions (Chromium offers permessage-deflate on every WebSocket).
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"..."}, and exits 0 or 1.

const { parseArgs, intOption, printResult, chromiumPath, exitUnlessChromiumAt, withChromiumPage, runBrowserPeer } = require('./peer-common');

let pageUrl;
let settings;
let timeoutMs;
let executablePath;
try {
  const { positional, options } = parseArgs(process.argv.slice(2), { lists: ['subprotocol'] });
  if (positional.length !== 1) throw new Error('expected exactly one PAGE_URL');
  if (!options.ws) throw new Error('--ws WS_URL is required');
  pageUrl = positional[0];
  timeoutMs = options.timeout === undefined ? 60000 : Math.round(Number(options.timeout) * 1000);
  if (!(timeoutMs > 0)) throw new Error(`option --timeout must be a positive number of seconds, got ${options.timeout}`);
  executablePath = chromiumPath(options);
  settings = {
    wsUrl: options.ws,
    protocols: options.subprotocol,
    count: intOption(options, 'count', 10),
    textSize: intOption(options, 'size', 256 * 1024),
    binarySize: intOption(options, 'binary-size', 64 * 1024),
    jsonSize: intOption(options, 'json-size', 0),
    closeCode: intOption(options, 'close-code', 1000),
    closeReason: options['close-reason'] === undefined ? 'bye' : options['close-reason'],
    stepTimeoutMs: timeoutMs,
  };
} catch (e) {
  printResult({ ok: false, error: `bad arguments: ${e.message}` });
  process.exit(2);
}

exitUnlessChromiumAt(executablePath);

// Runs inside the page: everything here is the browser's own WebSocket API.
async function pageScript(s) {
  const log = [];
  const result = { ok: false, protocol: null, extensions: null, steps: [], log };
  let step = 'connect';
  const inbox = [];
  const waiting = [];
  let closeInfo = null;
  let closeWaiter = null;

  function binaryPattern(size) {
    const a = new Uint8Array(size);
    for (let i = 0; i < size; i++) a[i] = (i * 31 + 7) & 0xff;
    return a.buffer;
  }
  function textPattern(byteLength) {
    const unit = 'Duplex \u00e9\u00df \u2713\u20ac \ud83d\ude00 0123456789 ';
    const enc = new TextEncoder();
    const unitBytes = enc.encode(unit).length;
    const text = unit.repeat(Math.floor(byteLength / unitBytes));
    return text + 'x'.repeat(byteLength - enc.encode(text).length);
  }
  function jsonPattern(minLength) {
    const items = [];
    let length = 2;
    for (let i = 0; length < minLength; i++) {
      const item = JSON.stringify({
        id: i,
        room: `room-${i % 7}`,
        user: { name: `user-${i % 50}`, online: i % 3 === 0 },
        text: `message number ${i} \u00e9\u2713 ${'lorem ipsum '.repeat(i % 5)}`,
        tags: ['chat', i % 2 === 0 ? 'even' : 'odd'],
        ts: 1700000000000 + i * 1375,
      });
      items.push(item);
      length += item.length + 1;
    }
    return `[${items.join(',')}]`;
  }
  function sameBytes(a, b) {
    const x = new Uint8Array(a);
    const y = new Uint8Array(b);
    if (x.length !== y.length) return `length ${y.length}, expected ${x.length}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `first difference at byte ${i}`;
    return null;
  }
  function withTimeout(promise, what) {
    let timer;
    const t = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), s.stepTimeoutMs);
    });
    return Promise.race([promise, t]).finally(() => clearTimeout(timer));
  }

  const ws = new WebSocket(s.wsUrl, s.protocols);
  ws.binaryType = 'arraybuffer';
  ws.onmessage = (e) => {
    const w = waiting.shift();
    if (w) w.resolve(e.data);
    else inbox.push(e.data);
  };
  ws.onerror = () => log.push(`error event in step ${step}`);
  ws.onclose = (e) => {
    closeInfo = { code: e.code, reason: e.reason, wasClean: e.wasClean };
    log.push(`close event ${e.code} ${JSON.stringify(e.reason)} wasClean=${e.wasClean}`);
    if (closeWaiter) closeWaiter(closeInfo);
    for (const w of waiting.splice(0)) w.reject(new Error(`connection closed with code ${e.code} reason ${JSON.stringify(e.reason)}`));
  };
  function next(what) {
    if (inbox.length > 0) return Promise.resolve(inbox.shift());
    if (closeInfo) return Promise.reject(new Error(`connection closed with code ${closeInfo.code}`));
    return withTimeout(new Promise((resolve, reject) => waiting.push({ resolve, reject })), what);
  }
  async function echo(name, payload) {
    step = name;
    ws.send(payload);
    const reply = await next(`the echo of ${name}`);
    if (typeof payload === 'string') {
      if (typeof reply !== 'string') throw new Error('echo of a text came back as binary');
      if (reply !== payload) throw new Error(`echo differs: ${sameBytes(new TextEncoder().encode(payload), new TextEncoder().encode(reply))}`);
    } else {
      if (!(reply instanceof ArrayBuffer)) throw new Error('echo of a binary came back as text');
      const diff = sameBytes(payload, reply);
      if (diff) throw new Error(`echo differs: ${diff}`);
    }
    result.steps.push(name);
  }

  try {
    await withTimeout(new Promise((resolve, reject) => {
      ws.onopen = resolve;
      ws.addEventListener('close', () => reject(new Error(`the handshake failed (close code ${closeInfo && closeInfo.code})`)));
    }), 'the handshake');
    result.protocol = ws.protocol || null;
    result.extensions = ws.extensions || null;
    result.steps.push('connect');

    await echo('text', 'hello from chromium \u00e9 \u2713 \ud83d\ude00');
    await echo('empty-text', '');
    await echo('empty-binary', new ArrayBuffer(0));
    await echo(`binary-${s.binarySize}`, binaryPattern(s.binarySize));
    await echo(`text-${s.textSize}`, textPattern(s.textSize));
    if (s.jsonSize > 0) await echo(`json-${s.jsonSize}`, jsonPattern(s.jsonSize));

    step = `burst-${s.count}`;
    const burst = [];
    for (let i = 0; i < s.count; i++) burst.push(i % 2 === 1 ? binaryPattern(i + 1) : `burst-${i}`);
    for (const m of burst) ws.send(m);
    for (let i = 0; i < burst.length; i++) {
      const reply = await next(`burst echo ${i}`);
      const expected = burst[i];
      const ok = typeof expected === 'string' ? reply === expected : reply instanceof ArrayBuffer && sameBytes(expected, reply) === null;
      if (!ok) throw new Error(`burst message ${i} came back wrong`);
    }
    result.steps.push(step);

    step = 'close';
    const closed = closeInfo || await withTimeout(new Promise((resolve) => {
      closeWaiter = resolve;
      ws.close(s.closeCode, s.closeReason);
    }), 'the close event');
    result.closeCode = closed.code;
    result.closeReason = closed.reason;
    result.wasClean = closed.wasClean;
    if (closed.code !== s.closeCode) throw new Error(`close event has code ${closed.code}, expected ${s.closeCode}`);
    if (!closed.wasClean) throw new Error('close event has wasClean=false');
    result.steps.push('close');
    result.ok = true;
  } catch (e) {
    result.error = `${step}: ${e && e.message ? e.message : String(e)}`;
    try {
      ws.close();
    } catch {
      // already closed
    }
  }
  return result;
}

function main() {
  return withChromiumPage({ executablePath, timeoutMs, profilePrefix: 'duplex-chromium-' }, async (page, browserLog) => {
    page.on('console', (m) => browserLog.push(`console.${m.type()}: ${m.text()}`));
    const response = await page.goto(pageUrl, { timeout: timeoutMs });
    if (response && !response.ok()) {
      return { ok: false, error: `page ${pageUrl} answered HTTP ${response.status()}` };
    }
    const result = await page.evaluate(pageScript, settings);
    result.userAgent = await page.evaluate(() => navigator.userAgent);
    result.page = pageUrl;
    if (browserLog.length > 0) result.browserLog = browserLog;
    return result;
  });
}

runBrowserPeer(main, timeoutMs);
