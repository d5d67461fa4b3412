"""The offline preview: run a program under recording mocks and enforce policy packs on what it registers.

This is ``pulumi preview --policy-pack DIR`` without the CLI and without Azure. Packs start while
the program runs (their start-up overlaps the program's), then every registered resource is
analyzed and the stack is analyzed once, in the order and shape the CLI uses.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from landing_zone.preview.analyzers import (
    AnalyzerConnection,
    InProcessAnalyzer,
    PolicyPackError,
    SubprocessAnalyzer,
    validate_pack_dir,
)
from landing_zone.preview.constraints import AzureRejection, check_registrations
from landing_zone.preview.limits import DEFAULT_PROGRAM_TIMEOUT, DEFAULT_RPC_TIMEOUT, check_size
from landing_zone.preview.pack_config import PolicyConfig, check_config_count
from landing_zone.preview.pack_location import bundled_policy_pack
from landing_zone.preview.policy import PackResult, PolicyDiagnostic, PolicyPackSession, analyze_request, remediate_all
from landing_zone.preview.project import ProjectError, load_project, load_stack_config
from landing_zone.preview.recorder import Registration
from landing_zone.preview.redact import Redactor, config_secrets
from landing_zone.preview.runner import STACK_REFERENCES_FILE, ProgramRun, select_stack
from landing_zone.preview.sandbox import run_isolated
from landing_zone.preview.weakenings import Weakening, gate


def default_policy_pack() -> Path:
    """The project's ``policy_pack/``: beside this checkout's packages, else the one the wheel installed
    (`pack_location`), else in the working directory."""
    for candidate in (bundled_policy_pack(), Path.cwd() / "policy_pack"):
        if candidate is not None and (candidate / "PulumiPolicy.yaml").is_file():
            return candidate
    raise PolicyPackError("cannot find the project's policy_pack/; pass --policy-pack DIR")


@dataclass
class PreviewResult:
    """A finished offline preview: what was registered and what every pack said about it."""

    run: ProgramRun
    packs: list[PackResult] = field(default_factory=list)
    #: What Azure Resource Manager or azure-native would refuse (CONSTRAINTS; `landing_zone.preview.constraints`).
    azure_rejections: list[AzureRejection] = field(default_factory=list)
    #: Every exemption, lowered level, waiver and date override in force (GATE; `weakenings.gate`).
    weakenings: list[Weakening] = field(default_factory=list)
    #: Stack config values that are credentials: every artifact scrubs them (REPORTS; `redact.config_secrets`).
    secret_config_values: list[str] = field(default_factory=list)

    @property
    def diagnostics(self) -> list[PolicyDiagnostic]:
        return [diagnostic for pack in self.packs for diagnostic in pack.diagnostics]

    @property
    def violations(self) -> list[PolicyDiagnostic]:
        """Diagnostics that count: mandatory and advisory ones (disabled policies never report)."""
        return [d for d in self.diagnostics if d.enforcement_level in ("mandatory", "advisory")]

    @property
    def mandatory(self) -> list[PolicyDiagnostic]:
        return [d for d in self.diagnostics if d.blocking]

    @property
    def advisory(self) -> list[PolicyDiagnostic]:
        return [d for d in self.diagnostics if d.enforcement_level == "advisory"]

    @property
    def resources(self) -> list[Registration]:
        return self.run.registrations


def preview(
    program_dir: str | Path = ".",
    stack: str | None = None,
    *,
    policy_packs: Sequence[str | Path] | None = None,
    pack_configs: Sequence[Mapping[str, PolicyConfig] | None] = (),
    in_process: bool = False,
    dry_run: bool = True,
    strict: bool = False,
    program_timeout: float = DEFAULT_PROGRAM_TIMEOUT,
    rpc_timeout: float = DEFAULT_RPC_TIMEOUT,
    debug: bool = False,
) -> PreviewResult:
    """Preview ``program_dir`` as ``stack`` and enforce ``policy_packs`` (default: the project's pack).

    The program always runs in a child process (`sandbox.run_isolated`): the result exists only if it
    ran to its end within ``program_timeout`` seconds, every registration was analyzed by every pack,
    and every pack answered AnalyzeStack, each RPC within ``rpc_timeout`` seconds. ``debug`` lets the
    program's process print full tracebacks of event-loop errors.

    Pass ``policy_packs=[]`` to skip policy enforcement. ``pack_configs[i]`` configures pack ``i``.
    ``in_process=True`` loads the packs into this process (trusted packs only: the test suite's own);
    a pack that exits or hangs there is not contained, so the CLI always uses the gRPC subprocess.
    Raises ProjectError, ProgramError, ProgramAbortedError, PolicyPackError or PackConfigError; never exits.
    """
    _check_sizes(Path(program_dir) / name for name in ("Pulumi.yaml", "Pulumi.yml"))
    project = load_project(program_dir)
    stack_name = select_stack(project, stack)
    _check_sizes([project.stack_file(stack_name), project.directory / STACK_REFERENCES_FILE])
    config = load_stack_config(project, stack_name)
    pack_dirs = [validate_pack_dir(p) for p in (policy_packs if policy_packs is not None else [default_policy_pack()])]
    check_config_count(pack_configs, len(pack_dirs))  # a surplus config file would configure nothing
    with contextlib.ExitStack() as cleanup:
        sessions: list[PolicyPackSession] = []
        for index, pack_dir in enumerate(pack_dirs):
            connection: AnalyzerConnection = (
                InProcessAnalyzer(pack_dir)
                if in_process
                else SubprocessAnalyzer(
                    pack_dir,
                    project=project.name,
                    stack=stack_name,
                    dry_run=dry_run,
                    config=config.values,
                    rpc_timeout=rpc_timeout,
                )
            )
            cleanup.callback(connection.close)
            sessions.append(
                PolicyPackSession(
                    connection,
                    pack_dir,
                    user_config=pack_configs[index] if index < len(pack_configs) else None,
                    project=project.name,
                    stack=stack_name,
                    dry_run=dry_run,
                    stack_config=config.values,
                    secret_keys=config.secret_keys,
                    stack_tags=config.tags,
                )
            )
        streams = [
            AnalyzeStream(session, session.connection)
            for session in sessions
            if isinstance(session.connection, SubprocessAnalyzer)
        ]
        # a pack's failure message may quote an input (packs see secrets in plaintext): scrub it
        cleanup.push(
            _scrub_pack_errors(lambda: [r for stream in streams for r in stream.seen], lambda: run.registrations)
        )
        secret_config_values = config_secrets(config.values, config.secret_keys)
        run = run_isolated(
            project.directory,
            project.main / "__main__.py" if project.main.is_dir() else project.main,
            project.name,
            stack_name,
            dry_run=dry_run,
            on_register=functools.partial(analyze_in_order, streams) if streams else None,
            timeout=program_timeout,
            debug=debug,
            secrets=secret_config_values,  # the program's prints must not show them
        )
        result = PreviewResult(run, secret_config_values=secret_config_values)
        analyzed: dict[int, int] = {}
        for stream in streams:
            analyzed[id(stream.session)] = stream.finish()
        in_process_sessions = [session for session in sessions if session.result is None]
        if in_process_sessions:  # in-process: analyze after the run, in this thread, in the CLI's order
            for session in in_process_sessions:
                session.start()
            by_urn = {r.urn: r for r in run.registrations}
            for registration in run.registrations:
                remediate_all(in_process_sessions, registration, by_urn)
                for session in in_process_sessions:
                    session.analyze(registration, by_urn)
            analyzed.update({id(session): len(run.registrations) for session in in_process_sessions})
        for session in sessions:  # AnalyzeStack once every pack has remediated and analyzed every resource
            session.analyze_stack(run.registrations)
            assert session.result is not None
            if analyzed.get(id(session)) != len(run.registrations):  # fail closed: a verdict covers every resource
                raise PolicyPackError(
                    f"policy pack {session.pack_dir} analyzed {analyzed.get(id(session), 0)} of "
                    f"{len(run.registrations)} resources; no verdict"
                )
            session.result.warnings.extend(getattr(session.connection, "notes", []))
            result.packs.append(session.result)
    # strict: forbidden weakenings raise StrictModeError (a PackConfigError)
    result.weakenings = gate(result.packs, pack_configs, run.registrations, strict=strict)
    # Azure's own rejections, policy or not (--no-policy too): exit 3 when there is any
    result.azure_rejections = check_registrations(run.registrations)
    return result


def _scrub_pack_errors(*sources: Callable[[], list[Registration]]) -> Callable[..., None]:
    """An exit callback that re-raises a PolicyPackError without the secrets of the resources registered so far."""

    def scrub(exc_type: type[BaseException] | None, error: BaseException | None, traceback: Any) -> None:
        if not isinstance(error, PolicyPackError):
            return
        seen: list[Registration] = []
        for source in sources:
            with contextlib.suppress(NameError):  # the run had not finished: what was streamed is all there is
                seen += source()
        text = str(error)
        clean = Redactor.for_registrations(seen).scrub(text)
        if clean != text:
            raise PolicyPackError(clean) from None

    return scrub


def _check_sizes(paths: Iterable[Path]) -> None:
    """Refuse a config file over the size limit before any parser reads it (ProjectError naming it)."""
    for path in paths:
        if path.is_file():
            problem = check_size(path, path.stat().st_size)
            if problem:
                raise ProjectError(problem)


class AnalyzeStream:
    """Analyze resources while the program still registers them, as the Pulumi CLI does.

    Each registration is sent to the pack at once, without waiting (gRPC futures); the pack works on
    it in its own process, on the other core, while the program goes on. ``finish`` gathers the
    answers in registration order.
    """

    def __init__(self, session: PolicyPackSession, connection: SubprocessAnalyzer) -> None:
        self.session = session
        self._connection = connection
        self._seen: dict[str, Registration] = {}
        self._pending: list[tuple[str, Callable[[], Any]]] = []
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        # The pack starts (imports, GetAnalyzerInfo, Configure) while the program body runs.
        self._started = threading.Thread(target=self._start, name=f"start-{session.pack_dir.name}", daemon=True)
        self._started.start()

    def _start(self) -> None:
        try:
            self.session.start()
        except BaseException as error:  # re-raised on the caller's thread by put() or finish()
            self._error = error

    def _ready(self) -> None:
        self._started.join()
        if self._error is not None:
            raise self._error

    @property
    def seen(self) -> list[Registration]:
        """Every registration sent to the pack so far."""
        with self._lock:
            return list(self._seen.values())

    def remediate(self, registration: Registration) -> None:
        """This pack's Remediate, synchronously: the next pack's Remediate must see what it changed."""
        self._ready()
        with self._lock:
            self._seen[registration.urn] = registration
            self.session.remediate(registration, self._seen)

    def send(self, registration: Registration) -> None:
        """Send Analyze for the resource as it stands (after every pack's Remediate); the answer comes in `finish`."""
        self._ready()
        with self._lock:
            self._seen[registration.urn] = registration
            request = analyze_request(registration, self._seen)
            self._pending.append((registration.urn, self._connection.analyze_later(request)))

    def finish(self) -> int:
        """Wait for every answer (each within the RPC deadline); return how many resources were analyzed."""
        self._ready()
        with self._lock:
            pending, self._pending = self._pending, []
        for urn, result in pending:
            self.session.collect(result(), urn)
        return len(pending)


def analyze_in_order(streams: Sequence[AnalyzeStream], registration: Registration) -> None:
    """One registration through every pack as the CLI's step generator does: every pack's Remediate in order,
    each seeing the previous one's result, then every pack's Analyze on the final inputs (`policy` module
    docstring). The Analyze calls run concurrently in the packs' processes."""
    for stream in streams:
        stream.remediate(registration)
    for stream in streams:
        stream.send(registration)


def enforce(
    registrations: Sequence[Registration],
    pack_dir: str | Path | None = None,
    *,
    config: Mapping[str, PolicyConfig] | None = None,
    in_process: bool = True,
    project: str = "test",
    stack: str = "test",
    dry_run: bool = True,
) -> PackResult:
    """Run one pack over recorded registrations (tests use this). In-process by default; fast."""
    folder = validate_pack_dir(pack_dir or default_policy_pack())
    connection: AnalyzerConnection = (
        InProcessAnalyzer(folder)
        if in_process
        else SubprocessAnalyzer(folder, project=project, stack=stack, dry_run=dry_run)
    )
    try:
        session = PolicyPackSession(
            connection, folder, user_config=config, project=project, stack=stack, dry_run=dry_run
        )
        result = session.start()
        session.analyze_all(registrations)
        return result
    finally:
        connection.close()


__all__ = ["PreviewResult", "default_policy_pack", "enforce", "preview"]
