"""Line files: one document per line, split as the bytes stream in."""

from __future__ import annotations

import codecs
from collections.abc import Iterable, Iterator

from topicnmf.corpus._bounded import Reading
from topicnmf.corpus._decode import SNIFF_BYTES, UTF16_BOMS, decode_line
from topicnmf.corpus._stream import Docs, ReadState
from topicnmf.errors import InputError


def split_lines(
    pieces: Iterable[bytes], reading: Reading, where: str, *, cr: bool = True
) -> Iterator[list[bytes]]:
    """The lines of a byte stream, without their ends, in order, a list at a time.

    A line ends at ``\\n``, ``\\r\\n`` or, with ``cr=True``, a lone ``\\r`` (old Mac files).
    A line longer than ``max_document_bytes`` is refused before it is held whole.
    """
    limit = reading.limits.max_document_bytes
    held: list[bytes] = []  # the start of a line that has not ended yet
    n_held = 0
    number = 0  # lines yielded so far
    for piece in _join_crlf(pieces) if cr else pieces:
        if cr:
            lines = piece.splitlines()
            ended = piece.endswith((b"\n", b"\r"))
            rest = lines.pop() if lines and not ended else b""
        else:
            lines = piece.split(b"\n")
            rest = lines.pop()
        if held and lines:
            lines[0] = b"".join(held) + lines[0]
            held, n_held = [], 0
        if lines and limit is not None and max(map(len, lines)) > limit:
            longest = max(range(len(lines)), key=lambda i: len(lines[i]))
            _too_long(reading, len(lines[longest]), where, number + longest + 1)
        number += len(lines)
        if lines:
            yield lines
        if rest:
            held.append(rest)
            n_held += len(rest)
            if limit is not None and n_held > limit:
                _too_long(reading, n_held, where, number + 1)
    if held:
        yield [b"".join(held)]


def _too_long(reading: Reading, n: int, where: str, number: int) -> None:
    reading.check_document(n, f"Line {number} of {where!r}")


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


def read_lines(first: bytes, pieces: Iterable[bytes], state: ReadState) -> Iterator[Docs]:
    """The documents of a line file: its non-blank lines, with ids ``line_<n>``.

    ``first`` is the start of the file (for the binary and UTF-16 checks), ``pieces`` all its
    bytes (``first`` included).
    """
    source = state.source
    if first[:2] in UTF16_BOMS:
        pieces = _utf16_as_utf8(pieces)
    elif first.find(b"\x00", 0, SNIFF_BYTES) != -1:
        raise InputError(
            f"The file {source!r} looks binary (NUL bytes in the first {SNIFF_BYTES} bytes). "
            "Pass a UTF-8 text file with one document per line."
        )
    state.start(None)
    number = 0  # lines before this block
    for block in split_lines(pieces, state.reading, source):
        if number == 0 and block[0].startswith(codecs.BOM_UTF8):
            block[0] = block[0][len(codecs.BOM_UTF8) :]
        texts, fallback = decode_lines(block)
        kept = [i for i, text in enumerate(texts) if text and not text.isspace()]
        docs = Docs(
            ids=[f"line_{number + i + 1}" for i in kept],
            texts=[texts[i] for i in kept],
            fallback=[False] * len(kept) if fallback is None else [fallback[i] for i in kept],
        )
        number += len(block)
        state.reading.add_documents(len(docs), source)
        state.advance(len(docs))
        yield docs


def decode_lines(lines: list[bytes]) -> tuple[list[str], list[bool] | None]:
    """Decode lines (without their ends): the texts, and per line whether the fallback was
    used (None when none was)."""
    try:
        return b"\n".join(lines).decode("utf-8").split("\n"), None
    except UnicodeDecodeError:
        decoded = [decode_line(line) for line in lines]
        return [text for text, _ in decoded], [fallback for _, fallback in decoded]


def _utf16_as_utf8(pieces: Iterable[bytes]) -> Iterator[bytes]:
    decoder = codecs.getincrementaldecoder("utf-16")("replace")
    for piece in pieces:
        text = decoder.decode(piece)
        if text:
            yield text.encode("utf-8", "surrogatepass")
    text = decoder.decode(b"", final=True)
    if text:
        yield text.encode("utf-8", "surrogatepass")
