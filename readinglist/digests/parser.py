"""Read papers out of a digest's lines: titles, abstracts and the metadata that follows them.

The reading is positional, as the pages are: a title, then its abstract, then optional metadata
(author count or organisation, "·", date and upvotes). Blank lines carry no meaning beyond telling
the layouts apart. Line lengths and sentence shape are used only to resynchronise when an entry
is broken (a title that lost its abstract, an abstract that lost its title), never to invent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from readinglist.digests import grammar
from readinglist.digests.grammar import Kind, PublishedDate, Token
from readinglist.digests.lines import Line
from readinglist.digests.links import find_links
from readinglist.digests.model import DigestInfo, DigestRefused, DigestWarning, ParsedPaper

# A file of junk could otherwise grow the warning list without bound.
MAX_WARNINGS = 200
# An organisation line is a short name ("nyu-visionx VISIONx @ NYU").
_MAX_ORGANIZATION_CHARS = 120
_METADATA = (Kind.AUTHORS, Kind.DOT, Kind.DATE)
# After "·" comes the date; a short line there that is no date we can read is a broken date.
_BROKEN_DATE_RE = re.compile(r"(?:Published on )?[A-Za-z]{3,9}\.? ?[0-9][0-9 ,./-]*", re.IGNORECASE)
# "Subscribe" glued to a title is page furniture; glued to "r"/"rs"/"d" it is a word.
_GLUED_RE = re.compile(r"Subscribe(?P<rest>\S.*)", re.DOTALL)
_SUBSCRIBE_WORD_RE = re.compile(r"(?:r|rs|d|s|rship)\b")


@dataclass(slots=True)
class _Entry:
    """A title with its abstract, collecting the metadata lines that follow it."""

    title: Token
    abstract: Token
    label: str | None
    authors: int | None = None
    organization: str | None = None
    published: dt.date | None = None
    upvotes: int | None = None
    dot_seen: bool = False
    has_metadata: bool = False


@dataclass(slots=True)
class _PageTally:
    """How the papers of one pasted page were laid out."""

    spaced: int = 0
    compact: int = 0
    with_metadata: int = 0

    def layout(self) -> str | None:
        if not (self.spaced or self.compact):
            return None
        if self.compact > self.spaced:
            return "compact"
        return "blank-separated+metadata" if self.with_metadata else "blank-separated"


class DigestParser:
    """Turns a digest's lines into papers, filling ``info`` as it reads."""

    def __init__(self, info: DigestInfo) -> None:
        self.info = info
        self._title: Token | None = None  # waiting for its abstract
        self._entry: _Entry | None = None  # complete, still collecting metadata
        self._skip_metadata = False  # metadata of a title we dropped
        self._previous: Kind | None = None
        self._header_had_subscribe = False
        self._label: str | None = None
        self._page = _PageTally()
        self._layouts: set[str] = set()
        self._tokens_seen = 0
        self._explained = 0  # lines of papers, page headers, metadata (or no words at all)
        self._dropped_titles = 0
        self._suppressed = 0
        self._last_line = 0

    # -- driving -----------------------------------------------------------------------------

    def papers(self, lines: Iterable[Line]) -> Iterator[ParsedPaper]:
        """Papers in file order; raises DigestRefused at the end when there was none."""
        tokens = self._tokens(lines)
        token = next(tokens, None)
        while token is not None:
            following = next(tokens, None)
            yield from self._step(token, following)
            self._previous = token.kind
            token = following
        yield from self._close_entry()
        self._drop_title(at_end=True)
        self._finish()

    def _tokens(self, lines: Iterable[Line]) -> Iterator[Token]:
        blank_before = False
        for line in lines:
            self._last_line = line.number
            if line.length <= grammar.MAX_ABSTRACT_CHARS and not line.text.strip():
                blank_before = True
                continue
            self._tokens_seen += 1
            yield grammar.classify(line, blank_before)
            blank_before = False

    def _finish(self) -> None:
        if self._suppressed:
            self.info.warnings.append(
                DigestWarning(self._last_line, f"{self._suppressed:,} more warnings not shown")
            )
        unexplained = self._tokens_seen - self._explained
        if self.info.paper_count and unexplained > self._explained:
            raise DigestRefused(
                self.info.path,
                f"mostly not a digest: only {self._explained:,} of {self._tokens_seen:,} lines "
                "are papers or page headers — prose or notes?",
            )
        if self.info.paper_count:
            return
        if not self._tokens_seen:
            reason = "empty file (nothing but blank lines)"
        elif self._dropped_titles:
            reason = "no papers found: not a digest? (no title line is followed by an abstract)"
        else:
            reason = "no papers found: not a digest? (no title and abstract lines)"
        raise DigestRefused(self.info.path, reason)

    # -- one token at a time -------------------------------------------------------------------

    def _step(self, token: Token, following: Token | None) -> Iterator[ParsedPaper]:
        kind = token.kind
        if kind is Kind.TEXT:
            yield from self._text(token, following)
            return
        self._header_had_subscribe &= kind is Kind.HEADER
        if kind in _METADATA:
            yield from self._metadata(token)
        elif kind is Kind.LABEL and self._entry is not None and self._entry.dot_seen:
            # "· Mar 4": the site leaves out the year of this year's papers; it is no label.
            self._warn(token.line, f"publication date without a year, left empty: {token.text!r}")
            self._explained += 1
            yield from self._close_entry()
        elif kind in (Kind.HEADER, Kind.LABEL):
            self._explained += 1
            yield from self._close_entry()
            self._drop_title()
            self._skip_metadata = False
            self._new_page()
            if self._previous not in (Kind.HEADER, Kind.LABEL):
                self._label = None  # a new page: the last page's day no longer applies
            if kind is Kind.LABEL:
                self._label = str(token.value)
                if self.info.label is None:
                    self.info.label = self._label
            elif token.text.casefold() == "subscribe":
                self._header_had_subscribe = True
        else:  # TOO_LONG
            self._warn(
                token.line,
                f"a line of {token.value:,} characters, far too long for a title or an "
                "abstract: skipped",
            )
            yield from self._close_entry()
            self._drop_title()

    def _text(self, token: Token, following: Token | None) -> Iterator[ParsedPaper]:
        token = self._unglue(token)
        if token.kind is not Kind.TEXT:  # "Subscribe" was glued to a header or a label
            yield from self._step(token, following)
            return
        self._header_had_subscribe = False
        self._skip_metadata = False
        text = token.text
        if not grammar.has_letters(text):
            self._warn(token.line, f"a line with no words, skipped: {_quote(text)}")
            self._explained += 1  # separators and stray numbers say nothing about prose
            return
        if self._title is not None:
            if _reads_as_abstract(text, following):
                self._entry = _Entry(self._title, token, self._label)
                self._title = None
                return
            self._drop_title()
        elif self._entry is not None:
            entry = self._entry
            if entry.dot_seen:
                if len(text) <= 40 and _BROKEN_DATE_RE.fullmatch(text):
                    self._warn(token.line, f"unreadable publication date, left empty: {text!r}")
                    self._explained += 1
                    yield from self._close_entry()
                    return
            elif (
                following is not None
                and following.kind in _METADATA
                and len(text) <= _MAX_ORGANIZATION_CHARS
                and not grammar.clearly_abstract(text)
            ):
                if entry.organization is None:
                    entry.organization = text
                    entry.has_metadata = True
                    self._explained += 1
                else:
                    self._warn(token.line, f"a second organisation line, ignored: {_quote(text)}")
                return
            yield from self._close_entry()
        if len(text) > grammar.MAX_TITLE_CHARS or grammar.clearly_abstract(text):
            self._warn(token.line, f"an abstract without a title, not imported: {_quote(text)}")
            return
        if text[-1] in ",;:":  # "Hi Anna," or "The papers I mentioned:" - titles never end so
            self._warn(token.line, f"not a title, skipped: {_quote(text)}")
            return
        self._title = token

    def _unglue(self, token: Token) -> Token:
        """Split "SubscribeU-Net ..." (a copied button glued to the first line) when it is one."""
        if not token.text.startswith("Subscribe"):
            return token
        match = _GLUED_RE.fullmatch(token.text)
        if match is None:
            return token
        rest = match["rest"]
        if self._previous is Kind.HEADER:
            if self._header_had_subscribe or _SUBSCRIBE_WORD_RE.match(rest):
                return token
        elif self._previous is not None or not (rest[0].isupper() or rest[0].isdigit()):
            return token  # in the middle of a list "Subscribe..." is a real title
        line = Line(token.line, rest, len(rest))
        return grammar.classify(line, token.blank_before)

    def _metadata(self, token: Token) -> Iterator[ParsedPaper]:
        entry = self._entry
        if entry is None:
            if not self._skip_metadata:
                if self._title is not None:
                    self._drop_title()
                    self._skip_metadata = True  # the rest of that title's metadata
                else:
                    self._warn(token.line, f"metadata in an odd place, ignored: {token.text!r}")
            return
        kind = token.kind
        if kind is Kind.AUTHORS:
            if entry.dot_seen or entry.authors is not None:
                self._warn(token.line, f"metadata in an odd place, ignored: {token.text!r}")
                return
            assert isinstance(token.value, int)
            entry.authors = token.value
        elif kind is Kind.DOT:
            if entry.dot_seen:
                self._warn(token.line, "a second '·' line, ignored")
                return
            entry.dot_seen = True
        else:
            assert isinstance(token.value, PublishedDate)
            if token.value.date is None:
                self._warn(token.line, f"not a real date, left empty: {token.text!r}")
            entry.published = token.value.date
            entry.upvotes = token.value.upvotes
            entry.has_metadata = True
            self._explained += 1
            yield from self._close_entry()  # the date ends an entry's metadata
            return
        entry.has_metadata = True
        self._explained += 1

    # -- results -------------------------------------------------------------------------------

    def _close_entry(self) -> Iterator[ParsedPaper]:
        entry = self._entry
        if entry is None:
            return
        self._entry = None
        abstract = entry.abstract.text
        paper = ParsedPaper(
            title=entry.title.text,
            abstract=abstract,
            line=entry.title.line,
            authors_count=entry.authors,
            organization=entry.organization,
            published=entry.published,
            upvotes=entry.upvotes,
            links=find_links(abstract),
            label=entry.label,
        )
        if entry.abstract.blank_before:
            self._page.spaced += 1
        else:
            self._page.compact += 1
        self._page.with_metadata += entry.has_metadata
        self._explained += 2
        self.info.paper_count += 1
        self.info.layout = self._layout()
        yield paper

    def _drop_title(self, *, at_end: bool = False) -> None:
        title = self._title
        if title is None:
            return
        self._title = None
        self._dropped_titles += 1
        if at_end:
            message = "the file ends after this title, which has no abstract (copy cut off?)"
        else:
            message = "a title without an abstract"
        self._warn(title.line, f"{message}: not imported: {_quote(title.text)}")

    def _new_page(self) -> None:
        layout = self._page.layout()
        if layout is not None:
            self._layouts.add(layout)
            self._page = _PageTally()

    def _layout(self) -> str:
        layouts = set(self._layouts)
        current = self._page.layout()
        if current is not None:
            layouts.add(current)
        if len(layouts) == 1:
            return layouts.pop()
        return "mixed" if layouts else "unknown"

    def _warn(self, line: int, message: str) -> None:
        if len(self.info.warnings) < MAX_WARNINGS:
            self.info.warnings.append(DigestWarning(line, message))
        else:
            self._suppressed += 1


def _reads_as_abstract(text: str, following: Token | None) -> bool:
    """Whether ``text``, right after a title, is that title's abstract."""
    if len(text) < grammar.MIN_ABSTRACT_CHARS:
        return False
    if not grammar.clearly_title(text):
        return True
    # Long enough but no sentence end ("... code at https://x.io/y"): it is the abstract unless
    # an abstract follows it, which makes it the next title and the current one abstract-less.
    return not (
        following is not None
        and following.kind is Kind.TEXT
        and not grammar.clearly_title(following.text)
    )


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
