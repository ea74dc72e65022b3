"""Snippets and highlights: the right words marked, the best fragment chosen, HTML safe."""

from __future__ import annotations

from readinglist.search.engine.analysis import analyze
from readinglist.search.highlight import MatchSet, match_spans, plain, snippet_html, title_html


def terms(*words: str) -> MatchSet:
    return MatchSet(terms={t for w in words for t in analyze(w, mode="query")})


def test_stemmed_and_compound_matches() -> None:
    text = "Diffusing U-Net features: diffusion models, and a net."
    spans = match_spans(text, terms("diffusion"))
    assert [text[s:e] for s, e, _t in spans] == ["Diffusing", "diffusion"]
    unet = match_spans(text, terms("unet"))
    assert [text[s:e] for s, e, _t in unet] == ["U-Net"]
    net = match_spans(text, MatchSet(terms={"net"}))
    assert [text[s:e] for s, e, _t in net] == ["Net", "net"]


def test_prefixes_mark_whole_words() -> None:
    text = "Differentiable diffusion differs"
    spans = match_spans(text, MatchSet(prefixes=("diff",)))
    assert [text[s:e] for s, e, _t in spans] == ["Differentiable", "diffusion", "differs"]


def test_title_is_escaped_html() -> None:
    html = title_html("<script> & Diffusion", terms("diffusion"))
    assert html == "&lt;script&gt; &amp; <b>Diffusion</b>"


def test_snippet_picks_the_fragment_with_most_distinct_terms() -> None:
    filler = "Lorem ipsum dolor sit amet. " * 20
    abstract = (
        "Zebras appear here. " + filler + "Zebras and giraffes meet in the savanna. " + filler
    )
    html = snippet_html(abstract, terms("zebra", "giraffe"))
    assert "<b>giraffes</b>" in html and "<b>Zebras</b>" in html
    assert html.startswith("…") and html.endswith("…")
    assert len(plain(html, "", "")) <= 245
    short = snippet_html("A short abstract on zebras.", terms("zebra"))
    assert short == "A short abstract on <b>zebras</b>."
    nothing = snippet_html(filler, terms("zebra"))
    assert "<b>" not in nothing and nothing.startswith("Lorem")


def test_plain_text_rendering() -> None:
    assert plain("a <b>zebra</b> &amp; co", "[", "]") == "a [zebra] & co"


def test_every_word_is_still_found_by_each_of_its_terms() -> None:
    # match_spans skips words whose pieces start unlike anything looked for (stemming them
    # would find nothing); over every word of the fixtures, no word a term matches is skipped.
    from pathlib import Path

    from readinglist.search.engine.analysis import _WORD, PaperAnalyzer

    root = Path(__file__).resolve().parents[2]
    files = [root / "tests" / "fixtures" / "search" / "conformance.txt",
             root / "readinglist" / "resources" / "sample" / "sample-digest.txt",
             *sorted((root / "tests" / "fixtures" / "digests").glob("*.txt"))]
    words = {m.group() for f in files for m in _WORD.finditer(f.read_text(errors="replace"))}
    words |= {"dying", "Lying", "tying", "skies", "U-Net-based", "GPT-3.5", "a.b-c"}
    analyzer = PaperAnalyzer()
    checked = 0
    for word in sorted(words):
        lowered = word.lower()
        for token in analyzer(word, chars=True, removestops=False, mode="index"):
            written = lowered[token.startchar:token.endchar]
            written = written.replace("-", "").replace(".", "").replace("_", "")
            for matches in (MatchSet(terms={token.text}), MatchSet(words={written}),
                            MatchSet(prefixes=(written[:2],))):
                assert match_spans(word, matches), (word, token.text, matches)
                checked += 1
    assert checked > 3000
