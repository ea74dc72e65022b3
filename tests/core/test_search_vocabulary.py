"""A segment's saved words read without a dict (engine/vocabulary.py) answer as the dict did."""

from __future__ import annotations

from array import array

from hypothesis import given
from hypothesis import strategies as st

from readinglist.search.engine.vocabulary import SummedCounts, WordCounts

words = st.dictionaries(st.text(min_size=1, max_size=6), st.integers(1, 50), max_size=40)


@given(words, words, st.lists(st.text(max_size=6), max_size=10))
def test_word_counts_answer_as_a_dict(one: dict[str, int], two: dict[str, int],
                                      asked: list[str]) -> None:
    # Term order: Whoosh sorts terms by their UTF-8 bytes, which is code point order.
    parts = [dict(sorted(p.items(), key=lambda kv: kv[0].encode("utf-8"))) for p in (one, two)]
    as_read = [WordCounts(list(p), array("I", p.values())) for p in parts]
    for part, read in zip(parts, as_read, strict=True):
        assert list(read) == list(part) and len(read) == len(part)
        for word in [*part, *asked]:
            assert (word in read) == (word in part)
            assert read.get(word) == part.get(word)
    summed, expected = SummedCounts(as_read), SummedCounts(parts)
    assert set(summed) == set(expected) and len(summed) == len(expected)
    for word in [*one, *two, *asked]:
        assert summed.get(word) == expected.get(word)
