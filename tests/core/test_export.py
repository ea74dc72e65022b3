"""Export writers read back by the programs people open them with (issue 5, section 1)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from html.parser import HTMLParser

import bibtexparser
import jsonschema
import pytest
import rispy
from markdown_it import MarkdownIt

from readinglist.export import (
    FORMATS,
    export,
    format_for_path,
    iter_write_export,
    preview,
    write_export,
)
from readinglist.export.bibtex import citation_key
from readinglist.export.csv_table import COLUMNS
from readinglist.export.grouping import group_papers
from readinglist.export.json_export import schema
from readinglist.library.model import Paper, Sighting

UTC = dt.UTC
WHEN = dt.datetime(2025, 1, 16, 12, 0, tzinfo=UTC)


def sample_papers() -> list[Paper]:
    return [
        Paper(
            id="3f9a1c2b4d",
            title="CRA5: Extreme Compression of ERA5 for Portable Global Climate Research",
            abstract="We compress ERA5 300x. Code: https://github.com/taohan10200/CRA5.",
            authors_count=5,
            published=dt.date(2024, 5, 6),
            upvotes=4,
            links=["https://github.com/taohan10200/CRA5"],
            starred=True,
            read=True,
            read_at=dt.datetime(2025, 1, 10, 9, 30, tzinfo=UTC),
            note="Useful for the weather project.\nAsk Ana about the codec.",
            tags=["climate", "compression"],
            sightings=[Sighting(1, "Jan 16", 1, 4), Sighting(2, "Mar 14", 7, None)],
            added_at=dt.datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
            updated_at=dt.datetime(2025, 1, 10, 9, 30, tzinfo=UTC),
        ),
        Paper(
            id="aa11bb22cc",
            title="PIXART-δ: Fast and Controllable Image Generation with Latent Consistency Models",
            abstract="This technical report introduces PIXART-δ, 7x faster than PIXART-α.",
            organization="nyu-visionx VISIONx @ NYU",
            published=dt.date(2024, 1, 10),
            starred=True,
            tags=["diffusion"],
            sightings=[Sighting(1, "Jan 16", 2, None)],
            added_at=dt.datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
            updated_at=dt.datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
        ),
        Paper(
            id="0123456789",
            title="Transformer in Transformer",
            abstract="Vision transformers split an image into patches.",
            sightings=[Sighting(2, "Mar 14", 1, None)],
            added_at=dt.datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
            updated_at=dt.datetime(2025, 1, 9, 8, 0, tzinfo=UTC),
        ),
    ]


def render(fmt: str, **options: object) -> str:
    return export(sample_papers(), fmt, generated_at=WHEN, **options)  # type: ignore[arg-type]


# --- Markdown ------------------------------------------------------------------------------------


class TextCollector(HTMLParser):
    """The visible text of an HTML page (what a browser shows), ignoring <style>/<script>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.tags: list[str] = []
        self.hrefs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag in ("style", "script", "title"):
            self._skip += 1
        if tag == "a":
            self.hrefs.append(dict(attrs).get("href") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def gfm() -> MarkdownIt:
    """CommonMark plus GitHub's tables and strikethrough (what GitHub renders .md files with)."""
    return MarkdownIt("commonmark").enable(["table", "strikethrough"])


def visible(html: str) -> TextCollector:
    collector = TextCollector()
    collector.feed(html)
    collector.close()
    return collector


def test_markdown_renders_heading_counts_star_read_date_tags_note_and_links() -> None:
    text = render("md", scope="Starred papers")
    page = visible(gfm().render(text))
    assert text.startswith("# Reading list: Starred papers\n")
    assert "3 papers · 2 starred · 1 read · 1 with notes" in page.text
    assert "★ CRA5: Extreme Compression of ERA5" in page.text
    assert "Read Jan 10, 2025" in page.text
    assert "Published May 6, 2024" in page.text
    assert "PIXART-δ" in page.text
    assert "https://github.com/taohan10200/CRA5" in page.hrefs
    assert any(h.startswith("https://arxiv.org/search/?query=CRA5") for h in page.hrefs)
    assert "blockquote" in page.tags
    # The note keeps its two lines (a hard break between them, not a run-on line).
    html = gfm().render(text)
    assert "Useful for the weather project.<br />\nAsk Ana about the codec." in html
    # Tags render as code spans, next to the paper.
    assert "<code>climate</code>" in html and "<code>compression</code>" in html


def test_markdown_groups_by_tag_with_counts_and_untagged_last() -> None:
    text = render("md", grouping="tag")
    headings = re.findall(r"^## (.+)$", text, re.MULTILINE)
    assert headings == [
        "climate (1 paper)",
        "compression (1 paper)",
        "diffusion (1 paper)",
        "Untagged (1 paper)",
    ]
    # Under a grouping, papers are one level down.
    assert text.count("\n### ") == 4


def test_markdown_groups_by_month_newest_first_and_by_digest() -> None:
    months = re.findall(r"^## (.+)$", render("md", grouping="month"), re.MULTILINE)
    assert months == [
        "May 2024 (1 paper)",
        "January 2024 (1 paper)",
        "No publication date (1 paper)",
    ]
    digests = re.findall(r"^## (.+)$", render("md", grouping="digest"), re.MULTILINE)
    assert digests == ["Mar 14 (2 papers)", "Jan 16 (2 papers)"]


def test_grouping_keeps_the_given_order_inside_each_group() -> None:
    papers = sample_papers()
    papers.reverse()
    groups = group_papers(papers, "digest")
    assert [[p.id for p in g.papers] for g in groups] == [
        ["0123456789", "3f9a1c2b4d"],
        ["aa11bb22cc", "3f9a1c2b4d"],
    ]


def test_markdown_without_abstracts_and_when_empty() -> None:
    assert "We compress ERA5" not in render("md", include_abstracts=False)
    assert "We compress ERA5" in render("md")
    empty = export([], "md", generated_at=WHEN)
    assert "0 papers" in empty and "No papers." in empty


# --- HTML ----------------------------------------------------------------------------------------


def test_html_is_one_standalone_page_with_everything_visible() -> None:
    text = render("html", grouping="tag", scope="Starred papers")
    assert text.startswith("<!DOCTYPE html>")
    page = visible(text)
    assert "Reading list: Starred papers" in page.text
    assert "★" in page.text and "✓ Read Jan 10, 2025" in page.text
    assert "Useful for the weather project." in page.text
    assert "nyu-visionx VISIONx @ NYU" in page.text
    assert "Contents" in page.text
    # Nothing to fetch: no external script, stylesheet, image or font.
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", text)
    assert "@import" not in text and "url(" not in text
    assert "@media print" in text
    assert 'http-equiv="Content-Security-Policy"' in text


def test_html_group_links_point_at_existing_sections() -> None:
    text = render("html", grouping="month")
    targets = re.findall(r'href="#([^"]+)"', text)
    assert targets
    for target in targets:
        assert f'id="{target}"' in text


# --- CSV -----------------------------------------------------------------------------------------


def test_csv_has_one_row_per_paper_with_every_field() -> None:
    rows = list(csv.DictReader(io.StringIO(render("csv"))))
    assert len(rows) == 3
    assert tuple(rows[0]) == COLUMNS
    first = rows[0]
    assert first["id"] == "3f9a1c2b4d"
    assert first["starred"] == "yes" and first["read"] == "yes"
    assert first["tags"] == "climate; compression"
    assert first["note"] == "Useful for the weather project.\nAsk Ana about the codec."
    assert first["published"] == "2024-05-06"
    assert first["upvotes"] == "4" and first["authors_count"] == "5"
    # The apostrophe tells spreadsheets "text": without it "Jan 16" becomes a date.
    assert first["digests"] == "'Jan 16; Mar 14"
    assert first["links"] == "https://github.com/taohan10200/CRA5"
    assert rows[1]["organization"] == "nyu-visionx VISIONx @ NYU"
    assert rows[2]["read"] == "no" and rows[2]["read_at"] == ""


def test_csv_bom_option_and_line_ends() -> None:
    plain = render("csv")
    with_bom = render("csv", bom=True)
    assert not plain.startswith("\ufeff")
    assert with_bom.startswith("\ufeff") and with_bom[1:] == plain
    assert plain.split("\n", 1)[0].endswith("\r")


# --- JSON ----------------------------------------------------------------------------------------


def test_json_matches_the_shipped_schema_and_keeps_every_field() -> None:
    digests = [{"id": 1, "sha256": "a" * 64, "label": "Jan 16", "path": "/d/x.txt",
                "imported_at": dt.datetime(2025, 1, 9, 8, 0, tzinfo=UTC)}]  # fmt: skip
    data = json.loads(render("json", scope="Starred papers", digests=digests))
    jsonschema.Draft202012Validator.check_schema(schema())
    jsonschema.validate(data, schema(), format_checker=jsonschema.FormatChecker())
    assert data["format"] == "readinglist-export" and data["schema_version"] == 1
    assert data["paper_count"] == 3 and data["scope"] == "Starred papers"
    assert data["digests"][0]["imported_at"] == "2025-01-09T08:00:00+00:00"
    first = data["papers"][0]
    assert first["read_at"] == "2025-01-10T09:30:00+00:00"
    assert first["updated_at"] == "2025-01-10T09:30:00+00:00"
    assert first["sightings"] == [
        {"digest": 1, "label": "Jan 16", "position": 1, "upvotes": 4},
        {"digest": 2, "label": "Mar 14", "position": 7, "upvotes": None},
    ]
    # Everything `--json` prints for a paper is there too.
    assert set(sample_papers()[0].to_json()) <= set(first)


def test_json_schema_rejects_what_is_not_an_export() -> None:
    data = json.loads(render("json"))
    data["papers"][0]["starred"] = "yes"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema())
    assert json.loads(export([], "json", generated_at=WHEN))["papers"] == []


