"""Exports opened by the programs people use: pdflatex + bibtex, biber, pandoc, a spreadsheet.

Each test skips only when its program is missing; `.ci/run` installs them all, so in CI they
run. The papers are hostile on purpose: the digests' LaTeX leftovers, Greek letters, every
LaTeX special, quotes, Markdown, URLs with ``%`` and ``#``, CJK and emoji in notes.
"""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from xml.etree import ElementTree

import bibtexparser
import pytest
import rispy

from readinglist.export import export
from readinglist.library.model import Paper, Sighting

NOTE = (
    'Quotes "like this" and \u2018that\u2019 \u2014 a \\macro{x} } { unbalanced %comment '
    "$x^2$ _under_ ~tilde^ #hash @misc{evil,\n\n"
    "Second paragraph **bold** [link](https://ex.org/a_b%20c#frag) <tag> | pipe -- --flag\n\n"
    "- list item\n  ER  - not a tag\nTY  - JOUR\n\n\nThird after two blank lines."
)


def hostile_papers() -> list[Paper]:
    return [
        Paper(
            id="aa11bb22cc",
            title=r"PIXART-{\delta}: Fast \& Controllable 100\% Image Generation",
            abstract=(
                r"This report introduces PIXART-{\delta}, 85.2\% top-1, \(\Delta\)Conv; code at "
                "https://github.com/PixArt-alpha/PixArt-alpha?tab=readme#usage_1 and $5 costs."
            ),
            published=dt.date(2024, 1, 10),
            organization="PixArt & Co. {R&D} 100%",
            links=["https://github.com/PixArt-alpha/PixArt-alpha"],
            tags=["diffusion", "C++ & {odd}"],
            note=NOTE,
            starred=True,
        ),
        Paper(
            id="bb22cc33dd",
            title="μ-Transfer: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer",
            abstract="Hyperparameter tuning is expensive. Café naïve Straße ≤ → × 2–4 steps…",
            note="中文 笔记 and emoji 😀 ok",
        ),
        Paper(
            id="cc33dd44ee",
            title='A {Weird} Title with \\backslash and "quotes" -- and more',
            abstract="",
            published=dt.date(2021, 3, 8),
        ),
        Paper(id="dd44ee55ff", title="Ab: an ab", abstract="x", published=dt.date(2023, 12, 1)),
        Paper(id="ee55ff6677", title="αβ", abstract=""),
    ]


# What the titles read as (computed by hand from the stored text above).
SHOWN_TITLES = [
    "PIXART-δ: Fast & Controllable 100% Image Generation",
    "μ-Transfer: Tuning Large Neural Networks via Zero-Shot Hyperparameter Transfer",
    'A {Weird} Title with \\backslash and "quotes" -- and more',
    "Ab: an ab",
    "αβ",
]


def pandocs() -> list[str]:
    """Every pandoc at hand: pypandoc_binary's (pandoc 3, a test dependency), the system's."""
    found = []
    try:
        import pypandoc

        found.append(pypandoc.get_pandoc_path())
    except (ImportError, OSError):
        pass
    system = shutil.which("pandoc")
    if system and system not in found:
        found.append(system)
    return found


def pandoc_version(pandoc: str) -> tuple[int, ...]:
    first = subprocess.run([pandoc, "--version"], capture_output=True, text=True, check=True)
    return tuple(int(n) for n in re.findall(r"\d+", first.stdout.split("\n")[0])[:2])


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (.ci/run installs it)")
    return path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace",
        timeout=180, check=False,
    )  # fmt: skip


def write_bib(folder: Path) -> list[str]:
    """The export as refs.bib in ``folder``; its keys as bibtexparser reads them."""
    text = export(hostile_papers(), "bibtex")
    (folder / "refs.bib").write_text(text, encoding="utf-8")
    parsed = bibtexparser.parse_string(text)
    assert not parsed.failed_blocks
    keys = [entry.key for entry in parsed.entries]
    assert len(keys) == len(hostile_papers())
    return keys


def latex(folder: Path) -> str:
    result = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], folder)
    assert result.returncode == 0, result.stdout[-3000:]
    return (folder / "doc.log").read_text(encoding="utf-8", errors="replace")


def assert_clean_log(log: str) -> None:
    problems = [
        line for line in log.splitlines()
        if re.search(r"Warning|^!|Missing character|Undefined control", line)
        and "infwarerr" not in line  # a package name, not a warning
    ]  # fmt: skip
    assert problems == []


