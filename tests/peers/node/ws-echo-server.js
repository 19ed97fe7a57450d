#!/usr/bin/env node
'use strict';
// An echo server built on Node's `ws`, used as a third-party peer by Duplex's interop tests.
//
// usage: node ws-echo-server.js [--subprotocol NAME]... [--host 127.0.0.1] [--port 0]
//                               [--deflate [--server-no-context-takeover] [--client-no-context-takeover]
//                                          [--server-max-window-bits W] [--client-max-window-bits W]]
//
// - Listens on host:port (default 127.0.0.1, a port the OS picks) and prints `LISTENING <port>`.
// - Echoes every message with its type: text stays text, binary stays binary.
// - Echoes the close frame (ws answers a close with the same code and reason).
// - Selects the first subprotocol offered by the client that is in its --subprotocol list;
//   without --subprotocol it selects none.
// - permessage-deflate only with --deflate, with those parameters (ws's serverNoContextTakeover,
//   clientNoContextTakeover, serverMaxWindowBits, clientMaxWindowBits), compressing every message
//   however small (threshold 0). CONNECT reports `extensions` (the names agreed) and
//   `extensionsHeader` (the Sec-WebSocket-Extensions value of the 101 response).
// - A connection whose URL has `?close=CODE&reason=TEXT` is closed by the server right after
//   the handshake; `?ping=TEXT` makes the server ping the client with TEXT.
// - Prints one line per event on stdout: `CONNECT {json}`, `PONG {json}`, `CLOSE {json}`, `ERROR {json}`.
// - Answers a plain HTTP GET with a small HTML page (so a browser can load a page from it).
// - Exits when stdin closes, or on SIGTERM/SIGINT.

const http = require('http');
const { WebSocketServer } = require('ws');
const { parseArgs, intOption } = require('./peer-common');

function log(kind, data) {
  process.stdout.write(`${kind} ${JSON.stringify(data)}\n`);
}

let args;
try {
  args = parseArgs(process.argv.slice(2), {
    flags: ['deflate', 'server-no-context-takeover', 'client-no-context-takeover'],
    lists: ['subprotocol'],
  });
} catch (e) {
  process.stderr.write(`ws-echo-server: ${e.message}\n`);
  process.exit(2);
}
const { options } = args;
const host = options.host || '127.0.0.1';
const port = intOption(options, 'port', 0);
const subprotocols = options.subprotocol;
let perMessageDeflate = false;
try {
  if (options.deflate) {
    perMessageDeflate = { threshold: 0 };
    if (options['server-no-context-takeover']) perMessageDeflate.serverNoContextTakeover = true;
    if (options['client-no-context-takeover']) perMessageDeflate.clientNoContextTakeover = true;
    if (options['server-max-window-bits'] !== undefined) perMessageDeflate.serverMaxWindowBits = intOption(options, 'server-max-window-bits', 15);
    if (options['client-max-window-bits'] !== undefined) perMessageDeflate.clientMaxWindowBits = intOption(options, 'client-max-window-bits', 15);
  }
} catch (e) {
  process.stderr.write(`ws-echo-server: ${e.message}\n`);
  process.exit(2);
}

// Plain HTTP requests get a blank page, so a browser can load a page from this origin first.
const httpServer = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end('<!doctype html><meta charset="utf-8"><title>ws-echo-server</title><p>ws echo server</p>\n');
});

const wss = new WebSocketServer({
  server: httpServer,
  perMessageDeflate,
  maxPayload: 64 * 1024 * 1024,
  handleProtocols: (offered) => {
    for (const p of offered) if (subprotocols.includes(p)) return p;
    return false;
  },
});

// The response head, just before it is written: remember its Sec-WebSocket-Extensions line.
wss.on('headers', (headers, req) => {
  const line = headers.find((h) => h.toLowerCase().startsWith('sec-websocket-extensions:'));
  req.duplexExtensionsHeader = line ? line.slice(line.indexOf(':') + 1).trim() : null;
});

wss.on('connection', (ws, req) => {
  const url = new URL(req.url, 'http://localhost');
  log('CONNECT', {
    path: url.pathname,
    protocol: ws.protocol || null,
    extensions: ws.extensions || null,
    extensionsHeader: req.duplexExtensionsHeader || null,
    userAgent: req.headers['user-agent'] || null,
  });
  ws.on('message', (data, isBinary) => {
    if (ws.readyState === ws.OPEN) ws.send(data, { binary: isBinary });
  });
  ws.on('pong', (data) => log('PONG', { payload: data.toString('utf8') }));
  ws.on('close', (code, reason) => log('CLOSE', { code, reason: reason.toString('utf8') }));
  ws.on('error', (err) => log('ERROR', { message: err.message, code: err.code || null }));

  const ping = url.searchParams.get('ping');
  if (ping !== null) ws.ping(Buffer.from(ping, 'utf8'));
  const closeCode = url.searchParams.get('close');
  if (closeCode !== null) ws.close(Number(closeCode), url.searchParams.get('reason') || '');
});

httpServer.on('error', (err) => {
  process.stderr.write(`ws-echo-server: ${err.stack || err}\n`);
  process.exit(1);
});
httpServer.listen(port, host, () => {
  process.stdout.write(`LISTENING ${httpServer.address().port}\n`);
});

wss.on('error', (err) => {
  process.stderr.write(`ws-echo-server: ${err.stack || err}\n`);
  process.exit(1);
});

let stopping = false;
function stop() {
  if (stopping) return;
  stopping = true;
  for (const client of wss.clients) client.terminate();
  wss.close();
  httpServer.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
