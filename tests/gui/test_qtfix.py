"""The PySide6 refcount guard: many emits must not crash the interpreter at exit."""

from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import readinglist.gui
from PySide6.QtCore import QObject, Signal
class Box(QObject):
    changed = Signal(object)
box = Box()
seen = []
box.changed.connect(seen.append)
for i in range(20000):
    box.changed.emit(i)
print(len(seen))
"""


def test_twenty_thousand_emits_then_a_clean_exit():
    done = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "20000"
