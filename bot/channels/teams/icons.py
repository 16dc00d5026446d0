"""The Koers app icons for Teams, drawn in code: a compass needle in a ring.

Teams wants a 192×192 full-colour icon and a 32×32 outline icon (white on transparent). The
pixels are computed here (4×4 supersampling for smooth edges) and written as PNG with zlib, so
the package is byte-for-byte the same on every machine, whatever imaging library is installed.
"""

from __future__ import annotations

import math
import struct
import zlib

ACCENT = (0x1F, 0x5F, 0x8B)  # dark blue; white on it has a contrast ratio above 6:1
WHITE = (255, 255, 255)
SUPERSAMPLE = 4
RING_INNER, RING_OUTER = 0.30, 0.37
NEEDLE_LENGTH, NEEDLE_HALF_WIDTH = 0.27, 0.085


def _needle(x: float, y: float) -> int:
    """1 for the bright (north-east) half of the needle, 2 for the other half, 0 outside."""
    dx, dy = x - 0.5, 0.5 - y
    c = math.cos(math.pi / 4)
    u, v = (dx + dy) * c, (dy - dx) * c  # u along the needle, v across
    if abs(u) / NEEDLE_LENGTH + abs(v) / NEEDLE_HALF_WIDTH > 1:
        return 0
    return 1 if u >= 0 else 2


def _ring(x: float, y: float) -> bool:
    return RING_INNER <= math.hypot(x - 0.5, y - 0.5) <= RING_OUTER


def _coverage(size: int, px: int, py: int, outline: bool) -> tuple[float, float]:
    """(white coverage, half-white coverage) of one pixel, between 0 and 1."""
    white = dim = 0
    for sy in range(SUPERSAMPLE):
        for sx in range(SUPERSAMPLE):
            x = (px + (sx + 0.5) / SUPERSAMPLE) / size
            y = (py + (sy + 0.5) / SUPERSAMPLE) / size
            part = _needle(x, y)
            if _ring(x, y) or part == 1 or (outline and part == 2):
                white += 1
            elif part == 2:
                dim += 1
    total = SUPERSAMPLE * SUPERSAMPLE
    return white / total, dim / total


def render(size: int, outline: bool) -> list[bytes]:
    """RGBA rows: colour icon on the accent colour, or the white outline on transparent."""
    rows = []
    for py in range(size):
        row = bytearray()
        for px in range(size):
            white, dim = _coverage(size, px, py, outline)
            if outline:
                row += bytes((*WHITE, round(255 * white)))
                continue
            light = white + 0.55 * dim
            row += bytes(round(a + (255 - a) * light) for a in ACCENT) + b"\xff"
        rows.append(bytes(row))
    return rows


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(rows: list[bytes]) -> bytes:
    """An 8-bit RGBA PNG of these rows (no filter, zlib level 9)."""
    height, width = len(rows), len(rows[0]) // 4
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, 9))
        + _chunk(b"IEND", b"")
    )


def color_icon() -> bytes:
    return png(render(192, outline=False))


def outline_icon() -> bytes:
    return png(render(32, outline=True))
