"""Corrections of misspelt query words, and when they are sure enough to search for.

A word is a candidate for correction only when the library does not use it (neither as
written nor by its stem): a word that occurs in the library is never corrected. Nor is a
word of fewer than ``SUGGEST_MIN_LENGTH`` letters or one with digits (``ocr``, ``dpo``,
``int4``, ``fp8`` are names the library lacks, not typos of "our", "do", "into", "fps"), and
a stop word is never proposed. The replacement is the library word fewest edits away (one
for words of four letters, two beyond), the commonest among equals. The correction is
*confident*, so that the results of the corrected query may be shown in place of "no papers
match", only when every replaced word

- has at least ``CONFIDENT_MIN_LENGTH`` letters and is neither a number nor typed in
  capitals (an acronym the library lacks, like ``OCR``, is not a typo of ``our``);
- is close to its replacement: one edit, or two for words of ``TWO_EDITS_LENGTH`` letters or
  more;
- has a replacement used by at least ``CONFIDENT_MIN_PAPERS`` papers, or that is the only
  library word within reach (a rare name such as "PixArt" misspelt is still unambiguous);
- and no other word as close used by half as many (two likely words: ask, do not guess).
  Words of one stem ("transformer", "transformers") count as one.

Otherwise the correction is only a suggestion the user may click. Only the misspelt words
change in the suggested query.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from readinglist.search.engine.analysis import STOP_WORDS, exact_words, stem
from readinglist.search.engine.vocabulary import Vocabulary
from readinglist.search.query import ParsedQuery

SUGGEST_MIN_LENGTH = 4
CONFIDENT_MIN_LENGTH = 5
TWO_EDITS_LENGTH = 8
CONFIDENT_MIN_PAPERS = 2
SUGGEST_LONG_WORD = 5  # words this long may be two edits from a suggestion


@dataclass(frozen=True)
class Correction:
    """The query with misspelt words replaced, and whether it is sure enough to search."""

    text: str
    confident: bool
    replaced: tuple[tuple[str, str], ...]  # (typed, replacement) pairs


@dataclass(frozen=True)
class _Choice:
    word: str
    edits: int
    papers: int
    runner_up: int  # papers of the next word as close, of another stem (0: none)
    alone: bool  # no word of another stem within reach


def correct(
    parsed: ParsedQuery, vocab: Vocabulary, stem_papers: Callable[[str], int]
) -> Correction | None:
    """The correction of ``parsed``'s misspelt words (None: nothing to correct).

    ``vocab`` is the library's words as written; ``stem_papers(stem)`` tells how many papers
    use a stem (a plural typed for a singular is not a typo).
    """
    replaced: list[tuple[str, str]] = []
    confident = True
    for typed in parsed.positive_words:
        words = exact_words(typed)
        if len(words) != 1:
            continue  # compounds ("GPT-4") are names: never corrected
        word = words[0]
        if len(word) < SUGGEST_MIN_LENGTH or not word.isalpha():
            continue
        if word in vocab or stem_papers(stem(word)) > 0:
            continue
        choice = _best(vocab, word)
        if choice is None:
            continue
        replaced.append((typed, choice.word))
        confident = confident and _is_confident(typed, word, choice)
    if not replaced:
        return None
    text = parsed.text
    for typed, word in replaced:
        text = re.sub(rf"(?<![\w-]){re.escape(typed)}(?![\w-])", word, text)
    return Correction(text, confident, tuple(replaced))


def _best(vocab: Vocabulary, word: str) -> _Choice | None:
    distance = 1 if len(word) < SUGGEST_LONG_WORD else 2
    near = {
        w: d for w, d in vocab.near(word, distance).items() if d > 0 and w not in STOP_WORDS
    }
    if not near:
        return None
    ranked = sorted(near, key=lambda w: (near[w], -vocab.frequency[w], w))
    best = ranked[0]
    others = [w for w in ranked[1:] if stem(w) != stem(best)]
    runner_up = 0
    if others and near[others[0]] == near[best]:
        runner_up = vocab.frequency[others[0]]
    return _Choice(best, near[best], vocab.frequency[best], runner_up, alone=not others)


def _is_confident(typed: str, word: str, choice: _Choice) -> bool:
    if len(word) < CONFIDENT_MIN_LENGTH or not word.isalpha():
        return False
    if typed.isupper():
        return False  # typed as an acronym
    allowed = 2 if len(word) >= TWO_EDITS_LENGTH else 1
    if choice.edits > allowed:
        return False
    if choice.papers < CONFIDENT_MIN_PAPERS and not choice.alone:
        return False
    return choice.runner_up * 2 < choice.papers
