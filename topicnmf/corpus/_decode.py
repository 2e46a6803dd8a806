"""Decoding documents: UTF-8 (a byte order mark dropped), UTF-16 with a byte order mark,
and a cp1252/latin-1 fallback that never fails."""

from __future__ import annotations

import codecs
import re

# A NUL byte among the first SNIFF_BYTES bytes marks a file as binary.
SNIFF_BYTES = 8192

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)

# latin-1 decodes every byte; this table then maps 0x80-0x9F to cp1252's characters where
# cp1252 defines one (the five bytes it leaves undefined keep their latin-1 code points).
_CP1252_FROM_LATIN1 = {}
for _byte in range(0x80, 0xA0):
    try:
        _CP1252_FROM_LATIN1[_byte] = bytes([_byte]).decode("cp1252")
    except UnicodeDecodeError:
        pass
del _byte

# Lone surrogates: those left by the 'surrogateescape' error handler mark bytes that were not
# UTF-8; others come from JSON escapes such as "\\ud800" and cannot be written as UTF-8.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_OTHER_SURROGATE = re.compile("[\ud800-\udc7f\udd00-\udfff]")


def decode_fallback(data: bytes) -> str:
    """Decode bytes that are not UTF-8 as cp1252, undefined bytes as latin-1."""
    return data.decode("latin-1").translate(_CP1252_FROM_LATIN1)


def decode_document(data: bytes) -> tuple[str | None, bool]:
    """Decode one document: (text or None when binary, whether the fallback was used)."""
    if data[:2] in UTF16_BOMS:
        try:
            return data.decode("utf-16"), False
        except UnicodeDecodeError:
            return None, False
    if data.find(b"\x00", 0, SNIFF_BYTES) != -1:
        return None, False
    try:
        return data.decode("utf-8-sig"), False
    except UnicodeDecodeError:
        return decode_fallback(data), True


def decode_line(data: bytes) -> tuple[str, bool]:
    """Decode one line of a line file: (text, whether the fallback was used)."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        return decode_fallback(data), True


def fix_escaped(value: str) -> tuple[str, bool]:
    """Redecode a string holding surrogate-escaped bytes with the fallback.

    Other lone surrogates (from JSON escapes) become U+FFFD. Returns (text, whether changed).
    """
    if value.isascii() or _SURROGATE.search(value) is None:
        return value, False
    value = _OTHER_SURROGATE.sub("\ufffd", value)
    if _ESCAPED_BYTE.search(value) is not None:
        value = decode_fallback(value.encode("utf-8", "surrogateescape"))
    return value, True
