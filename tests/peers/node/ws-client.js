#!/usr/bin/env node
'use strict';
// A scripted client built on Node's `ws`, used as a third-party peer by Duplex's interop tests.
//
// usage: node ws-client.js URL [--count N] [--size S] [--binary-size B] [--subprotocol NAME]...
//                              [--deflate [--server-no-context-takeover] [--client-no-context-takeover]
//                                         [--server-max-window-bits W] [--client-max-window-bits W]]
//                              [--close-code C] [--close-reason R] [--timeout SECONDS] [--ca PEM_FILE]
//                              [--expect-server-close [--send-binary N] [--send-text-hex HEX]]
//
// Connects to URL (an echo endpoint) and, one step at a time, sends and checks byte for byte:
//   text "hello", a 0-byte text, a 0-byte binary, a B-byte binary of a known pattern
//   (default 64 KiB), an S-byte UTF-8 text mixing 1- to 4-byte characters (default 1 MiB),
//   a 3000-byte text in 7-byte fragments (cut inside characters) with a ping between two of them,
//   a 100000-byte binary in 30000-byte fragments, a ping with a payload (expects the pong with the same payload), then a burst of N messages
//   (default 10) alternating text and binary, sent without waiting, whose echoes must come back
//   in order. Then closes with C (default 1000) and R (default "bye") and checks that the close
//   frame the server sends back carries the same code.
// With --expect-server-close it runs no script: it sends only what --send-binary (an N-byte binary
// of the pattern) and --send-text-hex (these raw bytes as a text frame, even if not UTF-8) ask
// for, waits for the server to close the connection, and reports the code and reason it got
// (ok when a close frame arrived).
// --deflate offers permessage-deflate (RFC 7692) with those parameters and compresses every
// message, however small (threshold 0); the result reports `extensions` (ws.extensions, the names
// agreed) and `extensionsHeader` (the Sec-WebSocket-Extensions value of the server's 101 response).
// --ca trusts the certificates of PEM_FILE (and only them) for a wss:// URL, as Node's tls.connect does.
// Prints one JSON line, {"ok":true,...} or {"ok":false,"error":"...",...}, and exits 0 or 1.

const fs = require('fs');
const WebSocket = require('ws');
const { parseArgs, intOption, binaryPattern, textPattern, describeMismatch, printResult } = require('./peer-common');

let url;
let count;
let size;
let binarySize;
let closeCode;
let closeReason;
let timeoutMs;
let options;
let perMessageDeflate = false;
try {
  const parsed = parseArgs(process.argv.slice(2), {
    flags: ['deflate', 'expect-server-close', 'server-no-context-takeover', 'client-no-context-takeover'],
    lists: ['subprotocol'],
  });
  options = parsed.options;
  if (parsed.positional.length !== 1) throw new Error('expected exactly one URL');
  url = parsed.positional[0];
  count = intOption(options, 'count', 10);
  size = intOption(options, 'size', 1024 * 1024);
  binarySize = intOption(options, 'binary-size', 64 * 1024);
  closeCode = intOption(options, 'close-code', 1000);
  closeReason = options['close-reason'] === undefined ? 'bye' : options['close-reason'];
  timeoutMs = options.timeout === undefined ? 30000 : Math.round(Number(options.timeout) * 1000);
  if (!(timeoutMs > 0)) throw new Error(`option --timeout must be a positive number of seconds, got ${options.timeout}`);
  if (options.deflate) {
    perMessageDeflate = { threshold: 0 };
    if (options['server-no-context-takeover']) perMessageDeflate.serverNoContextTakeover = true;
    if (options['client-no-context-takeover']) perMessageDeflate.clientNoContextTakeover = true;
    if (options['server-max-window-bits'] !== undefined) perMessageDeflate.serverMaxWindowBits = intOption(options, 'server-max-window-bits', 15);
    if (options['client-max-window-bits'] !== undefined) perMessageDeflate.clientMaxWindowBits = intOption(options, 'client-max-window-bits', 15);
  }
} catch (e) {
  printResult({ ok: false, error: `bad arguments: ${e.message}` });
  process.exit(2);
}

