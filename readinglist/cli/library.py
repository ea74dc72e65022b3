"""Commands over the library itself: import, list, show, stats, and the user's marks on papers."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from readinglist.browse import SORTS, VIEWS
from readinglist.cli.common import (
    ProgressBar,
    fail,
    fresh_index,
    natural_int,
    open_library,
    paper_line,
    positive_int,
    print_json,
    resolve_ids,
    shorten,
    terminal_width,
)
from readinglist.formatting import for_terminal, human_size

if TYPE_CHECKING:
    from readinglist.library import ImportReport, Library
    from readinglist.library.model import Paper



def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "import",
        help="import digest files or folders (and Reading List JSON exports)",
        description="Import digest files, or folders of them (searched recursively); - reads a "
        "digest from standard input. A file already imported is recognised and skipped; a file "
        "that is not a digest is refused with the reason while the others still import. Papers "
        "you deleted are skipped (and counted) unless --undelete. Exit status 1 when any file "
        "was refused.",
    )
    command.add_argument(
        "paths", nargs="+", type=Path, metavar="PATH", help="a digest file, a folder, or -"
    )
    command.add_argument(
        "--undelete",
        action="store_true",
        help="bring back deleted papers the digests or exports hold (normally skipped)",
    )
    command.add_argument("--json", action="store_true", help="print the report as JSON")
    command.set_defaults(run=run_import)

    command = subparsers.add_parser(
        "delete",
        help="delete papers with their notes, tags and marks (undelete brings them back)",
        description="Delete papers with their notes, tags, marks and sightings. A deleted "
        "paper stays deleted when a digest holding it is imported again (unless import "
        "--undelete); `readinglist undelete ID` brings it back as it was.",
    )
    command.add_argument("ids", nargs="+", metavar="ID")
    command.add_argument("--json", action="store_true", help="print the deleted papers as JSON")
    command.set_defaults(run=run_delete)

    command = subparsers.add_parser(
        "undelete",
        help="bring deleted papers back, or list them",
        description="Bring deleted papers back with everything they had (note, stars, tags, read "
        "marks). With no ID (or --list), list the deleted papers, most recent first.",
    )
    command.add_argument("ids", nargs="*", metavar="ID", help="a deleted paper's id or prefix")
    command.add_argument("--list", action="store_true", help="list the deleted papers")
    command.add_argument("--json", action="store_true", help="print JSON")
    command.set_defaults(run=run_undelete)

    command = subparsers.add_parser(
        "list",
        help="list papers as the app's sidebar and search field would (newest first)",
        description="List a view of the library, optionally narrowed by a search query: the "
        "same papers in the same order as the desktop app shows for that sidebar entry and "
        "query. The flags below narrow further and combine freely.",
    )
    command.add_argument(
        "--view", choices=VIEWS, default="all", metavar="VIEW",
        help="a sidebar view: " + ", ".join(VIEWS) + " (default: all)",
    )  # fmt: skip
    command.add_argument("--query", "-q", metavar="Q", help="only papers matching a search query")
    state = command.add_mutually_exclusive_group()
    state.add_argument("--read", action="store_true", help="only papers marked read")
    state.add_argument("--unread", action="store_true", help="only papers not marked read")
    command.add_argument("--starred", action="store_true", help="only starred papers")
    command.add_argument("--tag", metavar="T", help="only papers tagged T")
    command.add_argument(
        "--digest", metavar="LABEL", help='only papers seen in a digest with this label ("Mar 14")'
    )
    command.add_argument(
        "--sort", choices=SORTS, metavar="ORDER",
        help="rank (the default with --query or --view recommended), added (the default), "
        "published, upvotes, title, seen, read_at",
    )  # fmt: skip
    command.add_argument(
        "--descending", action=argparse.BooleanOptionalAction, default=None,
        help="reverse the sort's own direction (--no-descending for oldest or fewest first)",
    )  # fmt: skip
    command.add_argument("--limit", type=positive_int, metavar="N", help="show at most N papers")
    command.add_argument("--offset", type=natural_int, default=0, metavar="N",
                         help="skip the first N papers")
    command.add_argument("--json", action="store_true", help="print a JSON array of papers")
    command.set_defaults(run=run_list)

    command = subparsers.add_parser("show", help="show one paper in full")
    command.add_argument("id", metavar="ID", help="a paper id, or any unique prefix of one")
    command.add_argument("--json", action="store_true", help="print the paper as JSON")
    command.set_defaults(run=run_show)

    for name, field, value, text in (
        ("star", "starred", True, "star papers"),
        ("unstar", "starred", False, "remove the star from papers"),
        ("read", "read", True, "mark papers read"),
        ("unread", "read", False, "mark papers unread"),
    ):
        command = subparsers.add_parser(name, help=text)
        command.add_argument("ids", nargs="+", metavar="ID")
        command.set_defaults(run=run_mark, field=field, value=value)

    command = subparsers.add_parser(
        "note", help="write, append to or clear a paper's note", description="Set a paper's note."
    )
    command.add_argument("id", metavar="ID")
    command.add_argument("text", nargs="?", metavar="TEXT", help="the note (or use --file)")
    source = command.add_mutually_exclusive_group()
    source.add_argument("--file", type=Path, metavar="F", help="read the note from F (- for stdin)")
    source.add_argument("--clear", action="store_true", help="delete the note")
    command.add_argument("--append", action="store_true", help="add to the end of the note")
    command.set_defaults(run=run_note)

    for name, text in (("tag", "add tags to a paper"), ("untag", "remove tags from a paper")):
        command = subparsers.add_parser(name, help=text)
        command.add_argument("id", metavar="ID")
        command.add_argument("tags", nargs="+", metavar="TAG")
        command.set_defaults(run=run_tag, add=name == "tag", verb=name)

    command = subparsers.add_parser("stats", help="counts, library folder and size")
    command.add_argument("--json", action="store_true", help="print the figures as JSON")
    command.set_defaults(run=run_stats)


# --- import -------------------------------------------------------------------------------------


def run_import(args: argparse.Namespace) -> int:
    from readinglist.library import ImportProgress

    from_stdin = [path for path in args.paths if str(path) == "-"]
    if len(from_stdin) > 1:
        fail("standard input (-) can be given only once", 2)
    files = [path for path in args.paths if str(path) != "-"]
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        fail("no such file or folder: " + ", ".join(missing), 1)
    # Read before opening the library: a slow pipe must not hold anything open.
    piped = sys.stdin.buffer.read() if from_stdin else None
    with open_library() as library:
        digest_paths, exports = _split_exports(files)
        reports: list[ImportReport] = []
        if piped is not None:
            reports.append(library.import_text(piped, source="stdin", undelete=args.undelete))
            if not args.json:
                _print_report(reports[-1])
        bar = ProgressBar("importing")
        try:
            if digest_paths:
                for step in library.import_files(digest_paths, undelete=args.undelete):
                    if isinstance(step, ImportProgress):
                        bar.update(step.bytes_done, step.bytes_total, step.file.name)
                        continue
                    reports.append(step)
                    if not args.json:
                        bar.close()
                        _print_report(step)
        finally:
            bar.close()
        merged = [_merge_export(library, path, args.json, args.undelete) for path in exports]
        # The import ends with a searchable library: the first `search` answers at once.
        _index_imported(library)
    refused = any(report.status == "refused" for report in reports) or any(
        item is None for item in merged
    )
    if args.json:
        print_json([report.to_json() for report in reports] + [m for m in merged if m])
    elif len(reports) > 1:
        new = sum(report.new for report in reports)
        known = sum(report.known for report in reports)
        bad = sum(report.status == "refused" for report in reports)
        print(f"{len(reports)} files: {new} new papers, {known} already known, {bad} refused")
    return 1 if refused else 0


def _index_imported(library: Library) -> None:
    from readinglist.cli.common import CliError
    from readinglist.cli.indexing import bring_up_to_date
    from readinglist.search import SearchIndex

    with SearchIndex.open(library.home) as index:
        try:
            bring_up_to_date(index, library, announce=False)
        except CliError as error:
            # The papers are stored: say so, and leave the index to the next search.
            print(f"readinglist: the papers are imported, but {error}", file=sys.stderr)


def _split_exports(paths: list[Path]) -> tuple[list[Path], list[Path]]:
    try:
        from readinglist.export.json_import import split_exports
    except ImportError:  # the export package is optional for plain digest imports
        return paths, []
    return split_exports(paths)


def _merge_export(library: Library, path: Path, as_json: bool, undelete: bool) -> dict | None:
    from readinglist.export.json_import import ExportRefused, merge_json_file

    try:
        report = merge_json_file(library, path, undelete=undelete)
    except ExportRefused as error:
        where = f"{path}, line {error.line}" if error.line is not None else str(path)
        print(f"{where}: refused: {error.reason}")
        return None
    if not as_json:
        print(f"{path}: {report.describe(' (--undelete brings them back)')}")
    return report.to_json()


def _print_report(report: ImportReport) -> None:
    if report.status == "refused":
        print(f"{report.path}: refused: {report.refused}")
        return
    if report.status == "already-imported":
        undeleted = f"; {report.undeleted} deleted papers brought back" if report.undeleted else ""
        print(f"{report.path}: already imported, nothing changed{undeleted}")
        return
    label = f" [{report.label}]" if report.label else ""
    warnings = f", {len(report.warnings)} warnings" if report.warnings else ""
    extra = ""
    if report.deleted:
        extra += f", {report.deleted} skipped as deleted (--undelete brings them back)"
    if report.undeleted:
        extra += f", {report.undeleted} deleted papers brought back"
    print(f"{report.path}{label}: {report.new} new, {report.known} already known{extra}{warnings}")
    for warning in report.warnings:
        print(f"  line {warning.line}: {warning.message}")


# --- deleting -----------------------------------------------------------------------------------


def run_delete(args: argparse.Namespace) -> int:
    with open_library() as library:
        ids = resolve_ids(library, args.ids)
        papers = library.papers(ids)
        deleted = set(library.delete(ids))
    gone = [paper for paper in papers if paper.id in deleted]
    if args.json:
        print_json([paper.to_json() for paper in gone])
        return 0
    for paper in gone:
        print(f"deleted {paper.id}  {shorten(paper.title, 70)}")
    if gone:
        print(f"`readinglist undelete {gone[0].id}` brings a paper back", file=sys.stderr)
    return 0


def run_undelete(args: argparse.Namespace) -> int:
    from readinglist.library import AmbiguousPaper, UnknownPaper

    with open_library() as library:
        if args.list or not args.ids:
            if args.ids:
                fail("give IDs to undelete, or --list, not both", 2)
            rows = library.deleted()
            if args.json:
                print_json([{**row, "deleted_at": row["deleted_at"].isoformat()} for row in rows])
            for row in [] if args.json else rows:
                when = row["deleted_at"].astimezone().strftime("%Y-%m-%d %H:%M")
                print(f"{row['id']}  deleted {when}  {shorten(row['title'], 60)}")
            if not rows and not args.json:
                print("no deleted papers", file=sys.stderr)
            return 0
        ids = []
        for prefix in args.ids:
            try:
                ids.append(library.resolve_deleted(prefix))
            except (UnknownPaper, AmbiguousPaper) as error:
                fail(f"{error} among the deleted papers", 2)
        restored = library.undelete(ids)
        papers = library.papers(restored)
    if args.json:
        print_json([paper.to_json() for paper in papers])
        return 0
    for paper in papers:
        print(f"restored {paper_line(paper)}")
    return 0


# --- reading ------------------------------------------------------------------------------------


def run_list(args: argparse.Namespace) -> int:
    from readinglist.browse import ListingRequest, Scope, browse
    from readinglist.library import PaperFilter

    read = True if args.read else False if args.unread else None
    refine = PaperFilter(
        starred=True if args.starred else None, read=read, tag=args.tag, digest=args.digest
    )
    query = (args.query or "").strip()
    sort = args.sort or ("rank" if query else "added")
    request = ListingRequest(Scope(args.view), query, sort, args.descending, refine)
    with open_library() as library:
        index = fresh_index(library) if request.needs_index else None
        try:
            listing = browse(library, index, request, args.offset, args.limit)
        finally:
            if index is not None:
                index.close()
        papers = library.papers(listing.ids)
    if args.json:
        print_json([paper.to_json() for paper in papers])
        return 0
    if listing.corrected:
        print(f"no papers match {query!r}; showing papers matching {listing.suggestion!r}",
              file=sys.stderr)
    for paper in papers:
        print(paper_line(paper))
    if not papers:
        print("no papers", file=sys.stderr)
    elif len(papers) < listing.total:
        end = args.offset + len(papers)
        print(f"{listing.total:,} papers (showing {args.offset + 1}-{end})", file=sys.stderr)
    return 0


def run_show(args: argparse.Namespace) -> int:
    with open_library() as library:
        (paper_id,) = resolve_ids(library, [args.id])
        paper = library.get(paper_id)
    if args.json:
        print_json(paper.to_json())
    else:
        print(for_terminal(format_paper(paper)))  # no ESC or NUL from a title or note
    return 0


def format_paper(paper: Paper) -> str:
    """A paper in full, for reading in a terminal."""
    lines = [paper.title, "=" * min(len(paper.title), 100)]
    facts = [f"id {paper.id}"]
    if paper.published:
        facts.append(f"published {paper.published.isoformat()}")
    if paper.authors_count is not None:
        plural = "s" if paper.authors_count != 1 else ""
        facts.append(f"{paper.authors_count} author{plural}")
    if paper.organization:
        facts.append(paper.organization)
    if paper.upvotes is not None:
        facts.append(f"{paper.upvotes} upvotes")
    lines.append(" · ".join(facts))
    marks = []
    if paper.starred:
        marks.append("★ starred")
    if paper.read:
        when = f" {paper.read_at.date().isoformat()}" if paper.read_at else ""
        marks.append(f"✓ read{when}")
    if paper.tags:
        marks.append("tags: " + ", ".join(paper.tags))
    if marks:
        lines.append("   ".join(marks))
    seen = ", ".join(s.digest_name for s in paper.sightings)
    if seen:
        lines.append(f"seen in: {seen}")
    width = min(terminal_width(), 100)
    abstract = textwrap.fill(
        paper.abstract, width, break_on_hyphens=False, break_long_words=False
    )
    lines += ["", abstract]
    if paper.links:
        lines += ["", "links:"] + [f"  {link}" for link in paper.links]
    if paper.note:
        lines += ["", "note:"] + [f"  {line}" for line in paper.note.splitlines()]
    return "\n".join(lines)


def run_stats(args: argparse.Namespace) -> int:
    with open_library() as library:
        stats = library.stats()
    if args.json:
        print_json({key: str(value) if isinstance(value, Path) else value
                    for key, value in stats.items()})
        return 0
    rows = [
        ("papers", stats["papers"]),
        ("read", stats["read"]),
        ("unread", stats["unread"]),
        ("starred", stats["starred"]),
        ("with notes", stats["notes"]),
        ("tags", stats["tags"]),
        ("digests", stats["digests"]),
        ("library", stats["path"]),
        ("size", human_size(stats["size_bytes"])),
    ]
    for name, value in rows:
        print(f"{name:<11}{value}")
    return 0


# --- the user's marks ---------------------------------------------------------------------------


def run_mark(args: argparse.Namespace) -> int:
    with open_library() as library:
        ids = resolve_ids(library, args.ids)
        if args.field == "starred":
            changed = library.set_starred(ids, args.value)
        else:
            changed = library.set_read(ids, args.value)
        for paper in library.papers(ids):
            print(paper_line(paper))
    unchanged = len(set(ids)) - len(changed)
    if unchanged:
        print(f"{unchanged} already so, unchanged", file=sys.stderr)
    return 0


def run_note(args: argparse.Namespace) -> int:
    if args.clear and (args.text is not None or args.append):
        fail("--clear takes no text and no --append", 2)
    if args.file is not None and args.text is not None:
        fail("give the note as TEXT or with --file, not both", 2)
    if not args.clear and args.file is None and args.text is None:
        fail("give the note as TEXT, with --file F, or use --clear", 2)
    if args.file is not None:
        text = _read_stdin() if str(args.file) == "-" else _read_text(args.file)
    else:
        text = "" if args.clear else args.text
    with open_library() as library:
        (paper_id,) = resolve_ids(library, [args.id])
        if args.append:
            old = library.get(paper_id).note
            text = f"{old.rstrip()}\n{text}" if old.strip() else text
        library.set_note(paper_id, text)
        paper = library.get(paper_id)
    print(f"{paper.id}  {shorten(paper.title, 60)}: " + ("note cleared" if not text else
          f"note saved ({len(paper.note)} characters)"))
    return 0


def _read_text(path: Path) -> str:
    from readinglist.library.store import MAX_NOTE_CHARS

    try:
        if not path.is_file():  # a FIFO or a device would block or never end
            fail(f"cannot read the note from {path}: not a regular file", 1)
        # UTF-8 takes at most 4 bytes a character: a bigger file is over the limit for sure.
        if path.stat().st_size > 4 * MAX_NOTE_CHARS:
            fail(_too_long(path.stat().st_size, "bytes"), 1)
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        fail(f"cannot read the note from {path}: {error}", 1)
    if len(text) > MAX_NOTE_CHARS:
        fail(_too_long(len(text), "characters"), 1)
    return text


def _read_stdin() -> str:
    from readinglist.library.store import MAX_NOTE_CHARS

    text = sys.stdin.read(MAX_NOTE_CHARS + 1)  # never more than the limit into memory
    if len(text) > MAX_NOTE_CHARS:
        fail(_too_long(len(text), "characters at least"), 1)
    return text


def _too_long(size: int, unit: str) -> str:
    from readinglist.library.store import MAX_NOTE_CHARS

    return (
        f"the note is too long ({size:,} {unit}; a note holds at most {MAX_NOTE_CHARS:,} "
        "characters); nothing was changed"
    )


def run_tag(args: argparse.Namespace) -> int:
    from readinglist.library import LibraryError

    with open_library() as library:
        (paper_id,) = resolve_ids(library, [args.id])
        try:
            if args.add:
                library.add_tags([paper_id], args.tags)
            else:
                library.remove_tags([paper_id], args.tags)
        except LibraryError as error:
            # "a, b" or "": say what is wrong and how to give several tags; nothing changed.
            how = f"give each tag as its own argument: readinglist {args.verb} ID TAG TAG"
            fail(f"{error}; {how}", 2)
        paper = library.get(paper_id)
    tags = ", ".join(paper.tags) if paper.tags else "no tags"
    print(f"{paper.id}  {shorten(paper.title, 60)}: {tags}")
    return 0
