"""Reading a JSON export back into a library: restore on a new machine, or merge into a used one.

This module reads and checks the file (a clear error naming the file, line or paper) and turns
it into records; ``Library.merge`` writes them, in one transaction (see
``readinglist.library.merge`` for how papers, digests and state are matched). Subscribers hear
one ``Change("import", ids)`` after the commit, with the ids changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from readinglist.export.grouping import plural
from readinglist.export.json_export import FORMAT_NAME, SCHEMA_VERSION
from readinglist.library.clock import stamp
from readinglist.library.errors import LibraryError
from readinglist.library.identity import CITATION_KEY, tag_key, tag_name, title_key
from readinglist.library.merge import MergeCounts, MergeRecord
from readinglist.library.records import ImportReport
from readinglist.library.store import Library

_SNIFF_BYTES = 64 * 1024
_FORMAT_MARK = re.compile(rb'"format"\s*:\s*"' + FORMAT_NAME.encode() + rb'"')


class ExportRefused(LibraryError):  # noqa: N818 - "refused" is the word users see
    """A file that is not a Reading List export this version can read; nothing was changed.

    ``str()`` names the file and, for a JSON syntax error, the line; ``reason`` alone does not.
    """

    def __init__(self, where: str, reason: str, line: int | None = None) -> None:
        self.where = where
        self.reason = reason
        self.line = line
        at = f"{where}, line {line}" if line is not None else where
        super().__init__(f"{at}: {reason}")


@dataclass(slots=True)
class MergeReport(MergeCounts):
    """What merging one JSON export did: the library's counts, the file, in words."""

    path: Path | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "path": str(self.path) if self.path else None,
            "status": "merged",
            "papers_in_file": self.papers_in_file,
            "new": self.new,
            "state_taken": self.state_taken,
            "state_kept": self.state_kept,
            "filled": self.filled,
            "sightings_added": self.sightings_added,
            "sightings_skipped": self.sightings_skipped,
            "digests_partial": self.digests_partial,
            "digests_added": self.digests_added,
            "digests_known": self.digests_known,
            "deleted": self.deleted,
            "undeleted": self.undeleted,
            "paper_ids": list(self.paper_ids),
        }

    def __str__(self) -> str:
        return self.describe()

    def describe(self, undelete_hint: str = "") -> str:
        """The report in words; ``undelete_hint`` follows the count of papers skipped as deleted."""
        head = f"Reading List export of {plural(self.papers_in_file, 'paper')}: "
        if self.deleted:
            skipped = f"{plural(self.deleted, 'paper')} skipped as deleted{undelete_hint}"
        else:
            skipped = ""
        if not self.changed and not self.state_kept and not self.digests_partial:
            nothing = "all already in the library, nothing changed"
            return head + (f"{skipped}, the others already in the library" if skipped else nothing)
        parts = [f"{self.new} new", f"{self.state_taken} updated from the file"]
        if skipped:
            parts.append(skipped)
        if self.undeleted:
            parts.append(f"{plural(self.undeleted, 'paper')} undeleted")
        if self.filled:
            parts.append(f"{self.filled} filled in")
        if self.state_kept:
            parts.append(f"{self.state_kept} kept (newer here)")
        if self.digests_added:
            parts.append(f"{plural(self.digests_added, 'digest')} added to the ledger")
        if self.digests_partial:
            parts.append(
                f"{plural(self.digests_partial, 'digest')} only partly in the file (importing "
                "those digest files brings in the rest of their papers)"
            )
        return head + ", ".join(parts)


@dataclass(frozen=True, slots=True)
class MergeProgress:
    done: int
    total: int
    detail: str = ""


# --- reading the file ----------------------------------------------------------------------------


def is_json_export(path: str | Path) -> bool:
    """Whether ``path`` looks like a Reading List JSON export (a cheap look at its start)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(_SNIFF_BYTES)
    except OSError:
        return False
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"{") and _FORMAT_MARK.search(head) is not None


def load_json_file(path: str | Path) -> dict[str, Any]:
    """The export in ``path`` as data, checked; ExportRefused says what is wrong and where."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
        raise ExportRefused(str(path), reason) from error
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        raise ExportRefused(str(path), "not UTF-8 text", line) from error
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ExportRefused(str(path), f"not valid JSON ({error.msg})", error.lineno) from error
    except RecursionError as error:
        raise ExportRefused(str(path), "not a Reading List export: nested too deeply") from error
    except ValueError as error:  # an integer of thousands of digits
        raise ExportRefused(str(path), f"not a Reading List export: {error}") from error
    check_export(data, str(path))
    return data


def split_exports(paths: Iterable[Path]) -> tuple[list[Path], list[Path]]:
    """Separate our own JSON exports (merged) from digest files and folders (imported)."""
    paths = [Path(p) for p in paths]
    exports = [path for path in paths if path.is_file() and is_json_export(path)]
    return [path for path in paths if path not in exports], exports


