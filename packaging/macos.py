"""The macOS app bundle and disk image: built on a Mac, checked statically everywhere else.

PyInstaller's BUNDLE and dmgbuild only run on macOS, so Linux CI checks what it can without
them: the spec's BUNDLE call has its arguments, the Info.plist keys are complete and serialise,
the .icns is whole, and the dmgbuild settings compile and describe a drag-to-Applications window.
"""

from __future__ import annotations

import ast
import os
import plistlib
import struct
import sys
from pathlib import Path

import release
from freeze import executable, freeze, run, step
from release import ICONS, Release

DMG_SETTINGS = release.PACKAGING / "macos" / "dmg_settings.py"
ICNS = ICONS / "readinglist.icns"

REQUIRED_BUNDLE_ARGUMENTS = {"name", "icon", "bundle_identifier", "version", "info_plist"}
REQUIRED_PLIST_KEYS = {
    "CFBundleName",
    "CFBundleDisplayName",
    "CFBundleIdentifier",
    "CFBundleVersion",
    "CFBundleShortVersionString",
    "LSMinimumSystemVersion",
    "NSHighResolutionCapable",
    "NSHumanReadableCopyright",
}
REQUIRED_DMG_SETTINGS = {
    "format",
    "files",
    "symlinks",
    "badge_icon",
    "icon_locations",
    "window_rect",
    "icon_size",
    "default_view",
}
DMG_FORMATS = {"UDRO", "UDCO", "UDZO", "UDBZ", "ULFO", "ULMO"}
# Every size the Finder and the Dock ask for, at 1x or 2x: 16 ... 512 px and 1024 px.
ICNS_TYPES = {b"icp4", b"ic11", b"ic12", b"ic07", b"ic13", b"ic08", b"ic14", b"ic09", b"ic10"}


def _bundle_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "darwin" in ast.unparse(node.test):
            for inner in ast.walk(node):
                func = getattr(inner, "func", None)
                if isinstance(inner, ast.Call) and isinstance(func, ast.Name):
                    if func.id == "BUNDLE":
                        return inner
    return None


def bundle_problems(rel: Release) -> list[str]:
    """What is wrong with the spec's macOS BUNDLE section, Info.plist and icon (empty if none)."""
    problems = []
    source = release.SPEC.read_text(encoding="utf-8")
    try:
        tree = ast.parse(source, str(release.SPEC))
        compile(tree, str(release.SPEC), "exec")
    except SyntaxError as error:
        return [f"{release.SPEC}:{error.lineno}: {error.msg}"]
    call = _bundle_call(tree)
    if call is None:
        return [f"{release.SPEC}: no BUNDLE(...) call under a darwin platform check"]
    missing = REQUIRED_BUNDLE_ARGUMENTS - {kw.arg for kw in call.keywords}
    if missing:
        problems.append(f"{release.SPEC}:{call.lineno}: BUNDLE lacks {', '.join(sorted(missing))}")
    if "icns" not in ast.unparse(call):
        problems.append(f"{release.SPEC}:{call.lineno}: BUNDLE's icon is not the .icns file")

    plist = release.macos_info_plist(rel, "13.0")
    missing = REQUIRED_PLIST_KEYS - plist.keys()
    if missing:
        problems.append(f"Info.plist lacks {', '.join(sorted(missing))}")
    if plist.get("CFBundleIdentifier") != rel.app_id:
        problems.append(f"Info.plist CFBundleIdentifier is not {rel.app_id}")
    if plist.get("CFBundleShortVersionString") != rel.version:
        problems.append(f"Info.plist version is not pyproject's {rel.version}")
    try:
        plistlib.loads(plistlib.dumps(plist))
    except (TypeError, ValueError, OverflowError) as error:
        problems.append(f"Info.plist does not serialise: {error}")
    problems.extend(icns_problems(ICNS))
    return problems


