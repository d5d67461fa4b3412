"""Run the user's program in a child process, apart from the code that decides the verdict.

The program is untrusted code: it may call ``sys.exit(0)``, ``os._exit(0)``, kill itself, or patch
the engine. Run in the gate's own process, any of these ended the preview with exit 0 and no
verdict. Here the program runs in `sandbox_child` under the same recording mocks, and streams its
registrations over a pipe as they happen (so the policy pack still analyzes while the program
registers). The parent accepts the run only when the child sent its ``finished`` frame and then
exited with status 0, within the time limit. Everything else raises `ProgramAbortedError` (or
`ProgramError` for the program's own exception), naming the program file and what to do.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

from landing_zone.errors import ConfigError, IncompletePlanError, Problem
from landing_zone.preview.limits import DEFAULT_PROGRAM_TIMEOUT
from landing_zone.preview.program_output import ProgramOutput
from landing_zone.preview.project import ProjectError
from landing_zone.preview.recorder import Registration
from landing_zone.preview.redact import strip_controls
from landing_zone.preview.runner import ProgramError, ProgramRun
from landing_zone.preview.sandbox_wire import WireError, decode_registration, read_frame

_END = object()


class ProgramAbortedError(Exception):
    """The program did not run to its natural end (exit call, ``os._exit``, signal, crash, timeout, garbled channel).

    The preview saw only part of the plan, so there is no verdict. The message says what happened
    and what to do.
    """


class RemoteProgramError(Exception):
    """An exception the program raised in its own process: its type name, message, traceback text, and
    ``origin``: the program's ``file:line`` it came from (the program file when no frame of it is known)."""

    def __init__(self, type_name: str, message: str, traceback_text: str, origin: str = "") -> None:
        super().__init__(message)
        self.type_name = type_name
        self.traceback_text = traceback_text
        self.origin = origin


def run_isolated(
    program_dir: str | Path,
    program_file: str | Path,
    project: str,
    stack: str,
    *,
    dry_run: bool = True,
    on_register: Callable[[Registration], None] | None = None,
    timeout: float = DEFAULT_PROGRAM_TIMEOUT,
    debug: bool = False,
    secrets: Iterable[str] = (),
) -> ProgramRun:
    """Run the program of ``program_dir`` as ``stack`` in a child process and return what it registered.

    ``on_register`` is called in this process, in order, for each registration as it arrives.
    Raises ProgramError (the program raised; ``cause`` rebuilt here: ConfigError, IncompletePlanError
    or RemoteProgramError) or ProgramAbortedError (it did not reach its end). The program's own prints
    reach our stderr when the run is over, without ``secrets`` or any credential it registered
    (`program_output`); so do its failure messages.
    """
    child = _PRESTARTED.pop((str(Path(program_dir).resolve()), dry_run, debug), None) or _Child(
        Path(program_dir), stack, dry_run, debug
    )
    child.output.learn(secrets)
    receiver = _Receiver(str(program_file), on_register, ProgramRun(project, stack, dry_run, []), child.output)
    deadline = time.monotonic() + timeout
    try:
        while True:
            item = child.next_frame(deadline)
            if item is _TIMEOUT:
                raise ProgramAbortedError(
                    f"{receiver.where}: the program did not finish within {timeout:g} s, so there is no verdict. "
                    "If it is legitimately slow, raise --program-timeout (or LANDING_ZONE_PROGRAM_TIMEOUT); "
                    "otherwise look for a loop or a wait that never ends."
                )
            if item is _END:
                break
            receiver.take(item)
            if receiver.finished is not None:
                break  # do not wait for the channel to close: a process the program forked may hold it open
        status = child.wait(deadline)
        for item in child.pending_frames():  # anything after "finished", from any process, voids the run
            receiver.take(item)
        return receiver.result(status, child.stderr_tail, timeout)
    finally:
        child.stop()
        child.output.flush(sys.stderr)


