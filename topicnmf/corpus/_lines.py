"""Line files: one document per line, split as the bytes stream in."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from topicnmf.corpus._bounded import Reading
from topicnmf.corpus._decode import SNIFF_BYTES, UTF16_BOMS, decode_line
from topicnmf.corpus._stream import Doc, ReadState
from topicnmf.errors import InputError


def split_lines(
    pieces: Iterable[bytes], reading: Reading, where: str, *, cr: bool = True
) -> Iterator[bytes]:
    """The lines of a byte stream, without their ends, in order.

    A line ends at ``\\n``, ``\\r\\n`` or, with ``cr=True``, a lone ``\\r`` (old Mac files).
    A line longer than ``max_document_bytes`` is refused before it is held whole.
    """
    held: list[bytes] = []  # the start of a line that has not ended yet
    n_held = 0
    number = 0
    for piece in _join_crlf(pieces) if cr else pieces:
        if cr:
            parts = piece.splitlines(keepends=True)
            rest = parts.pop() if parts and not parts[-1].endswith((b"\n", b"\r")) else b""
        else:
            parts = piece.split(b"\n")
            rest = parts.pop()
        for line in parts:
            if cr:
                line = line[:-2] if line.endswith(b"\r\n") else line[:-1]
            if held:
                line = b"".join(held) + line
                held, n_held = [], 0
            number += 1
            reading.check_document(len(line), _line(where, number))
            yield line
        if rest:
            held.append(rest)
            n_held += len(rest)
            reading.check_document(n_held, _line(where, number + 1))
    if held:
        yield b"".join(held)


def _line(where: str, number: int) -> str:
    return f"Line {number} of {where!r}"


def read_lines(first: bytes, pieces: Iterable[bytes], state: ReadState) -> Iterator[Doc]:
    """The documents of a line file: its non-blank lines, with ids ``line_<n>``.

    ``first`` is the start of the file (for the binary and UTF-16 checks), ``pieces`` all its
    bytes (``first`` included).
    """
    source = state.source
    if first[:2] in UTF16_BOMS:
        pieces = _utf16_as_utf8(pieces)
        first = b""
    elif first.find(b"\x00", 0, SNIFF_BYTES) != -1:
        raise InputError(
            f"The file {source!r} looks binary (NUL bytes in the first {SNIFF_BYTES} bytes). "
            "Pass a UTF-8 text file with one document per line."
        )
    state.start(None)
    reading = state.reading
    for number, raw in enumerate(split_lines(pieces, reading, source), 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        text, fallback = decode_line(raw)
        if not text or text.isspace():
            continue
        reading.add_document(source)
        state.advance()
        yield Doc(id=f"line_{number}", text=text, fallback=fallback)


def _join_crlf(pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The pieces, with a piece that ends in \\r joined to the next (so \\r\\n is never split)."""
    carry = b""
    for piece in pieces:
        if carry:
            piece = carry + piece
            carry = b""
        if piece.endswith(b"\r"):
            carry, piece = piece[-1:], piece[:-1]
        if piece:
            yield piece
    if carry:
        yield carry


def _utf16_as_utf8(pieces: Iterable[bytes]) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder("utf-16")("replace")
    for piece in pieces:
        text = decoder.decode(piece)
        if text:
            yield text.encode("utf-8", "surrogatepass")
    text = decoder.decode(b"", final=True)
    if text:
        yield text.encode("utf-8", "surrogatepass")
