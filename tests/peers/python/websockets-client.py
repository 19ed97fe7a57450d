#!/usr/bin/python3
"""A scripted client built on Python `websockets`, used as a third-party peer by Duplex's interop tests.

usage: /usr/bin/python3 websockets-client.py URL [--count N] [--size S] [--binary-size B]
           [--subprotocol NAME]... [--close-code C] [--close-reason R] [--timeout SECONDS]
           [--deflate [--server-no-context-takeover] [--client-no-context-takeover]
                      [--server-max-window-bits W] [--client-max-window-bits W]]
           [--expect-server-close [--send-binary N]]

Connects to URL (an echo endpoint) and, one step at a time, sends and checks byte for byte:
text "hello", a 0-byte text, a 0-byte binary, a B-byte binary of a known pattern (default 64 KiB),
an S-byte UTF-8 text mixing 1- to 4-byte characters (default 1 MiB), a 3000-byte text sent in
fragments of 7 characters, a 100000-byte binary in 30000-byte fragments, a ping with a payload
(expects the pong with the same payload), then a burst of N messages (default 10) alternating
text and binary, sent without waiting, whose echoes must come back in order. Then closes with
C (default 1000) and R (default "bye") and checks that the server's close carries the same code.
With --expect-server-close it runs no script: it sends only an N-byte binary of the pattern when
--send-binary asks for it, waits for the server to close the connection, and reports the code and
reason it got (ok when a close frame arrived).
--deflate offers permessage-deflate: the library's default offer (compression="deflate",
`permessage-deflate; client_max_window_bits`) or, with any of the parameters, a
ClientPerMessageDeflateFactory built from them. The result reports `extensions` (the names agreed)
and `extensionsHeader` (the Sec-WebSocket-Extensions value of the server's 101 response).
Prints one JSON line, {"ok": true, ...} or {"ok": false, "error": "...", ...}, and exits 0 or 1.
"""

import argparse
import asyncio
import logging
import sys

import websockets
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory

from peer_common import (
    add_handshake_arguments,
    binary_pattern,
    compression_settings,
    describe_mismatch,
    print_result,
    text_pattern,
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--size", type=int, default=1024 * 1024)
    parser.add_argument("--binary-size", type=int, default=64 * 1024)
    add_handshake_arguments(parser)
    parser.add_argument("--close-code", type=int, default=1000)
    parser.add_argument("--close-reason", default="bye")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--expect-server-close", action="store_true")
    parser.add_argument("--send-binary", type=int)
    return parser.parse_args()


class Script:
    def __init__(self, args) -> None:
        self.args = args
        self.step = "connect"
        self.result = {
            "ok": False,
            "url": args.url,
            "protocol": None,
            "extensions": None,
            "extensionsHeader": None,
            "steps": [],
        }

    async def echo(self, ws, name: str, payload) -> None:
        self.step = name
        await ws.send(payload)
        reply = await ws.recv()
        if type(reply) is not type(payload):
            sent = "binary" if isinstance(payload, bytes) else "text"
            got = "binary" if isinstance(reply, bytes) else "text"
            raise AssertionError(f"echo came back as {got}, sent {sent}")
        if reply != payload:
            raise AssertionError(f"echo differs: {describe_mismatch(payload, reply)}")
        self.result["steps"].append(name)

    async def run(self) -> None:
        args = self.args
        ws = await websockets.connect(
            args.url,
            subprotocols=args.subprotocol or None,
            # Without --client-max-window-bits the offer still carries the bare parameter.
            **compression_settings(args, ClientPerMessageDeflateFactory, client_max_window_bits_default=True),
            max_size=64 * 1024 * 1024,
            ping_interval=None,
            open_timeout=args.timeout,
            close_timeout=args.timeout,
        )
        try:
            self.result["protocol"] = ws.subprotocol
            self.result["extensions"] = [e.name for e in ws.extensions] or None
            self.result["extensionsHeader"] = ws.response_headers.get("Sec-WebSocket-Extensions")
            self.result["steps"].append("connect")

            if args.expect_server_close:
                self.step = "wait for the server to close"
                try:
                    if args.send_binary is not None:
                        await ws.send(binary_pattern(args.send_binary))
                    message = await ws.recv()
                    raise AssertionError(f"received a message instead of a close: {message!r:.100}")
                except websockets.ConnectionClosed:
                    pass
                await ws.wait_closed()
                self.result["closeCode"] = ws.close_code
                self.result["closeReason"] = ws.close_reason
                if ws.close_code == 1006:
                    raise AssertionError("the connection ended without a close frame (1006)")
                self.result["steps"].append("server-close")
                return

            await self.echo(ws, "text", "hello")
            await self.echo(ws, "empty-text", "")
            await self.echo(ws, "empty-binary", b"")
            await self.echo(ws, f"binary-{args.binary_size}", binary_pattern(args.binary_size))
            await self.echo(ws, f"text-{args.size}", text_pattern(args.size))

            # Fragmented messages: websockets sends each item of a list as one frame.
            self.step = "fragmented-text"
            text = text_pattern(3000)
            await ws.send([text[i : i + 7] for i in range(0, len(text), 7)])
            reply = await ws.recv()
            if not isinstance(reply, str) or reply != text:
                raise AssertionError(f"echo differs: {describe_mismatch(text, reply)}")
            self.result["steps"].append(self.step)

            self.step = "fragmented-binary"
            data = binary_pattern(100000)
            await ws.send([data[i : i + 30000] for i in range(0, len(data), 30000)])
            reply = await ws.recv()
            if not isinstance(reply, bytes) or reply != data:
                raise AssertionError(f"echo differs: {describe_mismatch(data, reply)}")
            self.result["steps"].append(self.step)

            self.step = "ping"
            # The waiter resolves only when a pong with this very payload arrives.
            waiter = await ws.ping("duplex-ping-\u2713".encode("utf-8"))
            await waiter
            self.result["steps"].append("ping")

            self.step = f"burst-{args.count}"
            burst = [binary_pattern(i + 1) if i % 2 == 1 else f"burst-{i}" for i in range(args.count)]
            for payload in burst:
                await ws.send(payload)
            for i, payload in enumerate(burst):
                reply = await ws.recv()
                if type(reply) is not type(payload) or reply != payload:
                    raise AssertionError(f"burst message {i} came back wrong ({describe_mismatch(payload, reply)})")
            self.result["steps"].append(self.step)

            self.step = "close"
            await ws.close(args.close_code, args.close_reason)
            self.result["closeCode"] = ws.close_code
            self.result["closeReason"] = ws.close_reason
            if ws.close_code != args.close_code:
                raise AssertionError(f"server answered the close with code {ws.close_code}, expected {args.close_code}")
            self.result["steps"].append("close")
        except websockets.ConnectionClosed as e:
            raise AssertionError(
                f"connection closed unexpectedly with code {ws.close_code} reason {ws.close_reason!r} ({e})"
            ) from None
        finally:
            if not ws.closed:
                ws.transport.abort()


async def main() -> int:
    args = parse_args()
    script = Script(args)
    try:
        await asyncio.wait_for(script.run(), timeout=args.timeout)
        script.result["ok"] = True
    except asyncio.TimeoutError:
        script.result["error"] = f"{script.step}: timed out after {args.timeout} s"
    except Exception as e:  # any failure becomes the result line
        script.result["error"] = f"{script.step}: {type(e).__name__}: {e}"
    print_result(script.result)
    return 0 if script.result["ok"] else 1


if __name__ == "__main__":
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(name)s: %(message)s")
    sys.exit(asyncio.run(main()))
