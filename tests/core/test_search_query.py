"""The query language: every form parses to the query it means; nothing typed ever raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.search.engine.analysis import analyze, exact_words
from readinglist.search.query import (
    All,
    Either,
    Equals,
    Fuzzy,
    HasAny,
    Phrase,
    Prefix,
    Range,
    Without,
    Words,
    leaves,
    parse_query,
)


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
    # Acronyms and their plurals are one term; so are U-Net, UNet and U-Net-based's lead.
    for plural, singular in (("LLMs", "LLM"), ("CNNs", "cnn"), ("VLMs", "vlm"), ("MLLMs", "MLLM")):
        assert analyze(plural, mode="query") == analyze(singular, mode="query"), plural
    assert "unet" in analyze("a U-Net-based model")
    assert analyze("U-Net-based", mode="query") == ["unetbas"]


def test_exact_words_split_at_every_non_letter_and_keep_stop_words() -> None:
    assert exact_words("Fine-tuning the State-of-the-Art, text-to-image!") == [
        "fine", "tuning", "the", "state", "of", "the", "art", "text", "to", "image"]
    assert exact_words("GPT-3.5 snake_case") == ["gpt", "3", "5", "snake", "case"]


def test_words_are_anded_in_the_text_field() -> None:
    parsed = parse_query("diffusion video")
    assert parsed.tree == All((Words("diffusion"), Words("video")))
    assert parsed.positive_words == ["diffusion", "video"]
    assert not parsed.fallback and parsed.error is None


def test_phrase_field_or_not_prefix_fuzzy() -> None:
    assert parse_query('"image editing"').tree == Phrase("image editing")
    assert parse_query("gan OR vae").tree == Either((Words("gan"), Words("vae")))
    for text in ("video NOT survey", "video -survey"):
        assert parse_query(text).tree == Without(Words("video"), Words("survey")), text
    assert parse_query("diff*").tree == Prefix("diff")
    assert parse_query("Generati*").tree == Prefix("generati")  # words as written, lowercase
    assert parse_query("transfomer~").tree == Fuzzy("transfomer")
    assert parse_query("transfomer~2").tree == Fuzzy("transfomer", distance=2)
    assert parse_query("title:agent").tree == Words("agent", "title")
    assert parse_query('note:"to do"').tree == Phrase("to do", "note")
    assert parse_query('tag:"to read"').tree == Equals("tag", "to read")
    assert parse_query("tag:vis*").tree == Prefix("vis", "tag")


def test_a_prefix_of_one_letter_is_refused_with_a_message() -> None:
    for text in ("d*", "a*", "diffusion d*", "title:x*", "-*", "x~"):
        parsed = parse_query(text)
        if text == "-*":
            assert parsed.error is None and parsed.is_empty
            continue
        assert parsed.error and ("prefix" in parsed.error or "fuzzy" in parsed.error), text
    assert parse_query("di*").error is None


def test_an_unclosed_quote_reads_as_the_unquoted_words() -> None:
    for text in ('"image editing', 'image "editing', '"image editing ', 'image editing"'):
        parsed = parse_query(text)
        assert parsed.tree == parse_query("image editing").tree, text
        assert not parsed.fallback
    assert parse_query('title:"image editing').tree == All(
        (Words("image", "title"), Words("editing")))


def test_filters() -> None:
    parsed = parse_query('is:starred is:unread has:note year:2024 digest:"Mar 14" agents')
    assert Equals("starred", True) in parsed.filters
    assert Equals("read", False) in parsed.filters
    assert Equals("has_note", True) in parsed.filters
    assert Range("published", 20240101, 20241231) in parsed.filters
    assert Equals("digest", "mar 14") in parsed.filters
    assert parsed.tree == Words("agents")
    assert parse_query("published:>2024-06").filters == [
        Range("published", 20240630, None, low_excluded=True)]
    assert parse_query("published:<2024").filters == [
        Range("published", 1, 20240101, high_excluded=True)]
    assert parse_query("published:2024-01..2024-03").filters == [
        Range("published", 20240101, 20240331)]
    assert parse_query("has:tags").filters == [HasAny("tag")]
    negated = parse_query("-is:read")
    assert negated.exclusions == [Equals("read", True)] and negated.tree is None


def test_empty_query_lists_everything() -> None:
    parsed = parse_query("   ")
    assert parsed.tree is None and parsed.is_empty


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
    assert all(not isinstance(leaf, (All, Either, Without)) for leaf in leaves(parsed.tree))


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
