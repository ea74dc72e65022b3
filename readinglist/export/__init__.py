"""Writers for annotated lists: Markdown, HTML, CSV, JSON, BibTeX and RIS, and atomic saving.

The desktop app and the CLI call three functions, all Qt-free::

    export(papers, "md", grouping="tag", scope="Starred papers") -> str
    write_export(path, papers, "html", ...) -> ExportResult      # temp file + rename
    preview(papers, "bibtex", ...) -> str                        # the first few papers

``iter_write_export`` is ``write_export`` as a generator of ``ExportProgress`` for the GUI's
task bridge. Papers are written in the order given: the order the user sees them in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readinglist.atomic import atomic_write, iter_atomic_write
from readinglist.export import bibtex, csv_table, html_page, json_export, markdown, ris
from readinglist.export.grouping import Counts, plural
from readinglist.export.options import GROUPINGS, ExportOptions, Grouping
from readinglist.formatting import for_export
from readinglist.library.model import Paper

__all__ = [
    "FORMATS",
    "GROUPINGS",
    "ExportFormat",
    "ExportOptions",
    "ExportProgress",
    "ExportResult",
    "Grouping",
    "atomic_write",
    "export",
    "format_for_path",
    "iter_write_export",
    "preview",
    "write_export",
]

Writer = Callable[[Sequence[Paper], ExportOptions], Iterator[str]]


@dataclass(frozen=True, slots=True)
class ExportFormat:
    """One file format as the user chooses it: name on the command line, label, file suffix."""

    name: str
    label: str
    suffix: str
    media_type: str
    writer: Writer
    groups: bool  # whether the grouping option changes the output

    @property
    def file_filter(self) -> str:
        """``"Markdown (*.md)"``: the form file dialogs take."""
        return f"{self.label} (*{self.suffix})"


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("md", "Markdown", ".md", "text/markdown", markdown.render, True),
        ExportFormat("html", "Web page", ".html", "text/html", html_page.render, True),
        ExportFormat("csv", "Spreadsheet (CSV)", ".csv", "text/csv", csv_table.render, False),
        ExportFormat("json", "JSON (complete)", ".json", "application/json",
                     json_export.render, False),  # fmt: skip
        ExportFormat("bibtex", "BibTeX", ".bib", "application/x-bibtex", bibtex.render, False),
        ExportFormat("ris", "RIS", ".ris", "application/x-research-info-systems", ris.render,
                     False),  # fmt: skip
    )
}
_ALIASES = {"markdown": "md", "bib": "bibtex", "htm": "html"}


@dataclass(frozen=True, slots=True)
class ExportProgress:
    """How far a long export has got: ``done`` of ``total`` papers written."""

    done: int
    total: int
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ExportResult:
    """What was written where."""

    path: Path
    format: str
    papers: int
    bytes: int

    def __str__(self) -> str:
        label = FORMATS[self.format].label
        return f"Exported {plural(self.papers, 'paper')} as {label} to {self.path}"

    def to_json(self) -> dict[str, Any]:
        return {"path": str(self.path), "format": self.format, "papers": self.papers,
                "bytes": self.bytes}  # fmt: skip


def resolve_format(name: str) -> ExportFormat:
    """The format called ``name`` (or an alias such as "markdown", "bib"); ValueError if none."""
    key = name.strip().lower().lstrip(".")
    key = _ALIASES.get(key, key)
    try:
        return FORMATS[key]
    except KeyError:
        raise ValueError(
            f"unknown export format {name!r}; choose one of {', '.join(FORMATS)}"
        ) from None


def format_for_path(path: str | Path) -> ExportFormat | None:
    """The format a file name's suffix asks for (``list.md`` → Markdown), if any."""
    suffix = Path(path).suffix.lower()
    for fmt in FORMATS.values():
        if fmt.suffix == suffix:
            return fmt
    alias = _ALIASES.get(suffix.lstrip("."))
    return FORMATS[alias] if alias else None


def make_options(
    *,
    grouping: Grouping = "none",
    title: str | None = None,
    scope: str | None = None,
    include_abstracts: bool = True,
    bom: bool = False,
    digests: Iterable[Mapping[str, Any]] = (),
    generated_at: dt.datetime | None = None,
) -> ExportOptions:
    extra = {"generated_at": generated_at} if generated_at else {}
    return ExportOptions(
        title=title,
        scope=scope,
        grouping=grouping,
        include_abstracts=include_abstracts,
        bom=bom,
        digests=tuple(digests),
        **extra,
    )


