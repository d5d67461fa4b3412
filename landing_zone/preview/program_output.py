"""The user's program's own prints, held until its run is over and then shown without any secret of the run.

A program may print a credential: a stack config value named like one (``dbPassword``), a value it
reads with ``pulumi.Config().require_secret``, a literal it also registers (a SQL admin password, a
Key Vault secret's value), a connection string with ``AccountKey=``. The preview must never show one
(REPORTS: "never print or write a secret"). A line cannot be judged when it is printed: the
registration that reveals its secret may reach the preview after the line does (they travel on
different pipes), or come later in the program. So the sandbox hands every line here, and the lines
are written only when the run is over, through the run's `Redactor` (`landing_zone.preview.redact`,
the one masking place), which by then knows the stack's secret config values and every registration.
"""

from __future__ import annotations

import collections
import contextlib
import threading
from collections.abc import Iterable
from typing import Any, TextIO

from landing_zone.preview.redact import Redactor, strip_controls

#: Program output held for one run at the most; the rest is counted and said to be left out.
MAX_HELD_BYTES = 1024 * 1024
#: Lines of the program's stderr kept for the message when its process ends early.
TAIL_LINES = 20


class ProgramOutput:
    """Lines the program printed (stdout and stderr), the secrets they must not show, and a stderr tail."""

    def __init__(self) -> None:
        self.redactor = Redactor()
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._held = 0
        self._left_out = 0
        self._tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)

    def add(self, raw: bytes, *, stderr: bool) -> None:
        """Hold one line the program printed (from a relay thread), terminal controls already removed."""
        line = strip_controls(raw.decode("utf-8", errors="replace").rstrip("\r\n"))
        with self._lock:
            if stderr:
                self._tail.append(line)
            if self._held + len(line) > MAX_HELD_BYTES:
                self._left_out += 1
                return
            self._held += len(line) + 1
            self._lines.append(line)

    def learn(self, secrets: Iterable[str]) -> None:
        """Values no line may show (the stack's secret config values)."""
        for secret in secrets:
            self.redactor.add(secret)

    def learn_registration(self, registration: Any) -> None:
        """The credentials in a registration's inputs and outputs (`redact.secret_values`)."""
        self.redactor.learn_registration(registration)

    def tail(self) -> str:
        """The last lines of the program's stderr, scrubbed, for the message when its process ended early."""
        with self._lock:
            return self.redactor.scrub("\n".join(self._tail))

    def flush(self, stream: TextIO) -> None:
        """Write the held lines, scrubbed, to ``stream`` (our stderr: stdout may carry --json), and forget them."""
        with self._lock:
            lines, left_out = self._lines, self._left_out
            self._lines, self._held, self._left_out = [], 0, 0
        with contextlib.suppress(OSError, ValueError):
            if lines:
                stream.write(self.redactor.scrub("\n".join(lines)) + "\n")
            if left_out:
                stream.write(f"[{left_out} more lines of the program's output not shown]\n")
            stream.flush()
