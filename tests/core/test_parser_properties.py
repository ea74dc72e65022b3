"""Hypothesis properties of the parser: no crash on any input, nothing invented, round trips."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from readinglist.digests import DigestInfo, DigestRefused, ParsedPaper, grammar, parse_digest
from readinglist.digests.lines import Line
from readinglist.digests.render import LAYOUTS, format_date, render_digest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "digests"
SAMPLE = Path(__file__).resolve().parents[2] / "readinglist/resources/sample/sample-digest.txt"
DIGEST_FIXTURES = sorted(
    path
    for path in FIXTURES.glob("*.txt")
    if not path.name.startswith(("utf16", "latin1", "prose", "empty", "blank"))
) + [SAMPLE]
VALID_LAYOUTS = {*LAYOUTS, "mixed"}
NEWLINES = st.sampled_from(["\n", "\r\n", "\r"])


def lines_of(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def check_nothing_invented(data: bytes, info: DigestInfo, papers: list[ParsedPaper]) -> None:
    """Every value the parser returns is read from the file, at the line it says."""
    assert info.paper_count == len(papers)
    assert info.layout in VALID_LAYOUTS
    if not papers:
        return
    text = data.decode(info.encoding)
    if info.encoding.startswith("utf-16"):
        text = text.removeprefix("\ufeff")
    lines = lines_of(text)
    stripped = {line.strip() for line in lines}
    last_seen = {line.strip(): number for number, line in enumerate(lines, start=1)}
    assert [p.line for p in papers] == sorted({p.line for p in papers})
    for paper in papers:
        title_line = lines[paper.line - 1].strip()
        assert paper.title and paper.abstract
        assert paper.title in (title_line, title_line.removeprefix("Subscribe"))
        assert last_seen.get(paper.abstract, 0) > paper.line  # on a line after the title
        if paper.organization is not None:
            assert paper.organization in stripped
        if paper.authors_count is not None:
            assert f"{paper.authors_count} author" in text
        if paper.published is not None:
            assert format_date(paper.published) in text
        if paper.upvotes is not None:
            assert f" {paper.upvotes}" in text
        assert all(link in paper.abstract for link in paper.links)
        if paper.label is not None:
            assert paper.label in stripped
    assert all(1 <= warning.line <= len(lines) for warning in info.warnings)


def parse_or_refuse(data: bytes) -> None:
    try:
        info, papers = parse_digest(data)
    except DigestRefused as refused:
        assert refused.reason
        return
    check_nothing_invented(data, info, papers)


# -- any input -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=4096))
def test_random_bytes_never_raise_anything_but_refusal(data: bytes) -> None:
    parse_or_refuse(data)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048), st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"]))
def test_random_bytes_behind_a_bom(data: bytes, bom: bytes) -> None:
    parse_or_refuse(bom + data)


PIECES = [
    "new",
    "Subscribe",
    "Daily Papers",
    "Get trending papers in your email inbox!",
    "Mar 14",
    "  • 3 authors",
    "1 author",
    "·",
    "May 6, 2024",
    "Feb 30, 2024 7",
    "Jan 16, 2025 4",
    "nyu-visionx VISIONx @ NYU",
    "SubscribeU-Net Transformer",
    "",
    "   ",
    "=====",
    "Short Title: With a Colon",
    "Hi Anna,",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(PIECES),
            st.text(max_size=300),
            st.builds(
                lambda words: " ".join(words) + ".",
                st.lists(st.sampled_from("We show that models learn. It".split()), max_size=80),
            ),
        ),
        max_size=60,
    ),
    NEWLINES,
)
def test_random_digest_like_text(pieces: list[str], newline: str) -> None:
    parse_or_refuse(newline.join(pieces).encode("utf-8", "surrogatepass"))


# -- real and fixture digests, shuffled and cut ------------------------------------------------


def mutations(paths: list[Path]) -> st.SearchStrategy[bytes]:
    texts = [path.read_bytes().decode("utf-8-sig") for path in paths]

    @st.composite
    def mutate(draw: st.DrawFn) -> bytes:
        lines = lines_of(draw(st.sampled_from(texts)))
        how = draw(st.sampled_from(["shuffle", "cut", "drop", "splice", "swap"]))
        if how == "shuffle":
            lines = draw(st.permutations(lines))
        elif how == "drop":
            start = draw(st.integers(0, len(lines)))
            lines = lines[:start] + lines[start + draw(st.integers(0, 40)) :]
        elif how == "splice":
            other = lines_of(draw(st.sampled_from(texts)))
            at = draw(st.integers(0, len(lines)))
            start = draw(st.integers(0, len(other)))
            lines = lines[:at] + other[start : start + draw(st.integers(0, 60))] + lines[at:]
        elif how == "swap":
            for _ in range(draw(st.integers(1, 10))):
                i = draw(st.integers(0, len(lines) - 1))
                j = draw(st.integers(0, len(lines) - 1))
                lines[i], lines[j] = lines[j], lines[i]
        data = draw(NEWLINES).join(lines).encode()
        if how == "cut" or draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
        return data

    return mutate()


@settings(max_examples=150, deadline=None)
@given(mutations(DIGEST_FIXTURES))
def test_shuffled_and_cut_fixture_digests(data: bytes) -> None:
    parse_or_refuse(data)


@pytest.mark.shared
@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_shuffled_and_cut_real_digests(shared_digests: Path, data: st.DataObject) -> None:
    paths = sorted(shared_digests.glob("*.txt"))
    parse_or_refuse(data.draw(mutations(paths)))


@pytest.mark.shared
def test_cutting_a_real_digest_anywhere_loses_at_most_the_cut_entry(shared_digests: Path) -> None:
    (path,) = shared_digests.glob("003_*.txt")
    data = path.read_bytes()
    _, whole = parse_digest(data)
    for cut in range(2000, len(data), 997):
        info, papers = parse_digest(data[:cut])
        assert papers[:-1] == whole[: len(papers) - 1]
        assert papers[-1].title == whole[len(papers) - 1].title
        assert len(info.warnings) <= 2  # the cut title, and a cut abstract too short to be one


# -- round trips ---------------------------------------------------------------------------

VOCABULARY = (
    "Diffusion Transformer Attention Sparse Models Learning Vision Language Scaling Efficient "
    "Latent Video Graph Neural Retrieval Tokens Reward Benchmark Robust Self-Supervised 3D "
    "U-Net PIXART-δ μ-Transfer U^2-Net \\& GPT-4 Towards via for with of and the in a on"
).split()
FIRST_WORDS = [word for word in VOCABULARY if word[0].isupper() or word[0].isdigit()]
WORD = st.one_of(
    st.sampled_from(VOCABULARY),
    st.text(
        st.characters(categories=("Lu", "Ll", "Lo", "Nd")),
        min_size=1,
        max_size=10,
    ),
)


def is_plain_text(line: str) -> bool:
    return grammar.classify(Line(1, line, len(line)), False).kind is grammar.Kind.TEXT


@st.composite
def titles(draw: st.DrawFn) -> str:
    words = [draw(st.sampled_from(FIRST_WORDS)), *draw(st.lists(WORD, max_size=9))]
    title = " ".join(words)
    if draw(st.booleans()):
        title += ": " + " ".join(draw(st.lists(WORD, min_size=1, max_size=6)))
    if draw(st.booleans()):
        title += draw(st.sampled_from(["?", "!", " (2)"]))
    assume(is_plain_text(title) and grammar.clearly_title(title))
    return title


@st.composite
def abstracts(draw: st.DrawFn) -> str:
    sentences = []
    for _ in range(draw(st.integers(2, 8))):
        words = draw(st.lists(WORD, min_size=6, max_size=30))
        opening = draw(st.sampled_from(["We", "Our", "This", "The"]))
        sentences.append(opening + " " + " ".join(words))
    abstract = ". ".join(sentences) + "."
    if draw(st.booleans()):
        abstract += " Code is available at https://github.com/lab/" + draw(
            st.sampled_from(["repo", "x-y", "Model_2"])
        )
        abstract += draw(st.sampled_from(["", ".", " (MIT licence)."]))
    assume(len(abstract) >= grammar.MIN_ABSTRACT_CHARS and not grammar.clearly_title(abstract))
    return abstract


@st.composite
def papers(draw: st.DrawFn) -> dict[str, object]:
    published = draw(st.none() | st.dates(dt.date(2015, 1, 1), dt.date(2027, 12, 31)))
    organization = None
    if published is not None and draw(st.booleans()):
        organization = draw(
            st.sampled_from(["nyu-visionx VISIONx @ NYU", "Northern Lights Lab", "ai2", "Open Lab"])
        )
    return {
        "title": draw(titles()),
        "abstract": draw(abstracts()),
        "authors_count": draw(st.none() | st.integers(1, 300)),
        "organization": organization,
        "published": published,
        "upvotes": draw(st.none() | st.integers(0, 5000)) if published else None,
    }


def expected(paper: dict[str, object], layout: str) -> tuple[object, ...]:
    metadata = ("authors_count", "organization", "published", "upvotes")
    values = [paper[key] if layout == "blank-separated+metadata" else None for key in metadata]
    return (paper["title"], paper["abstract"], *values)


def detected(layout: str, generated: list[dict[str, object]]) -> str:
    """The layout the parser can see: metadata layout without any metadata looks like layout 1."""
    if layout == "blank-separated+metadata" and not any(
        p["authors_count"] is not None or p["published"] is not None for p in generated
    ):
        return "blank-separated"
    return layout


def got(paper: ParsedPaper) -> tuple[object, ...]:
    return (
        paper.title,
        paper.abstract,
        paper.authors_count,
        paper.organization,
        paper.published,
        paper.upvotes,
    )


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "utf-16"])


@settings(max_examples=100, deadline=None)
@given(
    st.lists(papers(), min_size=1, max_size=8),
    st.sampled_from(LAYOUTS),
    NEWLINES,
    ENCODINGS,
    st.sampled_from(["Mar 14", "Jan 6", "September 30", None]),
)
def test_round_trip_in_every_layout(
    generated: list[dict[str, object]], layout: str, newline: str, encoding: str, label: str | None
) -> None:
    data = render_digest(generated, layout, label=label, newline=newline).encode(encoding)
    info, parsed = parse_digest(data)
    assert [got(p) for p in parsed] == [expected(p, layout) for p in generated]
    assert info.layout == detected(layout, generated)
    assert info.warnings == []
    assert info.label == (label if layout != "compact" else None)
    assert [p.links for p in parsed] == [
        tuple(re.findall(r"https://github\.com/lab/[\w-]+", str(p["abstract"]))) for p in generated
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(st.lists(papers(), min_size=1, max_size=4), st.sampled_from(LAYOUTS)),
        min_size=2,
        max_size=4,
    ),
    NEWLINES,
)
def test_round_trip_of_pasted_pages(
    pages: list[tuple[list[dict[str, object]], str]], newline: str
) -> None:
    text = newline.join(render_digest(page, layout, newline=newline) for page, layout in pages)
    info, parsed = parse_digest(text.encode())
    assert [got(p) for p in parsed] == [
        expected(paper, layout) for page, layout in pages for paper in page
    ]
    layouts = {detected(layout, page) for page, layout in pages}
    assert info.layout == (layouts.pop() if len(layouts) == 1 else "mixed")
    assert info.warnings == []


@settings(max_examples=50, deadline=None)
@given(st.lists(papers(), min_size=2, max_size=6), st.sampled_from(LAYOUTS), st.data())
def test_a_cut_copy_keeps_every_whole_entry(
    generated: list[dict[str, object]], layout: str, data: st.DataObject
) -> None:
    text = render_digest(generated, layout)
    before = render_digest(generated[:-1], layout)
    title_end = len(before) + (1 if layout == "compact" else 2) + len(str(generated[-1]["title"]))
    assert text[:title_end].endswith(str(generated[-1]["title"]))
    # cut after the last title and before its abstract (the blank lines may go either way)
    cut = title_end + data.draw(st.integers(0, 1 if layout == "compact" else 2))
    info, parsed = parse_digest(text[:cut].encode())
    assert [p.title for p in parsed] == [p["title"] for p in generated[:-1]]
    assert len(info.warnings) == 1 and "file ends after this title" in info.warnings[0].message
