"""The child side of an isolated preview: run one Pulumi program under the recording mocks and report it.

Started by `landing_zone.preview.sandbox` as ``python -m landing_zone.preview.sandbox_child``. It
runs the program exactly as the in-process runner does (`runner.run_program`) and streams, over the
channel file descriptor it is given, every registration the moment it is recorded, then any
registration whose recorded state changed later, then a ``finished`` frame with the registration
order and the stack outputs. Anything else that ends this process (``sys.exit``, ``os._exit``, a
signal, a crash) leaves the parent without a ``finished`` frame, and the parent fails the preview.

This process decides nothing: the verdict is the parent's. Whatever the program does in here
(exit, patch the engine, kill itself) can only cost it the ``finished`` frame.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import threading
import traceback
from collections.abc import Sequence
from typing import Any

from landing_zone.errors import ConfigError, IncompletePlanError
from landing_zone.preview.project import ProjectError
from landing_zone.preview.recorder import Registration
from landing_zone.preview.runner import ProgramError, run_program
from landing_zone.preview.sandbox_requirements import mismatch_hint
from landing_zone.preview.sandbox_wire import encode_registration, write_frame


class _Channel:
    """Frames to the parent, one writer at a time (registrations can arrive from several threads)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self._lock = threading.Lock()
        self._sent: dict[str, str] = {}

    def send(self, document: dict[str, Any]) -> None:
        with self._lock:
            write_frame(self.fd, document)

    def registration(self, registration: Registration) -> None:
        encoded = encode_registration(registration)
        with self._lock:
            self._sent[registration.urn] = json.dumps(encoded, sort_keys=True, default=str)
            write_frame(self.fd, {"kind": "registration", "registration": encoded})

    def changes(self, registrations: Sequence[Registration]) -> None:
        """Re-send registrations whose recorded state changed after they were streamed (outputs set later)."""
        for registration in registrations:
            encoded = encode_registration(registration)
            if json.dumps(encoded, sort_keys=True, default=str) != self._sent.get(registration.urn):
                self.send({"kind": "update", "registration": encoded})


def describe_failure(cause: BaseException, program_dir: str = "") -> dict[str, Any]:
    """The ``error`` frame for the program's own failure: enough for the parent to say what happened, and where."""
    if isinstance(cause, SystemExit):
        code = cause.code if cause.code is None or isinstance(cause.code, (int, str)) else str(cause.code)
        return {"category": "exit", "code": code, "origin": _origin(cause, program_dir)}
    if isinstance(cause, ConfigError):
        return {
            "category": "config",
            "source": cause.source,
            "problems": [[problem.path, problem.message] for problem in cause.problems],
        }
    if isinstance(cause, IncompletePlanError):
        return {
            "category": "incomplete-plan",
            "kind": cause.kind,
            "subject": cause.subject,
            "message": str(cause),
            "origin": _origin(cause, program_dir),
        }
    if isinstance(cause, ProjectError):  # a file next to Pulumi.yaml the run reads (stack-references.json, ...)
        return {"category": "project", "message": str(cause)}
    return {
        "category": "exception",
        "type": type(cause).__name__,
        "message": f"{cause}{mismatch_hint(cause, program_dir)}",
        "traceback": "".join(traceback.format_exception(cause)),
        "origin": _origin(cause, program_dir),
    }


def _origin(cause: BaseException, program_dir: str) -> str:
    """``file:line`` of the innermost frame in the program's own folder, or "" when none is."""
    if not program_dir:
        return ""
    folder = os.path.realpath(program_dir) + os.sep
    origin = ""
    for frame in traceback.extract_tb(cause.__traceback__):
        if os.path.realpath(frame.filename).startswith(folder):
            origin = f"{frame.filename}:{frame.lineno}"
    return origin


def _end_with_parent(fd: int) -> None:
    """End this process when the preview's process is gone (its end of the lifeline pipe closes)."""
    os.set_inheritable(fd, False)

    def watch() -> None:
        with contextlib.suppress(OSError):
            os.read(fd, 1)
        os._exit(70)

    threading.Thread(target=watch, name="lifeline", daemon=True).start()


def _quiet_event_loop_reports() -> None:
    """asyncio reports a callback that failed (after an exit or error inside an ``apply``) with a traceback;
    without --debug that is one line, as every other error of the preview."""
    loop = asyncio.get_event_loop()

    def report(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        detail = f": {type(exception).__name__}: {exception}" if exception is not None else ""
        print(f"warning: {context.get('message', 'event loop error')}{detail}", file=sys.stderr)

    loop.set_exception_handler(report)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="sandbox_child")
    parser.add_argument("--channel", type=int, required=True)
    parser.add_argument("--lifeline", type=int)
    parser.add_argument("--stack")  # absent: chosen as the engine chooses it (`runner.select_stack`)
    parser.add_argument("--no-dry-run", action="store_true")
    parser.add_argument("--debug", action="store_true")
    parser.add_argument("program_dir")
    arguments = parser.parse_args(argv)
    sys.argv = [arguments.program_dir]  # the program sees no arguments of ours, as under the language host
    os.set_inheritable(arguments.channel, False)  # not passed on to processes the program starts
    if arguments.lifeline is not None:
        _end_with_parent(arguments.lifeline)
    channel = _Channel(arguments.channel)
    if not arguments.debug:
        _quiet_event_loop_reports()
    status = 1
    try:
        run = run_program(
            arguments.program_dir,
            arguments.stack,
            dry_run=not arguments.no_dry_run,
            on_register=channel.registration,
        )
        channel.changes(run.registrations)
        channel.send(
            {
                "kind": "finished",
                "stack": run.stack,
                "order": [r.urn for r in run.registrations],
                "outputs": dict(run.outputs),
            }
        )
        status = 0
    except ProgramError as failure:
        channel.send({"kind": "error", "error": describe_failure(failure.cause, arguments.program_dir)})
    except BaseException as error:  # anything else is reported too, then this process ends
        channel.send({"kind": "error", "error": describe_failure(error, arguments.program_dir)})
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        # Skip interpreter shutdown: the program's atexit hooks and stray threads have no say in the result.
        os._exit(status)


if __name__ == "__main__":
    main()