def merge_files(
    library: Library, paths: Iterable[Path], undelete: bool = False
) -> Iterator[MergeProgress | MergeReport | ImportReport]:
    """Merge exports one after the other, each in one transaction, as the window imports.

    Yields progress and one report per file: a MergeReport, or a refused ImportReport saying
    why (the other files still merge). Closing the generator rolls back the file in progress.
    """
    for path in paths:
        try:
            data = load_json_file(path)
            report = yield from iter_merge_json(library, data, str(path), undelete)
        except ExportRefused as error:
            where = f"line {error.line}: " if error.line is not None else ""
            yield ImportReport(Path(path), "refused", refused=where + error.reason)
            continue
        report.path = Path(path)
        yield report


def merge_json_file(library: Library, path: str | Path, undelete: bool = False) -> MergeReport:
    """Merge the JSON export in ``path`` into ``library`` (one transaction) and report.

    Papers deleted in ``library`` stay deleted (counted in the report) unless ``undelete``.
    """
    data = load_json_file(path)
    report = merge_json(library, data, where=str(path), undelete=undelete)
    report.path = Path(path)
    return report


def merge_json(
    library: Library,
    data: Mapping[str, Any],
    where: str = "JSON export",
    undelete: bool = False,
) -> MergeReport:
    """Merge an export already loaded (``json.load``) into ``library``; see the module doc."""
    steps = iter_merge_json(library, data, where, undelete)
    while True:
        try:
            next(steps)
        except StopIteration as stop:
            return stop.value


def iter_merge_json(
    library: Library,
    data: Mapping[str, Any],
    where: str = "JSON export",
    undelete: bool = False,
) -> Generator[MergeProgress, None, MergeReport]:
    """``merge_json`` step by step for the GUI: yields progress, returns the MergeReport.

    Closing the generator before it finishes rolls the whole merge back.
    """
    check_export(data, where)
    papers = [_paper_record(obj, i, where) for i, obj in enumerate(data["papers"])]
    digests = [_digest_record(obj, i, where) for i, obj in enumerate(data.get("digests") or [])]
    report = MergeReport(papers_in_file=len(papers))
    yield MergeProgress(0, len(papers), where)
    for done in library.merge(papers, digests, report, undelete=undelete):
        yield MergeProgress(done, len(papers), where)
    return report


# --- checking ------------------------------------------------------------------------------------


def check_export(data: Any, where: str) -> None:
    """Refuse anything but an export of a schema version this Reading List knows."""
    if not isinstance(data, Mapping):
        raise ExportRefused(where, "not a Reading List export (the file is not a JSON object)")
    if data.get("format") != FORMAT_NAME:
        raise ExportRefused(
            where, f'not a Reading List export (no "format": "{FORMAT_NAME}" in it)'
        )
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ExportRefused(where, f"schema_version {version!r} is not a version number")
    if version > SCHEMA_VERSION:
        raise ExportRefused(
            where,
            f"written by a newer Reading List (export schema {version}; this version reads "
            f"up to {SCHEMA_VERSION}); install a newer Reading List to import it",
        )
    if not isinstance(data.get("papers"), list):
        raise ExportRefused(where, '"papers" must be a list')
    if not isinstance(data.get("digests", []), list | type(None)):
        raise ExportRefused(where, '"digests" must be a list')


