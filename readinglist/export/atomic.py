"""The atomic writer under its old name: it lives in ``readinglist.atomic``, used app-wide."""

from readinglist.atomic import atomic_write, iter_atomic_write

__all__ = ["atomic_write", "iter_atomic_write"]
