"""Decoding posting values in bulk (engine/sets.py) gives what Whoosh's own decoding gives."""

from __future__ import annotations

import pickle

from hypothesis import given
from hypothesis import strategies as st
from whoosh import formats

from readinglist.search.engine import sets
from readinglist.search.engine.postings import encode_positions

positions = st.lists(st.integers(0, 200_000), min_size=1, max_size=40, unique=True).map(sorted)


@given(st.lists(positions, min_size=1, max_size=30), st.lists(st.booleans(), min_size=30))
def test_joined_decoding_is_whoosh_s(lists: list[list[int]], cut: list[bool]) -> None:
    fmt = formats.Positions()
    raws = []
    for found, cut_stop in zip(lists, cut, strict=False):
        raw = encode_positions(found)
        assert fmt.decode_positions(raw) == found
        # Whoosh writes the pickle's final "." or leaves it off; both must read alike.
        raws.append(raw[:-1] if cut_stop and raw.endswith(b".") else raw)
    decode = sets._positions_decoder(fmt)
    assert sets._joined_deltas(raws) is not None
    assert [list(p) for p in decode(raws)] == [fmt.decode_positions(r) for r in raws]


def test_values_in_another_layout_are_decoded_one_at_a_time() -> None:
    fmt = formats.Positions()
    odd = (2).to_bytes(4, "big") + pickle.dumps([3, 4], 4)  # another pickle protocol
    usual = encode_positions([7, 9])
    assert sets._joined_deltas([usual, odd]) is None
    assert [list(p) for p in sets._positions_decoder(fmt)([usual, odd])] == [[7, 9], [3, 7]]


def test_a_count_that_disagrees_is_not_trusted() -> None:
    raw = encode_positions([1, 5, 8])
    wrong = (2).to_bytes(4, "big") + raw[4:]
    assert sets._joined_deltas([raw, wrong]) is None
