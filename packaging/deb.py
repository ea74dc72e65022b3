"""Build the Linux .deb from the frozen app: ``/usr/lib/readinglist``, a launcher, desktop files.

Layout of the package:

    /usr/lib/readinglist/                   the one-folder app, shared objects stripped
    /usr/bin/readinglist                    symlink to /usr/lib/readinglist/readinglist
    /usr/share/applications/<id>.desktop    launcher (menu entry, "Open the Sample Library")
    /usr/share/metainfo/<id>.metainfo.xml   AppStream, for software centres
    /usr/share/icons/hicolor/*/apps/<id>.*  icon, PNG sizes and SVG
    /usr/share/doc/readinglist/copyright, changelog.gz (Debian format)
    /usr/share/lintian/overrides/readinglist  what lintian flags that a frozen bundle must be

No maintainer scripts: dpkg's triggers from hicolor-icon-theme and desktop-file-utils refresh
the icon cache and the desktop database when the files land.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import gzip
import os
import re
import shutil
import stat
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import release
from freeze import run, step
from release import DEB_DEPENDS, DEB_RECOMMENDS, ICONS, PNG_SIZES, Release

# Sonames that need no declared package: the loader and libc come with every system.
_ESSENTIAL = ("libc6",)


def architecture() -> str:
    return run(["dpkg", "--print-architecture"], capture_output=True).stdout.strip()


def deb_path(rel: Release, arch: str) -> Path:
    return release.DIST / f"{rel.name}_{rel.deb_version}_{arch}.deb"


def build_deb(rel: Release, app: Path) -> Path:
    """Package the one-folder ``app`` as a .deb in ``packaging/dist/`` and return its path."""
    if shutil.which("dpkg-deb") is None:
        raise SystemExit("dpkg-deb not found: the .deb is built on Debian or Ubuntu (apt: dpkg)")
    if not (app / rel.name).is_file():
        raise SystemExit(f"{app}: no frozen app here; run packaging/build.py linux first")
    step(f"Debian package from {_shown(app)}")
    if rel.maintainer_is_placeholder:
        print(f"note: Maintainer is the placeholder {rel.maintainer!r}; a release build sets "
              f"{release.MAINTAINER_VARIABLE} to the real one (docs/packaging.md)")
    check_shared_libraries(app)
    arch = architecture()
    root = release.BUILD / "deb" / f"{rel.name}_{rel.deb_version}_{arch}"
    if root.exists():
        shutil.rmtree(root)
    _lay_out(rel, app, root)
    _normalise_modes(root)
    (root / "DEBIAN").mkdir(mode=0o755)
    (root / "DEBIAN" / "control").write_text(control(rel, arch, _installed_kib(root)))
    out = deb_path(rel, arch)
    out.parent.mkdir(parents=True, exist_ok=True)
    run(["dpkg-deb", "--root-owner-group", "--build", root, out])
    _check_contents(rel, out)
    print(f"built {_shown(out)} ({out.stat().st_size / 2**20:.0f} MiB)")
    return out


def _shown(path: Path) -> Path:
    return path.relative_to(release.ROOT) if path.is_relative_to(release.ROOT) else path


def _lay_out(rel: Release, app: Path, root: Path) -> None:
    # /usr/lib/<package>, where Debian puts a program's private files (lintian refuses /opt).
    shutil.copytree(app, root / "usr" / "lib" / rel.name, symlinks=True)
    _strip_shared_objects(root / "usr" / "lib" / rel.name)
    bin_dir = root / "usr" / "bin"
    bin_dir.mkdir(parents=True)
    # The bootloader finds its _internal folder from /proc/self/exe, so a symlink works.
    os.symlink(f"../lib/{rel.name}/{rel.name}", bin_dir / rel.name)  # relative: Debian policy
    share = root / "usr" / "share"
    _install(rel.desktop_file, share / "applications" / f"{rel.app_id}.desktop")
    _install(rel.metainfo_file, share / "metainfo" / f"{rel.app_id}.metainfo.xml")
    for size in PNG_SIZES:
        _install(
            ICONS / "png" / f"readinglist-{size}.png",
            share / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{rel.app_id}.png",
        )
    _install(ICONS / "readinglist.svg", share / "icons/hicolor/scalable/apps" / f"{rel.app_id}.svg")
    doc = share / "doc" / rel.name
    doc.mkdir(parents=True)
    (doc / "copyright").write_text(copyright_file(rel))
    (doc / "changelog.gz").write_bytes(gzip.compress(changelog(rel).encode(), mtime=0))
    overrides = share / "lintian" / "overrides"
    overrides.mkdir(parents=True)
    (overrides / rel.name).write_text(lintian_overrides(rel))


# Each tag lintian raises that comes from shipping a PyInstaller bundle, with the reason; the
# rest (files in /opt, unstripped objects, build-machine RUNPATHs, the changelog, a
# malformed maintainer) are fixed instead. Checked by .ci/packaging.sh (lintian on the .deb).
LINTIAN_OVERRIDES = {
    "embedded-library": "the bundle carries the libraries its Python and Qt were built "
    "against (zlib, bzip2, expat, libpng, freetype, libjpeg/libtiff in Qt's image plugins), "
    "so the frozen app runs the code it was tested with",
    "library-not-linked-against-libc": "two CPython extension modules of the bundled "
    "interpreter use no libc symbol themselves; they are loaded into a process that has libc",
    "shared-library-lacks-prerequisites": "bundled libraries (ICU data, libX11-xcb, CPython "
    "extension modules) are loaded by the bundled interpreter and Qt, never linked against",
    "hardening-no-pie": "PyInstaller's prebuilt bootloader is not position independent",
    "no-manual-page": "the command documents itself: readinglist --help and each command's "
    "--help; docs/cli.md is the manual",
}


def lintian_overrides(rel: Release) -> str:
    """/usr/share/lintian/overrides/<package>: each inherent tag with its reason."""
    blocks = []
    for tag, reason in LINTIAN_OVERRIDES.items():
        comment = textwrap.fill(reason, 78, initial_indent="# ", subsequent_indent="# ")
        blocks.append(f"{comment}\n{rel.name}: {tag}\n")
    return "\n".join(blocks)


def _strip_shared_objects(app: Path) -> None:
    """Strip symbols and drop the build machine's RUNPATHs from the bundle's shared objects.

    The executable itself is left alone: PyInstaller's bootloader must stay byte-identical.
    The bootloader loads libraries from _internal, so a RUNPATH pointing at the Python the
    app was frozen from (``/root/.pyenv/...``) only names a folder users do not have.
    """
    objects = [
        p for p in app.rglob("*")
        if p.is_file() and not p.is_symlink() and _SHARED_LIBRARY.search(p.name) and _is_elf(p)
    ]
    if not objects:
        return
    for tool, package in (("strip", "binutils"), ("patchelf", "patchelf")):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found: the .deb needs it (apt: {package})")
    for start in range(0, len(objects), 200):
        run(["strip", "--strip-unneeded", "--remove-section=.comment",
             "--remove-section=.note", *objects[start : start + 200]])
    with_paths = [p for p in objects if _runpath(p)]
    for start in range(0, len(with_paths), 200):
        run(["patchelf", "--remove-rpath", *with_paths[start : start + 200]])
    print(f"  stripped {len(objects)} shared objects, removed {len(with_paths)} RUNPATHs")


def _runpath(path: Path) -> bool:
    dump = subprocess.run(["objdump", "-p", str(path)], capture_output=True, text=True).stdout
    return any(line.split()[:1] in (["RUNPATH"], ["RPATH"]) for line in dump.splitlines())

def _install(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


_SHARED_LIBRARY = re.compile(r"\.so(\.[0-9.]+)?$|\.so\.")


def _normalise_modes(root: Path) -> None:
    """Directories and programs 755, everything else (shared libraries too) 644, as Debian wants."""
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        program = path.stat().st_mode & stat.S_IXUSR and not _SHARED_LIBRARY.search(path.name)
        path.chmod(0o755 if path.is_dir() or program else 0o644)


def _installed_kib(root: Path) -> int:
    total = sum(p.lstat().st_size for p in root.rglob("*") if p.is_file() or p.is_symlink())
    return (total + 1023) // 1024


def control(rel: Release, arch: str, installed_kib: int) -> str:
    """The DEBIAN/control file."""
    description = "\n".join(
        " " + line if line else " ." for line in _long_description(rel).splitlines()
    )
    fields = {
        "Package": rel.name,
        "Version": rel.deb_version,
        "Architecture": arch,
        "Maintainer": rel.maintainer,
        "Installed-Size": str(installed_kib),
        "Depends": ", ".join(DEB_DEPENDS),
        "Recommends": ", ".join(DEB_RECOMMENDS),
        "Section": "science",
        "Priority": "optional",
        "Homepage": rel.homepage,
        "Description": f"{_synopsis(rel.summary)}\n{description}",
    }
    return "".join(f"{key}: {value}\n" for key, value in fields.items() if value)


def _synopsis(summary: str) -> str:
    """The project description as a Debian synopsis, which starts without an article."""
    words = summary.split(maxsplit=1)
    if len(words) == 2 and words[0].lower() in ("a", "an", "the"):
        return words[1][:1].upper() + words[1][1:]
    return summary


def _releases(rel: Release) -> list[tuple[str, str, str]]:
    """(version, date, text) of each <release> in the metainfo, newest first."""
    root = ET.parse(rel.metainfo_file).getroot()
    return [
        (
            element.get("version", ""),
            element.get("date", ""),
            " ".join("".join(element.find("description").itertext()).split())
            if element.find("description") is not None
            else "",
        )
        for element in root.iter("release")
    ]


def changelog(rel: Release) -> str:
    """The package's changelog in Debian's format, from the metainfo's release history.

    The version has no Debian revision (the package is native), so it is installed as
    ``changelog.gz``; ``dpkg-parsechangelog`` and lintian read it.
    """
    entries = []
    for version, date, text in _releases(rel):
        body = textwrap.fill(text or "New release.", 78, initial_indent="  * ",
                             subsequent_indent="    ")
        when = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(), dt.UTC)
        entries.append(
            f"{rel.name} ({release.deb_version_of(version)}) unstable; urgency=medium\n\n"
            f"{body}\n\n -- {rel.maintainer}  {email.utils.format_datetime(when)}\n"
        )
    return "\n".join(entries)


def _long_description(rel: Release) -> str:
    """The metainfo's description paragraphs and list, wrapped for a control file."""
    root = ET.parse(rel.metainfo_file).getroot()
    blocks = []
    for element in root.find("description") or []:
        if element.tag == "p":
            blocks.append(textwrap.fill(" ".join("".join(element.itertext()).split()), 78))
        elif element.tag == "ul":
            items = [" ".join("".join(li.itertext()).split()) for li in element.iter("li")]
            blocks.append("\n".join(textwrap.fill(item, 78, initial_indent="  * ",
                                                  subsequent_indent="    ") for item in items))
    return "\n\n".join(blocks)


