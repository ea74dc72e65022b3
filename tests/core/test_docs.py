"""Every command and option of the command line is documented in docs/cli.md."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from readinglist.cli import build_parser

CLI_DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def sections() -> dict[str, str]:
    text = CLI_DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## readinglist (.+)$", text, flags=re.MULTILINE)
    found = {}
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        for name in re.split(r",\s*", heading.strip()):
            found[name] = body
    return found


def test_every_command_has_a_section() -> None:
    missing = sorted(set(subcommands()) - set(sections()))
    assert not missing, f"commands missing from docs/cli.md: {missing}"


def test_every_option_is_documented_in_its_section() -> None:
    documented = sections()
    missing = []
    for name, parser in subcommands().items():
        for action in parser._actions:
            longs = [o for o in action.option_strings if o.startswith("--") and o != "--help"]
            if longs and not any(o in documented[name] for o in longs):
                missing.append(f"{name} {longs[0]}")
    assert not missing, f"options missing from docs/cli.md: {missing}"
