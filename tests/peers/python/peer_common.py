"""Helpers shared by the Python peers: handshake options, deterministic payloads and result lines."""

import json
import sys


def add_handshake_arguments(parser) -> None:
    """The --subprotocol and permessage-deflate options that the client and the echo server share."""
    parser.add_argument("--subprotocol", action="append", default=[])
    parser.add_argument("--deflate", action="store_true")
    parser.add_argument("--server-no-context-takeover", action="store_true")
    parser.add_argument("--client-no-context-takeover", action="store_true")
    parser.add_argument("--server-max-window-bits", type=int)
    parser.add_argument("--client-max-window-bits", type=int)


def compression_settings(args, factory_class, client_max_window_bits_default=None) -> dict:
    """The compression keyword arguments for websockets that the deflate options ask for.

    Without --deflate none; with --deflate alone the library's default offer (compression="deflate");
    with any of the parameters a `factory_class` (the client or server PerMessageDeflateFactory) built
    from them, --client-max-window-bits falling back to `client_max_window_bits_default`.
    """
    if not args.deflate:
        return {"compression": None}
    tuned = (
        args.server_no_context_takeover
        or args.client_no_context_takeover
        or args.server_max_window_bits is not None
        or args.client_max_window_bits is not None
    )
    if not tuned:
        return {"compression": "deflate"}
    factory = factory_class(
        server_no_context_takeover=args.server_no_context_takeover,
        client_no_context_takeover=args.client_no_context_takeover,
        server_max_window_bits=args.server_max_window_bits,
        client_max_window_bits=(
            args.client_max_window_bits if args.client_max_window_bits is not None else client_max_window_bits_default
        ),
    )
    return {"compression": None, "extensions": [factory]}


def binary_pattern(size: int) -> bytes:
    """`size` bytes where byte i is (i * 31 + 7) mod 256."""
    return bytes((i * 31 + 7) & 0xFF for i in range(size))


def text_pattern(byte_length: int) -> str:
    """A string whose UTF-8 encoding is exactly `byte_length` bytes, mixing 1- to 4-byte characters."""
    unit = "Duplex \u00e9\u00df \u2713\u20ac \U0001F600 0123456789 "
    unit_bytes = len(unit.encode("utf-8"))
    text = unit * (byte_length // unit_bytes)
    return text + "x" * (byte_length - len(text.encode("utf-8")))


def describe_mismatch(expected, actual) -> str:
    a = expected.encode("utf-8") if isinstance(expected, str) else bytes(expected)
    b = actual.encode("utf-8") if isinstance(actual, str) else bytes(actual)
    if len(a) != len(b):
        return f"length {len(b)}, expected {len(a)}"
    for i, (x, y) in enumerate(zip(a, b)):
        if x != y:
            return f"first difference at byte {i}: 0x{y:02x} instead of 0x{x:02x}"
    return "no difference"


def print_line(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def print_result(result: dict) -> None:
    print_line(json.dumps(result, ensure_ascii=False))
