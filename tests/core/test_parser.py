"""The digest parser on the repo's fixtures (every layout and variant) and on the real digests."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest

from readinglist.digests import (
    DigestInfo,
    DigestRefused,
    ParsedPaper,
    open_digest,
    parse_digest,
)
from readinglist.digests import lines as lines_module
from readinglist.digests.lines import DecodedLines
from readinglist.digests.links import find_links
from readinglist.digests.render import render_digest

SAMPLE = Path(__file__).resolve().parents[2] / "readinglist/resources/sample/sample-digest.txt"


@pytest.fixture
def digests(fixtures_dir: Path) -> Path:
    return fixtures_dir / "digests"


def read(path: Path) -> tuple[DigestInfo, list[ParsedPaper]]:
    reader = open_digest(path)
    papers = list(reader)
    assert reader.bytes_read == reader.info.size
    return reader.info, papers


def stripped_lines(path: Path, encoding: str = "utf-8-sig") -> set[str]:
    text = path.read_bytes().decode(encoding)
    return {line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")}


# -- the three layouts --------------------------------------------------------------------------


def test_layout_1_blank_separated(digests: Path) -> None:
    info, papers = read(digests / "layout1-blank-separated.txt")
    assert info.layout == "blank-separated"
    assert info.label == "Mar 14"
    assert info.paper_count == len(papers) == 4
    assert info.warnings == []
    first = papers[0]
    assert first.title == "Quiet Attention: Sparse Heads Are Enough for Long-Context Retrieval"
    assert first.abstract.startswith("Long-context language models spend most")
    assert first.abstract.endswith("Code: https://github.com/quiet-attn/quiet-attention.")
    assert first.links == ("https://github.com/quiet-attn/quiet-attention",)
    assert first.line == 11
    assert [p.line for p in papers] == [11, 15, 19, 23]
    assert papers[3].title.startswith("μP-Zero")
    # no metadata in this layout: nothing is made up
    assert all(
        p.authors_count is None and p.published is None and p.upvotes is None for p in papers
    )


def test_layout_2_with_metadata(digests: Path) -> None:
    info, papers = read(digests / "layout2-metadata.txt")
    assert info.layout == "blank-separated+metadata"
    assert info.label == "Jan 16"
    assert info.warnings == []
    got = [(p.authors_count, p.organization, p.published, p.upvotes) for p in papers]
    assert got == [
        (4, None, dt.date(2025, 5, 28), 17),
        (None, "Northern Lights Climate Lab", dt.date(2024, 9, 5), 3),
        (2, None, dt.date(2024, 7, 18), None),
        (4, None, dt.date(2025, 3, 6), 31),
        (1, None, dt.date(2025, 6, 11), 4),  # "  • 1 author"
    ]
    assert papers[0].title == 'Teaching Small Models to Say "I Don\'t Know"'
    assert [p.line for p in papers] == [13, 21, 29, 37, 45]


def test_layout_3_compact_with_glued_subscribe(digests: Path) -> None:
    info, papers = read(digests / "layout3-compact.txt")
    assert info.layout == "compact"
    assert info.label is None
    assert info.warnings == []
    assert len(papers) == 5
    assert papers[0].title == "Are Vision Transformers Secretly Convolutional? A Frequency View"
    assert papers[0].line == 3
    assert [p.line for p in papers] == [3, 5, 7, 9, 11]


def test_metadata_without_blank_lines(digests: Path) -> None:
    info, papers = read(digests / "compact-metadata.txt")
    assert info.warnings == []
    assert info.label == "Oct 1"  # "SubscribeDaily Papers" is still a header
    assert [(p.authors_count, p.organization, p.upvotes) for p in papers] == [
        (4, None, 17),
        (None, "Northern Lights Climate Lab", 3),
        (1, None, None),
    ]


def test_organisation_lines(digests: Path) -> None:
    info, papers = read(digests / "organisation.txt")
    assert info.warnings == []
    assert [(p.organization, p.authors_count) for p in papers] == [
        ("Northern Lights Climate Lab", None),
        ("Circuits Reading Group", None),
        ("nyu-visionx VISIONx @ NYU", 7),  # both an organisation and an author count
    ]


# -- file variants --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding", "layout", "count"),
    [
        ("crlf.txt", "utf-8", "blank-separated+metadata", 3),
        ("cr-only.txt", "utf-8", "blank-separated", 3),
        ("bom-utf8.txt", "utf-8-sig", "blank-separated", 3),
        ("utf16-le.txt", "utf-16-le", "blank-separated+metadata", 3),
        ("utf16-be.txt", "utf-16-be", "compact", 3),
        ("extra-blank-lines.txt", "utf-8", "blank-separated+metadata", 4),
        ("glued-subscribe.txt", "utf-8", "compact", 3),
    ],
)
def test_variants(digests: Path, name: str, encoding: str, layout: str, count: int) -> None:
    info, papers = read(digests / name)
    assert (info.encoding, info.layout, info.paper_count, info.warnings) == (
        encoding,
        layout,
        count,
        [],
    )
    text_lines = stripped_lines(digests / name, encoding.removesuffix("-le").removesuffix("-be"))
    for paper in papers:
        assert paper.abstract in text_lines
        assert paper.title in text_lines or "Subscribe" + paper.title in text_lines
        assert "\r" not in paper.title + paper.abstract
        assert "\ufeff" not in paper.title


def test_line_numbers_count_every_kind_of_line_ending(digests: Path) -> None:
    _, crlf = read(digests / "crlf.txt")
    assert [p.line for p in crlf] == [13, 21, 29]
    _, cr = read(digests / "cr-only.txt")
    assert [p.line for p in cr] == [11, 15, 19]
    _, utf16 = read(digests / "utf16-le.txt")
    assert [p.line for p in utf16] == [13, 21, 29]


def test_same_papers_whatever_the_encoding_and_line_endings() -> None:
    sample = SAMPLE.read_text(encoding="utf-8")
    _, expected = parse_digest(sample.encode())
    for newline in ("\n", "\r\n", "\r"):
        text = sample.replace("\n", newline)
        for data in (
            text.encode(),
            b"\xef\xbb\xbf" + text.encode(),
            b"\xff\xfe" + text.encode("utf-16-le"),
            b"\xfe\xff" + text.encode("utf-16-be"),
        ):
            _, papers = parse_digest(data)
            assert papers == expected


def test_extra_blank_lines_and_trailing_spaces_are_trimmed(digests: Path) -> None:
    _, papers = read(digests / "extra-blank-lines.txt")
    _, plain = parse_digest(
        render_digest(papers, "blank-separated+metadata", label="Jul 4").encode()
    )
    assert [(p.title, p.abstract, p.published) for p in papers] == [
        (p.title, p.abstract, p.published) for p in plain
    ]
    assert all(p.title == p.title.strip() and p.abstract == p.abstract.strip() for p in papers)


def test_two_pages_pasted_in_different_layouts(digests: Path) -> None:
    info, papers = read(digests / "pasted-pages.txt")
    assert info.layout == "mixed"
    assert info.warnings == []
    assert len(papers) == 6
    assert [p.upvotes for p in papers] == [42, 17, None, None, None, None]
    # the second page has no date label, so its papers are not given the first page's
    assert [p.label for p in papers] == ["Jun 12"] * 3 + [None] * 3
    assert papers[3].title.startswith("μP-Zero")  # "Subscribe" unglued on the second page too


def test_two_pages_pasted_in_the_same_layout(digests: Path) -> None:
    info, papers = read(digests / "pasted-same-layout.txt")
    assert info.layout == "blank-separated"
    assert info.label == "Mar 14"
    assert [p.label for p in papers] == ["Mar 14"] * 3 + ["Mar 15"] * 3
    assert papers[2].title == papers[3].title  # a paper listed on both days stays twice


def test_truncated_last_entry_is_kept_out_with_a_warning(digests: Path) -> None:
    info, papers = read(digests / "truncated.txt")
    assert len(papers) == info.paper_count == 3
    assert [w.line for w in info.warnings] == [23]
    assert "file ends after this title" in info.warnings[0].message
    assert "A Careful Look at Benchmark Contamination" in info.warnings[0].message
    assert "A Careful Look" not in {p.title[:14] for p in papers}


def test_subscribe_is_only_unglued_right_after_the_page_header(digests: Path) -> None:
    info, papers = read(digests / "subscribe-titles.txt")
    assert info.warnings == []
    titles = [p.title for p in papers]
    assert titles[0].startswith("Quiet Attention")  # "SubscribeQuiet Attention"
    assert "Subscriber Churn Prediction with Temporal Graph Networks" in titles
    # first title of a page that has its own "Subscribe" line
    assert "SubscribeNet: Learning When Readers Will Subscribe" in titles


def test_odd_metadata_is_reported_and_never_invented(digests: Path) -> None:
    info, papers = read(digests / "odd-metadata.txt")
    assert [p.title[:12] for p in papers] == [
        "Quiet Attent",
        "Teaching Sma",
        "μP-Zero: Hyp",
        "Are Vision T",
        "Tokenizer-Fr",
    ]
    assert [(p.authors_count, p.published, p.upvotes) for p in papers] == [
        (6, None, 3),  # "Feb 30, 2025 3": no such day
        (4, None, None),  # "Mar 4": no year
        (5, None, None),  # "Sometime 2025"
        (4, dt.date(2024, 3, 22), None),
        (None, None, None),  # after a "=====" line
    ]
    warnings = {w.line: w.message for w in info.warnings}
    assert sorted(warnings) == [7, 15, 23, 25, 33, 35, 37, 47]
    assert "odd place" in warnings[7]
    assert "not a real date" in warnings[15]
    assert "without a year" in warnings[23]
    assert "title without an abstract" in warnings[25]
    assert "Diffusion Without Noise Schedules" in warnings[25]
    assert "unreadable publication date" in warnings[33]
    assert "abstract without a title" in warnings[35]
    assert "odd place" in warnings[37]
    assert "no words" in warnings[47]


# -- files that are not digests ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason", "line"),
    [
        ("empty.txt", "empty file", None),
        ("blank-lines.txt", "empty file (nothing but blank lines)", None),
        ("binary.bin", "binary file, not text", 1),
        ("fake.pdf", "a PDF, not a digest — copy the listing page as text", None),
        ("prose.txt", "no papers found: not a digest?", None),
        ("prose-wrapped.txt", "no papers found: not a digest?", None),
        ("page.html", "an HTML page", 1),
        ("utf16-no-bom.txt", "UTF-16 text without a byte-order mark", None),
        ("latin1.txt", "not UTF-8 text: byte 0xe9 at column 37", 13),
    ],
)
def test_refused_files(digests: Path, name: str, reason: str, line: int | None) -> None:
    reader = open_digest(digests / name)
    with pytest.raises(DigestRefused) as caught:
        list(reader)
    assert caught.value.reason.startswith(reason)
    assert caught.value.line == line
    assert caught.value.path == str(digests / name)
    assert str(digests / name) in str(caught.value)
    with pytest.raises(DigestRefused):
        parse_digest((digests / name).read_bytes())


def test_refusal_names_the_line_of_the_bad_byte() -> None:
    good = SAMPLE.read_bytes()
    bad = good.replace(b"Reward models used", b"Reward models \xff used", 1)
    line = good[: good.index(b"Reward models used")].count(b"\n") + 1
    with pytest.raises(DigestRefused) as caught:
        parse_digest(bad, "bad.txt")
    assert caught.value.line == line
    assert f"bad.txt, line {line}: not UTF-8 text" in str(caught.value)


def test_nul_byte_late_in_a_file_is_refused_at_its_line() -> None:
    good = SAMPLE.read_bytes()
    at = good.index(b"Energy-based models offer")
    with pytest.raises(DigestRefused) as caught:
        parse_digest(good[:at] + b"\x00" + good[at:])
    assert caught.value.reason == "binary file, not text"
    assert caught.value.line == good[:at].count(b"\n") + 1


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"PK\x03\x04rest of a docx", "a ZIP archive or a Word/OpenDocument file"),
        (b"{\\rtf1\\ansi hello}", "an RTF document"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "an image (PNG)"),
        (b"\xff\xfe\x00\x00a\x00\x00\x00", "UTF-32 text is not supported"),
        (b"  \n<html><body>hi</body></html>", "an HTML page"),
        (b"\xff\xfe" + "a\x00b".encode("utf-16-le"), "binary file, not text"),
        (b"\xfe\xff\xd8\x00\x00a", "not valid UTF-16-BE text"),
    ],
)
def test_other_documents_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(DigestRefused) as caught:
        parse_digest(data)
    assert caught.value.reason.startswith(reason)


def test_mostly_prose_with_one_accidental_paper_is_refused() -> None:
    paragraph = (
        "We spent the afternoon reading. The discussion went long, and nobody agreed on "
        "anything, which is how it should be in a reading group that takes itself seriously."
    )
    text = "\n".join(["Notes from Thursday", paragraph] + [paragraph] * 5)
    with pytest.raises(DigestRefused) as caught:
        parse_digest(text.encode())
    assert caught.value.reason.startswith("mostly not a digest: only 2 of 7 lines")


def test_a_single_pasted_paper_is_a_digest() -> None:
    title = "Diffusion Without Noise Schedules"
    sample = SAMPLE.read_text(encoding="utf-8").splitlines()
    abstract = sample[sample.index(title) + 2]
    info, papers = parse_digest(f"{title}\n{abstract}".encode(), "dropped text")
    assert [(p.title, p.abstract, p.line) for p in papers] == [(title, abstract, 1)]
    assert info.layout == "compact" and info.path == "dropped text"


def test_unreadable_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DigestRefused) as caught:
        open_digest(tmp_path / "missing.txt")
    assert caught.value.reason.startswith("cannot read the file")
    with pytest.raises(DigestRefused):
        open_digest(tmp_path)


# -- streaming -----------------------------------------------------------------------------


def test_info_is_known_on_open_and_final_after_reading(tmp_path: Path) -> None:
    path = tmp_path / "d.txt"
    data = SAMPLE.read_bytes()
    path.write_bytes(data)
    reader = open_digest(path)
    assert reader.info.size == len(data)
    assert reader.info.sha256 == __import__("hashlib").sha256(data).hexdigest()
    assert reader.bytes_read == 0
    assert reader.info.paper_count == 0
    papers = iter(reader)
    next(papers)
    assert reader.info.encoding == "utf-8"
    rest = list(papers)
    assert reader.info.paper_count == 1 + len(rest) == 25
    assert reader.bytes_read == len(data)
    again = list(reader)  # reading twice starts over, and counts start over
    assert reader.info.paper_count == len(again) == 25


def test_progress_moves_while_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lines_module, "CHUNK_BYTES", 4096)
    path = tmp_path / "d.txt"
    path.write_bytes(SAMPLE.read_bytes() * 3)
    reader = open_digest(path)
    seen = [reader.bytes_read for _ in reader]
    assert seen == sorted(seen)
    assert 0 < seen[0] < seen[-1] <= reader.info.size
    assert len(set(seen)) > 5


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
@pytest.mark.parametrize("name", ["crlf.txt", "cr-only.txt", "utf16-le.txt", "utf16-be.txt"])
def test_chunk_boundaries_change_nothing(
    digests: Path, monkeypatch: pytest.MonkeyPatch, name: str, chunk: int
) -> None:
    expected_info, expected = read(digests / name)
    monkeypatch.setattr(lines_module, "CHUNK_BYTES", chunk)
    info, papers = read(digests / name)
    assert papers == expected
    assert (info.encoding, info.layout, info.warnings) == (
        expected_info.encoding,
        expected_info.layout,
        expected_info.warnings,
    )


@pytest.mark.parametrize("chunk", [1, 2, 7, 4096])
def test_decoded_lines_split_on_cr_lf_and_crlf_only(
    monkeypatch: pytest.MonkeyPatch, chunk: int
) -> None:
    monkeypatch.setattr(lines_module, "CHUNK_BYTES", chunk)
    data = "a\r\nb\rc\nd\u2028e\x0cf\r\r\n\n\rlast".encode()
    lines = list(DecodedLines(io.BytesIO(data), "x"))
    assert [(line.number, line.text) for line in lines] == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
        (4, "d\u2028e\x0cf"),  # only CR, LF and CRLF end lines
        (5, ""),
        (6, ""),
        (7, ""),
        (8, "last"),
    ]


def test_an_endless_line_is_kept_short_and_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_module, "CHUNK_BYTES", 10_000)
    long_line = "word " * 200_000
    lines = list(DecodedLines(io.BytesIO(f"x\n{long_line}\ny".encode()), "x"))
    assert [line.length for line in lines] == [1, len(long_line), 1]
    assert len(lines[1].text) == lines_module.LINE_KEEP_CHARS
    sample = SAMPLE.read_text(encoding="utf-8")
    info, papers = parse_digest((long_line + "\n" + sample).encode())
    assert len(papers) == 25
    assert info.warnings[0].line == 1
    assert "1,000,000 characters" in info.warnings[0].message


def test_warnings_are_capped() -> None:
    sample = SAMPLE.read_text(encoding="utf-8")
    junk = "\n".join(["+++"] * 5000)
    info, papers = parse_digest((sample + "\n" + junk + "\n" + sample).encode())
    assert len(papers) == 50
    assert len(info.warnings) == 201
    assert info.warnings[-1].message == "4,800 more warnings not shown"


# -- links ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Code: https://github.com/a/b.", ("https://github.com/a/b",)),
        ("see (https://github.com/a/b-c).", ("https://github.com/a/b-c",)),
        ("at https://x.org/wiki/A_(b), and", ("https://x.org/wiki/A_(b)",)),
        ("at https://x.github.io/{here}.", ("https://x.github.io/",)),
        (
            "at http://a.io/x/{http://a.io/y/}",
            ("http://a.io/x/", "http://a.io/y/"),
        ),
        ("page.https://a.io/b/.", ("https://a.io/b/",)),
        ("twice https://a.io and https://a.io.", ("https://a.io",)),
        ("code https://gitee.com/m/models/tree/master/x.", ("https://gitee.com/m/models/tree/master/x",)),
        ("no links, only https:// and http://.", ()),
        ("plain text", ()),
    ],
)
def test_links(text: str, links: tuple[str, ...]) -> None:
    assert find_links(text) == links


# -- the real digests ------------------------------------------------------------------------


@pytest.mark.shared
def test_real_digests(shared_digests: Path) -> None:
    results = {path.name[:3]: read(path) for path in sorted(shared_digests.glob("*.txt"))}
    counts = {key: info.paper_count for key, (info, _) in results.items()}
    assert counts == {"000": 93, "001": 39, "003": 198}
    layouts = {key: info.layout for key, (info, _) in results.items()}
    assert layouts == {
        "000": "blank-separated",
        "001": "blank-separated+metadata",
        "003": "compact",
    }
    assert {key: info.label for key, (info, _) in results.items()} == {
        "000": "Mar 14",
        "001": "Jan 16",
        "003": None,
    }
    assert all(info.warnings == [] for info, _ in results.values())
    distinct = {(p.title, p.abstract) for _, papers in results.values() for p in papers}
    assert len(distinct) == 311


@pytest.mark.shared
def test_real_digest_metadata(shared_digests: Path) -> None:
    (path,) = shared_digests.glob("001_*.txt")
    _, papers = read(path)
    assert sum(p.authors_count is not None for p in papers) == 38
    assert [p.organization for p in papers if p.organization] == ["nyu-visionx VISIONx @ NYU"]
    assert sum(p.upvotes is not None for p in papers) == 6
    assert all(p.published is not None for p in papers)
    assert papers[0].authors_count == 5
    assert papers[0].published == dt.date(2024, 5, 6)
    assert (papers[-1].published, papers[-1].upvotes) == (dt.date(2025, 2, 25), 4)
    organisation = next(p for p in papers if p.organization)
    assert organisation.title == "Diffusion Transformers with Representation Autoencoders"
    assert (organisation.published, organisation.upvotes) == (dt.date(2025, 10, 13), 6)


@pytest.mark.shared
def test_real_digests_titles_and_abstracts_are_lines_of_the_file(shared_digests: Path) -> None:
    for path in sorted(shared_digests.glob("*.txt")):
        text_lines = path.read_text(encoding="utf-8").split("\n")
        _, papers = read(path)
        for paper in papers:
            title_line = text_lines[paper.line - 1]
            assert title_line in (paper.title, "Subscribe" + paper.title)
            following = [line for line in text_lines[paper.line :] if line.strip()]
            assert following[0] == paper.abstract
            assert len(paper.abstract) >= 200 and len(paper.title) < 200


@pytest.mark.shared
def test_real_digest_links(shared_digests: Path) -> None:
    (path,) = shared_digests.glob("000_*.txt")
    _, papers = read(path)
    links = [link for p in papers for link in p.links]
    assert "https://github.com/hustvl/LightningDiT" in links
    assert "https://github.com/zeyuliu1037/LMUFormer.git" in links
    assert "https://github.com/modelscope/ClearerVoice-Studio" in links
    assert all(not link.endswith((".", ",", ")")) for link in links)


def test_sample_digest_is_a_pleasant_layout_2_digest() -> None:
    info, papers = read(SAMPLE)
    assert info.layout == "blank-separated+metadata"
    assert info.warnings == []
    assert 20 <= len(papers) <= 30
    assert len({p.title for p in papers}) == len(papers)
    assert sum(bool(p.links) for p in papers) >= 4
    assert sum(p.organization is not None for p in papers) == 1
    assert sum(p.upvotes is not None for p in papers) >= 10
    assert len({p.published.year for p in papers if p.published}) >= 3
    assert all(300 <= len(p.abstract) <= 2000 for p in papers)


# -- the real digests in every variant users' files come in -----------------------------------


def _entries(papers: list[ParsedPaper]) -> list[tuple[object, ...]]:
    return [
        (p.title, p.abstract, p.authors_count, p.organization, p.published, p.upvotes)
        for p in papers
    ]


def _variants(text: str) -> dict[str, bytes]:
    lines = text.split("\n")
    spaced: list[str] = []
    for number, line in enumerate(lines):
        spaced.append(line + ("  " if number % 3 == 0 and line else ""))
        spaced.extend([""] * (number % 3) + (["  \t"] if number % 4 == 0 else []))
    return {
        "crlf": text.replace("\n", "\r\n").encode(),
        "cr": text.replace("\n", "\r").encode(),
        "bom+crlf": b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode(),
        "utf-16-le": b"\xff\xfe" + text.replace("\n", "\r\n").encode("utf-16-le"),
        "utf-16-be": b"\xfe\xff" + text.encode("utf-16-be"),
        "extra blank lines": ("\n\n" + "\n".join(spaced) + "\n\n\n").encode(),
        "no blank lines": "\n".join(line for line in lines if line.strip()).encode(),
        "blank lines everywhere": "\n\n".join(line for line in lines if line.strip()).encode(),
    }


@pytest.mark.shared
def test_real_digests_in_every_variant(shared_digests: Path) -> None:
    for path in sorted(shared_digests.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _, expected = parse_digest(text.encode())
        for variant, data in _variants(text).items():
            info, papers = parse_digest(data, f"{path.name} ({variant})")
            assert _entries(papers) == _entries(expected), info.path
            assert info.warnings == [], info.path


@pytest.mark.shared
def test_real_digests_pasted_into_one_file(shared_digests: Path) -> None:
    paths = sorted(shared_digests.glob("*.txt"))
    texts = [path.read_text(encoding="utf-8") for path in paths]
    info, papers = parse_digest("\n".join(texts).encode())
    expected = [paper for text in texts for paper in parse_digest(text.encode())[1]]
    assert _entries(papers) == _entries(expected)
    assert info.paper_count == 330 and info.layout == "mixed" and info.warnings == []
    assert [p.label for p in papers] == [p.label for p in expected]
    assert info.label == "Mar 14"


@pytest.mark.shared
def test_real_digests_rendered_in_every_layout(shared_digests: Path) -> None:
    for path in sorted(shared_digests.glob("*.txt")):
        _, papers = read(path)
        for layout in ("blank-separated", "blank-separated+metadata", "compact"):
            info, again = parse_digest(render_digest(papers, layout).encode())
            assert [(p.title, p.abstract) for p in again] == [(p.title, p.abstract) for p in papers]
            if layout == "blank-separated+metadata":
                assert _entries(again) == _entries(papers)


@pytest.mark.shared
def test_real_digest_cut_after_a_title(shared_digests: Path) -> None:
    for path in sorted(shared_digests.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        _, whole = parse_digest(text.encode())
        lines = text.split("\n")
        middle = whole[len(whole) // 2]
        cut = "\n".join(lines[: middle.line])  # ends with the title line
        info, papers = parse_digest(cut.encode())
        assert _entries(papers) == _entries(whole[: len(whole) // 2])
        assert [w.line for w in info.warnings] == [middle.line]
        assert "file ends after this title" in info.warnings[0].message


def test_an_abstract_without_a_sentence_end_is_still_an_abstract() -> None:
    sample = SAMPLE.read_text(encoding="utf-8").split("\n")
    title, abstract = sample[12], sample[14]
    bare = (
        "We release the annotated dataset, the evaluation harness and all trained checkpoints "
        "at https://github.com/lab/bare-abstract"
    )
    for layout_lines in (
        ["First Title Here", bare, title, abstract],
        ["First Title Here", "", bare, "", title, "", abstract],
    ):
        info, papers = parse_digest("\n".join(layout_lines).encode())
        assert [(p.title, p.abstract) for p in papers] == [
            ("First Title Here", bare),
            (title, abstract),
        ]
        assert info.warnings == []
    # the same line before an abstract is a title: the title before it lost its abstract
    info, papers = parse_digest("\n".join(["Lost Title", bare[:120], abstract]).encode())
    assert [(p.title, p.abstract) for p in papers] == [(bare[:120], abstract)]
    assert "Lost Title" in info.warnings[0].message


def test_site_navigation_copied_with_the_page_is_furniture() -> None:
    sample = SAMPLE.read_text(encoding="utf-8")
    navigation = "Hugging Face\nModels\nDatasets\nSpaces\nPosts\nDocs\nPricing\nLog In\nSign Up\n"
    info, papers = parse_digest((navigation + sample + "\n" + navigation).encode())
    assert len(papers) == 25
    assert info.warnings == []
    assert info.label == "Jun 12" and papers[0].label == "Jun 12"