def _paper_record(obj: Any, index: int, where: str) -> MergeRecord:
    def bad(field_name: str, expected: str) -> ExportRefused:
        who = obj.get("id") if isinstance(obj, Mapping) else None
        name = f"papers[{index}]" + (f" (id {who})" if isinstance(who, str) else "")
        return ExportRefused(where, f"{name}: {field_name} must be {expected}")

    if not isinstance(obj, Mapping):
        raise bad("each paper", "an object")

    def text(name: str, *, required: bool = False, empty: bool = True) -> str | None:
        value = obj.get(name)
        if value is None and not required:
            return None
        if not isinstance(value, str) or (not empty and not value.strip()):
            raise bad(name, "a non-empty string" if not empty else "a string")
        if not _storable(value):
            raise bad(name, "text without lone surrogates (\\ud800...)")
        return value

    def integer(name: str) -> int | None:
        value = obj.get(name)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= INT_MAX:
            raise bad(name, f"a whole number from 0 to {INT_MAX:,}, or null")
        return value

    def flag(name: str) -> bool:
        value = obj.get(name, False)
        if not isinstance(value, bool):
            raise bad(name, "true or false")
        return value

    def moment(name: str) -> str | None:
        value = obj.get(name)
        if value is None:
            return None
        try:
            return stamp(dt.datetime.fromisoformat(value))
        except (TypeError, ValueError):
            raise bad(name, "an ISO 8601 date and time, or null") from None

    def strings(name: str) -> list[str]:
        value = obj.get(name) or []
        if not isinstance(value, list) or not all(
            isinstance(v, str) and _storable(v) for v in value
        ):
            raise bad(name, "a list of strings")
        return value

    title = text("title", required=True, empty=False)
    assert title is not None
    key = title_key(title) or " ".join(title.split()).casefold()
    paper_id = text("id", required=True, empty=False)
    assert paper_id is not None
    if not re.fullmatch(r"[0-9a-f]{6,64}", paper_id):
        raise bad("id", "a paper id (hex digits)")
    published = text("published")
    if published is not None:
        try:
            published = dt.date.fromisoformat(published).isoformat()
        except ValueError:
            raise bad("published", "a date (YYYY-MM-DD) or null") from None
    tags: list[str] = []
    tag_keys: set[str] = set()  # a set, not a scan of the list: 50,000 tags stay linear
    for tag in strings("tags"):
        name = tag_name(tag)
        if not name or "," in name:
            raise bad("tags", "a list of non-empty tags without commas")
        if tag_key(name) not in tag_keys:
            tag_keys.add(tag_key(name))
            tags.append(name)
    sightings = []
    raw_sightings = obj.get("sightings") or []
    if not isinstance(raw_sightings, list):
        raise bad("sightings", "a list")
    for s in raw_sightings:
        if (
            not isinstance(s, Mapping)
            or not _small_int(s.get("digest"))
            or not _small_int(s.get("position"))
            or not isinstance(s.get("label"), str | type(None))
            or (isinstance(s.get("label"), str) and not _storable(s["label"]))
            or not (s.get("upvotes") is None or _small_int(s.get("upvotes")))
        ):
            raise bad("sightings", "a list of {digest, label, position, upvotes}")
        sightings.append((s["digest"], s.get("label"), s["position"], s.get("upvotes")))
    read = flag("read")
    cite = text("citation_key")
    if cite is not None and not CITATION_KEY.fullmatch(cite):
        raise bad("citation_key", "a citation key (lowercase letters, digits, _) or null")
    return MergeRecord(
        id=paper_id,
        key=key,
        title=title.strip(),
        abstract=text("abstract") or "",
        authors_count=integer("authors_count"),
        organization=text("organization"),
        published=published,
        upvotes=integer("upvotes"),
        links=strings("links"),
        starred=flag("starred"),
        read=read,
        read_at=moment("read_at") if read else None,
        note=_note(text("note") or "", bad),
        tags=tags,
        sightings=sightings,
        added_at=moment("added_at"),
        updated_at=moment("updated_at"),
        citation_key=cite,
    )


def _digest_record(obj: Any, index: int, where: str) -> dict[str, Any]:
    if not isinstance(obj, Mapping):
        raise ExportRefused(where, f"digests[{index}] must be an object")
    digest_id, sha = obj.get("id"), obj.get("sha256")
    if not isinstance(digest_id, int) or not isinstance(sha, str) or not sha:
        raise ExportRefused(where, f"digests[{index}] needs an id (number) and a sha256")
    warnings = []
    for w in obj.get("warnings") or []:
        if isinstance(w, Mapping):
            warnings.append([w.get("line"), w.get("message")])
        elif isinstance(w, list | tuple) and len(w) == 2:
            warnings.append(list(w))
    imported_at = obj.get("imported_at")
    try:
        imported = stamp(dt.datetime.fromisoformat(imported_at)) if imported_at else None
    except (TypeError, ValueError):
        imported = None

    def number(name: str) -> int:
        value = obj.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else 0

    def text(name: str) -> str | None:
        value = obj.get(name)
        return value if isinstance(value, str) else None

    papers = obj.get("papers")
    return {
        "id": digest_id,
        "papers": papers if isinstance(papers, int) and not isinstance(papers, bool) else None,
        "partial": obj.get("partial") is True,
        "sha256": sha,
        "path": text("path") or text("name") or f"(imported from a Reading List export) {sha[:12]}",
        "size": number("size"),
        "encoding": text("encoding"),
        "label": text("label"),
        "layout": text("layout") or "unknown",
        "entries": number("entries"),
        "new": number("new"),
        "known": number("known"),
        "warnings": json.dumps(warnings, ensure_ascii=False),
        "imported_at": imported,
    }
INT_MAX = 2**63 - 1  # what SQLite stores; a bigger number raised OverflowError mid-merge


def _small_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and -INT_MAX <= value <= INT_MAX


def _storable(text: str) -> bool:
    """Whether SQLite can store ``text``: half a JSON surrogate pair decodes to a lone one."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _note(text: str, bad: Any) -> str:
    from readinglist.library.store import MAX_NOTE_CHARS  # the one limit, as in the window

    text = text.rstrip()
    if len(text) > MAX_NOTE_CHARS:
        raise bad("note", f"at most {MAX_NOTE_CHARS:,} characters")
    return text
