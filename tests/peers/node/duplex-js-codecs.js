#!/usr/bin/env node
'use strict';
// The payload codecs of duplex.js (the browser client), run in Node for the test that checks
// them against the server's own: the binary message envelope (0x6D, the number as LEB128, the
// payload) and base64. duplex.js keeps them private inside its one function; this script takes
// that function's body and returns them instead of defining globalThis.Duplex.
//
// usage: node duplex-js-codecs.js DUPLEX_JS --numbers N,N,... [--decode HEX]... [--base64 HEX]
// Prints one JSON line: {"ok":true,"frames":{"N":HEX},"decoded":[{"s":N,"payload":HEX}|null],
// "base64":TEXT,"unbase64":HEX}, or {"ok":false,"error":"..."}; exits 0 or 1.

const fs = require('fs');
const { parseArgs, printResult } = require('./peer-common');

try {
  const { positional, options } = parseArgs(process.argv.slice(2), { lists: ['decode'] });
  const source = fs.readFileSync(positional[0], 'utf8');
  const start = source.indexOf("'use strict';");
  const end = source.lastIndexOf('root.Duplex =');
  if (start < 0 || end < 0) throw new Error('duplex.js does not have the shape this script reads');
  const body = source.slice(start, end) + 'return { writeBinaryEnvelope, readBinaryEnvelope, toBase64, fromBase64 };';
  const codecs = new Function('root', body)(globalThis);

  const hex = (bytes) => Buffer.from(bytes).toString('hex');
  const payload = new Uint8Array([0x00, 0x6d, 0xff]);
  const frames = {};
  for (const text of (options.numbers || '').split(',').filter(Boolean)) {
    frames[text] = hex(codecs.writeBinaryEnvelope(Number(text), payload));
  }
  const decoded = options.decode.map((h) => {
    const bytes = Buffer.from(h, 'hex');
    const envelope = codecs.readBinaryEnvelope(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    return envelope === null ? null : { s: envelope.s, payload: hex(new Uint8Array(envelope.data)) };
  });
  const raw = Buffer.from(options.base64 || '', 'hex');
  const base64 = codecs.toBase64(new Uint8Array(raw));
  const unbase64 = hex(codecs.fromBase64(base64));
  printResult({ ok: true, frames, decoded, base64, unbase64 });
} catch (e) {
  printResult({ ok: false, error: e.message });
  process.exit(1);
}
