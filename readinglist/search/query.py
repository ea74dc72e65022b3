"""The search language users type, parsed into a small tree of our own; never fails on any input.

Grammar (docs/search.md is the contract)::

    query  := or ( OR or )*          words are ANDed by default
    or     := unary+
    unary  := NOT unary | -atom | atom
    atom   := ( query ) | "phrase" | field:value | word | prefix* | fuzzy~ | fuzzy~2

Fields: ``title:`` ``abstract:`` ``note:`` ``tag:`` ``org:``. Filters (always ANDed with the
rest, negatable with ``-``): ``is:starred`` ``is:unstarred`` ``is:read`` ``is:unread``
``has:note`` ``has:tags`` ``year:2024`` ``year:2023..2024`` ``published:>2024-06``
``published:<=2024-06-30`` ``published:2024-03`` ``published:2024-01..2024-03``
``digest:"Mar 14"`` ``upvotes:>10``. An unclosed quote reads as the unquoted words. Anything
else the grammar cannot read (a lone ``)``, an unknown ``is:``) is read as plain words
instead of raising. A prefix of fewer than two letters (``d*``) is refused with a message
(``ParsedQuery.error``): it would list the whole library.

The tree knows nothing of the search engine: ``readinglist.search.engine.compile`` turns it
into Whoosh queries. Field names in the tree are the index's (``text``, ``title``, ``note``,
``org``, ``tag``, ``starred``...).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from readinglist.search.document import fold

# The name users type for each field. A bare word searches ``text``: title, abstract, note,
# organisation and tags (weighted).
FIELD_NAMES = {
    "title": "title",
    # The abstract has no field of its own: "abstract:" searches the paper's text.
    "abstract": "text",
    "text": "text",
    "note": "note",
    "notes": "note",
    "tag": "tag",
    "tags": "tag",
    "org": "org",
    "organization": "org",
    "organisation": "org",
}
FILTER_NAMES = ("is", "has", "year", "published", "digest", "upvotes")
PREFIX_MIN_LENGTH = 2
FUZZY_MIN_LENGTH = 3

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<lparen>\()
  | (?P<rparen>\))
  | (?P<neg>-(?=[^\s)]))
  | (?P<field>[A-Za-z]+:)(?=["\w<>=*.-])
  | (?P<phrase>"[^"]*"?)
  | (?P<word>[^\s()"]+)
    """,
    re.VERBOSE,
)
_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<dist>[12])?$")
_PLAIN_WORD = re.compile(r"\w+(?:[-.]\w+)*")


# --- the tree ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """A word as typed (``diffusion``, ``U-Net``): matched by its stems in ``field``."""

    text: str
    field: str = "text"


@dataclass(frozen=True)
class Phrase:
    """An exact phrase: these words as written, in this order (case and punctuation aside)."""

    text: str
    field: str = "text"


@dataclass(frozen=True)
class Prefix:
    """Words as written starting with ``text`` (lowercase, at least two letters)."""

    text: str
    field: str = "text"


@dataclass(frozen=True)
class Fuzzy:
    """Words near ``text``: the nearest within the allowed edits, or all within ``distance``.

    ``distance`` is None when none was typed (``word~``); the allowed edits then follow from
    the word's length.
    """

    text: str
    field: str = "text"
    distance: int | None = None


@dataclass(frozen=True)
class Equals:
    """A whole index value: a tag, a digest label, a mark (``starred`` True)."""

    field: str
    value: str | bool


@dataclass(frozen=True)
class Range:
    """A number (``published`` as yyyymmdd, ``upvotes``) between ``low`` and ``high``."""

    field: str
    low: int | None
    high: int | None
    low_excluded: bool = False
    high_excluded: bool = False


@dataclass(frozen=True)
class HasAny:
    """Papers with any value in ``field`` (``has:tags``)."""

    field: str


