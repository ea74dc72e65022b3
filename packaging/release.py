"""What every installer says about the app: names, versions and paths, read from pyproject.toml.

The spec, the .deb, the NSIS script and the macOS bundle all take their name and version from
here, so a release changes one line in pyproject.toml (and adds a <release> to the metainfo).
"""

from __future__ import annotations

import os
import re
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
DIST = PACKAGING / "dist"
BUILD = PACKAGING / "build"
RESOURCES = ROOT / "resources"
ICONS = RESOURCES / "icons"
SPEC = PACKAGING / "readinglist.spec"

APP_ID = "io.github.readinglist.ReadingList"
DISPLAY_NAME = "Reading List"
# The windowed Windows executable the Start-menu shortcut opens; readinglist.exe is the console
# one, so the command line keeps working in a terminal.
WINDOWS_GUI_EXE = "ReadingList.exe"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

# The .deb's Maintainer field and its changelog's signature: one setting, here. A release build
# sets the real maintainer, a person or team who reads mail at that address, in the environment:
#     READINGLIST_MAINTAINER="Ada Lovelace <ada@example.org>" python packaging/build.py deb
# The default is a placeholder that only lets development builds stay lintian-clean: nobody
# reads that address (docs/packaging.md, "Maintainer").
MAINTAINER_VARIABLE = "READINGLIST_MAINTAINER"
PLACEHOLDER_MAINTAINER = "Reading List developers <readinglist@users.noreply.github.com>"
# What dpkg and lintian accept: a name, then one address with a domain, in angle brackets.
_MAINTAINER = re.compile(r"[^<>@,\s][^<>@,]*[^<>@,\s] <[^<>@\s]+@[^<>@\s]+\.[A-Za-z]{2,}>")

_PEP440 = re.compile(
    r"^(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|b|rc)(?P<pre_n>\d+))?"
    r"(?:\.post(?P<post>\d+))?"
    r"(?:\.dev(?P<dev>\d+))?"
    r"(?:\+(?P<local>[a-z0-9.]+))?$"
)


@dataclass(frozen=True)
class Release:
    """The app as the installers describe it."""

    name: str
    version: str
    summary: str
    license: str
    authors: str
    homepage: str
    maintainer: str = PLACEHOLDER_MAINTAINER  # "Name <address>" (see MAINTAINER_VARIABLE)

    @property
    def maintainer_is_placeholder(self) -> bool:
        return self.maintainer == PLACEHOLDER_MAINTAINER

    @property
    def display_name(self) -> str:
        return DISPLAY_NAME

    @property
    def app_id(self) -> str:
        return APP_ID

    @property
    def desktop_file(self) -> Path:
        return RESOURCES / f"{APP_ID}.desktop"

    @property
    def metainfo_file(self) -> Path:
        return RESOURCES / f"{APP_ID}.metainfo.xml"

    @property
    def frozen_dir(self) -> Path:
        """The one-folder app PyInstaller writes on Linux and Windows."""
        return DIST / self.name

    @property
    def deb_version(self) -> str:
        """The version as dpkg orders it: pre-releases sort before the release with ``~``."""
        return deb_version_of(self.version)

    @property
    def numeric_version(self) -> str:
        """Four numbers, as Windows version resources and ``VIProductVersion`` require."""
        numbers = [int(part) for part in _parse(self.version)["release"].split(".")][:4]
        return ".".join(str(n) for n in numbers + [0] * (4 - len(numbers)))


def deb_version_of(version: str) -> str:
    """A PEP 440 version as dpkg orders it: pre-releases sort before the release with ``~``."""
    parts = _parse(version)
    text = parts["release"]
    if parts["pre"]:
        text += f"~{parts['pre']}{parts['pre_n']}"
    if parts["dev"]:
        # PEP 440 puts X.devN before every pre-release of X (X.devN < XaN.devM < XaN), and
        # dpkg sorts ~~ before ~, so a dev release of a final version gets two tildes.
        text += f"~dev{parts['dev']}" if parts["pre"] else f"~~dev{parts['dev']}"
    if parts["post"]:
        text += f"+post{parts['post']}"
    if parts["local"]:
        text += f"+{parts['local']}"
    return text


def _parse(version: str) -> dict[str, str]:
    match = _PEP440.match(version)
    if match is None:
        raise ValueError(f"pyproject.toml: version {version!r} is not a PEP 440 release version")
    return {key: value or "" for key, value in match.groupdict().items()}


def load(root: Path = ROOT) -> Release:
    """The release described by ``root``'s pyproject.toml and AppStream metainfo."""
    pyproject = root / "pyproject.toml"
    try:
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as error:
        raise SystemExit(f"{pyproject}: cannot read [project]: {error}") from error
    _parse(project["version"])
    metainfo = ET.parse(root / "resources" / f"{APP_ID}.metainfo.xml").getroot()
    homepage = metainfo.findtext("url[@type='homepage']", default="").strip()
    return Release(
        name=project["name"],
        version=project["version"],
        summary=project.get("description", ""),
        license=project.get("license", ""),
        authors=", ".join(author["name"] for author in project.get("authors", [])),
        homepage=homepage,
        maintainer=maintainer(),
    )