const result = { ok: false, url, protocol: null, extensions: null, extensionsHeader: null, steps: [] };
let step = 'connect';
let finished = false;

function finish(error) {
  if (finished) return;
  finished = true;
  if (error) {
    result.ok = false;
    result.error = `${step}: ${error}`;
  } else {
    result.ok = true;
  }
  printResult(result);
  process.exitCode = error ? 1 : 0;
  try {
    if (error) ws.terminate();
  } catch {
    // already gone
  }
  setTimeout(() => process.exit(process.exitCode), 100).unref();
}

const timer = setTimeout(() => finish(`timed out after ${timeoutMs / 1000} s`), timeoutMs);
timer.unref();

const ws = new WebSocket(url, options.subprotocol, {
  perMessageDeflate,
  maxPayload: 64 * 1024 * 1024,
  handshakeTimeout: timeoutMs,
  ...(options.ca === undefined ? {} : { ca: fs.readFileSync(options.ca) }),
});

// Incoming messages queue up; next() hands them out in order.
const inbox = [];
const waiting = [];
let closedEarly = null;
ws.on('message', (data, isBinary) => {
  const message = { data: Buffer.isBuffer(data) ? data : Buffer.from(data), isBinary };
  const w = waiting.shift();
  if (w) w.resolve(message);
  else inbox.push(message);
});

function next() {
  if (inbox.length > 0) return Promise.resolve(inbox.shift());
  if (closedEarly) return Promise.reject(new Error(closedEarly));
  return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
}

let pongWaiter = null;
ws.on('pong', (data) => {
  if (pongWaiter) {
    const w = pongWaiter;
    pongWaiter = null;
    w(data);
  }
});

let closeWaiter = null;
ws.on('close', (code, reason) => {
  const info = { code, reason: reason.toString('utf8') };
  if (closeWaiter) {
    closeWaiter(info);
    return;
  }
  closedEarly = `connection closed unexpectedly with code ${code} reason ${JSON.stringify(info.reason)}`;
  for (const w of waiting.splice(0)) w.reject(new Error(closedEarly));
  finish(closedEarly);
});

ws.on('upgrade', (res) => {
  result.extensionsHeader = res.headers['sec-websocket-extensions'] || null;
});
ws.on('error', (err) => finish(`error: ${err.message}`));
ws.on('unexpected-response', (req, res) => {
  finish(`handshake refused: HTTP ${res.statusCode} ${res.statusMessage}`);
});

function send(data, binary) {
  return new Promise((resolve, reject) =>
    ws.send(data, { binary }, (err) => {
      if (!err) resolve();
      // A send that fails because the peer is closing: the 'close' event reports the code.
      else if (ws.readyState !== WebSocket.OPEN) finishOnClose(err);
      else reject(err);
    }));
}

function finishOnClose(err) {
  const fallback = setTimeout(() => finish(`send failed: ${err.message}`), 5000);
  fallback.unref();
}

async function echo(name, payload, binary) {
  step = name;
  await send(payload, binary);
  const reply = await next();
  if (reply.isBinary !== binary) throw new Error(`echo came back as ${reply.isBinary ? 'binary' : 'text'}, sent ${binary ? 'binary' : 'text'}`);
  const expected = Buffer.isBuffer(payload) ? payload : Buffer.from(payload, 'utf8');
  if (!reply.data.equals(expected)) throw new Error(`echo differs: ${describeMismatch(expected, reply.data)}`);
  result.steps.push(name);
}