@dataclass(frozen=True)
class All:
    """Every part matches."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Either:
    """At least one part matches."""

    parts: tuple[Node, ...]


@dataclass(frozen=True)
class Without:
    """``keep`` matches and ``drop`` does not."""

    keep: Node
    drop: Node


Node = Words | Phrase | Prefix | Fuzzy | Equals | Range | HasAny | All | Either | Without


def leaves(node: Node | None) -> list[Node]:
    """The leaf nodes of a tree, in order."""
    if node is None:
        return []
    if isinstance(node, (All, Either)):
        return [leaf for part in node.parts for leaf in leaves(part)]
    if isinstance(node, Without):
        return leaves(node.keep) + leaves(node.drop)
    return [node]


@dataclass
class ParsedQuery:
    """What one query string means: text to match, filters, and words for highlights."""

    text: str
    tree: Node | None = None  # None: no text part (list everything that passes filters)
    filters: list[Node] = field(default_factory=list)  # all must match
    exclusions: list[Node] = field(default_factory=list)  # none may match
    positive_words: list[str] = field(default_factory=list)  # plain words, for "did you mean"
    highlight: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) pairs
    fallback: bool = False  # True when the grammar gave up and plain words were used
    error: str | None = None  # the query is refused (a one-letter prefix): say this instead

    @property
    def is_empty(self) -> bool:
        return self.tree is None and not self.filters and not self.exclusions


# --- parsing -----------------------------------------------------------------------------------


class _Malformed(Exception):
    pass


@dataclass
class _Token:
    kind: str
    text: str


def parse_query(text: str) -> ParsedQuery:
    """Parse what the user typed. Never raises: malformed input falls back to plain words."""
    text = text or ""
    try:
        return _Parser(text).parse()
    except _Malformed:
        return _plain_words(text)


def _plain_words(text: str) -> ParsedQuery:
    result = ParsedQuery(text=text, fallback=True)
    parts: list[Node] = []
    for word in _PLAIN_WORD.findall(text):
        parts.append(Words(word))
        result.positive_words.append(word)
        result.highlight.append(("word", word))
    result.tree = _all(parts)
    return result


def _lex(text: str) -> list[_Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "word"
        value = match.group()
        if kind == "space":
            continue
        if kind == "phrase" and (len(value) < 2 or not value.endswith('"')):
            # An unclosed quote: the words after it, as if it were not there.
            tokens.extend(_lex(value[1:]))
            continue
        tokens.append(_Token(kind, value))
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.tokens = _lex(text)
        self.i = 0
        self.result = ParsedQuery(text=text)

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> ParsedQuery:
        tree = self.parse_or()
        if self.peek() is not None:
            raise _Malformed  # a stray ")"
        self.result.tree = tree
        return self.result

    def parse_or(self) -> Node | None:
        branches = [self.parse_and()]
        while (token := self.peek()) is not None and token.kind == "word" and token.text == "OR":
            self.take()
            branches.append(self.parse_and())
        real = [b for b in branches if b is not None]
        if len(branches) > 1 and len(real) < len(branches):
            # "a OR is:read" has no sensible meaning for a filter branch; read as words.
            raise _Malformed
        if not real:
            return None
        return real[0] if len(real) == 1 else Either(tuple(real))

    def parse_and(self) -> Node | None:
        parts: list[Node] = []
        negatives: list[Node] = []
        while (token := self.peek()) is not None:
            if token.kind == "rparen" or (token.kind == "word" and token.text == "OR"):
                break
            if token.kind == "word" and token.text == "AND":
                self.take()
                continue
            negate = False
            if token.kind == "neg" or (token.kind == "word" and token.text == "NOT"):
                self.take()
                negate = True
                if self.peek() is None:
                    raise _Malformed
            node = self.parse_atom(negate)
            if node is None:
                continue
            (negatives if negate else parts).append(node)
        if not parts and negatives:
            # "-word" alone: everything except. Exclusions at the top apply globally.
            self.result.exclusions.extend(negatives)
            return None
        node = _all(parts)
        if node is not None and negatives:
            node = Without(node, negatives[0] if len(negatives) == 1 else Either(tuple(negatives)))
        return node

    def parse_atom(self, negate: bool) -> Node | None:
        token = self.take()
        if token.kind == "lparen":
            inner = self.parse_or()
            closing = self.peek()
            if closing is None or closing.kind != "rparen":
                raise _Malformed
            self.take()
            return inner
        if token.kind == "rparen":
            raise _Malformed
        if token.kind == "phrase":
            return self.phrase(token.text[1:-1], "text", negate)
        if token.kind == "field":
            name = token.text[:-1].lower()
            value_token = self.peek()
            if value_token is None or value_token.kind not in ("word", "phrase"):
                raise _Malformed
            self.take()
            quoted = value_token.kind == "phrase"
            value = value_token.text[1:-1] if quoted else value_token.text
            if name in FILTER_NAMES:
                self.add_filter(name, value, negate)
                return None
            fieldname = FIELD_NAMES.get(name)
            if fieldname is None:
                # "http://x" or "ratio:3" is text, not a field.
                return self.word(token.text + value_token.text, "text", negate)
            if fieldname == "tag":
                return self.tag(value)
            if quoted:
                return self.phrase(value, fieldname, negate)
            return self.word(value, fieldname, negate)
        return self.word(token.text, "text", negate)

    def word(self, text: str, fieldname: str, negate: bool) -> Node | None:
        fuzzy = _FUZZY.match(text)
        if fuzzy:
            base = fuzzy.group("word").lower()
            if len(base) < FUZZY_MIN_LENGTH:
                self.refuse(f"{text!r}: a fuzzy word needs at least {FUZZY_MIN_LENGTH} letters")
                return None
            if not negate:
                self.result.highlight.append(("fuzzy", base))
            distance = fuzzy.group("dist")
            return Fuzzy(base, fieldname, int(distance) if distance else None)
        if text.endswith("*") and text.rstrip("*"):
            base = text.rstrip("*").lower()
            letters = "".join(_exact_parts(base))
            if len(letters) < PREFIX_MIN_LENGTH:
                self.refuse(
                    f"{text!r}: a prefix needs at least {PREFIX_MIN_LENGTH} letters before the *"
                )
                return None
            if not negate:
                self.result.highlight.append(("prefix", letters))
            return Prefix(letters, fieldname)
        cleaned = text.replace("*", "").replace("~", "")
        if not _PLAIN_WORD.search(cleaned):
            return None
        if not negate:
            self.result.highlight.append(("word", cleaned))
            self.result.positive_words.append(cleaned)
        return Words(cleaned, fieldname)

    def phrase(self, text: str, fieldname: str, negate: bool) -> Node | None:
        if not _exact_parts(text):
            return None
        if not negate:
            self.result.highlight.append(("phrase", text))
        return Phrase(text, fieldname)

    def tag(self, value: str) -> Node | None:
        value = fold(value)
        if not value:
            return None
        if value.endswith("*"):
            return Prefix(value.rstrip("*"), "tag")
        return Equals("tag", value)

    def refuse(self, message: str) -> None:
        if self.result.error is None:
            self.result.error = message

    def add_filter(self, name: str, value: str, negate: bool) -> None:
        node = _filter(name, value)
        if node is None:
            raise _Malformed
        (self.result.exclusions if negate else self.result.filters).append(node)


def _exact_parts(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def _all(parts: list[Node]) -> Node | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else All(tuple(parts))


# --- filters -----------------------------------------------------------------------------------

_DATE = re.compile(r"^(?P<y>\d{4})(?:-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2}))?)?$")


def _date_bounds(text: str) -> tuple[int, int] | None:
    """First and last day (yyyymmdd) of the year, month or day written as text."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    year = int(match["y"])
    month = int(match["m"]) if match["m"] else None
    day = int(match["d"]) if match["d"] else None
    try:
        if month is None:
            return year * 10000 + 101, year * 10000 + 1231
        last = calendar.monthrange(year, month)[1]
        if day is None:
            return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last
        dt.date(year, month, day)
    except ValueError:
        return None
    value = year * 10000 + month * 100 + day
    return value, value


