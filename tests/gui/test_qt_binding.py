"""The pinned Qt binding survives a long session of signals (PySide6 6.12.0 did not)."""

from __future__ import annotations

import json
import subprocess
import sys

MANY_EMITS = """
import json, sys
from PySide6.QtCore import QObject, Signal

class Probe(QObject):
    ping = Signal()
    value = Signal(object)

probe = Probe()
received = []
probe.value.connect(received.append)
before = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
for i in range(20_000):
    probe.ping.emit()
    probe.value.emit(i % 2 == 0)
after = sys.getrefcount(True), sys.getrefcount(False), sys.getrefcount(None)
print(json.dumps([len(received), [a - b for a, b in zip(after, before)]]))
"""


def test_signals_do_not_leak_references_to_singletons() -> None:
    # Run apart: a binding that drops references aborts the interpreter (bool_dealloc).
    result = subprocess.run(
        [sys.executable, "-c", MANY_EMITS], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-2000:]
    count, (true_drift, false_drift, none_drift) = json.loads(result.stdout)
    assert count == 20_000
    # `received` holds 10,000 Trues and 10,000 Falses; anything far below that is a leak.
    assert true_drift >= 10_000 - 50
    assert false_drift >= 10_000 - 50
    assert abs(none_drift) < 100
