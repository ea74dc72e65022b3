"""The analyzer for English technical text: stems words, keeps `U-Net`, `GPT-4`, `3D` findable.

One pass over the text does what Whoosh's tokenizer | lowercase | stop | stem chain does in
four generators, because analysis is a third of the cost of building the index.

A compound such as ``U-Net`` or ``GPT-3.5`` is indexed as its joined form (``unet``,
``gpt3.5``), as the joins of its leading parts (``U-Net-based`` gives ``unet`` too) *and* as
its parts (``net``, ``base``, ``gpt``), all at the compound's position, so ``U-Net``, ``UNet``,
``unet``, ``U-Net-based`` and ``net`` all find it. In query mode only the joined form is
produced, so ``GPT-4`` does not also match every ``4``.

An acronym's plural stems to the acronym (``LLMs`` -> ``llm``, ``CNNs`` -> ``cnn``): Porter2
keeps a final ``s`` after a part with no vowel.

``ExactAnalyzer`` is the other analysis: words as written (lowercased, split at every
character that is not a letter or digit, stop words kept), for exact phrases, prefixes,
fuzzy words and corrections.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter2 import stem as porter_stem

# A word, optionally joined to more words by hyphens or by dots between letters/digits
# ("U-Net", "GPT-3.5", "github.com") - the dot alone, as at a sentence end, never joins.
# An underscore joins like a hyphen ("GCN_multistructure" in a URL): it is not a letter.
_WORD = re.compile(r"[^\W_]+(?:[-._][^\W_]+)*")
_PART = re.compile(r"[-._]")

# Whoosh's stop list, minus words that carry meaning in ML titles ("can", "will" stay out
# too: they are noise). Kept small on purpose: every stop word is a word nobody can search.
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have if in is it its of on or that the this to "
    "was we were which with".split()
)

_VOWEL = re.compile(r"[aeiouy]")
_STEMS: dict[str, str] = {}
_STEM_CACHE_LIMIT = 500_000


def stem(word: str) -> str:
    """Porter2 (Snowball English) stem of a lowercase word, cached: vocabularies repeat."""
    try:
        return _STEMS[word]
    except KeyError:
        pass
    # Digits-bearing tokens ("3d", "gpt4", "2024") are names, not English words.
    if len(word) < 3 or not word.isalpha():
        result = word
    elif word[-1] == "s" and not _VOWEL.search(word[:-1]):
        result = word[:-1]  # an acronym's plural: "llms", "cnns", "mllms"
    else:
        result = porter_stem(word)
    if len(_STEMS) < _STEM_CACHE_LIMIT:
        _STEMS[word] = result
    return result


class PaperAnalyzer(Analyzer):
    """Tokenize, lowercase, drop stop words and stem in one generator (see module docstring)."""

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming

    def __call__(  # noqa: C901 - one hot loop on purpose
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        norm = stem if self.stemming else _identity
        if not tokenize:
            token.original = token.text = norm(value.lower())
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        index_mode = mode != "query"
        pos = start_pos
        stops = STOP_WORDS
        for match in _WORD.finditer(value):
            word = match.group().lower()
            compound = "-" in word or "." in word or "_" in word
            if compound:
                joined = word.replace("-", "").replace("_", "")
            else:
                joined = word
            if joined in stops:
                if removestops:
                    continue
                token.stopped = True
            else:
                token.stopped = False
            token.text = norm(joined)
            token.boost = 1.0
            if keeporiginal:
                token.original = match.group()
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            yield token
            if compound and index_mode:
                offset = match.start()
                parts = _PART.split(word)
                for lead in _leading_joins(parts, joined):
                    token.text = norm(lead)
                    token.stopped = False
                    if keeporiginal:
                        token.original = lead
                    yield token
                for part in parts:
                    if len(part) < 2 or part in stops:
                        offset += len(part) + 1
                        continue
                    token.text = norm(part)
                    token.stopped = False
                    if keeporiginal:
                        token.original = part
                    if chars:
                        token.startchar = start_char + offset
                        token.endchar = token.startchar + len(part)
                    offset += len(part) + 1
                    yield token
            pos += 1


    def positions(self, text: str, start_pos: int = 0) -> tuple[list[tuple[str, int]], int]:
        """(term, position) pairs of ``text`` for indexing, and the next free position.

        The same terms and positions as ``__call__(text, positions=True)`` in index mode,
        without a Token object per word: the bulk build spends its time here.
        """
        out: list[tuple[str, int]] = []
        append = out.append
        norm = stem if self.stemming else _identity
        stops = STOP_WORDS
        pos = start_pos
        for found in _WORD.findall(text):
            word = found.lower()  # per word: lowering the whole text can shift characters
            if "-" in word or "." in word or "_" in word:
                joined = word.replace("-", "").replace("_", "")
                if joined in stops:
                    continue
                append((norm(joined), pos))
                parts = _PART.split(word)
                for lead in _leading_joins(parts, joined):
                    append((norm(lead), pos))
                for part in parts:
                    if len(part) >= 2 and part not in stops:
                        append((norm(part), pos))
            else:
                if word in stops:
                    continue
                append((norm(word), pos))
            pos += 1
        return out, pos


def _identity(word: str) -> str:
    return word


def _leading_joins(parts: list[str], joined: str) -> list[str]:
    """The joins of a compound's first two to four parts ("U-Net-based": unet, unetbased).

    The same words the exact field holds (``ExactAnalyzer``), so a word as written and its
    stem agree; ``joined`` (the whole compound, dots kept) is not repeated.
    """
    joins = []
    for end in range(2, min(len(parts), 4) + 1):
        lead = "".join(parts[:end])
        if lead != joined and lead not in STOP_WORDS:
            joins.append(lead)
    return joins


# Words as written: runs of letters and digits. ``_`` is not a letter: "snake_case" is two words.
_EXACT_WORD = re.compile(r"[^\W_]+")
_EXACT_COMPOUND = re.compile(r"[^\W_]+(?:[-.][^\W_]+)+")


def exact_words(text: str) -> list[str]:
    """The words of ``text`` as written, lowercased, in order (a phrase's or a query's words)."""
    return [word.lower() for word in _EXACT_WORD.findall(text)]


class ExactAnalyzer(Analyzer):
    """Words as written, stop words kept, one position each (see the module docstring).

    A compound (``U-Net-based``, ``GPT-3.5``) also gives the joins of its parts (``unet``,
    ``unetbased``), at its first part's position, so ``unet*`` finds ``U-Net``.
    """

    def positions(self, text: str, start_pos: int = 0) -> tuple[list[tuple[str, int]], int]:
        """(word, position) pairs of ``text``, and the next free position."""
        lowered = text.lower()
        if len(lowered) == len(text):
            words = _EXACT_WORD.findall(lowered)
        else:  # lowering changed lengths (rare scripts): lower word by word
            words = [w.lower() for w in _EXACT_WORD.findall(text)]
        out = [(word, at) for at, word in enumerate(words, start_pos)]
        if "-" in text or "." in text:
            out.extend(self._joins(text, start_pos))
        return out, start_pos + len(words)

    @staticmethod
    def _joins(text: str, start_pos: int) -> list[tuple[str, int]]:
        joins: list[tuple[str, int]] = []
        starts = [m.start() for m in _EXACT_WORD.finditer(text)]
        for found in _EXACT_COMPOUND.finditer(text):
            at = start_pos + bisect.bisect_left(starts, found.start())
            parts = _EXACT_WORD.findall(found.group().lower())
            for end in range(2, min(len(parts), 4) + 1):
                joins.append(("".join(parts[:end]), at))
        return joins

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            found: list[tuple[str, int]] = [(value.lower(), start_pos)]
        elif mode == "query":
            found = [(w, at) for at, w in enumerate(exact_words(value), start_pos)]
        else:
            found = self.positions(value, start_pos)[0]
        for text, at in found:
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = at
            yield token


def analyze(text: str, mode: str = "index") -> list[str]:
    """The terms ``text`` becomes (for tests, suggestions and debugging)."""
    return [t.text for t in PaperAnalyzer()(text, mode=mode)]