def _date_filter(value: str) -> Range | None:
    value = value.strip()
    if ".." in value:
        low_text, _, high_text = value.partition("..")
        low = _date_bounds(low_text) if low_text else (1, 1)
        high = _date_bounds(high_text) if high_text else (99991231, 99991231)
        if low is None or high is None:
            return None
        return Range("published", low[0], high[1])
    match = re.match(r"^(>=|<=|>|<|=)?(.*)$", value)
    assert match is not None
    operator, rest = match.group(1) or "=", match.group(2)
    bounds = _date_bounds(rest)
    if bounds is None:
        return None
    first, last = bounds
    if operator == "=":
        return Range("published", first, last)
    if operator == ">":
        return Range("published", last, None, low_excluded=True)
    if operator == ">=":
        return Range("published", first, None)
    if operator == "<":
        return Range("published", 1, first, high_excluded=True)
    return Range("published", 1, last)


NUMBER_MAX = 2**32 - 1  # the index's numeric fields are unsigned 32-bit


def _number_filter(fieldname: str, value: str) -> Range | Without | None:
    match = re.match(r"^(>=|<=|>|<|=)?(\d+)$", value.strip())
    if not match:
        return None
    operator, number = match.group(1) or "=", int(match.group(2))
    if number > NUMBER_MAX:
        # Beyond what the index holds: "more than" finds nothing, "less than" everything.
        every = Range(fieldname, 0, NUMBER_MAX)
        return every if operator in ("<", "<=") else Without(every, every)
    if operator == "=":
        return Range(fieldname, number, number)
    if operator in (">", ">="):
        return Range(fieldname, number, None, low_excluded=operator == ">")
    return Range(fieldname, 0, number, high_excluded=operator == "<")


def _filter(name: str, value: str) -> Node | None:
    lowered = value.strip().lower()
    if name == "is":
        return {
            "starred": Equals("starred", True),
            "unstarred": Equals("starred", False),
            "read": Equals("read", True),
            "unread": Equals("read", False),
        }.get(lowered)
    if name == "has":
        if lowered in ("note", "notes"):
            return Equals("has_note", True)
        if lowered in ("tag", "tags"):
            return HasAny("tag")
        return None
    if name == "year":
        if ".." in lowered or re.fullmatch(r"\d{4}", lowered):
            return _date_filter(lowered)
        return None
    if name == "published":
        return _date_filter(lowered)
    if name == "digest":
        label = fold(value)
        return Equals("digest", label) if label else None
    if name == "upvotes":
        return _number_filter("upvotes", lowered)
    return None
