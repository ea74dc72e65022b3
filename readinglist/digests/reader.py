"""Open a digest file (or bytes) and stream its papers: the parser's public entry points."""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterator
from typing import BinaryIO

from readinglist.digests.lines import DecodedLines, Line
from readinglist.digests.model import DigestInfo, DigestRefused, ParsedPaper
from readinglist.digests.parser import DigestParser

# A digest page is a few hundred kB; a year of them pasted into one file stays far below this.
MAX_DIGEST_BYTES = 512 * 1_048_576


def _hash(stream: BinaryIO) -> tuple[int, str]:
    """Size and sha256 of what ``stream`` holds, reading at most one byte past the limit."""
    digest = hashlib.sha256()
    size = 0
    while size <= MAX_DIGEST_BYTES:
        chunk = stream.read(min(1_048_576, MAX_DIGEST_BYTES + 1 - size))
        if not chunk:
            break
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


class DigestReader:
    """A digest file being read: ``info`` up front, papers streamed by iterating.

    ``info.path``, ``info.sha256`` and ``info.size`` are known on creation. The encoding, label,
    layout, paper count and warnings fill in while iterating and are final once it ends.
    Iterating raises DigestRefused for a file that is not a digest: empty, binary, a PDF or other
    document, undecodable text (the reason names the line) — all detected before the first paper —
    or no paper found (raised when the iteration ends, after any warnings were recorded).
    Iterating again reads the file again from the start.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        try:
            # A FIFO would block the open and /dev/zero never ends: only regular files are read.
            if not stat.S_ISREG(os.stat(self.path).st_mode):
                raise DigestRefused(self.path, "not a regular file (a pipe, device or socket?)")
            with open(self.path, "rb") as stream:
                size, sha256 = _hash(stream)
        except OSError as err:
            raise DigestRefused(self.path, f"cannot read the file: {err.strerror or err}") from err
        if size > MAX_DIGEST_BYTES:
            raise DigestRefused(
                self.path,
                f"too large for a digest ({size / 1_048_576:,.0f} MB; at most "
                f"{MAX_DIGEST_BYTES // 1_048_576:,} MB)",
            )
        self.info = DigestInfo(path=self.path, sha256=sha256, size=size)
        self._lines: DecodedLines | None = None

    @property
    def bytes_read(self) -> int:
        """How many bytes of the file the current (or last) iteration has consumed."""
        return self._lines.bytes_read if self._lines is not None else 0

    def __iter__(self) -> Iterator[ParsedPaper]:
        try:
            stream = open(self.path, "rb")  # closed by the with below, even on refusal
        except OSError as err:
            raise DigestRefused(self.path, f"cannot read the file: {err.strerror or err}") from err
        with stream:
            yield from _read(stream, self.info, self._track)

    def _track(self, lines: DecodedLines) -> None:
        self._lines = lines


def open_digest(path: str | os.PathLike[str]) -> DigestReader:
    """Open a digest file: hashes it now (one streaming pass); papers come from iterating."""
    return DigestReader(path)


def parse_digest(data: bytes, path: str = "<memory>") -> tuple[DigestInfo, list[ParsedPaper]]:
    """Every paper of a digest held in memory; raises DigestRefused as ``DigestReader`` does."""
    info = DigestInfo(path=path, sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    papers = list(_read(io.BytesIO(data), info, lambda lines: None))
    return info, papers


def _read(
    stream: BinaryIO, info: DigestInfo, track: Callable[[DecodedLines], None]
) -> Iterator[ParsedPaper]:
    info.encoding = "utf-8"
    info.label = None
    info.layout = "unknown"
    info.paper_count = 0
    info.warnings = []
    lines = DecodedLines(stream, info.path)
    track(lines)
    parser = DigestParser(info)
    yield from parser.papers(_noting_encoding(lines, info))


def _noting_encoding(lines: DecodedLines, info: DigestInfo) -> Iterator[Line]:
    iterator = iter(lines)
    for line in iterator:
        info.encoding = lines.encoding
        yield line
        break
    yield from iterator
    info.encoding = lines.encoding
