"""The analyzer for English technical text: stems words, keeps `U-Net`, `GPT-4`, `3D` findable.

One pass over the text does what Whoosh's tokenizer | lowercase | stop | stem chain does in
four generators, because analysis is a third of the cost of building the index.

A compound such as ``U-Net`` or ``GPT-3.5`` is indexed as its joined form (``unet``,
``gpt3.5``) *and* as its parts (``u``... ``net``, ``gpt``), all at the compound's position, so
``U-Net``, ``UNet``, ``unet`` and ``net`` all find it and phrases across it still match. In
query mode only the joined form is produced, so ``GPT-4`` does not also match every ``4``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import Analyzer, Token
from whoosh.lang.porter2 import stem as porter_stem

# A word, optionally joined to more words by hyphens or by dots between letters/digits
# ("U-Net", "GPT-3.5", "github.com") - the dot alone, as at a sentence end, never joins.
_WORD = re.compile(r"\w+(?:[-.]\w+)*")
_PART = re.compile(r"[-.]")

# Whoosh's stop list, minus words that carry meaning in ML titles ("can", "will" stay out
# too: they are noise). Kept small on purpose: every stop word is a word nobody can search.
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have if in is it its of on or that the this to "
    "was we were which with".split()
)

_STEMS: dict[str, str] = {}
_STEM_CACHE_LIMIT = 500_000


def stem(word: str) -> str:
    """Porter2 (Snowball English) stem of a lowercase word, cached: vocabularies repeat."""
    try:
        return _STEMS[word]
    except KeyError:
        pass
    # Digits-bearing tokens ("3d", "gpt4", "2024") are names, not English words.
    result = word if (len(word) < 3 or not word.isalpha()) else porter_stem(word)
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
            compound = "-" in word or ("." in word)
            if compound:
                joined = word.replace("-", "")
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
                for part in _PART.split(word):
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
            if "-" in word or "." in word:
                joined = word.replace("-", "")
                if joined in stops:
                    continue
                append((norm(joined), pos))
                for part in _PART.split(word):
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


def analyze(text: str, mode: str = "index") -> list[str]:
    """The terms ``text`` becomes (for tests, suggestions and debugging)."""
    return [t.text for t in PaperAnalyzer()(text, mode=mode)]