def _copyright_years(rel: Release) -> str:
    years = sorted({date[:4] for _, date, _ in _releases(rel) if date[:4].isdigit()})
    if not years:
        return ""
    return years[0] if years[0] == years[-1] else f"{years[0]}-{years[-1]}"


def copyright_file(rel: Release) -> str:
    """A machine-readable debian/copyright, naming what the frozen app bundles."""
    return (
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n"
        f"Upstream-Name: {rel.display_name}\n"
        f"Source: {rel.homepage}\n"
        "Comment: The program in /usr/lib is frozen with PyInstaller and bundles the Python 3\n"
        " runtime (PSF-2.0), Qt 6 and PySide6 (LGPL-3.0), sqlite-utils (Apache-2.0), Whoosh\n"
        " (BSD-2-Clause), rapidfuzz (MIT) and platformdirs (MIT), under their upstream projects'\n"
        " licences.\n"
        "\n"
        "Files: *\n"
        f"Copyright: {_copyright_years(rel)} {rel.authors}\n"
        f"License: {rel.license}\n"
        "\n"
        "License: MIT\n"
        " Permission is hereby granted, free of charge, to any person obtaining a copy of this\n"
        ' software and associated documentation files (the "Software"), to deal in the Software\n'
        " without restriction, including without limitation the rights to use, copy, modify,\n"
        " merge, publish, distribute, sublicense, and/or sell copies of the Software, and to\n"
        " permit persons to whom the Software is furnished to do so, subject to the following\n"
        " conditions:\n"
        " .\n"
        " The above copyright notice and this permission notice shall be included in all copies\n"
        " or substantial portions of the Software.\n"
        " .\n"
        ' THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED,\n'
        " INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A\n"
        " PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT\n"
        " HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF\n"
        " CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR\n"
        " THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n"
    )


