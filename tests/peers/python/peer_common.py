"""Helpers shared by the Python peers: deterministic payloads and result lines."""

import json
import sys


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
