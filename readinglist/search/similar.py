"""The words that say what a paper is about, for related papers and recommendations.

Whoosh's ``key_terms_from_text`` ranks every index term of a text, fragments of compounds,
numbers and function words included ("where", "15", "et", the "u" of "U-Net"). Here only
content words count: whole words (compounds joined, never split into parts), of letters
only, at least three long, not in ``FUNCTION_WORDS``, used by at least one other paper.
They are ranked by tf-idf.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import TYPE_CHECKING

from readinglist.search.engine.analysis import STOP_WORDS, PaperAnalyzer, stem

if TYPE_CHECKING:
    from readinglist.search.engine.reader import Reader

# Words of English and of abstracts that say nothing about a paper's subject.
FUNCTION_WORDS = frozenset(
    """
    about above across after again against all also although among another any approach
    approaches based because been before being below between both but can could demonstrate
    does done due during each either et al even ever every existing experiments few first
    further furthermore given had here how however into introduce its itself just larger less
    many may might more moreover most much must new not novel now only other others our ours
    over paper particular per perform performance present previous propose proposed provide
    rather recent respectively result results same several shall should show shows significant
    significantly since some such than that their them then there therefore these they those
    though three through thus together two under upon use used uses using various very via
    what when where whereas whether which while who whose why within without work works would
    yet you your one
    """.split()
)
_FUNCTION_STEMS = frozenset(stem(w) for w in FUNCTION_WORDS | STOP_WORDS)
_ANALYZER = PaperAnalyzer()
MIN_LENGTH = 3


def content_terms(text: str) -> Counter[str]:
    """How often each content word's stem occurs in ``text`` (see the module docstring)."""
    counts: Counter[str] = Counter()
    for token in _ANALYZER(text, mode="query"):
        term = token.text
        if len(term) >= MIN_LENGTH and term.isalpha() and term not in _FUNCTION_STEMS:
            counts[term] += 1
    return counts


def key_terms(reader: Reader, text: str, numterms: int = 20) -> list[tuple[str, float]]:
    """The ``numterms`` most distinctive content words of ``text``, as (stem, weight)."""
    total = max(reader.paper_count(), 1)
    scored: list[tuple[float, str]] = []
    for term, count in content_terms(text).items():
        papers = reader.stem_papers(term)
        if papers < 2:
            continue  # no other paper uses it: it relates nothing
        scored.append((count * math.log(1 + total / papers), term))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [(term, weight) for weight, term in scored[:numterms]]


def most_like(
    reader: Reader, text: str, exclude: str, limit: int
) -> tuple[list[tuple[str, float]], int, list[str]]:
    """The papers most like ``text``: (id, score) of the best ``limit``, their count, the stems.

    Each key term counts in proportion to its weight (at least 5 % of the first one's).
    ``exclude``: a paper id, or ``"starred-or-read"``.
    """
    terms = key_terms(reader, text, numterms=20)
    if not terms:
        return [], 0, []
    top = terms[0][1] or 1.0
    weighted = [(term, max(weight / top, 0.05)) for term, weight in terms]
    found, total = reader.most_like(weighted, exclude, limit)
    return found, total, [term for term, _weight in terms]