def _check_contents(rel: Release, deb: Path) -> None:
    listing = run(["dpkg-deb", "--contents", deb], capture_output=True).stdout
    paths = {line.split()[5].lstrip(".") for line in listing.splitlines() if len(line.split()) > 5}
    expected = {
        f"/usr/lib/{rel.name}/{rel.name}",
        f"/usr/share/lintian/overrides/{rel.name}",
        f"/usr/bin/{rel.name}",
        f"/usr/share/applications/{rel.app_id}.desktop",
        f"/usr/share/metainfo/{rel.app_id}.metainfo.xml",
        f"/usr/share/icons/hicolor/scalable/apps/{rel.app_id}.svg",
        f"/usr/share/icons/hicolor/48x48/apps/{rel.app_id}.png",
    }
    missing = sorted(expected - paths)
    if missing:
        raise SystemExit(f"{deb}: missing {', '.join(missing)}")


def needed_sonames(app: Path) -> dict[str, list[Path]]:
    """Shared libraries the app's ELF files need that the app folder does not bring itself."""
    elves = [p for p in app.rglob("*") if p.is_file() and not p.is_symlink() and _is_elf(p)]
    bundled = {p.name for p in app.rglob("*.so*")}
    needed: dict[str, list[Path]] = {}
    for elf in elves:
        dump = subprocess.run(["objdump", "-p", str(elf)], capture_output=True, text=True).stdout
        for line in dump.splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[0] == "NEEDED" and parts[1] not in bundled:
                needed.setdefault(parts[1], []).append(elf.relative_to(app))
    return needed