def chunks(papers: Iterable[Paper], format: str, options: ExportOptions) -> Iterator[str]:
    """The export as a stream of text pieces (what ``export`` joins and ``write_export`` saves).

    Control characters (NUL, ESC...) are left out of every format but JSON, which escapes them
    and must give back exactly what was stored.
    """
    fmt = resolve_format(format)
    pieces = fmt.writer(_as_sequence(papers), options)
    return pieces if fmt.name == "json" else (for_export(piece) for piece in pieces)


def export(
    papers: Iterable[Paper],
    format: str,
    grouping: Grouping = "none",
    *,
    title: str | None = None,
    scope: str | None = None,
    include_abstracts: bool = True,
    bom: bool = False,
    digests: Iterable[Mapping[str, Any]] = (),
    generated_at: dt.datetime | None = None,
) -> str:
    """The whole export as text; a CSV with ``bom`` starts with U+FEFF."""
    options = make_options(
        grouping=grouping, title=title, scope=scope, include_abstracts=include_abstracts,
        bom=bom, digests=digests, generated_at=generated_at,
    )  # fmt: skip
    return "".join(chunks(papers, format, options))


def preview(
    papers: Iterable[Paper],
    format: str,
    grouping: Grouping = "none",
    *,
    limit: int = 3,
    max_chars: int = 6000,
    **options: Any,
) -> str:
    """The start of the export, as it will be written, for the export dialog.

    Only the first ``limit`` papers are rendered (so it is instant for 100,000 papers) and the
    text is cut at ``max_chars``; a last line says how many papers the preview leaves out.
    """
    everything = _as_sequence(papers)
    shown = _FirstPapers(everything[:limit], everything)
    text = export(shown, format, grouping, **options)
    if len(text) > max_chars:
        text = text[:max_chars].rsplit("\n", 1)[0] + "\n…\n"
    hidden = len(everything) - len(shown)
    if hidden > 0:
        text += f"\n… and {plural(hidden, 'more paper')} in the file.\n"
    return text


class _FirstPapers(list):
    """The papers a preview renders, whose heading still counts every paper of the export.

    Without it the preview of a 461-paper export said "3 papers" (issue 14).
    """

    def __init__(self, shown: Sequence[Paper], whole: Sequence[Paper]) -> None:
        super().__init__(shown)
        self._whole = whole

    def counts(self) -> Counts:
        return Counts.of(self._whole)


def iter_write_export(
    path: str | Path,
    papers: Iterable[Paper],
    format: str | None = None,
    grouping: Grouping = "none",
    **options: Any,
) -> Generator[ExportProgress, None, ExportResult]:
    """``write_export`` step by step: yields progress, returns the ``ExportResult``.

    ``format`` defaults to the one the file's suffix names. Nothing appears at ``path`` until
    the whole file is written; an existing file there is replaced only then.
    """
    path = Path(path)
    fmt = resolve_format(format) if format else format_for_path(path)
    if fmt is None:
        raise ValueError(
            f"{path}: cannot tell the export format from the file name; choose one of "
            + ", ".join(FORMATS)
        )
    sequence = _as_sequence(papers)
    total = len(sequence)
    counted = _Counted(sequence)
    written = 0
    pieces = chunks(counted, fmt.name, make_options(grouping=grouping, **options))

    def encoded() -> Iterator[bytes]:
        nonlocal written
        for piece in pieces:
            data = piece.encode("utf-8")
            written += len(data)
            yield data

    yield ExportProgress(0, total, str(path))
    for _ in iter_atomic_write(path, encoded()):
        yield ExportProgress(min(counted.reached, total), total, str(path))
    yield ExportProgress(total, total, str(path))
    return ExportResult(path=path, format=fmt.name, papers=total, bytes=written)


def write_export(
    path: str | Path,
    papers: Iterable[Paper],
    format: str | None = None,
    grouping: Grouping = "none",
    **options: Any,
) -> ExportResult:
    """Write the export to ``path`` atomically (temporary file, then rename); say what was done."""
    steps = iter_write_export(path, papers, format, grouping, **options)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def _as_sequence(papers: Iterable[Paper]) -> Sequence[Paper]:
    return papers if isinstance(papers, Sequence) else list(papers)


class _Counted(Sequence[Paper]):
    """A sequence that remembers the furthest index a writer has read, for progress."""

    def __init__(self, papers: Sequence[Paper]) -> None:
        self._papers = papers
        self.reached = 0

    def __len__(self) -> int:
        return len(self._papers)

    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        item = self._papers[index]
        if isinstance(index, int):
            self.reached = max(self.reached, index + 1 if index >= 0 else len(self._papers))
        return item

    def __getattr__(self, name: str) -> Any:
        # What else the wrapped sequence offers (LibraryPapers.counts) stays reachable.
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._papers, name)

    def __iter__(self) -> Iterator[Paper]:
        for number, paper in enumerate(self._papers, 1):
            self.reached = number
            yield paper
