"""Freeze the app with PyInstaller into the one-folder app under ``packaging/dist/``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import release
from release import Release


def step(title: str) -> None:
    """Print a step header that stands out in a long CI log."""
    print(f"\n--> {title}", flush=True)


def run(command: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """Run ``command``, echoing it, and stop the build with its output when it fails."""
    printable = " ".join(_quote(str(part)) for part in command)
    print(f"$ {printable}", flush=True)
    try:
        return subprocess.run([str(part) for part in command], check=True, text=True, **kwargs)
    except FileNotFoundError as error:
        message = f"{command[0]}: not found ({error.strerror}); see docs/packaging.md"
        raise SystemExit(message) from error
    except subprocess.CalledProcessError as error:
        raise SystemExit(f"{command[0]} failed with exit code {error.returncode}") from error


def _quote(part: str) -> str:
    return f"'{part}'" if not part or any(c in part for c in " '\"$;&|") else part


def freeze(rel: Release, *, clean: bool = False) -> Path:
    """Build the one-folder app and return its folder (the ``.app`` bundle on macOS)."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError as error:
        raise SystemExit(
            "PyInstaller is not installed in this environment: "
            f"{sys.executable} -m pip install -e '.[packaging]'"
        ) from error
    step(f"PyInstaller: {rel.display_name} {rel.version} as a one-folder app")
    command: list[str | Path] = [
        sys.executable,
        "-m",
        "PyInstaller",
        "--noconfirm",
        "--log-level=WARN",
        "--distpath",
        release.DIST,
        "--workpath",
        release.BUILD / "pyinstaller",
        release.SPEC,
    ]
    if clean:
        command.insert(3, "--clean")
    run(command, cwd=release.ROOT)
    if sys.platform == "darwin":
        return release.DIST / f"{rel.display_name}.app"
    # Qt libraries appear twice, once as symlinks: count each file once.
    files = [f for f in rel.frozen_dir.rglob("*") if f.is_file() and not f.is_symlink()]
    size = sum(f.stat().st_size for f in files)
    print(f"built {rel.frozen_dir.relative_to(release.ROOT)} ({size / 2**20:.0f} MiB)")
    return rel.frozen_dir


def executable(app: Path, rel: Release) -> Path:
    """The command-line executable inside a frozen app folder or macOS bundle."""
    if app.suffix == ".app":
        return app / "Contents" / "MacOS" / rel.name
    return app / (f"{rel.name}.exe" if sys.platform == "win32" else rel.name)
