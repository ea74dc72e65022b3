"""A guard against a PySide6 bug that drops references to ``True``/``None`` (crash at exit).

With PySide6-Essentials 6.12.0 on Python 3.11, every ``signal.emit(...)`` called from Python
leaves ``True`` with one reference fewer (measured: -1 per call, with or without receivers),
and other paths do the same to ``False`` and ``None``. These are not immortal before Python
3.12, so a session of a few thousand emits ends with "Fatal Python error: bool_dealloc" (or
``none_dealloc``) — at exit, or in the middle of work. Python 3.12 made them immortal;
:func:`install` does the same here by giving each a very large reference count, once, when
the leak is measured.
"""

from __future__ import annotations

import ctypes
import sys

from PySide6.QtCore import QObject, Signal

# Far more than any session can drop, far below the Py_ssize_t limit.
HEADROOM = 1 << 40
_installed = False


class _Probe(QObject):
    ping = Signal()


def emit_leaks_true(times: int = 20) -> bool:
    probe = _Probe()
    before = sys.getrefcount(True)
    for _ in range(times):
        probe.ping.emit()
    return sys.getrefcount(True) - before <= -times // 2


def install() -> bool:
    """Make True, False and None immortal if this PySide6 leaks references; True if done."""
    global _installed
    if _installed:
        return True
    if sys.version_info >= (3, 12) or not emit_leaks_true():
        return False
    for value in (True, False, None):
        # ob_refcnt is the first field of every CPython object.
        ctypes.c_ssize_t.from_address(id(value)).value += HEADROOM
    _installed = True
    return True
