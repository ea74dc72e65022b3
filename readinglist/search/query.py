"""The search language users type, parsed into Whoosh queries; never fails on any input.

Grammar (see docs/search.md)::

    query  := or ( OR or )*          words are ANDed by default
    or     := unary+
    unary  := NOT unary | -atom | atom
    atom   := ( query ) | "phrase" | field:value | word | prefix* | fuzzy~ | fuzzy~2

Fields: ``title:`` ``abstract:`` ``note:`` ``tag:`` ``org:``. Filters (always ANDed with the
rest, negatable with ``-``): ``is:starred`` ``is:unstarred`` ``is:read`` ``is:unread``
``has:note`` ``has:tags`` ``year:2024`` ``year:2023..2024`` ``published:>2024-06``
``published:<=2024-06-30`` ``published:2024-03`` ``published:2024-01..2024-03``
``digest:"Mar 14"`` ``upvotes:>10``. Anything the grammar cannot read (a lone ``)``, an
unknown ``is:``, an unclosed quote) is read as plain words instead of raising.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from whoosh import query as wq
from whoosh.matching import ListMatcher, NullMatcher
from whoosh.support.levenshtein import damerau_levenshtein

from readinglist.search.analysis import PaperAnalyzer, stem
from readinglist.search.schema import fold

# Fields a bare word searches, and the name users type for each field.
# A bare word searches ``text``: title, abstract, note, organisation and tags (weighted).
DEFAULT_FIELDS = ("text",)
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
PHRASE_FIELDS = ("text", "title", "note")
FILTER_NAMES = ("is", "has", "year", "published", "digest", "upvotes")
KEYWORD_FIELDS = ("tag",)

# How far a fuzzy term may expand: enough for real typos, bounded so `a~2` cannot explode.
FUZZY_MAX_TERMS = 64
PREFIX_MIN_LENGTH = 2
# Phrase hits score like a strong term match: boost × (2 + log(1 + occurrences)).
PHRASE_BOOST = 4.0
PHRASE_TITLE_BOOST = 6.0

_ANALYZER = PaperAnalyzer()
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


@dataclass
class ParsedQuery:
    """What one query string means: text to score, filters, and words for highlights."""

    text: str
    query: wq.Query | None = None  # None: no text part (list everything that passes filters)
    filters: list[wq.Query] = field(default_factory=list)  # all must match
    exclusions: list[wq.Query] = field(default_factory=list)  # none may match
    positive_words: list[str] = field(default_factory=list)  # plain words, for "did you mean"
    highlight: list[tuple[str, str]] = field(default_factory=list)  # (kind, text) pairs
    fallback: bool = False  # True when the grammar gave up and plain words were used

    @property
    def is_empty(self) -> bool:
        return self.query is None and not self.filters and not self.exclusions

    def filter_query(self) -> wq.Query | None:
        if not self.filters:
            return None
        return self.filters[0] if len(self.filters) == 1 else wq.And(self.filters)

    def exclusion_query(self) -> wq.Query | None:
        if not self.exclusions:
            return None
        return self.exclusions[0] if len(self.exclusions) == 1 else wq.Or(self.exclusions)


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
    parts: list[wq.Query] = []
    for word in re.findall(r"\w+(?:[-.]\w+)*", text):
        q = _word_query(word, DEFAULT_FIELDS, result)
        if q is not None:
            parts.append(q)
            result.positive_words.append(word)
    result.query = _and(parts)
    return result


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = self._lex(text)
        self.i = 0
        self.result = ParsedQuery(text=text)

    @staticmethod
    def _lex(text: str) -> list[_Token]:
        tokens = []
        for match in _TOKEN.finditer(text):
            kind = match.lastgroup or "word"
            if kind == "space":
                continue
            tokens.append(_Token(kind, match.group()))
        return tokens

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> ParsedQuery:
        query = self.parse_or(top=True)
        if self.peek() is not None:
            raise _Malformed  # a stray ")"
        self.result.query = query
        return self.result

    def parse_or(self, top: bool = False) -> wq.Query | None:
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
        return real[0] if len(real) == 1 else wq.Or(real)

    def parse_and(self) -> wq.Query | None:
        parts: list[wq.Query] = []
        negatives: list[wq.Query] = []
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
            query = self.parse_atom(negate)
            if query is None:
                continue
            (negatives if negate else parts).append(query)
        if not parts and negatives:
            # "-word" alone: everything except. Exclusions at the top apply globally.
            self.result.exclusions.extend(negatives)
            return None
        query = _and(parts)
        if query is not None and negatives:
            query = wq.AndNot(query, negatives[0] if len(negatives) == 1 else wq.Or(negatives))
        return query

    def parse_atom(self, negate: bool) -> wq.Query | None:
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
            return self.phrase(_unquote(token.text), DEFAULT_FIELDS, negate)
        if token.kind == "field":
            name = token.text[:-1].lower()
            value_token = self.peek()
            if value_token is None or value_token.kind not in ("word", "phrase"):
                raise _Malformed
            self.take()
            value = value_token.text
            quoted = value_token.kind == "phrase"
            if quoted:
                value = _unquote(value)
            if name in FILTER_NAMES:
                self.add_filter(name, value, negate)
                return None
            fieldname = FIELD_NAMES.get(name)
            if fieldname is None:
                # "http://x" or "ratio:3" is text, not a field.
                return self.word(token.text + value_token.text, DEFAULT_FIELDS, negate)
            if fieldname in KEYWORD_FIELDS:
                return _keyword_query(fieldname, value)
            if quoted:
                return self.phrase(value, (fieldname,), negate)
            return self.word(value, (fieldname,), negate)
        return self.word(token.text, DEFAULT_FIELDS, negate)

    def word(self, text: str, fields: tuple[str, ...], negate: bool) -> wq.Query | None:
        query = _word_query(text, fields, None if negate else self.result)
        if query is not None and not negate and not _is_special(text):
            self.result.positive_words.append(text)
        return query

    def phrase(self, text: str, fields: tuple[str, ...], negate: bool) -> wq.Query | None:
        terms = [t.text for t in _ANALYZER(text, mode="query")]
        if not terms:
            return None
        if not negate:
            self.result.highlight.append(("phrase", text))
        if len(terms) == 1:
            return _or([wq.Term(f, terms[0]) for f in fields])
        phrases: list[wq.Query] = [PhraseSet(f, terms) for f in fields if f in PHRASE_FIELDS]
        if fields == DEFAULT_FIELDS:
            # The title is inside ``text`` too; a phrase there as well ranks the paper higher.
            phrases.append(PhraseSet("title", terms, boost=PHRASE_TITLE_BOOST))
        return _or(phrases)

    def add_filter(self, name: str, value: str, negate: bool) -> None:
        query = _filter_query(name, value)
        if query is None:
            raise _Malformed
        (self.result.exclusions if negate else self.result.filters).append(query)


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text.endswith('"') else text[1:]


def _is_special(text: str) -> bool:
    return text.endswith("*") or "~" in text


def _and(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _or(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.Or(parts)


_FUZZY = re.compile(r"^(?P<word>.+?)~(?P<dist>[12])?$")


def _word_query(
    text: str, fields: tuple[str, ...], result: ParsedQuery | None
) -> wq.Query | None:
    fuzzy = _FUZZY.match(text)
    if fuzzy:
        base = fuzzy.group("word")
        terms = [t.text for t in _ANALYZER(base, mode="query")]
        if len(terms) != 1:
            return _word_query(base, fields, result)
        if result is not None:
            result.highlight.append(("fuzzy", base))
        distance = int(fuzzy.group("dist") or (1 if len(terms[0]) < 7 else 2))
        return _or([FuzzySet(f, terms[0], distance) for f in fields if f not in KEYWORD_FIELDS])
    if text.endswith("*") and len(text.rstrip("*")) >= 1:
        base = text.rstrip("*").lower()
        if len(base) < PREFIX_MIN_LENGTH:
            return None  # "a*" matches the whole library: not a search
        if result is not None:
            result.highlight.append(("prefix", base))
        return _or([PrefixSet(f, base) for f in fields if f not in KEYWORD_FIELDS])
    cleaned = text.replace("*", "").replace("~", "")
    terms = [t.text for t in _ANALYZER(cleaned, mode="query")]
    if not terms:
        return None
    if result is not None:
        result.highlight.append(("word", cleaned))
    per_term = []
    for term in terms:
        queries = [wq.Term(f, term) for f in fields if f not in KEYWORD_FIELDS]
        per_term.append(_or(queries))
    return _and([q for q in per_term if q is not None])


def _keyword_query(fieldname: str, value: str) -> wq.Query | None:
    value = fold(value)
    if not value:
        return None
    if value.endswith("*"):
        return wq.Prefix(fieldname, value.rstrip("*"))
    return wq.Term(fieldname, value)


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


def _date_filter(value: str) -> wq.Query | None:
    value = value.strip()
    if ".." in value:
        low_text, _, high_text = value.partition("..")
        low = _date_bounds(low_text) if low_text else (1, 1)
        high = _date_bounds(high_text) if high_text else (99991231, 99991231)
        if low is None or high is None:
            return None
        return wq.NumericRange("published", low[0], high[1])
    match = re.match(r"^(>=|<=|>|<|=)?(.*)$", value)
    assert match is not None
    operator, rest = match.group(1) or "=", match.group(2)
    bounds = _date_bounds(rest)
    if bounds is None:
        return None
    first, last = bounds
    if operator == "=":
        return wq.NumericRange("published", first, last)
    if operator == ">":
        return wq.NumericRange("published", last, None, startexcl=True)
    if operator == ">=":
        return wq.NumericRange("published", first, None)
    if operator == "<":
        return wq.NumericRange("published", 1, first, endexcl=True)
    return wq.NumericRange("published", 1, last)


def _number_filter(fieldname: str, value: str) -> wq.Query | None:
    match = re.match(r"^(>=|<=|>|<|=)?(\d+)$", value.strip())
    if not match:
        return None
    operator, number = match.group(1) or "=", int(match.group(2))
    if operator == "=":
        return wq.NumericRange(fieldname, number, number)
    if operator in (">", ">="):
        return wq.NumericRange(fieldname, number, None, startexcl=operator == ">")
    return wq.NumericRange(fieldname, 0, number, endexcl=operator == "<")


def _filter_query(name: str, value: str) -> wq.Query | None:
    lowered = value.strip().lower()
    if name == "is":
        return {
            "starred": wq.Term("starred", True),
            "unstarred": wq.Term("starred", False),
            "read": wq.Term("read", True),
            "unread": wq.Term("read", False),
        }.get(lowered)
    if name == "has":
        if lowered in ("note", "notes"):
            return wq.Term("has_note", True)
        if lowered in ("tag", "tags"):
            return wq.Every("tag")
        return None
    if name == "year":
        if ".." in lowered:
            return _date_filter(lowered)
        if re.fullmatch(r"\d{4}", lowered):
            return _date_filter(lowered)
        return None
    if name == "published":
        return _date_filter(lowered)
    if name == "digest":
        label = fold(value)
        return wq.Term("digest", label) if label else None
    if name == "upvotes":
        return _number_filter("upvotes", lowered)
    return None


class _TermSet(wq.Query):
    """Documents holding any of the index terms a pattern expands to, scored as one term.

    Whoosh's Prefix/FuzzyTerm build an Or of one matcher per expanded term and score each;
    ``diff*`` expands to hundreds of terms at 100k papers. Reading the postings once into a
    sorted id list and matching that is an order of magnitude faster.
    """

    max_terms = 4096

    def __init__(self, fieldname: str, text: str, boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.text = text
        self.boost = boost

    def __eq__(self, other: object) -> bool:
        return (
            type(self) is type(other)
            and self.fieldname == other.fieldname  # type: ignore[attr-defined]
            and self.text == other.text  # type: ignore[attr-defined]
            and self.boost == other.boost  # type: ignore[attr-defined]
        )

    def __hash__(self) -> int:
        return hash((type(self).__name__, self.fieldname, self.text, self.boost))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.fieldname!r}, {self.text!r})"

    def field(self) -> str:
        return self.fieldname

    def terms(self, phrases: bool = False) -> Any:
        return iter(())

    def expand(self, reader: Any) -> list[str]:
        raise NotImplementedError

    def estimate_size(self, ixreader: Any) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, t) for t in self.expand(ixreader))

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        if self.fieldname not in reader.schema:
            return NullMatcher()
        # A search runs the query twice (top hits, then the count) and the highlighter
        # expands it again: remember the ids for this reader.
        cache = self.__dict__.setdefault("_ids", {})  # per segment reader: searched per segment
        cached = cache.get(id(reader))
        if cached is not None and cached[0] is reader:
            ids = cached[1]
        else:
            from readinglist.search.ranking import segment_ids

            found: set[int] = set()
            for text in self.expanded(reader):
                try:
                    found |= segment_ids(reader, self.fieldname, text)
                except Exception:  # noqa: BLE001,S112 - a term vanished since expand
                    continue
            ids = sorted(found)
            cache[id(reader)] = (reader, ids)
        if not ids:
            return NullMatcher()
        field_boost = getattr(reader.schema[self.fieldname], "field_boost", 1.0) or 1.0
        return ListMatcher(ids, all_weights=self.boost * field_boost)

    def expand_once(self, reader: Any) -> None:
        """Expand against the whole index's reader now, and use that for every segment.

        Expanding per segment would repeat the costly part for each one.
        """
        self._shared_terms = self.expand(reader)

    def expanded(self, reader: Any) -> list[str]:
        """``expand(reader)``, remembered for this reader."""
        shared = getattr(self, "_shared_terms", None)
        if shared is not None:
            return shared
        cache = self.__dict__.setdefault("_terms", {})
        cached = cache.get(id(reader))
        if cached is None or cached[0] is not reader:
            cached = cache[id(reader)] = (reader, self.expand(reader))
        return cached[1]


class PrefixSet(_TermSet):
    """Words starting with ``text`` (and with its stem, so ``generaliz*`` finds stems)."""

    def expand(self, reader: Any) -> list[str]:
        found: list[str] = []
        prefixes = {self.text, stem(self.text)}
        for prefix in sorted(prefixes):
            for btext in reader.expand_prefix(self.fieldname, prefix):
                found.append(btext.decode("utf-8") if isinstance(btext, bytes) else btext)
                if len(found) >= self.max_terms:
                    return found
        return sorted(set(found))


class FuzzySet(_TermSet):
    """Index terms within ``distance`` edits of ``text`` (sharing its first letter)."""

    def __init__(self, fieldname: str, text: str, distance: int = 1, boost: float = 1.0) -> None:
        super().__init__(fieldname, text, boost)
        self.distance = distance

    def __hash__(self) -> int:
        return hash((super().__hash__(), self.distance))

    def expand(self, reader: Any) -> list[str]:
        found = near_terms(reader, self.fieldname, self.text, self.distance)
        terms = sorted(found, key=lambda t: (found[t], -reader.doc_frequency(self.fieldname, t)))
        # Keep the closest, then the commonest: those are the words the user most likely meant.
        return terms[:FUZZY_MAX_TERMS]


def near_terms(reader: Any, fieldname: str, word: str, distance: int) -> dict[str, int]:
    """Index terms (stems) within ``distance`` typing mistakes of ``word``, with their distance.

    Stems are often shorter than the word typed ("specul" for "speculative"), so a misspelt
    ending would put the stem out of reach: besides the terms near the typo's own stem, a term
    also counts when it is near the typed word cut to the term's length and the rest of the
    word could be an ending.
    """
    word = word.lower()
    stemmed = stem(word)
    found: dict[str, int] = {}
    if fieldname not in reader.schema:
        return found
    for term in reader.terms_within(fieldname, stemmed, distance, prefix=1):
        text = term.decode("utf-8") if isinstance(term, bytes) else term
        found[text] = damerau_levenshtein(text, stemmed)
    if len(word) >= 5:
        for btext in reader.expand_prefix(fieldname, word[:3]):
            text = btext.decode("utf-8") if isinstance(btext, bytes) else btext
            if len(text) < 4 or not 0 <= len(word) - len(text) <= 5 or text in found:
                continue
            cut = damerau_levenshtein(word[: len(text)], text, limit=distance + 1)
            if cut <= distance:
                found[text] = cut + 1  # ranks after a whole-word match
    return found


class PhraseSet(_TermSet):
    """Documents where ``terms`` occur at consecutive positions of ``fieldname``.

    Whoosh's Phrase query verifies positions through its span machinery, about 45 µs per
    candidate document (a common two-word phrase took 0.8 s at 100k papers just to count).
    Here the rarest word's postings are read once, each other word's postings are skipped to
    those candidates (or read once, when most of them are candidates), and positions are
    compared as sets. A hit scores ``boost × (2 + log(1 + occurrences))``: scoring the words'
    postings again, BM25-style, cost as much as finding the phrase.
    """

    def __init__(self, fieldname: str, terms: list[str], boost: float = PHRASE_BOOST) -> None:
        super().__init__(fieldname, " ".join(terms), boost)
        self.words = list(terms)

    def expand(self, reader: Any) -> list[str]:
        return []

    def expand_once(self, reader: Any) -> None:
        return None

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        reader = searcher.reader()
        cache = self.__dict__.setdefault("_ids", {})
        cached = cache.get(id(reader))
        if cached is None or cached[0] is not reader:
            found = _cached_phrase_docs(reader, self.fieldname, self.words)
            cached = cache[id(reader)] = (reader, found)
        counts = cached[1]
        if not counts:
            return NullMatcher()
        ids = sorted(counts)
        weights = [self.boost * (2.0 + math.log1p(counts[i])) for i in ids]
        return ListMatcher(ids, weights=weights)


_PHRASES: OrderedDict[tuple[Any, ...], dict[int, int]] = OrderedDict()
_PHRASES_LOCK = threading.Lock()
PHRASE_CACHE_SIZE = 64


def _cached_phrase_docs(reader: Any, fieldname: str, words: list[str]) -> dict[int, int]:
    """``_phrase_docs``, remembered per segment and the state of its deletions.

    A segment's postings never change and its deletions only grow, so its live document count
    names its state.
    """
    segment = reader.segment() if hasattr(reader, "segment") else None
    if segment is None:
        return _phrase_docs(reader, fieldname, words)
    key = (segment.segment_id(), reader.doc_count(), fieldname, tuple(words))
    with _PHRASES_LOCK:
        found = _PHRASES.get(key)
        if found is not None:
            _PHRASES.move_to_end(key)
            return found
    found = _phrase_docs(reader, fieldname, words)
    with _PHRASES_LOCK:
        _PHRASES[key] = found
        while len(_PHRASES) > PHRASE_CACHE_SIZE:
            _PHRASES.popitem(last=False)
    return found


def _phrase_docs(reader: Any, fieldname: str, words: list[str]) -> dict[int, int]:
    """Documents holding the phrase, with how many times each holds it."""
    if fieldname not in reader.schema:
        return {}
    unique = list(dict.fromkeys(words))
    frequency = {w: reader.doc_frequency(fieldname, w) for w in unique}
    if not all(frequency.values()):
        return {}
    offsets: dict[str, list[int]] = {}
    for i, word in enumerate(words):
        offsets.setdefault(word, []).append(i)
    order = sorted(unique, key=frequency.__getitem__)
    rarest = order[0]
    # Candidate starts: positions of the phrase's first word implied by the rarest word.
    starts: dict[int, set[int]] = {}
    for docnum, positions in reader.postings(fieldname, rarest).items_as("positions"):
        found = {p - o for p in positions for o in offsets[rarest]}
        starts[docnum] = found
    decode = reader.schema[fieldname].format.decode_positions
    for word in order[1:]:
        if not starts:
            break
        matcher = reader.postings(fieldname, word)
        if len(starts) * 4 < frequency[word]:
            starts = _keep_matching(matcher, starts, offsets[word])
            continue
        # Most of this word's documents are candidates: one sequential read beats skipping.
        kept: dict[int, set[int]] = {}
        word_offsets = offsets[word]
        for docnum, raw in matcher.all_items():
            candidate = starts.get(docnum)
            if candidate is None:
                continue
            positions = set(decode(raw))
            alive = {s for s in candidate if all(s + o in positions for o in word_offsets)}
            if alive:
                kept[docnum] = alive
        starts = kept
    # The rarest word may occur more than once in the phrase: check its other offsets too.
    if len(offsets[rarest]) > 1 and starts:
        starts = _keep_matching(reader.postings(fieldname, rarest), starts, offsets[rarest])
    return {docnum: len(found) for docnum, found in starts.items()}


def _keep_matching(
    matcher: Any, starts: dict[int, set[int]], offsets: list[int]
) -> dict[int, set[int]]:
    kept: dict[int, set[int]] = {}
    for docnum in sorted(starts):
        if matcher.is_active() and matcher.id() < docnum:
            matcher.skip_to(docnum)
        if not matcher.is_active():
            break
        if matcher.id() != docnum:
            continue
        positions = set(matcher.value_as("positions"))
        alive = {s for s in starts[docnum] if all(s + o in positions for o in offsets)}
        if alive:
            kept[docnum] = alive
    return kept
