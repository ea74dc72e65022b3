"""Reading List: a personal library built from machine-learning paper digests."""

from typing import Any


def __getattr__(name: str) -> Any:
    # The version is looked up when first asked for: importlib.metadata and the search for
    # the installed distribution cost ~0.1 s, paid by every command at start otherwise.
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("readinglist")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0.0.0+source"
    globals()["__version__"] = found
    return found