@pytest.mark.slow
@pytest.mark.parametrize("style", ["plain", "unsrt", "alpha"])
def test_pdflatex_and_bibtex_build_every_entry_without_warnings(
    tmp_path: Path, style: str
) -> None:
    need("pdflatex")
    need("bibtex")
    keys = write_bib(tmp_path)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n"
        f"See \\cite{{{','.join(keys)}}}.\n"
        f"\\bibliographystyle{{{style}}}\n\\bibliography{{refs}}\n\\end{{document}}\n",
        encoding="utf-8",
    )
    latex(tmp_path)
    bibtex = run(["bibtex", "doc"], tmp_path)
    assert bibtex.returncode == 0, bibtex.stdout
    # Not even "to sort, need author or key": every entry carries a key field.
    assert "Warning" not in bibtex.stdout and "error" not in bibtex.stdout, bibtex.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    cited = re.findall(r"\\bibitem(?:\[[^\]]*\])?\{([^}]+)\}", bbl)
    assert cited == keys if style == "unsrt" else sorted(cited) == sorted(keys)
    latex(tmp_path)
    assert_clean_log(latex(tmp_path))
    assert (tmp_path / "doc.pdf").stat().st_size > 1000


@pytest.mark.slow
def test_biber_and_biblatex_build_every_entry_without_warnings(tmp_path: Path) -> None:
    need("pdflatex")
    need("biber")
    keys = write_bib(tmp_path)
    (tmp_path / "doc.tex").write_text(
        "\\documentclass{article}\n\\usepackage[backend=biber]{biblatex}\n"
        "\\addbibresource{refs.bib}\n\\begin{document}\n"
        f"See \\cite{{{','.join(keys)}}}.\n\\printbibliography\n\\end{{document}}\n",
        encoding="utf-8",
    )
    latex(tmp_path)
    biber = run(["biber", "doc"], tmp_path)
    assert biber.returncode == 0, biber.stdout[-3000:]
    assert not re.search(r"WARN|ERROR", biber.stdout), biber.stdout
    bbl = (tmp_path / "doc.bbl").read_text(encoding="utf-8")
    assert set(re.findall(r"\\entry\{([^}]+)\}", bbl)) == set(keys)
    latex(tmp_path)
    assert_clean_log(latex(tmp_path))


