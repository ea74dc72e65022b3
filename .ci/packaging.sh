#!/usr/bin/env bash
# CI for the installers (issue 6, docs/packaging.md), called by .ci/run after the tests:
#
#   bash .ci/packaging.sh [VENV]    # VENV: the project's virtual environment ($VENV or .venv)
#
# Builds and smoke-tests the Linux one-folder app and the .deb, validates the desktop files,
# installs the .deb (dpkg -i, as root), starts the installed app offscreen on the sample library,
# removes it (dpkg -r), checks the macOS bundle and dmg settings statically, and compiles the NSIS
# installer.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${1:-${VENV:-.venv}}
python="$venv/bin/python"
started=$SECONDS

section() { printf '\n==> packaging: %s (%d s)\n' "$*" "$((SECONDS - started))"; }

if [ ! -x "$python" ]; then
    echo "packaging: no Python at $python; pass the project's virtual environment" >&2
    exit 1
fi
sudo=""
if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "packaging: needs root (or sudo) to install tools and the .deb" >&2
        exit 1
    fi
    sudo="sudo"
fi

section "system tools: desktop-file-utils, appstream, nsis, binutils, patchelf, lintian; the .deb's dependencies"
# The .deb's Depends come from packaging/release.py, so the installed app finds what it declares.
mapfile -t deb_depends < <("$python" packaging/release.py deb-depends)
[ "${#deb_depends[@]}" -gt 0 ] || { echo "packaging: no Depends from release.py" >&2; exit 1; }
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt run (unattended upgrades, say) instead of failing on its lock.
apt_get() { $sudo apt-get -o DPkg::Lock::Timeout=300 "$@"; }
apt_get update -qq
apt_get install -y -qq --no-install-recommends \
    desktop-file-utils appstream nsis binutils patchelf lintian "${deb_depends[@]}" >/dev/null

section "Python tools: the packaging extra from pyproject.toml into $venv"
mapfile -t requirements < <("$python" packaging/release.py packaging-requirements)
[ "${#requirements[@]}" -gt 0 ] || { echo "packaging: no packaging extra" >&2; exit 1; }
"$python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
"$python" -m PyInstaller --version

section "validate the .desktop file and the AppStream metainfo"
"$python" packaging/build.py validate

section "build the Linux app, smoke-test it, package the .deb"
"$python" packaging/build.py deb

section "macOS: static checks of the bundle section and the dmg settings"
"$python" packaging/build.py macos

deb_version=$("$python" packaging/release.py deb-version)
deb="packaging/dist/readinglist_${deb_version}_$(dpkg --print-architecture).deb"
package=$(dpkg-deb -f "$deb" Package)

section "lintian $(basename "$deb"): clean apart from the overrides the package carries"
# The overrides (packaging/deb.py, LINTIAN_OVERRIDES) say why each is inherent to the bundle.
lintian --fail-on error,warning "$deb"
remove_package() {
    if dpkg -s "$package" >/dev/null 2>&1; then
        $sudo dpkg -r "$package" >/dev/null || true
    fi
}
# Never leave the package installed on the machine, whatever fails below.
trap remove_package EXIT

section "install $(basename "$deb") with dpkg -i"
$sudo dpkg -i "$deb"
dpkg -s "$package" | grep -q '^Status: install ok installed$'
for path in /usr/bin/readinglist \
    /usr/share/applications/io.github.readinglist.ReadingList.desktop \
    /usr/share/metainfo/io.github.readinglist.ReadingList.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/io.github.readinglist.ReadingList.svg \
    /usr/share/icons/hicolor/256x256/apps/io.github.readinglist.ReadingList.png; do
    if [ ! -e "$path" ]; then
        echo "packaging: $path missing after dpkg -i" >&2
        exit 1
    fi
done
desktop-file-validate /usr/share/applications/io.github.readinglist.ReadingList.desktop

section "start the installed app: /usr/bin/readinglist --demo --smoke-test, offscreen"
"$python" packaging/build.py smoke /usr/bin/readinglist

section "remove the package with dpkg -r"
$sudo dpkg -r "$package"
if [ -e /usr/bin/readinglist ] || [ -e /usr/lib/readinglist ]; then
    echo "packaging: dpkg -r left /usr/bin/readinglist or /usr/lib/readinglist behind" >&2
    exit 1
fi

section "Windows: compile the NSIS installer around the frozen app"
"$python" packaging/build.py windows

section "done"
ls -l packaging/dist/*.deb packaging/dist/*.exe