class _Receiver:
    """Checks and collects the child's frames, in order; raises at the first sign the run is not whole."""

    def __init__(
        self,
        where: str,
        on_register: Callable[[Registration], None] | None,
        run: ProgramRun,
        output: ProgramOutput,
    ) -> None:
        self.where = where
        self.output = output
        self.run = run
        self.on_register = on_register
        self.registrations: dict[str, Registration] = {}
        self._encoded: dict[str, dict[str, Any]] = {}  # as last sent by the child, to apply updates field by field
        self.finished: dict[str, Any] | None = None

    def take(self, item: Any) -> None:
        where = self.where
        if isinstance(item, WireError):
            raise ProgramAbortedError(
                f"{where}: the program's process sent the preview a malformed message ({item}), so there is "
                "no verdict. A program must not write to file descriptors it did not open."
            )
        if self.finished is not None:
            raise ProgramAbortedError(f"{where}: the program's process kept sending after it finished; no verdict.")
        kind = item["kind"]
        if kind in ("registration", "update"):
            encoded = item.get("registration")
            registration = _decode(encoded, where)
            self.output.learn_registration(registration)
            urn = registration.urn
            if (urn in self.registrations) != (kind == "update"):
                raise ProgramAbortedError(
                    f"{where}: the program's process sent an inconsistent registration for "
                    f"{strip_controls(urn)!r}; no verdict."
                )
            assert isinstance(encoded, dict)
            if kind == "update":  # only what changed in the program (outputs registered later); the engine's
                # own changes to the resource (remediations) stay
                current, previous = self.registrations[urn], self._encoded[urn]
                for key, value in encoded.items():
                    if previous.get(key) != value:
                        setattr(current, key, getattr(registration, key))
            else:
                self.registrations[urn] = registration
            self._encoded[urn] = encoded
            if kind == "registration" and self.on_register is not None:
                self.on_register(registration)
        elif kind == "error":
            error = self.output.redactor.scrub_data(item.get("error"))  # it may quote a secret
            raise _failure(error, where, list(self.registrations.values()))
        elif kind == "finished":
            self.finished = item
        else:
            raise ProgramAbortedError(
                f"{where}: the program's process sent an unknown message {strip_controls(kind)!r}; no verdict."
            )

    def result(self, status: int | None, tail: Callable[[], str], timeout: float) -> ProgramRun:
        """The run, if the child finished and then exited cleanly; else why not."""
        where = self.where
        if status is None:
            raise ProgramAbortedError(
                f"{where}: the program finished but its process did not exit within {timeout:g} s; no verdict."
            )
        if self.finished is None:
            raise ProgramAbortedError(_ended_early(where, status, tail()))
        if status != 0:
            raise ProgramAbortedError(f"{where}: the program's process exited with status {status} after it finished.")
        if self.finished.get("stack") != self.run.stack:
            raise ProgramAbortedError(
                f"{where}: the program ran as stack {strip_controls(str(self.finished.get('stack')))!r}, "
                f"not {self.run.stack!r}; no verdict."
            )
        order = self.finished.get("order")
        if not isinstance(order, list) or sorted(order) != sorted(self.registrations):
            raise ProgramAbortedError(
                f"{where}: the program's process reported a registration order that does not match; no verdict."
            )
        outputs = self.finished.get("outputs")
        self.run.registrations = [self.registrations[urn] for urn in order]
        self.run.outputs = dict(outputs) if isinstance(outputs, dict) else {}
        return self.run


_PRESTARTED: dict[tuple[str, bool, bool], _Child] = {}


def prestart(program_dir: str | Path, stack: str | None, *, dry_run: bool = True, debug: bool = False) -> None:
    """Start the program's process now, so its start-up overlaps the engine's own; `run_isolated` takes it over.

    ``stack`` may be None: the child then chooses it as the engine does, and `run_isolated` checks that
    both chose the same. A child never taken over ends with this process (its lifeline closes).
    """
    folder = Path(program_dir).resolve()
    key = (str(folder), dry_run, debug)
    if key in _PRESTARTED or not folder.is_dir():
        return
    try:
        _PRESTARTED[key] = _Child(folder, stack, dry_run, debug)
    except OSError:  # the preview itself will report why the folder cannot be used
        return
    if len(_PRESTARTED) == 1:
        atexit.register(discard_prestarted)


def discard_prestarted() -> None:
    """Stop every prestarted program process that no preview took over."""
    for child in _PRESTARTED.values():
        child.stop()
    _PRESTARTED.clear()


def _decode(encoded: Any, where: str) -> Registration:
    try:
        return decode_registration(encoded)
    except WireError as error:
        raise ProgramAbortedError(
            f"{where}: the program's process sent a malformed registration ({error}); no verdict."
        ) from None


def _failure(error: Any, where: str, registrations: list[Registration]) -> Exception:
    """The exception for an ``error`` frame: the program's own failure, rebuilt in this process."""
    if not isinstance(error, dict):
        return ProgramAbortedError(f"{where}: the program's process reported a failure it could not describe.")
    category = error.get("category")
    if category == "exit":
        code = error.get("code")
        call = "sys.exit()" if code is None else f"sys.exit({code!r})"
        origin = str(error.get("origin") or "")
        return ProgramAbortedError(
            f"{where}: the program called {call} (SystemExit) before it finished, so the preview saw only part "
            "of the plan and gives no verdict. A Pulumi program ends by returning from its main module: "
            f"remove the exit call{f' ({origin})' if origin else ''}."
        )
    if category == "config":
        problems = [
            Problem(str(path), str(message))
            for path, message in (error.get("problems") or [])
            if isinstance(path, str) and isinstance(message, str)
        ]
        source = error.get("source")
        return ProgramError(ConfigError(problems, source if isinstance(source, str) else None), registrations)
    if category == "project":
        return ProjectError(str(error.get("message", "")) or f"{where}: a project file could not be read")
    if category == "incomplete-plan":
        incomplete = IncompletePlanError(
            str(error.get("message", "")), kind=str(error.get("kind", "")), subject=str(error.get("subject", ""))
        )
        incomplete.origin = str(error.get("origin") or where)  # type: ignore[attr-defined] -- for the message
        return ProgramError(incomplete, registrations)
    return ProgramError(
        RemoteProgramError(
            str(error.get("type", "Exception")),
            str(error.get("message", "")),
            str(error.get("traceback", "")),
            str(error.get("origin") or where),
        ),
        registrations,
    )


