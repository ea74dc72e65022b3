"""Exports opened by the programs people use: pdflatex + bibtex, biber, pandoc, a spreadsheet.

Each test skips only when its program is missing; `.ci/run` installs them all, so in CI they
run. The papers are hostile on purpose: the digests' LaTeX leftovers, Greek letters, every
LaTeX special, quotes, Markdown, URLs with ``%`` and ``#``, CJK and emoji in notes.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest

from readinglist.export import export
from readinglist.library.model import Paper

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
def test_pandoc_citeproc_shows_the_characters(tmp_path: Path) -> None:
    need("pandoc")
    write_bib(tmp_path)
    (tmp_path / "doc.md").write_text('---\nnocite: "@*"\n---\nText.\n', encoding="utf-8")
    result = run(
        ["pandoc", "doc.md", "--citeproc", "--bibliography", "refs.bib", "-t", "plain",
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
