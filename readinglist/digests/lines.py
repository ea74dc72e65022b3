"""Turn a digest file's bytes into numbered text lines, refusing what is not text at all."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from typing import BinaryIO, NamedTuple

from readinglist.digests.exports import export_kind
from readinglist.digests.model import DigestRefused

# Small enough that progress moves smoothly, large enough that a 100 MB file is ~400 reads.
CHUNK_BYTES = 256 * 1024

# Longer lines are kept only up to this many characters: no title or abstract is anywhere near it
# (abstracts run to ~2,000), and it bounds memory on a file with no line breaks at all.
LINE_KEEP_CHARS = 20_000

_HEAD_BYTES = 1024
_SAVE_AS_TEXT = "save it as plain text (UTF-8) and import that"

# Files users drop by mistake, recognised from their first bytes, with what to do instead.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", f"a ZIP archive or a Word/OpenDocument file, not text — {_SAVE_AS_TEXT}"),
    (b"{\\rtf", f"an RTF document, not plain text — {_SAVE_AS_TEXT}"),
    (b"\x89PNG\r\n\x1a\n", "an image (PNG), not a digest"),
    (b"\xff\xd8\xff", "an image (JPEG), not a digest"),
    (b"GIF87a", "an image (GIF), not a digest"),
    (b"GIF89a", "an image (GIF), not a digest"),
    (b"\x1f\x8b", "a gzip-compressed file, not a text digest — decompress it first"),
    (b"\xd0\xcf\x11\xe0", f"an old Microsoft Office document, not a text digest — {_SAVE_AS_TEXT}"),
)
_PDF = "a PDF, not a digest — copy the listing page as text"
_HTML = (
    "an HTML page, not a digest — open the listing in a browser, select the page text, "
    "copy it and save that as a text file"
)


class Line(NamedTuple):
    """One line of text, without its line ending."""

    number: int  # 1-based
    text: str  # at most LINE_KEEP_CHARS characters
    length: int  # the line's real length in characters (text may be cut)


def detect_encoding(head: bytes) -> tuple[str, int]:
    """The codec for a file starting with ``head``, and how many BOM bytes to skip.

    Raises ValueError, whose message is the reason to refuse, for encodings we do not read.
    """
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ValueError("UTF-32 text is not supported — save the file as UTF-8")
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", 3
    if head.startswith(codecs.BOM_UTF16_LE):
        return "utf-16-le", 2
    if head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16-be", 2
    return "utf-8", 0


def refusal_for_head(head: bytes) -> str | None:
    """Why a file starting with ``head`` is not a text digest, or None if it may be one."""
    if not head:
        return "empty file"
    if b"%PDF-" in head[:_HEAD_BYTES]:
        return _PDF
    for signature, reason in _SIGNATURES:
        if head.startswith(signature):
            return reason
    return None


def _looks_like_bomless_utf16(head: bytes) -> bool:
    """Mostly-ASCII UTF-16 without a BOM: every other byte is NUL."""
    sample = head[:_HEAD_BYTES]
    if len(sample) < 4:
        return False
    even, odd = sample[0::2], sample[1::2]
    return even.count(0) > 0.7 * len(even) or odd.count(0) > 0.7 * len(odd)


class DecodedLines:
    """Lines of a binary stream, decoded incrementally; never holds more than a chunk and a line.

    ``encoding`` is known once the first chunk is read; ``bytes_read`` follows the reading.
    Raises DigestRefused (naming the line) for bytes that are not text.
    """

    def __init__(self, stream: BinaryIO, path: str) -> None:
        self._stream = stream
        self._path = path
        self.encoding = "utf-8"
        self.bytes_read = 0
        self._number = 0  # completed lines
        self._parts: list[str] = []
        self._kept = 0
        self._length = 0
        self._held_cr = False  # a chunk ended in "\r": the next may start with its "\n"

    def __iter__(self) -> Iterator[Line]:
        head = self._stream.read(max(CHUNK_BYTES, _HEAD_BYTES))
        reason = refusal_for_head(head)
        if reason is not None:
            raise DigestRefused(self._path, reason)
        try:
            self.encoding, skip = detect_encoding(head)
        except ValueError as err:
            raise DigestRefused(self._path, str(err)) from None
        self.bytes_read = skip
        decoder = codecs.getincrementaldecoder(self.encoding.removesuffix("-sig"))("strict")
        wide = self.encoding.startswith("utf-16")
        chunk = head[skip:]
        first = True
        while True:
            final = not chunk
            binary = False
            if not wide and b"\x00" in chunk:
                if first and _looks_like_bomless_utf16(head):
                    raise DigestRefused(
                        self._path, "UTF-16 text without a byte-order mark — save it as UTF-8"
                    )
                chunk = chunk[: chunk.index(b"\x00")]
                binary = True
            try:
                text = decoder.decode(chunk, final)
            except UnicodeDecodeError as err:
                # The bytes before the bad one are fine: read them so the line count is exact.
                yield from self._feed(err.object[: err.start].decode(err.encoding, "replace"))
                raise self._undecodable(err) from None
            if wide and "\x00" in text:
                text = text[: text.index("\x00")]
                binary = True
            if first:
                self._check_markup(text)
                first = False
            self.bytes_read += len(chunk)
            yield from self._feed(text)
            if binary:
                raise DigestRefused(self._path, "binary file, not text", self._number + 1)
            if final:
                break
            chunk = self._stream.read(CHUNK_BYTES)
        yield from self._finish()

    def _check_markup(self, text: str) -> None:
        exported = export_kind(text)
        if exported is not None:
            raise DigestRefused(self._path, exported, 1)
        start = text.lstrip()[:15].lower()
        if start.startswith(("<!doctype html", "<html")):
            raise DigestRefused(self._path, _HTML, 1)

    def _undecodable(self, err: UnicodeDecodeError) -> DigestRefused:
        column = self._length + 1
        if self.encoding.startswith("utf-16"):
            reason = f"not valid {self.encoding.upper()} text (column {column})"
        else:
            bad = err.object[err.start : err.start + 1].hex()
            reason = (
                f"not UTF-8 text: byte 0x{bad} at column {column} cannot be read — the file "
                "is probably in a legacy encoding such as Windows-1252; save it as UTF-8"
            )
        return DigestRefused(self._path, reason, self._number + 1)

    def _feed(self, text: str) -> Iterator[Line]:
        if not text:
            return
        if self._held_cr:
            self._held_cr = False
            if text[0] == "\n":
                text = text[1:]
        start = 0
        end = len(text)
        while start < end:
            nl = text.find("\n", start)
            cr = text.find("\r", start, nl if nl >= 0 else end)
            if cr >= 0:
                yield self._complete(text[start:cr])
                if cr + 1 == end:
                    self._held_cr = True
                    return
                start = cr + 2 if text[cr + 1] == "\n" else cr + 1
            elif nl >= 0:
                yield self._complete(text[start:nl])
                start = nl + 1
            else:
                self._add(text[start:])
                return

    def _add(self, piece: str) -> None:
        self._length += len(piece)
        room = LINE_KEEP_CHARS - self._kept
        if room > 0:
            piece = piece[:room]
            self._parts.append(piece)
            self._kept += len(piece)

    def _complete(self, piece: str) -> Line:
        self._add(piece)
        self._number += 1
        text = self._parts[0] if len(self._parts) == 1 else "".join(self._parts)
        line = Line(self._number, text, self._length)
        self._parts.clear()
        self._kept = 0
        self._length = 0
        return line

    def _finish(self) -> Iterator[Line]:
        if self._parts or self._length:
            yield self._complete("")
