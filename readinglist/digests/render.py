"""Write papers as digest text in each known layout (for the sample, tests and benchmarks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

LAYOUTS = ("blank-separated", "blank-separated+metadata", "compact")

_INBOX = "Get trending papers in your email inbox!"
_INBOX_DAILY = "Get trending papers in your email inbox once a day!"
_COMMUNITY = "byAK and the research community"


def render_lines(
    papers: Iterable[Mapping[str, Any] | Any], layout: str, label: str | None = "Mar 14"
) -> Iterator[str]:
    """The lines (without line endings) of one page listing ``papers`` as the site lays it out.

    A paper is a mapping or an object with ``title`` and ``abstract`` and, for the metadata
    layout, optional ``authors_count``, ``organization``, ``published`` and ``upvotes``.
    """
    if layout == "compact":
        yield from _compact(papers)
        return
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {', '.join(LAYOUTS)}")
    metadata = layout == "blank-separated+metadata"
    header = ["new", _INBOX, "Subscribe"] + (["Daily Papers"] if metadata else []) + [_COMMUNITY]
    if label:
        header.append(label)
    first = True
    for text in header:
        if not first:
            yield ""
        yield text
        first = False
    for paper in papers:
        if not first:
            yield ""
        first = False
        yield _get(paper, "title")
        yield ""
        yield _get(paper, "abstract")
        if metadata:
            yield from _metadata(paper)


def render_digest(
    papers: Iterable[Mapping[str, Any] | Any],
    layout: str,
    label: str | None = "Mar 14",
    newline: str = "\n",
) -> str:
    """One page of digest text, without a final line break (as copied pages are saved)."""
    return newline.join(render_lines(papers, layout, label))


def format_date(day: dt.date) -> str:
    """A date as the listing shows it: "May 6, 2024"."""
    return f"{day:%b} {day.day}, {day.year}"


def _compact(papers: Iterable[Mapping[str, Any] | Any]) -> Iterator[str]:
    yield _INBOX_DAILY
    yield _INBOX
    glue = "Subscribe"  # the copied button ends up glued to the first title
    for paper in papers:
        yield glue + _get(paper, "title")
        glue = ""
        yield _get(paper, "abstract")
    if glue:
        yield glue


def _metadata(paper: Mapping[str, Any] | Any) -> Iterator[str]:
    organization = _get(paper, "organization")
    authors = _get(paper, "authors_count")
    published = _get(paper, "published")
    upvotes = _get(paper, "upvotes")
    if organization is None and authors is None and published is None:
        return
    yield ""
    if organization is not None:
        yield organization
    if authors is not None:
        yield f"  • {authors} author{'' if authors == 1 else 's'}"
    if published is not None:
        yield "·"
        if isinstance(published, str):
            published = dt.date.fromisoformat(published)
        yield format_date(published) + (f" {upvotes}" if upvotes is not None else "")


def _get(paper: Mapping[str, Any] | Any, name: str) -> Any:
    if isinstance(paper, Mapping):
        return paper.get(name)
    return getattr(paper, name, None)