def icns_problems(path: Path) -> list[str]:
    """What is wrong with an .icns file's structure (empty if none)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        return [f"{path}: {error.strerror}"]
    if data[:4] != b"icns" or struct.unpack(">I", data[4:8])[0] != len(data):
        return [f"{path}: not an .icns file, or truncated"]
    types, offset = set(), 8
    while offset + 8 <= len(data):
        kind = data[offset : offset + 4]
        (length,) = struct.unpack(">I", data[offset + 4 : offset + 8])
        if length < 8 or offset + length > len(data):
            return [f"{path}: damaged entry {kind!r} at byte {offset}"]
        types.add(kind)
        offset += length
    # icp4 (16 px) is optional: macOS scales ic11 (16@2x) down for it.
    missing = sorted(t.decode() for t in ICNS_TYPES - types - {b"icp4"})
    return [f"{path}: no {', '.join(missing)} images"] if missing else []


def dmg_problems(rel: Release) -> list[str]:
    """What is wrong with the dmgbuild settings file (empty if none)."""
    source = DMG_SETTINGS.read_text(encoding="utf-8")
    try:
        code = compile(source, str(DMG_SETTINGS), "exec")
    except SyntaxError as error:
        return [f"{DMG_SETTINGS}:{error.lineno}: {error.msg}"]
    app = f"/tmp/{rel.display_name}.app"
    # The globals dmgbuild gives the file (dmgbuild.core.build_dmg): the -D values and the names.
    settings: dict[str, object] = {
        "defines": {"app": app, "icon": str(ICNS)},
        "filename": f"{rel.display_name}.dmg",
        "volume_name": rel.display_name,
    }
    try:
        exec(code, settings)
    except Exception as error:  # noqa: BLE001  (any failure of the settings file is the finding)
        return [f"{DMG_SETTINGS}: fails when dmgbuild runs it: {error!r}"]
    absent = sorted(REQUIRED_DMG_SETTINGS - settings.keys())
    problems = [f"{DMG_SETTINGS}: no {name}" for name in absent]
    if problems:
        return problems
    if settings["format"] not in DMG_FORMATS:
        problems.append(f"{DMG_SETTINGS}: unknown image format {settings['format']!r}")
    if app not in settings["files"]:  # type: ignore[operator]
        problems.append(f"{DMG_SETTINGS}: files does not hold the app given as -D app=")
    if settings["symlinks"] != {"Applications": "/Applications"}:
        problems.append(f"{DMG_SETTINGS}: no Applications link to drag the app onto")
    placed = set(settings["icon_locations"])  # type: ignore[call-overload]
    if not {os.path.basename(app), "Applications"} <= placed:
        problems.append(f"{DMG_SETTINGS}: icon_locations does not place the app and Applications")
    _, (width, height) = settings["window_rect"]  # type: ignore[misc]
    if width < 300 or height < 200:
        problems.append(f"{DMG_SETTINGS}: window_rect {width}x{height} is too small")
    if settings["badge_icon"] != str(ICNS):
        problems.append(f"{DMG_SETTINGS}: badge_icon does not take -D icon=")
    return problems


def check(rel: Release) -> None:
    """Run the static checks; SystemExit listing every problem found."""
    step("macOS: static checks of the BUNDLE section, Info.plist, .icns and dmgbuild settings")
    problems = bundle_problems(rel) + dmg_problems(rel)
    if problems:
        raise SystemExit("macOS packaging problems:\n  " + "\n  ".join(problems))
    print(f"  {release.SPEC.name}: BUNDLE with {', '.join(sorted(REQUIRED_BUNDLE_ARGUMENTS))}")
    print(f"  Info.plist: {len(release.macos_info_plist(rel, '13.0'))} keys, serialises")
    print(f"  {ICNS.name}: every size from 16 to 1024 px")
    print(f"  {DMG_SETTINGS.name}: compiles; the app and an Applications link, side by side")


def build_macos(rel: Release) -> Path | None:
    """On a Mac: the .app and the .dmg. Elsewhere: the static checks only (returns None)."""
    check(rel)
    if sys.platform != "darwin":
        print("  not on macOS: the .app and .dmg are built on a Mac (docs/packaging.md)")
        return None
    from smoke import smoke_test

    app = freeze(rel)
    smoke_test(executable(app, rel), rel)
    step("disk image with dmgbuild")
    out = release.DIST / f"ReadingList-{rel.version}.dmg"
    run([
        sys.executable, "-m", "dmgbuild",
        "-s", DMG_SETTINGS,
        "-D", f"app={app}",
        "-D", f"icon={ICNS}",
        rel.display_name,
        out,
    ])
    print(f"built {out.relative_to(release.ROOT)}")
    return out