def maintainer(environ: Mapping[str, str] = os.environ) -> str:
    """The .deb's maintainer: ``$READINGLIST_MAINTAINER`` for a release, else the placeholder."""
    value = " ".join(environ.get(MAINTAINER_VARIABLE, "").split())
    if not value:
        return PLACEHOLDER_MAINTAINER
    if not _MAINTAINER.fullmatch(value):
        raise SystemExit(
            f"{MAINTAINER_VARIABLE}={value!r}: write one name and one address, as in "
            f"'Ada Lovelace <ada@example.org>'"
        )
    return value


def macos_info_plist(release: Release, minimum_system: str) -> dict[str, object]:
    """The Info.plist keys the macOS bundle sets on top of PyInstaller's own."""
    return {
        "CFBundleName": release.display_name,
        "CFBundleDisplayName": release.display_name,
        "CFBundleIdentifier": release.app_id,
        "CFBundleVersion": release.version,
        "CFBundleShortVersionString": release.version,
        "CFBundleDevelopmentRegion": "en",
        "LSApplicationCategoryType": "public.app-category.productivity",
        "LSMinimumSystemVersion": minimum_system,
        "NSHighResolutionCapable": True,
        # Follow the system's dark mode instead of forcing the light look.
        "NSRequiresAquaSystemAppearance": False,
        "NSHumanReadableCopyright": f"© {release.authors}, {release.license} licence",
    }



def windows_version_fields(
    release: Release, description: str, filename: str
) -> tuple[tuple[int, ...], dict[str, str]]:
    """The numbers and strings of a Windows executable's version resource (Properties > Details)."""
    numbers = tuple(int(n) for n in release.numeric_version.split("."))
    strings = {
        "CompanyName": release.authors,
        "FileDescription": description,
        "FileVersion": release.version,
        "InternalName": release.name,
        "LegalCopyright": f"{release.authors}, {release.license} licence",
        "OriginalFilename": filename,
        "ProductName": release.display_name,
        "ProductVersion": release.version,
    }
    return numbers, strings


def windows_version_info(release: Release, description: str, filename: str) -> object:
    """The version resource for the spec, as PyInstaller's classes (they import only on Windows)."""
    from PyInstaller.utils.win32 import versioninfo as vi

    numbers, strings = windows_version_fields(release, description, filename)
    return vi.VSVersionInfo(
        ffi=vi.FixedFileInfo(filevers=numbers, prodvers=numbers),
        kids=[
            vi.StringFileInfo(
                [vi.StringTable("040904B0", [vi.StringStruct(k, v) for k, v in strings.items()])]
            ),  # US English, Unicode
            vi.VarFileInfo([vi.VarStruct("Translation", [0x0409, 1200])]),
        ],
    )


# What the .deb needs from the system besides libc: the Qt wheels bring Qt itself, not these.
DEB_DEPENDS = (
    "libc6",
    "libglib2.0-0",
    "libgl1",
    "libegl1",
    "libfontconfig1",
    "libfreetype6",
    "libxkbcommon0",
    "libdbus-1-3",
    # Qt's xcb platform plugin (X11 and XWayland); Qt >= 6.5 refuses to start without xcb-cursor.
    "libx11-6",
    "libx11-xcb1",
    "libxcb1",
    "libxcb-cursor0",
    "libxcb-icccm4",
    "libxcb-image0",
    "libxcb-keysyms1",
    "libxcb-randr0",
    "libxcb-render-util0",
    "libxcb-shape0",
    "libxcb-xfixes0",
    "libxcb-xkb1",
    "libxkbcommon-x11-0",
)
# Native Wayland; without these Qt falls back to XWayland through the xcb plugin.
DEB_RECOMMENDS = ("libwayland-client0", "libwayland-cursor0", "libwayland-egl1")


def packaging_requirements(root: Path = ROOT) -> list[str]:
    """The ``packaging`` extra of pyproject.toml: what building the installers needs from PyPI."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    return list(pyproject["project"]["optional-dependencies"]["packaging"])


if __name__ == "__main__":
    # For shell scripts (.ci/packaging.sh): one item a line.
    import sys

    queries = {
        "deb-depends": lambda: DEB_DEPENDS,
        "packaging-requirements": packaging_requirements,
        "version": lambda: [load().version],
        "deb-version": lambda: [load().deb_version],
    }
    if len(sys.argv) != 2 or sys.argv[1] not in queries:
        sys.exit(f"usage: {sys.argv[0]} {'|'.join(queries)}")
    print("\n".join(queries[sys.argv[1]]()))