def _is_elf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(4) == b"\x7fELF"


def _owning_package(soname: str) -> str | None:
    done = subprocess.run(["dpkg-query", "-S", f"*/{soname}"], capture_output=True, text=True)
    for line in done.stdout.splitlines():
        package, _, path = line.partition(": ")
        if Path(path.strip()).name == soname and "," not in package:
            return package.split(":")[0]
    return None


def check_shared_libraries(app: Path) -> None:
    """Fail if the app needs a system library whose package the .deb does not declare.

    Sonames this machine cannot resolve are listed, not failed: they cannot be checked here.
    """
    if shutil.which("objdump") is None or shutil.which("dpkg-query") is None:
        print("  SKIPPED the shared-library check: needs objdump (binutils) and dpkg-query")
        return
    declared = set(DEB_DEPENDS) | set(DEB_RECOMMENDS) | set(_ESSENTIAL)
    undeclared, unknown = [], []
    for soname, users in sorted(needed_sonames(app).items()):
        package = _owning_package(soname)
        if package is None:
            unknown.append(f"{soname} (needed by {users[0]})")
        elif package not in declared:
            undeclared.append(f"{soname} from {package} (needed by {users[0]})")
    for line in unknown:
        print(f"  not installed here, cannot check: {line}")
    if undeclared:
        raise SystemExit(
            "the .deb does not declare packages the app needs; add them to DEB_DEPENDS or "
            "DEB_RECOMMENDS in packaging/release.py:\n  " + "\n  ".join(undeclared)
        )
    print("  every system library the app needs comes from a declared package")
