"""Static checks of the installers' inputs: versions, desktop files, icons, spec, NSIS, macOS.

The builds themselves run in .ci/packaging.sh (minutes); these run in the normal test suite and
catch the mistakes that would otherwise surface only there, or only on a Mac or on Windows.
"""

from __future__ import annotations

import configparser
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "packaging"))

import deb  # noqa: E402
import macos  # noqa: E402
import release  # noqa: E402
import windows  # noqa: E402

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


@pytest.fixture(scope="module")
def rel() -> release.Release:
    return release.load()


def test_release_takes_name_and_version_from_pyproject(rel: release.Release) -> None:
    assert rel.name == PYPROJECT["name"] == "readinglist"
    assert rel.version == PYPROJECT["version"]
    assert rel.homepage.startswith("https://")


@pytest.mark.parametrize(
    ("version", "deb_version", "numeric"),
    [
        ("0.1.0", "0.1.0", "0.1.0.0"),
        ("1.2", "1.2", "1.2.0.0"),
        ("2.0.0rc1", "2.0.0~rc1", "2.0.0.0"),
        ("2.0.0b3", "2.0.0~b3", "2.0.0.0"),
        ("1.4.0.dev7", "1.4.0~~dev7", "1.4.0.0"),
        ("1.4.0rc2.dev1", "1.4.0~rc2~dev1", "1.4.0.0"),
        ("1.4.0.post1", "1.4.0+post1", "1.4.0.0"),
        ("3.1.4.1", "3.1.4.1", "3.1.4.1"),
    ],
)
def test_versions_for_dpkg_and_windows(version: str, deb_version: str, numeric: str) -> None:
    rel = release.Release("readinglist", version, "", "MIT", "us", "https://x")
    assert rel.deb_version == deb_version
    assert rel.numeric_version == numeric


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="needs dpkg")
def test_pre_releases_sort_before_the_release_in_dpkg() -> None:
    def deb(version: str) -> str:
        return release.Release("readinglist", version, "", "", "", "").deb_version

    ordered = ["1.0.0.dev1", "1.0.0a1.dev1", "1.0.0a1", "1.0.0rc1", "1.0.0", "1.0.0.post1"]
    for older, newer in zip(ordered, ordered[1:], strict=False):
        compare = ["dpkg", "--compare-versions", deb(older), "lt", deb(newer)]
        assert subprocess.run(compare).returncode == 0, (older, newer)


def test_not_a_pep440_version_is_refused() -> None:
    with pytest.raises(ValueError, match="PEP 440"):
        _ = release.Release("readinglist", "1.0-beta", "", "", "", "").deb_version


def _desktop_entry(rel: release.Release) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # keys are case-sensitive
    parser.read(rel.desktop_file, encoding="utf-8")
    return parser["Desktop Entry"]


def test_desktop_entry_launches_the_installed_command(rel: release.Release) -> None:
    entry = _desktop_entry(rel)
    assert rel.desktop_file.name == f"{rel.app_id}.desktop"
    assert entry["Exec"].split()[0] == entry["TryExec"] == rel.name
    assert entry["Icon"] == rel.app_id
    assert entry["Name"] == rel.display_name
    assert entry["Terminal"] == "false"


