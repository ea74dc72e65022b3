"""Export safety (issue 5, section 3): atomic files, escaping in every format, CSV formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest
import rispy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from readinglist.atomic import iter_atomic_write
from readinglist.export import atomic_write, export, write_export
from readinglist.export.bibtex import escape as bibtex_escape
from readinglist.export.csv_table import neutralise
from readinglist.export.markdown import escape as markdown_escape
from readinglist.export.markdown import escape_block, quote
from readinglist.formatting import for_export
from readinglist.library.model import Paper, Sighting

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def hostile_paper(**overrides: object) -> Paper:
    fields: dict[str, object] = {
        "id": "deadbeef00",
        "title": f"Title {HOSTILE} & friends",
        "abstract": f"Abstract {HOSTILE} see javascript:alert(1) and https://ok.example/a?b=1&c=2",
        "organization": f"Org {HOSTILE}",
        "note": f"{HOSTILE}\n</blockquote><script>alert(2)</script>",
        "tags": [f"tag{HOSTILE}"],
        "starred": True,
        "sightings": [Sighting(1, f"Mar 14 {HOSTILE}", 1)],
        "links": ['https://ok.example/"><script>alert(3)</script>', "javascript:alert(4)"],
    }
    fields.update(overrides)
    return Paper(**fields)  # type: ignore[arg-type]


# --- atomic files --------------------------------------------------------------------------------


def test_a_failed_export_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "list.md"
    target.write_text("the old list\n")

    def failing():  # noqa: ANN202
        yield b"half of the new "
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, failing())
    assert target.read_text() == "the old list\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["list.md"]


def test_a_writer_failing_midway_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "list.csv"
    target.write_text("old\n")

    class Broken(Paper):
        @property
        def note(self) -> str:  # type: ignore[override]
            raise RuntimeError("the library went away")

    papers = [hostile_paper()] * 600 + [Broken.__new__(Broken)]
    with pytest.raises(Exception):  # noqa: B017 - any failure at all must leave the old file
        write_export(target, papers)
    assert target.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["list.csv"]


def test_closing_a_write_early_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "new.html"
    steps = iter_atomic_write(target, iter([b"a", b"b", b"c"]))
    assert next(steps) == 1
    steps.close()  # the GUI cancelled the export
    assert list(tmp_path.iterdir()) == []


def test_nothing_is_visible_at_the_path_until_the_file_is_complete(tmp_path: Path) -> None:
    target = tmp_path / "list.md"
    seen_during_write = []
    for _ in iter_atomic_write(target, iter([b"one ", b"two"])):
        seen_during_write.append(target.exists())
    assert seen_during_write == [False, False]
    assert target.read_bytes() == b"one two"


@pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
def test_replacing_keeps_the_permissions_of_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "list.md"
    target.write_text("old")
    target.chmod(0o640)
    atomic_write(target, "new")
    assert target.stat().st_mode & 0o777 == 0o640


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no such folder"):
        atomic_write(tmp_path / "nowhere" / "x.md", "text")


# --- HTML ----------------------------------------------------------------------------------------


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(text: str) -> Elements:
    parser = Elements()
    parser.feed(text)
    parser.close()
    return parser


@pytest.mark.parametrize("grouping", ["none", "tag", "digest"])
def test_html_shows_hostile_text_as_text_and_runs_no_script(grouping: str) -> None:
    page = export([hostile_paper()], "html", grouping, title=f"List {HOSTILE}")  # type: ignore[arg-type]
    parsed = parse_html(page)
    names = {tag for tag, _ in parsed.tags}
    assert "script" not in names and "img" not in names
    assert not any(name.startswith("on") for _, attrs in parsed.tags for name in attrs)
    hrefs = [attrs.get("href") or "" for tag, attrs in parsed.tags if tag == "a"]
    assert all(h.startswith(("https://", "#")) for h in hrefs)
    assert not any("javascript" in h.lower() for h in hrefs)
    text = "".join(parsed.text)
    assert '<script>alert("x")</script>' in text  # shown to the reader, as typed
    assert "</blockquote><script>alert(2)</script>" in text


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(note=st.text(min_size=1, max_size=80), tag=st.text(min_size=1, max_size=20))
def test_html_note_and_tag_come_back_exactly(note: str, tag: str) -> None:
    paper = hostile_paper(note=note, tags=[tag], title="T", abstract="", organization=None)
    parsed = parse_html(export([paper], "html"))
    assert not any(tag_name in ("script", "img") for tag_name, _ in parsed.tags)
    if note.strip():
        blockquotes = [i for i, (name, _) in enumerate(parsed.tags) if name == "blockquote"]
        assert len(blockquotes) == 1
    # html.parser turns "\r\n"/"\r" into the same characters; compare the visible text.
    # Control characters (NUL, ESC...) are left out of every export but JSON (issue 12).
    text = "".join(parsed.text)
    assert for_export(note.strip()).replace("\r", "") in text.replace("\r", "")
    assert for_export(tag).replace("\r", "") in text.replace("\r", "")


# --- Markdown ------------------------------------------------------------------------------------


def rendered_text(markdown: str) -> str:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    html = md.render(markdown)
    parser = Elements()
    parser.feed(html)
    return "".join(parser.text).strip()


printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=60
)


@settings(max_examples=300, deadline=None)
@given(printable)
def test_markdown_escaping_renders_back_to_the_same_text(text: str) -> None:
    assume_text = " ".join(text.split())
    rendered = rendered_text(markdown_escape(assume_text))
    assert " ".join(rendered.split()) == assume_text


@settings(max_examples=200, deadline=None)
@given(st.lists(printable, min_size=1, max_size=5))
def test_markdown_note_lines_stay_text_in_a_quote(lines: list[str]) -> None:
    lines = [" ".join(line.split()) for line in lines]
    quoted = "\n".join(quote(line) for line in escape_block("\n".join(lines)))
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(quoted)
    parser = Elements()
    parser.feed(html)
    produced = {tag for tag, _ in parser.tags}
    assert produced <= {"blockquote", "p", "br"}
    visible = [" ".join(part.split()) for part in "".join(parser.text).split("\n")]
    assert [v for v in visible if v] == [line for line in lines if line]


def test_markdown_keeps_obsidian_and_github_syntax_out_of_titles_and_notes() -> None:
    paper = hostile_paper(
        title="Cost $x$ of #tags, [[links]], ==marks== and %%comments%% *really*",
        note="# not a heading\n- not a list\n1. not a list\n    not code\n---",
        tags=["a`b"],
    )
    text = export([paper], "md")
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render(text)
    assert "<em>" not in html and "<h1>" not in html.split("</h1>", 1)[1]
    assert "<ul>" not in html and "<ol>" not in html and "<pre>" not in html
    assert "<hr" not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    for raw in ("\\$x\\$", "\\#tags", "\\[\\[links\\]\\]", "\\=\\=marks\\=\\=", "\\%\\%comments"):
        assert raw in text
    assert "`` a`b ``" in text


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(start: str) -> None:
    formula = f"{start}HYPERLINK(\"https://evil.example\",\"x\")"
    paper = hostile_paper(title=formula, note=formula, tags=[formula.strip()], organization=formula)
    rows = list(csv.reader(io.StringIO(export([paper], "csv"), newline="")))
    header, row = rows
    cells = dict(zip(header, row, strict=True))
    for column in ("title", "note", "organization"):
        assert cells[column] == "'" + formula
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)


def test_csv_leaves_ordinary_text_and_numbers_alone() -> None:
    assert neutralise("Transformer in Transformer") == "Transformer in Transformer"
    assert neutralise("μ-Transfer") == "μ-Transfer"
    assert neutralise("") == ""
    paper = hostile_paper(upvotes=12, authors_count=3, title="A = B")
    header, row = list(csv.reader(io.StringIO(export([paper], "csv"))))
    cells = dict(zip(header, row, strict=True))
    assert cells["upvotes"] == "12" and cells["title"] == "A = B"


# --- BibTeX --------------------------------------------------------------------------------------


def test_bibtex_escapes_specials_and_a_note_cannot_open_an_entry() -> None:
    paper = hostile_paper(
        title="U^2-Net: 100% of {it} costs $5 #1 ~ a_b \\& c \\ d",
        note="line one\n@misc{evil, title={Evil}}\n} unbalanced {{",
        tags=["a_b", "c&d"],
    )
    after = hostile_paper(id="0000000001", title="Next entry", note="")
    library = bibtexparser.parse_string(export([paper, after], "bibtex"))
    assert not library.failed_blocks
    assert [e.key for e in library.entries] == ["net_deadbeef00", "next_0000000001"]
    entry = library.entries[0]
    title = entry["title"]
    assert r"U{\textasciicircum}2-Net: 100\% of {\ensuremath{\lbrace}}it" in title
    assert r"it{\ensuremath{\rbrace}} costs" in title
    # "\&" is a digest's LaTeX leftover: shown as "&", so written as "\&" once.
    assert r"\$5 \#1 {\textasciitilde} a\_b \& c {\textbackslash} d" in title
    assert entry["annote"].startswith("line one\n{@}misc")
    assert entry["keywords"] == r"a\_b, c\&d"


@settings(max_examples=200, deadline=None)
@given(printable, printable)
def test_bibtex_any_text_keeps_every_entry_parseable(title: str, note: str) -> None:
    title = title.strip() or "x"
    papers = [
        hostile_paper(title=title, note=note, abstract=note, tags=[]),
        hostile_paper(id="0000000001", title="Next entry", note=""),
    ]
    library = bibtexparser.parse_string(export(papers, "bibtex"))
    assert not library.failed_blocks
    assert len(library.entries) == 2
    assert library.entries[1]["title"] == "{Next entry}"
    # Braces stay balanced even for classic BibTeX, which ignores backslashes when counting.
    value = bibtex_escape(note)
    depth = 0
    for char in value:
        depth += {"{": 1, "}": -1}.get(char, 0)
        assert depth >= 0
    assert depth == 0


# --- RIS -----------------------------------------------------------------------------------------


def test_ris_a_note_cannot_end_the_record_or_add_fields() -> None:
    paper = hostile_paper(
        title="A title\nTY  - JOUR",
        note="first line\nER  - \nKW  - injected\n  indented\r\nlast line",
        tags=["real"],
    )
    after = hostile_paper(id="0000000001", title="Next", note="", tags=[])
    records = rispy.loads(export([paper, after], "ris"))
    assert len(records) == 2
    first = records[0]
    assert first["title"] == "A title TY - JOUR"
    assert first["keywords"] == ["real"]
    assert first["type_of_reference"] == "GEN"
    notes = " | ".join(first["notes"])
    assert "ER  - " in notes and "KW  - injected" in notes and "last line" in notes
    assert records[1]["title"] == "Next"
    text = export([paper], "ris")
    assert re.findall(r"^ER  - ", text, re.MULTILINE) == ["ER  - "]
    assert all(line.endswith("\r") or not line for line in text.split("\n"))


def test_ris_single_line_fields_have_no_control_characters() -> None:
    paper = hostile_paper(title="A\x00B\x1bC\u2028D", abstract="x\ry\nz", note="")
    record = rispy.loads(export([paper], "ris"))[0]
    assert record["title"] == "A B C D"
    assert record["abstract"] == "x y z"


def test_exports_of_hostile_papers_never_crash() -> None:
    paper = hostile_paper(published=dt.date(2024, 2, 29), read=True, read_at=None)
    for fmt in ("md", "html", "csv", "json", "bibtex", "ris"):
        assert export([paper], fmt)
