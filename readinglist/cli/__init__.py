"""The ``readinglist`` command line: the same core as the desktop app, one module per command group.

Each module named in ``COMMAND_MODULES`` exposes ``register(subparsers)``; every subcommand sets
``run=function(args) -> int`` as its default. With no subcommand the desktop app opens.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Callable, Mapping, Sequence

from readinglist.cli.common import CliError
from readinglist.cli.failures import explain

COMMAND_MODULES = ("library", "search", "export")

DESCRIPTION = """\
Reading List: a personal library built from machine-learning paper digests.

Run with no command to open the desktop app. The library lives in the folder
named by READINGLIST_HOME, or in your platform's data folder.
"""


class _ShowVersion(argparse.Action):
    """``--version``, looking the version up only when asked (see readinglist.__getattr__)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help=str(kwargs.get("help", "")))

    def __call__(self, parser: argparse.ArgumentParser, *args: object) -> None:
        import readinglist

        print(f"readinglist {readinglist.__version__}")  # stdout, as argparse's own action
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="readinglist",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_ShowVersion, help="show the version and exit")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="open the desktop app on the built-in sample library, in a temporary folder",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the main window, wait a second and exit (checks an installed app starts)",
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"readinglist.cli.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse binds an optional positional (`note ID [TEXT]`) before it sees later options, so
    # `note ID --append TEXT` leaves TEXT over: give it to the command that asked for it.
    if extra:
        if len(extra) == 1 and getattr(args, "text", "") is None and not extra[0].startswith("-"):
            args.text = extra[0]
        else:
            parser.error("unrecognized arguments: " + " ".join(extra))
    run = getattr(args, "run", None)
    _tolerate_odd_text()
    try:
        if run is None:
            return _open_desktop_app(args)
        return run(args)
    except CliError as error:
        print(f"readinglist: {error}", file=sys.stderr)
        return error.code
    except KeyboardInterrupt:
        print("readinglist: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `readinglist list | head` closes our stdout early; that is not an error.
        sys.stderr.close()
        return 0
    except Exception as error:  # noqa: BLE001 - the last guard: one line, never a traceback
        print(f"readinglist: {explain(error)}", file=sys.stderr)
        return 1


def _tolerate_odd_text() -> None:
    # A file name that is not UTF-8 (kept by Python as surrogates) must print, not crash.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")


def _open_desktop_app(args: argparse.Namespace) -> int:
    problem = no_display_reason()
    if problem:
        # Without this, Qt aborts the process with a misleading "libxcb-cursor0 is needed".
        print(f"readinglist: {problem}", file=sys.stderr)
        return 1
    # Qt is imported only here, so every other command (and --version) works without a display.
    from readinglist.gui.app import run

    return run(demo=args.demo, smoke_test=args.smoke_test)


def no_display_reason(
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
    unreachable: Callable[[str], bool] | None = None,
) -> str:
    """Why the window cannot open here, or "" when it can (as far as we can tell without Qt).

    ``unreachable(display)`` says whether no X server answers on DISPLAY (default: ask it,
    as Qt's xcb plugin would); it is asked only when Qt would use X.
    """
    env = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    if platform in ("win32", "darwin") or env.get("QT_QPA_PLATFORM"):
        return ""
    if env.get("WAYLAND_DISPLAY"):
        return ""
    display = env.get("DISPLAY")
    if display:
        if (unreachable or x_display_unreachable)(display):
            return (
                f"cannot reach the display {display} (no X server answers there, or it refused "
                "us); start it from a desktop session, or use the commands: readinglist --help"
            )
        return ""
    return (
        "no display to open the window on (neither DISPLAY nor WAYLAND_DISPLAY is set); "
        "start it from a desktop session, or use the commands: readinglist --help"
    )


def x_display_unreachable(display: str) -> bool:
    """True when libxcb, which Qt's xcb plugin uses, cannot connect to ``display``.

    Qt aborts the process on that failure, after a misleading "libxcb-cursor0 is needed".
    Without libxcb we cannot tell (False): Qt then explains what is missing itself.
    """
    import ctypes
    import ctypes.util

    try:
        xcb = ctypes.CDLL(ctypes.util.find_library("xcb") or "libxcb.so.1")
    except OSError:
        return False
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)  # never NULL: an error object at worst
    try:
        return xcb.xcb_connection_has_error(connection) != 0
    finally:
        xcb.xcb_disconnect(connection)
