"""Limits the preview puts on untrusted input and on the processes it waits for, in one place.

Light on purpose (no imports): the CLI reads these defaults before it loads the engine.
"""

from __future__ import annotations

#: Seconds a program may run (imports, registrations, outputs) before the preview gives up on it.
DEFAULT_PROGRAM_TIMEOUT = 600.0
#: Seconds each RPC to a policy pack may take: a rule that never returns must not hang the gate.
DEFAULT_RPC_TIMEOUT = 120.0
#: Largest config file the preview reads (stack config, Pulumi.yaml, pack config, landing-zone config).
MAX_CONFIG_BYTES = 1024 * 1024


def check_size(path: object, size: int, what: str = "config file") -> str | None:
    """A message when a file of ``size`` bytes is over `MAX_CONFIG_BYTES`, else None."""
    if size <= MAX_CONFIG_BYTES:
        return None
    return (
        f"{path}: {size // 1024} KiB is over the {MAX_CONFIG_BYTES // 1024 // 1024} MiB limit for a {what}; "
        "keep data out of config (a file this large is not hand-written configuration)"
    )