# --- BibTeX --------------------------------------------------------------------------------------


def test_bibtex_parses_with_stable_unique_keys_and_fields() -> None:
    text = render("bibtex")
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks
    entries = {e.key: e for e in library.entries}
    assert list(entries) == [citation_key(p) for p in sample_papers()]
    assert list(entries) == ["cra5_2024_3f9a1c2b4d", "pixart_2024_aa11bb22cc",
                             "transformer_0123456789"]  # fmt: skip
    cra5 = entries["cra5_2024_3f9a1c2b4d"]
    assert cra5.entry_type == "misc"
    assert cra5["title"] == (
        "{CRA5: Extreme Compression of ERA5 for Portable Global Climate Research}"
    )
    assert cra5["keywords"] == "climate, compression"
    assert "url" not in cra5  # the only link is a code repository, not the paper's address
    assert cra5["annote"] == "Useful for the weather project.\nAsk Ana about the codec."
    assert cra5["year"] == "2024" and cra5["month"] == "may"
    assert "We compress ERA5" in cra5["abstract"]
    # The key depends on the paper only, not on what else is exported.
    alone = bibtexparser.parse_string(export(sample_papers()[1:2], "bibtex"))
    assert alone.entries[0].key == "pixart_2024_aa11bb22cc"


# --- RIS -----------------------------------------------------------------------------------------


