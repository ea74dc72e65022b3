"""Recognising files that are exports (ours or a reference manager's), offered as digests.

Importing our own Markdown export once added hundreds of junk papers ("Links: [Find on
arXiv]..."): an export is a list of papers already in a library, not a digest page. Each
is recognised from its first lines and refused with a message saying what it is.
"""

from __future__ import annotations

import re

_JSON_HINT = "to move papers between libraries, use a JSON export (`export --format json`)"
_BIBTEX_ENTRY = re.compile(r"@[A-Za-z]+\s*\{")
_RIS_TAG = re.compile(r"TY {2}- ")
_CSV_HEADER = re.compile(r"(?:id|title),(?:[a-z_]+,){3,}")
_RIS_OUR_ID = re.compile(r"ID {2}- [0-9a-f]{10}")
_MD_LINK = "[Find on arXiv]("


def export_kind(text: str) -> str | None:
    """Why ``text`` (the start of a file) is an export rather than a digest, or None."""
    head = text[:4000]
    folded = head.casefold()
    lines = [line.strip() for line in head.splitlines()[:40]]
    first = next((line for line in lines if line and not line.startswith("%")), "")
    first = first.lstrip("\ufeff")
    if first.lower().startswith(("<!doctype html", "<html")):
        if 'name="generator" content="reading list' in folded:
            return _ours("an HTML")
        return None  # another HTML page: the reader says how to save it as text
    if _BIBTEX_ENTRY.match(first):
        return _ours("a BibTeX") if "reading list" in folded else "a BibTeX file, not a digest"
    if _RIS_TAG.match(first):
        if any(_RIS_OUR_ID.fullmatch(line) for line in lines[:4]):
            return _ours("an RIS")
        return "an RIS bibliography, not a digest"
    if _CSV_HEADER.match(first):
        return _ours("a CSV")
    if first.startswith("# ") and (_MD_LINK in head or "exported from reading list" in folded):
        return _ours("a Markdown")
    return None


def _ours(kind: str) -> str:
    return (
        f"{kind} export of Reading List, not a digest; exports cannot be imported back "
        f"— {_JSON_HINT}"
    )