async function run() {
  await new Promise((resolve) => ws.once('open', resolve));
  result.protocol = ws.protocol || null;
  result.extensions = ws.extensions || null;
  result.steps.push('connect');

  if (options['expect-server-close']) {
    step = 'wait for the server to close';
    const closed = await new Promise((resolve) => {
      closeWaiter = resolve;
      if (options['send-binary'] !== undefined) ws.send(binaryPattern(intOption(options, 'send-binary', 0)), { binary: true });
      if (options['send-text-hex'] !== undefined) ws.send(Buffer.from(options['send-text-hex'], 'hex'), { binary: false });
    });
    result.closeCode = closed.code;
    result.closeReason = closed.reason;
    if (closed.code === 1006) throw new Error('the connection ended without a close frame (1006)');
    result.steps.push('server-close');
    return;
  }

  await echo('text', 'hello', false);
  await echo('empty-text', '', false);
  await echo('empty-binary', Buffer.alloc(0), true);
  await echo(`binary-${binarySize}`, binaryPattern(binarySize), true);
  await echo(`text-${size}`, textPattern(size), false);

  // A fragmented text cut every 7 bytes (inside characters) with a ping between two fragments
  // (RFC 6455 §5.4 allows control frames there), then a fragmented binary.
  step = 'fragmented-text';
  const fragmentedText = Buffer.from(textPattern(3000), 'utf8');
  const midMessagePong = new Promise((resolve) => {
    pongWaiter = resolve;
  });
  for (let offset = 0, i = 0; offset < fragmentedText.length; i++) {
    const piece = fragmentedText.subarray(offset, Math.min(offset + 7, fragmentedText.length));
    offset += piece.length;
    ws.send(piece, { binary: false, fin: offset >= fragmentedText.length });
    if (i === 10) ws.ping(Buffer.from('mid-message', 'utf8'));
  }
  const fragmentedTextEcho = await next();
  if (fragmentedTextEcho.isBinary || !fragmentedTextEcho.data.equals(fragmentedText)) {
    throw new Error(`echo differs: ${fragmentedTextEcho.isBinary ? 'came back as binary' : describeMismatch(fragmentedText, fragmentedTextEcho.data)}`);
  }
  const midPong = await midMessagePong;
  if (midPong.toString('utf8') !== 'mid-message') throw new Error(`the pong to the mid-message ping carries ${JSON.stringify(midPong.toString('utf8'))}`);
  result.steps.push('fragmented-text');

  step = 'fragmented-binary';
  const fragmentedBinary = binaryPattern(100000);
  for (let offset = 0; offset < fragmentedBinary.length; ) {
    const piece = fragmentedBinary.subarray(offset, Math.min(offset + 30000, fragmentedBinary.length));
    offset += piece.length;
    ws.send(piece, { binary: true, fin: offset >= fragmentedBinary.length });
  }
  const fragmentedBinaryEcho = await next();
  if (!fragmentedBinaryEcho.isBinary || !fragmentedBinaryEcho.data.equals(fragmentedBinary)) {
    throw new Error(`echo differs: ${fragmentedBinaryEcho.isBinary ? describeMismatch(fragmentedBinary, fragmentedBinaryEcho.data) : 'came back as text'}`);
  }
  result.steps.push('fragmented-binary');

  step = 'ping';
  const pingPayload = Buffer.from('duplex-ping-\u2713', 'utf8');
  const pong = await new Promise((resolve) => {
    pongWaiter = resolve;
    ws.ping(pingPayload);
  });
  if (!pong.equals(pingPayload)) throw new Error(`pong payload differs: ${describeMismatch(pingPayload, pong)}`);
  result.steps.push('ping');

  step = `burst-${count}`;
  const burst = [];
  for (let i = 0; i < count; i++) {
    const binary = i % 2 === 1;
    const payload = binary ? binaryPattern(i + 1) : `burst-${i}`;
    burst.push({ payload, binary });
    ws.send(payload, { binary });
  }
  for (let i = 0; i < count; i++) {
    const reply = await next();
    const { payload, binary } = burst[i];
    const expected = binary ? payload : Buffer.from(payload, 'utf8');
    if (reply.isBinary !== binary || !reply.data.equals(expected)) {
      throw new Error(`burst message ${i} came back wrong (${reply.isBinary ? 'binary' : 'text'}, ${describeMismatch(expected, reply.data)})`);
    }
  }
  result.steps.push(`burst-${count}`);

  step = 'close';
  const closed = await new Promise((resolve) => {
    closeWaiter = resolve;
    ws.close(closeCode, closeReason);
  });
  result.closeCode = closed.code;
  result.closeReason = closed.reason;
  if (closed.code !== closeCode) throw new Error(`server answered the close with code ${closed.code}, expected ${closeCode}`);
  result.steps.push('close');
}

run().then(() => finish(null), (err) => finish(err && err.message ? err.message : String(err)));