def test_ris_reads_back_with_a_ris_reader() -> None:
    records = rispy.loads(render("ris"))
    assert len(records) == 3
    first = records[0]
    assert first["type_of_reference"] == "GEN"
    assert first["title"].startswith("CRA5: Extreme Compression")
    assert first["keywords"] == ["climate", "compression"]
    assert "urls" not in first  # a code repository is not the paper's address…
    assert first["notes"][-1] == "Code: https://github.com/taohan10200/CRA5"  # …but labelled
    assert first["year"] == "2024"
    assert first["date"] == "2024/05/06/"
    assert " ".join(first["notes"][:-1]) == (
        "Useful for the weather project. Ask Ana about the codec."
    )
    assert records[1]["title"].startswith("PIXART-δ")
    assert "notes" not in records[2]


# --- the API the GUI and CLI call ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_writes_a_file_identical_to_export(tmp_path, fmt) -> None:  # noqa: ANN001
    target = tmp_path / f"list{FORMATS[fmt].suffix}"
    result = write_export(target, sample_papers(), generated_at=WHEN)
    assert result.format == fmt and result.papers == 3
    assert target.read_bytes() == render(fmt).encode("utf-8")
    assert result.bytes == target.stat().st_size
    assert str(target) in str(result)


def test_format_comes_from_the_name_or_the_suffix(tmp_path) -> None:  # noqa: ANN001
    assert format_for_path("x.md").name == "md"
    assert format_for_path("x.BIB").name == "bibtex"
    assert format_for_path("x.txt") is None
    with pytest.raises(ValueError, match="cannot tell the export format"):
        write_export(tmp_path / "x.txt", sample_papers())
    with pytest.raises(ValueError, match="unknown export format"):
        export(sample_papers(), "docx")
    assert export(sample_papers(), "markdown", generated_at=WHEN) == render("md")


def test_write_export_reports_progress_then_the_result(tmp_path) -> None:  # noqa: ANN001
    papers = sample_papers() * 400  # 1,200 papers, several chunks
    steps = iter_write_export(tmp_path / "big.csv", papers)
    progress = []
    while True:
        try:
            progress.append(next(steps))
        except StopIteration as stop:
            result = stop.value
            break
    assert progress[0].done == 0 and progress[-1].done == progress[-1].total == 1200
    assert [p.done for p in progress] == sorted(p.done for p in progress)
    assert result.papers == 1200
    assert len(list(csv.reader(io.StringIO((tmp_path / "big.csv").read_text())))) == 1201


def test_preview_shows_the_first_papers_and_says_how_many_are_left() -> None:
    papers = sample_papers() * 10
    text = preview(papers, "md", limit=2, generated_at=WHEN)
    assert text.count("\n## ") == 2
    assert text.rstrip().endswith("… and 28 more papers in the file.")
    assert len(preview(papers, "html", limit=30, max_chars=3000)) < 3200