@pytest.mark.slow
@pytest.mark.parametrize("which", [0, 1], ids=["pandoc-first", "pandoc-second"])
def test_pandoc_citeproc_shows_the_characters(tmp_path: Path, which: int) -> None:
    found = pandocs()
    if len(found) <= which:
        pytest.skip("no pandoc" if not found else "only one pandoc here (CI has two)")
    write_bib(tmp_path)
    (tmp_path / "doc.md").write_text('---\nnocite: "@*"\n---\nText.\n', encoding="utf-8")
    result = run(
        [found[which], "doc.md", "--citeproc", "--bibliography", "refs.bib", "-t", "plain",
         "--wrap=none"],
        tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    # Curly quotes are citeproc's own punctuation around titles; undo them to compare.
    shown = result.stdout.replace("\u201c", "").replace("\u201d", "")
    for title in SHOWN_TITLES:
        assert title.replace('"', "") in shown.replace('"', ""), (title, shown)
    assert "PixArt & Co. {R&D} 100%" in shown  # the organization, printed as publisher


# --- CSV in a spreadsheet ------------------------------------------------------------------------

GNUMERIC = "{http://www.gnumeric.org/v10.dtd}"
TEXT, NUMBER = "60", "40"  # Gnumeric's ValueType codes


def spreadsheet_papers() -> list[Paper]:
    """Papers whose cells a spreadsheet would love to convert."""
    sightings = [Sighting(1, "Jan 16", 1), Sighting(2, "16 Jan", 3)]
    return [
        *hostile_papers(),
        Paper(
            id="1234567890", title="2024", abstract="50%", organization="Mar 14",
            tags=["42", "TRUE", "1/2"], note="=1+2", sightings=sightings, upvotes=12,
            authors_count=5, published=dt.date(2024, 3, 4),
            read=True, read_at=dt.datetime(2025, 1, 20, 18, 0, tzinfo=dt.UTC),
        ),
        Paper(id="1234567e12", title="MARCH1 and SEPT2", abstract="$5", note="3-4",
              sightings=[Sighting(3, "Mar 14", 2)]),
    ]  # fmt: skip


def gnumeric_cells(path: Path) -> dict[tuple[int, int], tuple[str | None, str]]:
    """(row, column) -> (value type, text) of every non-empty cell of a .gnumeric file."""
    root = ElementTree.fromstring(gzip.decompress(path.read_bytes()))
    cells = {}
    for cell in root.iter(f"{GNUMERIC}Cell"):
        key = (int(cell.get("Row", "0")), int(cell.get("Col", "0")))
        cells[key] = (cell.get("ValueType"), cell.text or "")
    return cells


@pytest.mark.slow
def test_a_spreadsheet_keeps_every_cell_as_written(tmp_path: Path) -> None:
    need("ssconvert")
    papers = spreadsheet_papers()
    text = export(papers, "csv")
    (tmp_path / "papers.csv").write_bytes(text.encode("utf-8"))
    result = run(["ssconvert", "papers.csv", "papers.gnumeric"], tmp_path)
    assert result.returncode == 0, result.stderr
    cells = gnumeric_cells(tmp_path / "papers.gnumeric")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert len(rows) == len(papers) + 1
    epoch = dt.date(1899, 12, 30)  # day 0 of spreadsheet dates
    for r, row in enumerate(rows[1:], 1):
        paper = papers[r - 1]
        for c, written in enumerate(row):
            column = header[c]
            if not written:
                assert (r, c) not in cells, column
                continue
            kind, value = cells[(r, c)]
            if column in ("upvotes", "authors_count"):
                assert (kind, float(value)) == (NUMBER, getattr(paper, column)), column
            elif column == "published":
                assert kind == NUMBER, column
                assert float(value) == (paper.published - epoch).days, column
            elif column in ("read_at", "added_at", "updated_at"):
                assert kind == NUMBER, column
                local = getattr(paper, column).astimezone().replace(tzinfo=None)
                serial = (local - dt.datetime(1899, 12, 30)).total_seconds() / 86400
                assert float(value) == pytest.approx(serial, abs=1e-5), column
            else:
                # Text stays text, exactly: our apostrophe is the spreadsheet's text mark.
                assert kind == TEXT, (column, written, value)
                assert value == written.removeprefix("'"), column
    # And independently of the CSV: what the user typed and the digests said.
    by_column = {header[c]: cells[(6, c)][1] for c in range(len(header)) if (6, c) in cells}
    assert by_column["id"] == "1234567890" and by_column["title"] == "2024"
    assert by_column["digests"] == "Jan 16; 16 Jan" and by_column["organization"] == "Mar 14"
    assert by_column["tags"] == "1/2; 42; TRUE" or by_column["tags"] == "42; TRUE; 1/2"
    assert by_column["note"] == "=1+2" and by_column["abstract"] == "50%"
    first = {header[c]: cells[(1, c)][1] for c in range(len(header)) if (1, c) in cells}
    assert first["title"] == SHOWN_TITLES[0]
    assert first["note"] == NOTE


# --- RIS ---------------------------------------------------------------------------------------

# The note's paragraphs, by hand: blank lines and a list item start one; lines inside join.
NOTE_PARAGRAPHS = [
    'Quotes "like this" and \u2018that\u2019 \u2014 a \\macro{x} } { unbalanced %comment '
    "$x^2$ _under_ ~tilde^ #hash @misc{evil,",
    "Second paragraph **bold** [link](https://ex.org/a_b%20c#frag) <tag> | pipe -- --flag",
    "- list item ER  - not a tag TY  - JOUR",
    "Third after two blank lines.",
]


def test_rispy_reads_every_paragraph_of_a_note_and_labels_code() -> None:
    records = rispy.loads(export(hostile_papers(), "ris"))
    assert [r["title"] for r in records] == SHOWN_TITLES
    first = records[0]
    assert first["notes"] == [*NOTE_PARAGRAPHS, "Code: https://github.com/PixArt-alpha/PixArt-alpha"]
    assert "urls" not in first
    assert records[1]["notes"] == ["中文 笔记 and emoji 😀 ok"]
    assert first["abstract"].startswith("This report introduces PIXART-δ, 85.2% top-1, ΔConv;")


@pytest.mark.slow
def test_pandoc_reads_the_ris(tmp_path: Path) -> None:
    found = [p for p in pandocs() if pandoc_version(p) >= (3, 0)]
    if not found:
        pytest.skip("no pandoc 3 (pypandoc_binary, a test dependency, brings one)")
    (tmp_path / "refs.ris").write_bytes(export(hostile_papers(), "ris").encode("utf-8"))
    result = run([found[0], "refs.ris", "-f", "ris", "-t", "csljson"], tmp_path)
    assert result.returncode == 0, result.stderr
    items = json.loads(result.stdout)
    assert [item["title"] for item in items] == SHOWN_TITLES
    assert [item["id"] for item in items] == [p.id for p in hostile_papers()]


@pytest.mark.parametrize("dialect", ["markdown", "markdown_strict", "commonmark", "gfm"])
def test_markdown_line_breaks_read_as_text_in_every_dialect(tmp_path: Path, dialect: str) -> None:
    # The export preview once showed "6 authors\": CommonMark's backslash line break, which the
    # original Markdown rules (markdown_strict, Python-Markdown) print as a backslash.
    paper = Paper(
        id="ab12cd34ef", title="Six Authors", abstract="One.\nTwo.", authors_count=6,
        published=dt.date(2025, 3, 14), tags=["x"], note="First line.\nSecond line.",
    )
    (tmp_path / "list.md").write_text(export([paper], "md"), encoding="utf-8")
    pandoc = pandocs()[0] if pandocs() else need("pandoc")
    done = run([pandoc, "-f", dialect, "-t", "plain", "--wrap=none", "list.md"], tmp_path)
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert "Published Mar 14, 2025 · 6 authors" in lines  # its own line, no backslash
    assert "Tags: x" in lines
    assert "First line." in lines and "Second line." in lines
    assert "\\" not in done.stdout
