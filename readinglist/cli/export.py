"""Commands that get the library out and back: export, backup, restore."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from readinglist.browse import SORTS, VIEWS
from readinglist.cli.common import (
    ProgressBar,
    drive,
    fail,
    fresh_index,
    open_library,
    print_json,
)

if TYPE_CHECKING:
    from readinglist.library import Library

FORMAT_NAMES = ("md", "html", "csv", "json", "bibtex", "ris")

EXPORT_EPILOG = """\
formats:
  md      an annotated reading list in Markdown (GitHub, Obsidian)
  html    one standalone, printable web page
  csv     one row per paper, every field (--bom for Excel on Windows)
  json    everything, the backup format `readinglist import` reads back
  bibtex  @misc entries for Zotero, JabRef, LaTeX (the note in `annote`)
  ris     for EndNote, Zotero, Mendeley

examples:
  readinglist export --starred --format md -o starred.md
  readinglist export --tag vision --group month --format html -o vision.html
  readinglist export --query "diffusion is:unread" --format bibtex > to-read.bib
  readinglist export --format json -o everything.json
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    command = subparsers.add_parser(
        "export",
        help="export papers with your stars, read dates, tags and notes",
        description="Export the library, or part of it, in the order it is listed. Without "
        "-o the export goes to standard output. Files are written atomically: an existing "
        "file is replaced only once the new one is complete.",
        epilog=EXPORT_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_argument(
        "--format", "-f", choices=FORMAT_NAMES, metavar="FORMAT",
        help="md, html, csv, json, bibtex or ris (default: from the file name, else md)",
    )  # fmt: skip
    command.add_argument("-o", "--output", type=Path, metavar="FILE", help="write to FILE")
    scope = command.add_argument_group("which papers (combine freely)")
    scope.add_argument(
        "--view", choices=VIEWS, default="all", metavar="VIEW",
        help="a sidebar view, as `readinglist list --view`: " + ", ".join(VIEWS),
    )  # fmt: skip
    scope.add_argument("--query", "-q", metavar="Q", help="papers matching a search query")
    scope.add_argument("--starred", action="store_true", help="only starred papers")
    state = scope.add_mutually_exclusive_group()
    state.add_argument("--read", action="store_true", help="only papers marked read")
    state.add_argument("--unread", action="store_true", help="only papers not marked read")
    scope.add_argument("--notes", action="store_true", help="only papers with a note")
    scope.add_argument("--tag", metavar="T", help="only papers tagged T")
    scope.add_argument(
        "--digest", metavar="LABEL",
        help='only papers from one digest (its label "Mar 14", file name or id)',
    )  # fmt: skip
    look = command.add_argument_group("how it looks")
    look.add_argument(
        "--sort", choices=SORTS, metavar="ORDER",
        help="rank (the default with --query), added (the default), published, upvotes, title, "
        "seen, read_at",
    )  # fmt: skip
    look.add_argument(
        "--group", choices=("none", "tag", "digest", "month"), default="none",
        help="sections by tag, digest or month published (md and html; default: none)",
    )  # fmt: skip
    look.add_argument("--title", metavar="TEXT", help="the heading (default: from the scope)")
    look.add_argument(
        "--no-abstracts", action="store_true", help="leave abstracts out (md and html)"
    )
    look.add_argument("--bom", action="store_true", help="CSV: start with a UTF-8 byte-order mark")
    command.set_defaults(run=run_export)

    command = subparsers.add_parser(
        "backup",
        help="back up the library now (or list backups)",
        description="Take a consistent snapshot of the library with SQLite's backup API, even "
        "while the app is using it. Without FILE it goes to the backups folder beside the "
        "library, where a daily backup is also kept (the last 7).",
    )
    command.add_argument("file", nargs="?", type=Path, metavar="FILE", help="where to write it")
    command.add_argument("--list", action="store_true", help="list the backups instead")
    command.add_argument("--json", action="store_true", help="print the result as JSON")
    command.set_defaults(run=run_backup)

    command = subparsers.add_parser(
        "restore",
        help="replace the library with a backup (the current one is backed up first)",
        description="Replace the whole library with a backup made by `readinglist backup` (or "
        "a daily backup). The file is checked first; the current library is then saved in the "
        "backups folder, so a restore can itself be undone. To merge a JSON export instead, "
        "use `readinglist import FILE`.",
    )
    command.add_argument("file", type=Path, metavar="FILE", help="the backup to restore")
    command.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    command.add_argument("--json", action="store_true", help="print the result as JSON")
    command.set_defaults(run=run_restore)


# --- export --------------------------------------------------------------------------------------


def run_export(args: argparse.Namespace) -> int:
    from readinglist.export import (
        FORMATS,
        chunks,
        format_for_path,
        iter_write_export,
        make_options,
    )
    from readinglist.export.pages import LibraryPapers

    to_stdout = args.output is None or str(args.output) == "-"
    fmt = args.format
    if fmt is None:
        guessed = None if to_stdout else format_for_path(args.output)
        if guessed is None and not to_stdout:
            fail(
                f"{args.output}: cannot tell the format from the file name; "
                f"add --format ({', '.join(FORMAT_NAMES)})",
                2,
            )
        fmt = guessed.name if guessed else "md"
    with open_library() as library:
        ids = select_ids(library, args)
        papers = LibraryPapers(library, ids)
        options = {
            "title": args.title,
            "scope": describe_scope(args),
            "include_abstracts": not args.no_abstracts,
            "bom": args.bom,
            "digests": library.digests(),
        }
        if to_stdout:
            out = sys.stdout.buffer
            sys.stdout.flush()
            for piece in chunks(papers, fmt, make_options(grouping=args.group, **options)):
                out.write(piece.encode("utf-8"))
            out.flush()
            return 0
        steps = iter_write_export(args.output, papers, fmt, args.group, **options)
        try:
            for _ in drive(steps, ProgressBar("exporting")):
                pass
        except OSError as error:
            fail(f"{args.output}: cannot write the export: {error.strerror or error}", 1)
    noun = "paper" if len(papers) == 1 else "papers"
    label = FORMATS[fmt].label
    print(f"Exported {len(papers):,} {noun} as {label} to {args.output}", file=sys.stderr)
    return 0


def select_ids(library: Library, args: argparse.Namespace) -> list[str]:
    """The ids the scope flags name, in the order asked for (as a listing would show them)."""
    from readinglist.browse import ListingRequest, Scope, browse
    from readinglist.library import PaperFilter

    read = True if args.read else False if args.unread else None
    refine = PaperFilter(
        starred=True if args.starred else None,
        read=read,
        has_note=True if args.notes else None,
        tag=args.tag,
        digest=args.digest,
    )
    _check_names(library, args)
    query = (args.query or "").strip()
    sort = args.sort or ("rank" if query else "added")
    request = ListingRequest(Scope(args.view), query, sort, None, refine)
    if not request.needs_index:
        return browse(library, None, request).ids
    with fresh_index(library) as index:
        return browse(library, index, request).ids


def describe_scope(args: argparse.Namespace) -> str | None:
    """The scope in words, for the export's heading: "Starred papers · Tag: vision"."""
    parts = [VIEWS[args.view]] if args.view != "all" else []
    states = [
        word
        for word, on in (("Starred", args.starred), ("Read", args.read), ("Unread", args.unread))
        if on
    ]
    if states:
        parts.append(" ".join([states[0], *(s.lower() for s in states[1:])]) + " papers")
    if args.notes:
        parts.append("With notes")
    if args.tag:
        parts.append(f"Tag: {args.tag}")
    if args.digest:
        parts.append(f"Digest: {args.digest}")
    if args.query:
        parts.append(f"Search: {args.query}")
    return " · ".join(parts) or None


def _check_names(library: Library, args: argparse.Namespace) -> None:
    # An empty export because of a typo in a tag or digest name would look like a bug.
    if args.tag and args.tag.casefold() not in {name.casefold() for name, _ in library.tags()}:
        fail(f"no tag named {args.tag!r}", 2)
    if args.digest:
        from readinglist.library import PaperFilter

        if not library.find_digests(args.digest) and not library.count(
            PaperFilter(digest=args.digest)
        ):
            fail(f"no digest named {args.digest!r} (give its label, file name or id)", 2)


# --- backup and restore --------------------------------------------------------------------------


def run_backup(args: argparse.Namespace) -> int:
    from readinglist import paths
    from readinglist.library import LibraryError
    from readinglist.library.backup import back_up, check_backup, list_backups
    from readinglist.paths import ProtectedFile

    home = paths.data_dir()
    if args.list:
        if args.file is not None:
            fail("give either FILE or --list", 2)
        found = list_backups(home)
        if args.json:
            print_json([b.to_json() for b in found])
        elif not found:
            print(f"No backups yet in {paths.backups_dir(home)}")
        else:
            for backup in found:
                print(backup)
        return 0
    target = args.file
    if target is not None and target.is_dir():
        target = paths.backup_file(target, "manual")
    try:
        made = back_up(home, target)
        papers = check_backup(made)
    except ProtectedFile as error:
        fail(str(error), 2)
    except LibraryError as error:
        fail(str(error), 1)
    except OSError as error:
        fail(f"cannot write the backup: {error.strerror or error}", 1)
    size = made.stat().st_size
    if args.json:
        print_json({"path": str(made), "papers": papers, "size": size})
    else:
        print(f"Backed up {papers:,} papers to {made} ({size / 1_048_576:.1f} MB)")
    return 0


def _restore_question(home: Path, source: Path, papers: int) -> str:
    """Which backup, the library now and what a restore would lose (as the window asks)."""
    from readinglist import paths
    from readinglist.library import Library, LibraryError
    from readinglist.library.backup import restore_preview

    current = paths.database_path(home)
    question = f"Replace the library at {current} with {source}?"
    if current.exists():
        try:
            with Library.open(home) as library:
                return "\n".join([question, *restore_preview(library, source).lines()])
        except LibraryError:
            pass  # a damaged library (a reason to restore): nothing to compare it with
    return f"{question}\nThe backup holds {papers:,} papers; nothing to compare it with here."


def run_restore(args: argparse.Namespace) -> int:
    from readinglist import paths
    from readinglist.library import LibraryError
    from readinglist.library.backup import check_backup, restore

    home = paths.data_dir()
    source: Path = args.file
    try:
        papers = check_backup(source)
    except LibraryError as error:
        fail(str(error), 1)
    if not args.yes:
        if not sys.stdin.isatty():
            fail("restore replaces the whole library; add --yes to confirm", 2)
        answer = input(_restore_question(home, source, papers) + " Restore? [y/N] ")
        if answer.strip().lower() not in ("y", "yes"):
            print("Nothing restored.", file=sys.stderr)
            return 1
    try:
        report = restore(home, source)
    except LibraryError as error:
        fail(str(error), 1)
    if args.json:
        print_json(report.to_json())
    else:
        print(report)
    return 0
