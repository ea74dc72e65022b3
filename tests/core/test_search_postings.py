"""The fast postings are exactly what Whoosh's own formats make of the schema's analyzers.

The oracle is Whoosh's ``Frequency`` and ``Positions`` formats (their ``word_values``: the
grouping, weights and encoding Whoosh's writer uses) fed the Token streams of the schema's
analyzers, one section at a time with the section's boost and position offset. The fast path
(``readinglist.search.engine.postings``) must give the same terms, frequencies, weights (to
the last bit), positions and bytes: on the committed fixtures, on the real digests when they
are there, and on Hypothesis-made hostile text.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats
from whoosh.analysis import Analyzer

from readinglist.digests.reader import parse_digest
from readinglist.search.engine import postings
from readinglist.search.engine.analysis import ExactAnalyzer, PaperAnalyzer
from readinglist.search.engine.postings import SECTION_GAP, field_postings, sections, weighted
from readinglist.search.engine.schema import (
    ABSTRACT_BOOST,
    NOTE_BOOST,
    ORG_BOOST,
    TAG_BOOST,
    TITLE_BOOST,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIGESTS = [
    *sorted((ROOT / "tests" / "fixtures" / "digests").glob("*.txt")),
    ROOT / "tests" / "fixtures" / "search" / "conformance.txt",
    ROOT / "readinglist" / "resources" / "sample" / "sample-digest.txt",
]
BOOSTS = (TITLE_BOOST, ABSTRACT_BOOST, NOTE_BOOST, ORG_BOOST, TAG_BOOST)


class _Sectioned(Analyzer):
    """The Token stream of a weighted value as Whoosh's formats should see it."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.analyzer = analyzer

    def __call__(self, value: str, **kwargs: Any) -> Iterator[Any]:
        pos = 0
        for boost, text in sections(value):
            end = pos
            for token in self.analyzer(text, positions=True, start_pos=pos, mode="index"):
                token.boost = boost
                end = max(end, token.pos + 1)
                yield token
            pos = end + SECTION_GAP


def whoosh_postings(value: str, exact: bool) -> list[tuple[str, int, float, bytes]]:
    if exact:
        found = formats.Positions().word_values(value, _Sectioned(ExactAnalyzer()))
    else:
        found = formats.Frequency().word_values(value, _Sectioned(PaperAnalyzer()))
    return sorted(found)


def fast_postings(value: str, exact: bool) -> list[tuple[str, int, float, bytes]]:
    return sorted(field_postings(value, exact=exact))


def assert_same(value: str) -> None:
    for exact in (False, True):
        assert fast_postings(value, exact) == whoosh_postings(value, exact), (exact, value)


def paper_values(files: list[Path]) -> Iterator[str]:
    for path in files:
        try:
            _info, papers = parse_digest(path.read_bytes(), str(path))
        except Exception:  # noqa: BLE001 - a fixture the parser refuses on purpose
            continue
        for paper in papers:
            yield paper.title
            yield weighted(
                (TITLE_BOOST, paper.title),
                (ABSTRACT_BOOST, paper.abstract or ""),
                (NOTE_BOOST, "a note. U-Net-based, e.g. GPT-3.5 notes notes"),
                (ORG_BOOST, paper.organization or ""),
                (TAG_BOOST, "to read ; vision"),
            )


def test_fixture_papers_give_whoosh_s_postings() -> None:
    values = list(paper_values(FIXTURE_DIGESTS))
    assert len(values) > 50
    for value in values:
        assert_same(value)


@pytest.mark.shared
def test_real_digests_give_whoosh_s_postings(shared_digests: Path) -> None:
    for value in paper_values(sorted(shared_digests.glob("*.txt"))):
        assert_same(value)


HOSTILE = [
    "",
    "   ",
    "U-Net-based U-Net UNet unet u-net-based-x-y-z",
    "GPT-3.5 gpt-4o GPT_4 snake_case a_b-c.d e.g. i.e., github.com/x-y_z.",
    "a--b a..b a-.b a._b -a b- .c d. _e f_ 3.14.15.92.65",
    "the of and the the the: THE of-the to-be",
    "ΟΔΟΣ ΑΣ-ΒΣ'Χ ΑΣ.Β Σ σ ς ΣΑΣ-ΣΑΣ",  # capital sigma: its lowercase depends on neighbours
    "İstanbul İ-İ KELVIN K ﬁne ﬁ-ne Straße STRASSE ǅ-ǅ",  # lowering that changes lengths
    "x\u0301-y\u0301 e\u0301t\u00e9 ١٢٣-٤٥ 二〇二四-年 ｆｕｌｌ-ｗｉｄｔｈ",
    "LLMs CNNs MLLMs llms 3D 3d-gs NeRFs",
    "diffusion diffusions diffusing diffused 1,240 25km 2-metre",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_gives_whoosh_s_postings(text: str) -> None:
    assert_same(text)
    assert_same(weighted((TITLE_BOOST, text), (NOTE_BOOST, text + " " + text), (2.0, text)))


_PIECES = st.sampled_from(
    ["-", ".", "_", " ", ", ", "'", "Σ", "σ", "ς", "İ", "ß", "ﬁ", "K", "a", "the", "of",
     "U", "Net", "GPT", "3", "5", "\u0301", "é", "١", "二", "ｆ", "\u00ad", "\x00", "s",
     "LLM", "model", "models", "based"]
)
_TEXT = st.one_of(
    st.text(max_size=60),
    st.lists(_PIECES, max_size=30).map("".join),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(BOOSTS), _TEXT), max_size=5))
def test_generated_text_gives_whoosh_s_postings(parts: list[tuple[float, str]]) -> None:
    if len(parts) == 1 and parts[0][0] == 1.0:
        value = parts[0][1]
        if postings.SECTION in value:
            return  # a plain value never holds the section mark (document() never makes one)
    else:
        value = weighted(*parts)
    if not value.startswith(postings.SECTION) and postings.SECTION in value:
        return
    assert_same(value)


def test_lowering_never_makes_or_unmakes_a_word_character() -> None:
    """What the fast path's tokenizing relies on, for every code point that lowers to one."""
    word = re.compile(r"[^\W_]")
    for code in range(sys.maxunicode + 1):
        if 0xD800 <= code <= 0xDFFF:
            continue
        char = chr(code)
        lowered = char.lower()
        if len(lowered) == 1:
            assert bool(word.match(char)) == bool(word.match(lowered)), hex(code)
            assert (char in "-._") == (lowered in "-._"), hex(code)


def test_text_holding_the_section_marks_is_indexed_and_found(tmp_path: Path) -> None:
    """A note or title may hold any character, the marks of weighted parts too."""
    from readinglist.library import Library
    from readinglist.search import SearchIndex

    sys.path.insert(0, str(ROOT))
    from tests.core.test_search_cli import make_library

    home = tmp_path / "home"
    make_library(home, 3)
    with Library.open(home) as library, SearchIndex.open(home) as index:
        first, second = library.list_ids()[:2]
        library.set_note(first, f"{postings.SECTION}zebra{postings.UNIT}3.0 okapi")
        library.set_note(second, f"{postings.UNIT}quagga")
        for _ in index.rebuild(library):
            pass
        assert index.search("zebra", library=library).ids == [first]
        assert index.search("okapi", library=library).ids == [first]
        assert index.search("note:quagga", library=library).ids == [second]