def _ended_early(where: str, status: int, tail: str) -> str:
    if status < 0:
        try:
            name = signal.Signals(-status).name
        except ValueError:
            name = f"signal {-status}"
        what = f"was killed by {name}"
    else:
        what = f"exited with status {status} (os._exit() or a crash)"
    detail = f"\nlast output of the program:\n{tail}" if tail else ""
    return (
        f"{where}: the program's process {what} before the program finished, so the preview saw only part of "
        f"the plan and gives no verdict. A Pulumi program must run to the end of its main module.{detail}"
    )


_TIMEOUT = object()


class _Child:
    """The child process, its frame reader and the relay of its output to our stderr."""

    def __init__(self, program_dir: Path, stack: str | None, dry_run: bool, debug: bool) -> None:
        read_fd, write_fd = os.pipe()
        # The child holds the read end of the lifeline; it ends itself when this process goes away (even by SIGKILL).
        lifeline_read, self._lifeline = os.pipe()
        command = [sys.executable, "-u", "-m", "landing_zone.preview.sandbox_child", "--channel", str(write_fd)]
        command += ["--lifeline", str(lifeline_read), *(["--stack", stack] if stack else [])]
        command += [*([] if dry_run else ["--no-dry-run"]), *(["--debug"] if debug else []), str(program_dir)]
        try:
            self.process = subprocess.Popen(
                command,
                cwd=program_dir,
                pass_fds=(write_fd, lifeline_read),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,  # one process group: stopping it stops whatever the program started
            )
        finally:
            os.close(write_fd)
            os.close(lifeline_read)
        self._frames: queue.Queue[Any] = queue.Queue()
        self.output = ProgramOutput()
        self._channel = os.fdopen(read_fd, "rb")
        self._threads = [
            threading.Thread(target=self._read_frames, name="program-frames", daemon=True),
            threading.Thread(target=self._relay, args=(self.process.stdout, False), daemon=True),
            threading.Thread(target=self._relay, args=(self.process.stderr, True), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_frames(self) -> None:
        try:
            with self._channel:
                while True:
                    frame = read_frame(self._channel)
                    if frame is None:
                        break
                    self._frames.put(frame)
        except WireError as error:
            self._frames.put(error)
        except (OSError, ValueError) as error:
            self._frames.put(WireError(str(error)))
        self._frames.put(_END)

    def _relay(self, stream: IO[bytes] | None, keep_tail: bool) -> None:
        """Hold the program's output for `ProgramOutput.flush` (it is scrubbed once the run is over)."""
        if stream is None:
            return
        for raw in stream:
            self.output.add(raw, stderr=keep_tail)

    def next_frame(self, deadline: float) -> Any:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return _TIMEOUT
        try:
            return self._frames.get(timeout=remaining)
        except queue.Empty:
            return _TIMEOUT

    def pending_frames(self, grace: float = 2.0) -> list[Any]:
        """Frames not yet taken, read until the channel closes or ``grace`` seconds pass (a forked process
        of the program may keep it open)."""
        frames: list[Any] = []
        until = time.monotonic() + grace
        while True:
            try:
                item = self._frames.get(timeout=max(0.0, until - time.monotonic()))
            except queue.Empty:
                return frames
            if item is _END:
                return frames
            frames.append(item)

    def wait(self, deadline: float) -> int | None:
        try:
            return self.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            return None

    def stderr_tail(self) -> str:
        for thread in self._threads[1:]:
            thread.join(timeout=2)
        return self.output.tail()

    def stop(self) -> None:
        """Kill the program's whole process group if anything is left of it, and collect the output relays."""
        alive = self.process.poll() is None
        # Even when the child is gone, anything it started is still in its group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.process.pid, signal.SIGKILL)
        if alive:
            self.process.wait()
        with contextlib.suppress(OSError):
            os.close(self._lifeline)
        for thread in self._threads[1:]:
            thread.join(timeout=2)
