"""Where a query matched in a text: character spans, highlighted titles and abstract snippets.

Works on the text from SQLite (the index stores no abstract), with the same analyzer the index
uses, so ``diffusion`` lights up ``Diffusion`` and ``diffusing``, and ``U-Net`` lights up
``U-Net``. Cheap enough to run for the one page of results the user sees.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field

from readinglist.search.engine.analysis import _PART, _WORD, PaperAnalyzer

SNIPPET_CHARS = 240
_ANALYZER = PaperAnalyzer()


@dataclass
class MatchSet:
    """The index terms a query looks for, as the highlighter needs them."""

    terms: set[str] = field(default_factory=set)  # stems
    prefixes: tuple[str, ...] = ()  # beginnings of words as written
    words: set[str] = field(default_factory=set)  # words as written (a phrase's), lowercase

    def __bool__(self) -> bool:
        return bool(self.terms or self.prefixes or self.words)

    def matches(self, term: str, written: str = "") -> bool:
        """Whether a word (its stem ``term``, its lowercase ``written`` form) is looked for."""
        written = written or term
        return (
            term in self.terms
            or written in self.words
            or (bool(self.prefixes) and written.startswith(self.prefixes))
        )


def match_spans(text: str, matches: MatchSet) -> list[tuple[int, int, str]]:
    """(start, end, term) of every word of ``text`` the query matched, in order, no overlaps."""
    if not text or not matches:
        return []
    starts = _starts(matches)
    spans: list[tuple[int, int, str]] = []
    for word in _WORD.finditer(text):
        lowered = word.group().lower()
        if lowered[:2] not in starts and not _may_match(lowered, starts):
            continue  # analyzing (stemming) it would find nothing: most words of a text
        for rel_start, rel_end, term in _word_terms(word.group()):
            written = lowered[rel_start:rel_end].replace("-", "").replace(".", "").replace("_", "")
            if not matches.matches(term, written):
                continue
            start, end = word.start() + rel_start, word.start() + rel_end
            if spans and start < spans[-1][1]:
                # A compound and its part both matched ("U-Net", "net"): keep the wider span.
                last = spans[-1]
                if end - start > last[1] - last[0] and start <= last[0]:
                    spans[-1] = (start, end, term)
                continue
            spans.append((start, end, term))
    return spans


# Porter2 keeps the first two letters of every word but these (its exceptional forms).
_STEM_CHANGES_START = frozenset({"dying", "lying", "tying"})


def _starts(matches: MatchSet) -> set[str]:
    """The first two letters of everything looked for: the terms, words and prefixes."""
    found = {term[:2] for term in matches.terms}
    found.update(word[:2] for word in matches.words)
    found.update(prefix[:2] for prefix in matches.prefixes)
    return found


def _may_match(lowered: str, starts: set[str]) -> bool:
    """Whether a token of this word (a part, a join of parts, a stem) may start so.

    A stem starts with its word's first two letters, a compound's parts and joins with
    theirs: a word none of whose pieces starts like anything looked for cannot match.
    """
    if lowered in _STEM_CHANGES_START:
        return True
    if any(part[:2] in starts for part in _PART.split(lowered)):
        return True
    joined = lowered.replace("-", "").replace("_", "")
    return joined[:2] in starts or joined.replace(".", "")[:2] in starts


_WORD_TERMS: dict[str, tuple[tuple[int, int, str], ...]] = {}


def _word_terms(word: str) -> tuple[tuple[int, int, str], ...]:
    """The analyzer's (start, end, term) tokens for one word, remembered: words repeat.

    The analyzer treats each word on its own, so a text's tokens are its words' tokens.
    """
    found = _WORD_TERMS.get(word)
    if found is None:
        found = tuple(
            (t.startchar, t.endchar, t.text)
            for t in _ANALYZER(word, chars=True, removestops=False, mode="index")
        )
        if len(_WORD_TERMS) > 200_000:
            _WORD_TERMS.clear()
        _WORD_TERMS[word] = found
    return found


def mark(text: str, spans: Iterable[tuple[int, int, str]], tag: str = "b") -> str:
    """``text`` as HTML with every span wrapped in ``<tag>``."""
    out: list[str] = []
    pos = 0
    for start, end, _term in spans:
        out.append(html.escape(text[pos:start], quote=False))
        out.append(f"<{tag}>{html.escape(text[start:end], quote=False)}</{tag}>")
        pos = end
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def title_html(title: str, matches: MatchSet) -> str:
    return mark(title, match_spans(title, matches))


def snippet_html(abstract: str, matches: MatchSet, width: int = SNIPPET_CHARS) -> str:
    """The best ``width``-character fragment of the abstract, matched words in ``<b>``.

    "Best" is the window holding the most distinct matched terms, then the most matches: a
    fragment showing ``diffusion`` and ``distillation`` together beats one showing
    ``diffusion`` three times.
    """
    text = " ".join(abstract.split())
    if not text:
        return ""
    spans = match_spans(text, matches)
    if len(text) <= width:
        return mark(text, spans)
    best_start, best_key = 0, (-1, -1)
    for i, (start, _end, _term) in enumerate(spans):
        window_start = max(0, start - width // 5)
        window_end = window_start + width
        inside = [s for s in spans[i:] if s[1] <= window_end]
        key = (len({s[2] for s in inside}), len(inside))
        if key > best_key:
            best_key, best_start = key, window_start
    start = _word_start(text, best_start)
    end = _word_end(text, min(len(text), start + width))
    inside = [s for s in spans if s[0] >= start and s[1] <= end]
    fragment = mark(text[start:end], [(s - start, e - start, t) for s, e, t in inside])
    return ("…" if start > 0 else "") + fragment + ("…" if end < len(text) else "")


def _word_start(text: str, pos: int) -> int:
    if pos <= 0:
        return 0
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 20 else pos


def _word_end(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", 0, pos)
    return space if space > pos - 20 else pos


def plain(html_text: str, start: str = "[", end: str = "]") -> str:
    """A highlighted HTML fragment as plain text, matches shown between ``start`` and ``end``."""
    return html.unescape(html_text.replace("<b>", start).replace("</b>", end))
