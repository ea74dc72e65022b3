"""Changes of state the user makes in the window, each able to undo itself (Ctrl+Z).

Each function runs in the writer thread with the writer's Library: it reads the state it
is about to change, applies the change, and returns an :class:`Edit` whose ``undo``
restores exactly what was there (read dates included). Plain Python, no Qt.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from readinglist.library import Library


@dataclass(slots=True)
class Edit:
    description: str  # what the status bar says, e.g. "Starred 3 papers"
    paper_ids: list[str]
    undo: Callable[[Library], None] | None

    @property
    def changed(self) -> bool:
        return bool(self.paper_ids)


def _papers(n: int) -> str:
    return f"{n:,} paper{'s' if n != 1 else ''}"


def set_starred(library: Library, ids: Sequence[str], starred: bool) -> Edit:
    before = {row["id"]: row["starred"] for row in library.rows(ids)}
    changed = [pid for pid, value in before.items() if value != starred]
    if changed:
        library.set_starred(changed, starred)

    def undo(lib: Library) -> None:
        lib.set_starred(changed, not starred)

    verb = "Starred" if starred else "Unstarred"
    return Edit(f"{verb} {_papers(len(changed))}", changed, undo if changed else None)


def set_read(library: Library, ids: Sequence[str], read: bool) -> Edit:
    before = {row["id"]: (row["read"], row.get("read_at")) for row in library.rows(ids)}
    changed = [pid for pid, (value, _) in before.items() if value != read]
    if changed:
        library.set_read(changed, read)

    def undo(lib: Library) -> None:
        if read:
            lib.set_read(changed, False)
            return
        # Put back each paper's own read date, not "now".
        by_date: dict[dt.datetime | None, list[str]] = defaultdict(list)
        for pid in changed:
            by_date[before[pid][1]].append(pid)
        for when, group in by_date.items():
            lib.set_read(group, True, when=when)

    verb = "Marked read" if read else "Marked unread"
    return Edit(f"{verb}: {_papers(len(changed))}", changed, undo if changed else None)


def set_tags(library: Library, ids: Sequence[str], add: Sequence[str],
             remove: Sequence[str]) -> Edit:
    before = {row["id"]: {t.casefold() for t in row.get("tags", [])} for row in library.rows(ids)}
    added = {pid: [t for t in add if t.casefold() not in tags] for pid, tags in before.items()}
    removed = {pid: [t for t in remove if t.casefold() in tags] for pid, tags in before.items()}
    if add:
        library.add_tags(list(before), add)
    if remove:
        library.remove_tags(list(before), remove)
    changed = [pid for pid in before if added[pid] or removed[pid]]

    # Grouped by what to put back: undoing a tag on 100,000 papers is one write, not 100,000.
    to_remove: dict[tuple[str, ...], list[str]] = defaultdict(list)
    to_add: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for pid in changed:
        if added[pid]:
            to_remove[tuple(added[pid])].append(pid)
        if removed[pid]:
            to_add[tuple(removed[pid])].append(pid)

    def undo(lib: Library) -> None:
        for tags, group in to_remove.items():
            lib.remove_tags(group, list(tags))
        for tags, group in to_add.items():
            lib.add_tags(group, list(tags))

    parts = []
    if add:
        parts.append("tagged " + ", ".join(add))
    if remove:
        parts.append("untagged " + ", ".join(remove))
    text = "; ".join(parts).capitalize() + f": {_papers(len(changed))}"
    return Edit(text, changed, undo if changed else None)


def delete(library: Library, ids: Sequence[str]) -> Edit:
    """Delete papers (into tombstones); undo brings each back with all it had."""
    deleted = library.delete(ids)

    def undo(lib: Library) -> None:
        lib.undelete(deleted)

    return Edit(f"Deleted {_papers(len(deleted))}", deleted, undo if deleted else None)


def save_note(library: Library, paper_id: str, text: str) -> Edit:
    # Notes are saved as the user types: their undo is the editor's own (Ctrl+Z while typing);
    # the window's undo covers changes of state, not every keystroke.
    library.set_note(paper_id, text)
    return Edit("Note saved", [paper_id], None)
