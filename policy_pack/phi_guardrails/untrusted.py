"""Quote a program-supplied string (a resource name, a tag key, a group ID) inside a violation message.

A message travels to the Pulumi CLI's console, CI logs and the preview's reports. A value copied
from the program into it must not grow the message without bound, break it over lines, or carry
terminal escape sequences and bidi overrides that change what a reader sees. The preview engine
also escapes per output format; the pack cannot rely on it (under ``pulumi preview`` it is not
there), so every rule quotes such a value with `quoted`.
"""

from __future__ import annotations

import re

#: Characters of a quoted value at the most; longer values are cut and end with an ellipsis.
MAX_QUOTED = 64
#: C0 and C1 controls (newline and tab included), DEL, and the Unicode bidi and direction marks.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def quoted(value: object, limit: int = MAX_QUOTED) -> str:
    """``value`` in single quotes, cut to ``limit`` characters, with controls and quotes escaped (``\\x1b``, ``\\'``)."""
    text = str(value)
    cut = len(text) > limit
    text = text[:limit]
    text = text.replace("\\", "\\\\").replace("'", "\\'")
    text = _UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
    return f"'{text}{'…' if cut else ''}'"
