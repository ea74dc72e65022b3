"""Build Reading List's installers: one command per target (docs/packaging.md).

    python packaging/build.py linux     # one-folder app in packaging/dist/readinglist, smoke-tested
    python packaging/build.py deb       # the above, then packaging/dist/readinglist_X.Y.Z_ARCH.deb
    python packaging/build.py windows   # on Windows: app + NSIS installer; elsewhere: compile check
    python packaging/build.py macos     # on a Mac: Reading List.app and .dmg; else static checks
    python packaging/build.py validate  # desktop-file-validate and appstreamcli on resources/
    python packaging/build.py smoke EXE # smoke-test a frozen or installed readinglist

Run it with the Python of the environment the app is installed in, with the ``packaging`` extra
(``pip install -e '.[packaging]'``): PyInstaller freezes that environment.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from pathlib import Path

import release
from freeze import executable, freeze, run, step
from release import Release


def validate(rel: Release, *, required: bool = True) -> None:
    """Validate the .desktop file and the AppStream metainfo with the freedesktop tools."""
    step("validate the desktop entry and the AppStream metainfo")
    checks = [
        ("desktop-file-validate", [rel.desktop_file], "desktop-file-utils"),
        ("appstreamcli", ["validate", "--no-net", rel.metainfo_file], "appstream"),
    ]
    for tool, args, package in checks:
        if shutil.which(tool) is None:
            message = f"{tool} not found (Debian package {package})"
            if required:
                raise SystemExit(message)
            print(f"  SKIPPED: {message}")
            continue
        run([tool, *args])


def build_linux(rel: Release, *, clean: bool) -> Path:
    from smoke import smoke_test

    app = freeze(rel, clean=clean)
    smoke_test(executable(app, rel), rel)
    return app


def build_windows(rel: Release, *, clean: bool) -> Path:
    from smoke import smoke_test
    from windows import build_installer

    if sys.platform == "win32":
        app = freeze(rel, clean=clean)
        smoke_test(executable(app, rel), rel)
    else:
        app = rel.frozen_dir
        if not executable(app, rel).is_file():
            app = freeze(rel, clean=clean)
    return build_installer(rel, app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="packaging/build.py",
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's caches first")
    targets = parser.add_subparsers(dest="target", required=True, metavar="TARGET")
    targets.add_parser("linux", help="one-folder app in packaging/dist/, smoke-tested")
    deb = targets.add_parser("deb", help="the linux app, then a .deb of it")
    deb.add_argument("--reuse", action="store_true",
                     help="package the app already in packaging/dist/ instead of freezing again")
    targets.add_parser("windows", help="NSIS installer (a compile check when not on Windows)")
    targets.add_parser("macos", help=".app and .dmg on a Mac; static checks elsewhere")
    targets.add_parser("validate", help="validate the .desktop file and the AppStream metainfo")
    smoke = targets.add_parser("smoke", help="smoke-test a frozen or installed readinglist")
    smoke.add_argument("executable", type=Path, nargs="?",
                       help="default: the app in packaging/dist/")
    smoke.add_argument("--no-window", action="store_true", help="skip opening the main window")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    rel = release.load()
    print(f"{rel.display_name} {rel.version} ({rel.name}), target {args.target}")
    if args.target == "linux":
        build_linux(rel, clean=args.clean)
    elif args.target == "deb":
        from deb import build_deb

        validate(rel, required=False)
        if args.reuse and executable(rel.frozen_dir, rel).is_file():
            app = rel.frozen_dir
        else:
            app = build_linux(rel, clean=args.clean)
        build_deb(rel, app)
    elif args.target == "windows":
        build_windows(rel, clean=args.clean)
    elif args.target == "macos":
        from macos import build_macos

        build_macos(rel)
    elif args.target == "validate":
        validate(rel)
    elif args.target == "smoke":
        from smoke import smoke_test

        exe = args.executable or executable(rel.frozen_dir, rel)
        smoke_test(exe, rel, gui=False if args.no_window else None)
    print(f"\ndone: {args.target} in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
