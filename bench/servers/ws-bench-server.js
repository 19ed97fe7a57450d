// The Node `ws` peer for the side-by-side benchmarks, serving the same endpoints as
// `duplex echo`: /echo, and /publish -> every connection on /broadcast.
// Usage: node ws-bench-server.js PORT   (ws is resolved from tests/peers/node_modules)
'use strict';
const path = require('path');
const { WebSocketServer } = require(path.join(__dirname, '..', '..', 'tests', 'peers', 'node_modules', 'ws'));

const port = Number(process.argv[2] || 9004);
const wss = new WebSocketServer({ host: '127.0.0.1', port, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
const subscribers = new Set();

wss.on('connection', (ws, request) => {
  const route = new URL(request.url, 'http://x').pathname;
  if (route === '/broadcast') {
    subscribers.add(ws);
    ws.on('close', () => subscribers.delete(ws));
  }
  ws.on('message', (data, isBinary) => {
    if (route === '/publish') {
      for (const subscriber of subscribers) subscriber.send(data, { binary: isBinary });
    } else {
      ws.send(data, { binary: isBinary });
    }
  });
});
wss.on('listening', () => console.log(`LISTENING ${wss.address().port}`));
