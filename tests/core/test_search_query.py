"""The query language: every form parses to the query it means; nothing typed ever raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from readinglist.search.analysis import analyze
from readinglist.search.query import FuzzySet, PhraseSet, PrefixSet, parse_query


def leaves(q: wq.Query) -> list[wq.Query]:
    if q.is_leaf():
        return [q]
    return [leaf for child in q.children() for leaf in leaves(child)]


def test_analyzer_keeps_technical_tokens_findable() -> None:
    terms = analyze("U-Net and GPT-3.5 in 3D: PIXART-δ models")
    assert {"unet", "net", "gpt3.5", "gpt", "3d", "pixartδ", "pixart", "model"} <= set(terms)
    assert "and" not in terms and "in" not in terms
    # A query for a compound asks for the joined form only, not for every part.
    assert analyze("U-Net", mode="query") == ["unet"]
    assert analyze("UNet", mode="query") == ["unet"]
    # Stemming conflates inflections but keeps "generation" apart from "generalization".
    assert analyze("transformers", mode="query") == analyze("transformer", mode="query")
    assert analyze("generation", mode="query") != analyze("generalization", mode="query")


def test_words_are_anded_in_the_text_field() -> None:
    parsed = parse_query("diffusion video")
    assert isinstance(parsed.query, wq.And)
    fields = {leaf.fieldname for leaf in leaves(parsed.query)}
    assert fields == {"text"}  # title, abstract, note, org and tags in one weighted field
    assert parsed.positive_words == ["diffusion", "video"]
    assert not parsed.fallback


def test_phrase_field_or_not_prefix_fuzzy() -> None:
    phrase = parse_query('"image editing"').query
    assert phrase is not None
    assert any(isinstance(leaf, PhraseSet) for leaf in leaves(phrase))
    assert isinstance(parse_query("gan OR vae").query, wq.Or)
    for text in ("video NOT survey", "video -survey"):
        q = parse_query(text).query
        assert isinstance(q, wq.AndNot), text
    prefix = parse_query("diff*").query
    assert prefix is not None
    assert all(isinstance(leaf, PrefixSet) and leaf.text == "diff" for leaf in leaves(prefix))
    fuzzy_query = parse_query("transfomer~").query
    assert fuzzy_query is not None
    fuzzy = [leaf for leaf in leaves(fuzzy_query) if isinstance(leaf, FuzzySet)]
    assert fuzzy and {f.text for f in fuzzy} == set(analyze("transfomer", mode="query"))
    assert parse_query("a*").query is None  # one letter would match the whole library
    title = parse_query("title:agent").query
    assert isinstance(title, wq.Term) and title.fieldname == "title"
    tag = parse_query('tag:"to read"').query
    assert tag == wq.Term("tag", "to read")


def test_filters() -> None:
    parsed = parse_query('is:starred is:unread has:note year:2024 digest:"Mar 14" agents')
    assert wq.Term("starred", True) in parsed.filters
    assert wq.Term("read", False) in parsed.filters
    assert wq.Term("has_note", True) in parsed.filters
    assert wq.NumericRange("published", 20240101, 20241231) in parsed.filters
    assert wq.Term("digest", "mar 14") in parsed.filters
    assert parsed.query is not None
    after = parse_query("published:>2024-06").filters[0]
    assert isinstance(after, wq.NumericRange) and after.start == 20240630 and after.startexcl
    before = parse_query("published:<2024").filters[0]
    assert isinstance(before, wq.NumericRange) and before.end == 20240101 and before.endexcl
    span = parse_query("published:2024-01..2024-03").filters[0]
    assert (span.start, span.end) == (20240101, 20240331)  # type: ignore[attr-defined]
    negated = parse_query("-is:read")
    assert negated.exclusions == [wq.Term("read", True)] and negated.query is None


def test_empty_query_lists_everything() -> None:
    parsed = parse_query("   ")
    assert parsed.query is None and parsed.is_empty


def test_malformed_queries_fall_back_to_plain_words() -> None:
    for text in ("(diffusion", "diffusion)", "is:nonsense diffusion", "year:soon diffusion"):
        parsed = parse_query(text)
        assert parsed.fallback, text
        assert "diffusion" in parsed.positive_words
    # A colon that is not a field is part of the text.
    assert not parse_query("ratio:3 models").fallback


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab"()-*~: ORNTis:yer2024-tl:é\t')), max_size=40))
def test_no_input_raises(text: str) -> None:
    parsed = parse_query(text)
    assert parsed.text == text


PIECES = ["diffusion", "OR", "NOT", "AND", "-", "(", ")", '"', "is:", "year:", "title:", "tag:",
          "x*", "y~", "~2", "*", ":", "published:>", "2024-13", "digest:", "é", "U-Net", ".."]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12), st.sampled_from(["", " "]))
def test_no_sequence_of_operators_raises(pieces: list[str], joiner: str) -> None:
    parse_query(joiner.join(pieces))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_no_unicode_input_raises(text: str) -> None:
    parse_query(text)