def test_metainfo_names_the_desktop_entry_and_lists_this_release(rel: release.Release) -> None:
    root = ET.parse(rel.metainfo_file).getroot()
    assert root.findtext("id") == rel.app_id
    assert root.findtext("launchable[@type='desktop-id']") == rel.desktop_file.name
    assert root.findtext("provides/binary") == rel.name
    assert root.find("content_rating") is not None
    versions = [r.get("version") for r in root.iter("release")]
    # Software centres show the first <release> as the current one.
    assert versions and versions[0] == rel.version, "add a <release> for the pyproject version"
    screenshot = root.findtext("screenshots/screenshot/image") or ""
    assert screenshot.endswith("docs/images/main-window.png")


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="desktop-file-utils")
def test_desktop_file_validates(rel: release.Release) -> None:
    done = subprocess.run(["desktop-file-validate", str(rel.desktop_file)],
                          capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout


@pytest.mark.skipif(shutil.which("appstreamcli") is None, reason="needs appstream")
def test_metainfo_validates(rel: release.Release) -> None:
    version = subprocess.run(["appstreamcli", "--version"], capture_output=True, text=True)
    old = re.search(r"version: 0\.", version.stdout) is not None
    # Debian 12's 0.16 in strict mode: no info either (its "unknown-tag developer" was one).
    # Newer releases call our <developer_name> deprecated, an info: plain validation there.
    strict = ["--strict"] if old else []
    done = subprocess.run(
        ["appstreamcli", "validate", "--no-net", *strict, str(rel.metainfo_file)],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "unknown-tag" not in done.stdout


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_icon_pngs_exist_at_every_size() -> None:
    for size in release.PNG_SIZES:
        assert _png_size(release.ICONS / "png" / f"readinglist-{size}.png") == (size, size)
    package_icons = ROOT / "readinglist" / "resources" / "icons"
    assert (package_icons / "readinglist.svg").read_bytes() == (
        release.ICONS / "readinglist.svg"
    ).read_bytes(), "run packaging/render_icons.py after editing the SVG"
    for png in package_icons.glob("*.png"):
        size = int(png.stem.rsplit("-", 1)[1])
        assert _png_size(png) == (size, size)
        assert png.read_bytes() == (release.ICONS / "png" / png.name).read_bytes()


def test_windows_icon_holds_every_size_up_to_256() -> None:
    data = (release.ICONS / "readinglist.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind) == (0, 1)
    # In an ICONDIRENTRY a width of 0 means 256.
    sizes = {data[6 + 16 * i] or 256 for i in range(count)}
    assert sizes == {16, 24, 32, 48, 64, 128, 256}


def test_macos_icon_is_whole(tmp_path: Path) -> None:
    assert macos.icns_problems(release.ICONS / "readinglist.icns") == []
    truncated = tmp_path / "truncated.icns"
    truncated.write_bytes((release.ICONS / "readinglist.icns").read_bytes()[:5000])
    assert macos.icns_problems(truncated)


def test_macos_bundle_section_and_dmg_settings(rel: release.Release) -> None:
    assert macos.bundle_problems(rel) == []
    assert macos.dmg_problems(rel) == []
    plist = release.macos_info_plist(rel, "13.0")
    assert plist["CFBundleIdentifier"] == rel.app_id
    assert plist["CFBundleShortVersionString"] == rel.version


def test_dmg_check_finds_a_missing_applications_link(
    rel: release.Release, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "dmg_settings.py"
    broken.write_text(macos.DMG_SETTINGS.read_text().replace('"/Applications"', '"/tmp"'))
    monkeypatch.setattr(macos, "DMG_SETTINGS", broken)
    assert any("Applications" in problem for problem in macos.dmg_problems(rel))


def test_spec_reads_pyproject_and_collects_package_data() -> None:
    spec = release.SPEC.read_text(encoding="utf-8")
    compile(spec, str(release.SPEC), "exec")
    assert "release_module.load(ROOT)" in spec
    assert 'collect_data_files("readinglist"' in spec
    assert 'collect_submodules("readinglist")' in spec


def test_app_has_no_frozen_branches() -> None:
    """Resources load through importlib.resources, which works frozen and from a wheel alike."""
    offenders = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in (ROOT / "readinglist").rglob("*.py")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "_MEIPASS" in line or re.search(r"sys\.frozen|getattr\(sys, .frozen", line)
    ]
    assert offenders == []


def test_deb_control_declares_the_runtime_libraries(rel: release.Release) -> None:
    text = deb.control(rel, "amd64", 150_000)
    fields = dict(
        line.split(": ", 1) for line in text.splitlines() if line and not line.startswith(" ")
    )
    depends = {name.strip() for name in fields["Depends"].split(",")}
    assert {"libgl1", "libegl1", "libfontconfig1", "libxkbcommon0", "libdbus-1-3"} <= depends
    assert "libxcb-cursor0" in depends  # Qt >= 6.5's xcb plugin will not load without it
    assert fields["Package"] == rel.name
    assert fields["Version"] == rel.deb_version
    assert fields["Installed-Size"] == "150000"
    assert text.endswith("\n")
    body = text.split("Description: ", 1)[1].splitlines()[1:]
    assert body and all(line.startswith(" ") and len(line) <= 80 for line in body)
    assert "\n\n" not in text, "an empty line would end the control paragraph"


def test_nsis_script_gets_every_define_it_uses(rel: release.Release, tmp_path: Path) -> None:
    script = windows.NSIS_SCRIPT.read_text(encoding="utf-8")
    used = set(re.findall(r"\$\{([A-Z_0-9]+)\}", script))
    defaulted = set(re.findall(r"!ifndef (\w+)\s*\n\s*!define \1", script))
    defined_here = set(re.findall(r"^!define (\w+)", script, flags=re.MULTILINE))
    passed = set(windows.defines(rel, tmp_path, tmp_path / "setup.exe"))
    # ${GetSize}, ${If} and friends come from the included headers, __FILEDIR__ from makensis.
    builtin = {"GetSize", "If", "IfNot", "EndIf", "RunningX64", "__FILEDIR__"}
    optional = set(re.findall(r"!ifdef (\w+)", script))  # LICENSE_FILE: used only when given
    required = re.findall(r"!ifndef (\w+)\s*\n\s*!error", script)
    assert used - builtin - optional <= defaulted | defined_here | passed
    assert set(required) <= passed


@pytest.mark.skipif(shutil.which("makensis") is None, reason="needs nsis (makensis)")
def test_nsis_script_compiles_around_a_small_app(rel: release.Release, tmp_path: Path) -> None:
    app = tmp_path / "readinglist"
    (app / "_internal").mkdir(parents=True)
    (app / "readinglist.exe").write_bytes(b"MZ placeholder")
    (app / "_internal" / "library.zip").write_bytes(b"PK")
    out = tmp_path / "ReadingList-test.exe"
    command = ["makensis", "-V2", "-WX"]
    command += [f"-D{k}={v}" for k, v in windows.defines(rel, app, out).items()]
    done = subprocess.run([*command, str(windows.NSIS_SCRIPT)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert out.read_bytes()[:2] == b"MZ"


def test_windows_version_resource_carries_the_release(rel: release.Release) -> None:
    # PyInstaller's version-resource classes import only on Windows; the fields are checked here.
    numbers, strings = release.windows_version_fields(rel, "Reading List", "ReadingList.exe")
    assert strings["OriginalFilename"] == "ReadingList.exe"
    assert strings["FileVersion"] == strings["ProductVersion"] == rel.version
    assert strings["ProductName"] == rel.display_name
    assert numbers == tuple(int(n) for n in rel.numeric_version.split("."))
    assert len(numbers) == 4


def test_deb_file_modes_follow_debian_rules(tmp_path: Path) -> None:
    program = tmp_path / "opt" / "readinglist" / "readinglist"
    library = program.parent / "_internal" / "libQt6Core.so.6"
    plugin = program.parent / "_internal" / "plugins" / "libqxcb.so"
    data = program.parent / "_internal" / "sample.txt"
    for path, mode in ((program, 0o775), (library, 0o775), (plugin, 0o700), (data, 0o666)):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        path.chmod(mode)
    deb._normalise_modes(tmp_path)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (program, library, plugin, data)}
    assert modes == {"readinglist": 0o755, "libQt6Core.so.6": 0o644,
                     "libqxcb.so": 0o644, "sample.txt": 0o644}
    assert program.parent.stat().st_mode & 0o777 == 0o755


def test_deb_changelog_and_synopsis_come_from_the_project(rel: release.Release) -> None:
    assert deb._synopsis("A calm, fast library") == "Calm, fast library"
    assert deb._synopsis("Papers, calmly") == "Papers, calmly"
    assert deb.changelog(rel).startswith(f"{rel.name} ({rel.deb_version}) unstable; ")


@pytest.mark.skipif(shutil.which("dpkg-parsechangelog") is None, reason="needs dpkg-dev")
def test_deb_changelog_is_a_valid_debian_changelog(rel: release.Release, tmp_path: Path) -> None:
    path = tmp_path / "changelog"
    path.write_text(deb.changelog(rel), encoding="utf-8")
    done = subprocess.run(["dpkg-parsechangelog", "-l", str(path), "--all"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr, done.stderr
    fields = dict(
        line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line[:30]
    )
    assert fields["Source"] == rel.name and fields["Version"] == rel.deb_version
    assert fields["Maintainer"] == rel.maintainer


def test_maintainer_is_a_name_and_an_address(rel: release.Release) -> None:
    assert re.fullmatch(r"[^<>@]+ <[^<>@\s]+@[^<>@\s]+\.[a-z]{2,}>", rel.maintainer), rel.maintainer
    assert f"Maintainer: {rel.maintainer}\n" in deb.control(rel, "amd64", 1)


def test_a_release_build_sets_the_maintainer_in_one_variable(monkeypatch) -> None:
    real = "Ada Lovelace <ada@example.org>"
    monkeypatch.setenv(release.MAINTAINER_VARIABLE, f"  {real} ")
    rel = release.load()
    assert rel.maintainer == real and not rel.maintainer_is_placeholder
    assert f"Maintainer: {real}\n" in deb.control(rel, "amd64", 1)
    assert f"\n -- {real}  " in deb.changelog(rel)
    monkeypatch.delenv(release.MAINTAINER_VARIABLE)
    assert release.load().maintainer_is_placeholder
    # The placeholder lives in packaging/ only: not in the wheel's metadata.
    assert "maintainers" not in PYPROJECT


@pytest.mark.parametrize("value", [
    "ada@example.org", "Ada <ada>", "Ada <ada@example.org>, Bob <bob@example.org>",
    "<ada@example.org>", "Ada Lovelace ada@example.org",
])
def test_a_malformed_maintainer_is_refused_with_the_variable_named(value: str) -> None:
    with pytest.raises(SystemExit, match=release.MAINTAINER_VARIABLE):
        release.maintainer({release.MAINTAINER_VARIABLE: value})


@pytest.mark.slow
def test_the_wheel_carries_the_mit_license(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(ROOT), "-w", str(tmp_path)],
        capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("readinglist-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        licences = [n for n in archive.namelist() if n.endswith("/LICENSE")]
        assert licences, archive.namelist()
        text = archive.read(licences[0]).decode()
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith("METADATA")))
    assert text.startswith("MIT License") and "Permission is hereby granted" in text
    assert b"License-File: LICENSE" in metadata


@pytest.mark.slow
@pytest.mark.skipif(
    shutil.which("lintian") is None or shutil.which("dpkg-deb") is None,
    reason="needs lintian and dpkg-deb (.ci/run installs them)",
)
def test_the_deb_packaging_writes_is_lintian_clean(tmp_path: Path, monkeypatch) -> None:
    # What packaging/deb.py writes (control, changelog, copyright, desktop entry, metainfo,
    # icons, overrides, the maintainer a release sets) read by lintian in seconds, around a
    # stand-in program; .ci/packaging.sh runs lintian on the .deb of the real frozen app.
    monkeypatch.setattr(release, "BUILD", tmp_path / "build")
    monkeypatch.setattr(release, "DIST", tmp_path / "dist")
    monkeypatch.setenv(release.MAINTAINER_VARIABLE, "Ada Lovelace <ada@example.org>")
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(shutil.which("true") or "/bin/true", app / "readinglist")
    built = deb.build_deb(release.load(), app)
    done = subprocess.run(
        ["lintian", "--fail-on", "error,warning", str(built)],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    fields = subprocess.run(["dpkg-deb", "-f", str(built), "Maintainer"], capture_output=True,
                            text=True, check=True).stdout
    assert fields.strip() == "Ada Lovelace <ada@example.org>"
