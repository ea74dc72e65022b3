"""What makes two titles one paper, and the shape of paper ids and tag names."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.library.identity import paper_id, tag_key, tag_name, title_key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("U-Net: A", "U Net  a"),
        ("Reconstruction vs. Generation", "reconstruction VS generation"),
        ("ＦＵＬＬ－ｗｉｄｔｈ Title", "full width title"),  # NFKC folds full-width forms
        ("µ-Transfer", "μ transfer"),  # the micro sign is the Greek mu
        ("Soft\u00adhyphen and zero\u200bwidth", "softhyphen and zerowidth"),
        ("Straße", "STRASSE"),  # casefold, not lower
        ("Tabs\tand\nnewlines ", "tabs and newlines"),
        ("snake_case_title", "snake case title"),
    ],
)
def test_same_paper(a: str, b: str) -> None:
    assert title_key(a) == title_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("PIXART-δ", "PIXART-α"),  # Greek letters are kept
        ("U^2-Net", "U-Net"),  # digits are kept
        ("GPT-4", "GPT-3"),
        ("नमस्ते", "नमसत"),  # combining vowel signs belong to their word
    ],
)
def test_different_papers(a: str, b: str) -> None:
    assert title_key(a) != title_key(b)


def test_key_keeps_letters_and_digits_only() -> None:
    assert title_key("  U^2-Net: Going Deeper (with Nested U-Structure)! ") == (
        "u 2 net going deeper with nested u structure"
    )


@given(st.text(max_size=120))
def test_key_is_a_fixed_point_and_has_no_edge_spaces(title: str) -> None:
    key = title_key(title)
    assert title_key(key) == key
    assert key == key.strip() and "  " not in key


@given(st.text(max_size=80), st.lists(st.sampled_from(" -:,.!?()[]\t/"), max_size=6))
def test_punctuation_and_case_never_split_a_paper(title: str, noise: list[str]) -> None:
    noisy = "".join(noise) + title.upper() + "".join(noise)
    assert title_key(noisy) == title_key(title.upper())


@given(st.text(min_size=1, max_size=60))
def test_ids_are_ten_lowercase_hex_digits(title: str) -> None:
    assert re.fullmatch(r"[0-9a-f]{10}", paper_id(title_key(title)))


def test_tag_names_keep_case_and_match_without_it() -> None:
    assert tag_name("  Large   Language\tModels ") == "Large Language Models"
    assert tag_key("  large LANGUAGE models") == tag_key("Large Language Models")
