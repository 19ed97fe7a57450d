#!/usr/bin/python3
"""An echo server built on Python `websockets`, used as a third-party peer by Duplex's interop tests.

usage: /usr/bin/python3 websockets-echo-server.py [--subprotocol NAME]... [--host 127.0.0.1] [--port 0]
           [--deflate [--server-no-context-takeover] [--client-no-context-takeover]
                      [--server-max-window-bits W] [--client-max-window-bits W]]

- Listens on host:port (default 127.0.0.1, a port the OS picks) and prints `LISTENING <port>`.
- Echoes every message with its type: str stays text, bytes stays binary.
- Echoes the close frame (websockets answers a close with the same code and reason).
- Selects a subprotocol from its --subprotocol list that the client offered; none without it.
- permessage-deflate only with --deflate (compression=None otherwise): the library's default
  (compression="deflate") or, with any of the parameters, a ServerPerMessageDeflateFactory built
  from them. CONNECT reports `extensions` (the names agreed) and `extensionsHeader` (the
  Sec-WebSocket-Extensions value of the 101 response).
- A connection whose URL has `?close=CODE&reason=TEXT` is closed by the server right after the
  handshake; `?ping=TEXT` makes the server ping the client with TEXT.
- Prints one line per event on stdout: `CONNECT {json}`, `PONG {json}`, `CLOSE {json}`.
- Exits when stdin closes, or on SIGTERM/SIGINT.

Written against the asyncio API of websockets 10.x (Debian 12's python3-websockets), which
later versions still offer.
"""

import argparse
import asyncio
import json
import logging
import signal
import sys
import threading
from urllib.parse import parse_qs, urlsplit

import websockets
from websockets.extensions.permessage_deflate import ServerPerMessageDeflateFactory

from peer_common import add_handshake_arguments, compression_settings, print_line


def log(kind: str, data: dict) -> None:
    print_line(f"{kind} {json.dumps(data, ensure_ascii=False)}")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_handshake_arguments(parser)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    return parser.parse_args()


async def handler(websocket) -> None:
    url = urlsplit(websocket.path)
    query = parse_qs(url.query)
    log(
        "CONNECT",
        {
            "path": url.path,
            "protocol": websocket.subprotocol,
            "extensions": [e.name for e in websocket.extensions] or None,
            "extensionsHeader": websocket.response_headers.get("Sec-WebSocket-Extensions"),
            "userAgent": websocket.request_headers.get("User-Agent"),
        },
    )

    if "ping" in query:
        payload = query["ping"][0].encode("utf-8")
        waiter = await websocket.ping(payload)

        async def report_pong() -> None:
            try:
                await waiter
                log("PONG", {"payload": payload.decode("utf-8")})
            except (asyncio.CancelledError, websockets.ConnectionClosed):
                pass

        asyncio.ensure_future(report_pong())

    if "close" in query:
        reason = query.get("reason", [""])[0]
        await websocket.close(int(query["close"][0]), reason)

    try:
        async for message in websocket:
            await websocket.send(message)
    except websockets.ConnectionClosed:
        pass
    await websocket.wait_closed()
    log("CLOSE", {"code": websocket.close_code, "reason": websocket.close_reason})


def watch_stdin(loop: asyncio.AbstractEventLoop, stop: asyncio.Future) -> None:
    def read_until_eof() -> None:
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except (OSError, ValueError):
            pass
        loop.call_soon_threadsafe(lambda: stop.done() or stop.set_result(None))

    threading.Thread(target=read_until_eof, daemon=True).start()


async def main() -> None:
    args = parse_args()
    loop = asyncio.get_running_loop()
    stop = loop.create_future()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: stop.done() or stop.set_result(None))
    watch_stdin(loop, stop)

    async with websockets.serve(
        handler,
        args.host,
        args.port,
        subprotocols=args.subprotocol or None,
        **compression_settings(args, ServerPerMessageDeflateFactory),
        max_size=64 * 1024 * 1024,
        ping_interval=None,
        close_timeout=5,
    ) as server:
        port = server.sockets[0].getsockname()[1]
        print_line(f"LISTENING {port}")
        await stop
        server.close()


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
