"""Run a Pulumi Python program, or a plain function, under the recording mocks.

Both paths configure the Pulumi runtime the way the language host would (project, stack, config,
secret keys, preview flag), start from a fresh root stack, wait for every outstanding RPC, and
return what was registered. The runtime is process-global state; these functions reset what they
touch so many runs can share one process (tests, benchmarks).

They run the program in the calling process, so they are for trusted code (component tests). The
preview and the CLI run untrusted programs through `landing_zone.preview.sandbox`, which calls
`run_program` in a child process and keeps the verdict out of the program's reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import runpy
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import settings as runtime_settings

from landing_zone.errors import IncompletePlanError, forget_incomplete_plans, observed_incomplete_plans
from landing_zone.preview.invokes import load_invoke_answers, read_json_object
from landing_zone.preview.mocks import DEFAULT_SUBSCRIPTION_ID, DEFAULT_TENANT_ID, AzureMocks
from landing_zone.preview.project import (
    ProjectError,
    PulumiProject,
    StackConfig,
    load_project,
    load_stack_config,
)
from landing_zone.preview.recorder import RecordingMonitor, Registration

#: Outputs of stacks a program reads with StackReference, keyed by stack name, for previews without a backend.
STACK_REFERENCES_FILE = "stack-references.json"


@dataclass
class ProgramRun:
    """What one run registered, in registration order, and the stack outputs it exported."""

    project: str
    stack: str
    dry_run: bool
    registrations: list[Registration]
    outputs: dict[str, Any] = field(default_factory=dict)

    def by_type(self, type_token: str) -> list[Registration]:
        return [registration for registration in self.registrations if registration.type == type_token]

    def one(self, type_token: str) -> Registration:
        """The single registration of a type; fails loudly when there are none or several."""
        found = self.by_type(type_token)
        if len(found) != 1:
            raise AssertionError(f"expected one {type_token}, found {len(found)}")
        return found[0]

    def get(self, urn: str) -> Registration:
        for registration in self.registrations:
            if registration.urn == urn:
                return registration
        raise KeyError(urn)


class ProgramError(Exception):
    """The program raised or exited. ``cause`` is the original exception (a ConfigError, a bug, a duplicate
    URN, a ``SystemExit``, an `IncompletePlanError` even when the program caught it).

    ``registrations`` holds what was registered before the failure, so callers can check that
    invalid input stopped the program before any resource was created.
    """

    def __init__(self, cause: BaseException, registrations: list[Registration] | None = None) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.cause = cause
        self.registrations = list(registrations or [])


def select_stack(project: PulumiProject, stack: str | None) -> str:
    """The stack to preview: the one asked for, else the only one with a config file, else ``dev``."""
    if stack:
        return stack
    stacks = project.stacks()
    if len(stacks) == 1:
        return stacks[0]
    if "dev" in stacks or not stacks:
        return "dev"
    raise ValueError(f"several stacks ({', '.join(stacks)}); choose one with --stack")


def run_program(
    program_dir: str | Path,
    stack: str | None = None,
    *,
    dry_run: bool = True,
    on_register: Callable[[Registration], None] | None = None,
) -> ProgramRun:
    """Run the Pulumi program in ``program_dir`` as ``stack`` and record what it registers."""
    project = load_project(program_dir)
    stack_name = select_stack(project, stack)
    config = load_stack_config(project, stack_name)
    program_path = project.main
    references_file = project.directory / STACK_REFERENCES_FILE
    try:
        references = read_json_object(references_file) if references_file.is_file() else {}
        invoke_answers = load_invoke_answers(project.directory)
    except ValueError as error:
        raise ProjectError(str(error)) from None
    bad = [name for name, outputs in references.items() if not isinstance(outputs, dict)]
    if bad:
        raise ProjectError(f'{references_file}: "{bad[0]}" must map output names to values (a JSON object)')

    def entry() -> None:
        with _working_directory(project.directory), _isolated_program_modules(program_path):
            runpy.run_path(str(program_path), run_name="__main__")

    return execute(
        entry,
        project.name,
        stack_name,
        config,
        dry_run=dry_run,
        on_register=on_register,
        stack_references=references,
        invoke_answers=invoke_answers,
    )


def record(
    function: Callable[[], Any],
    *,
    project: str = "test",
    stack: str = "test",
    config: Mapping[str, str] | None = None,
    secret_keys: frozenset[str] = frozenset(),
    dry_run: bool = True,
) -> ProgramRun:
    """Run ``function`` as a Pulumi program (for tests of components) and record what it registers.

    Config keys without a namespace are put in the project's namespace, as the CLI does.
    """
    values = {(key if ":" in key else f"{project}:{key}"): value for key, value in (config or {}).items()}
    return execute(function, project, stack, StackConfig(values, secret_keys), dry_run=dry_run)


def execute(
    entry: Callable[[], Any],
    project: str,
    stack: str,
    config: StackConfig,
    *,
    dry_run: bool = True,
    on_register: Callable[[Registration], None] | None = None,
    stack_references: Mapping[str, Mapping[str, Any]] | None = None,
    invoke_answers: Mapping[str, list[dict[str, Any]]] | None = None,
) -> ProgramRun:
    """Configure the runtime, run ``entry`` to completion under recording mocks, return the recording.

    ``stack_references`` maps a referenced stack's name (``org/project/stack``) to its outputs;
    ``invoke_answers`` holds the user's answers to invokes (`landing_zone.preview.invokes`).
    """
    mocks = AzureMocks(
        **_azure_identity(config),
        dry_run=dry_run,
        stack_references=stack_references,
        classic_identity=_classic_identity(config),
        invoke_answers=invoke_answers,
        azuread_identity=_azuread_identity(config),
    )
    monitor = RecordingMonitor(mocks, on_register=on_register)
    runtime_settings.ROOT.set(None)
    pulumi.runtime.set_all_config(dict(config.values), sorted(config.secret_keys))
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=dry_run, monitor=monitor)
    outputs: dict[str, Any] = {}

    @pulumi.runtime.test
    def run() -> Any:
        entry()
        root = runtime_settings.get_root_resource()
        exported = getattr(root, "outputs", None) or {}
        recorded = pulumi.Output.from_input(monitor.record_stack_outputs(exported))  # for AnalyzeStack
        return pulumi.Output.all(recorded, pulumi.Output.all(**exported).apply(outputs.update) if exported else None)

    forget_incomplete_plans()
    try:
        run()
    except (Exception, SystemExit) as error:  # the program's own failure (an exit too), reported without our frames
        _silence_orphaned_futures_of(error)
        # An incomplete plan comes first: the program may have failed because of it (an invoke it could not
        # get, a stack reference without outputs), and the CLI would have stopped at that step.
        earlier = observed_incomplete_plans()
        cause = error if isinstance(error, IncompletePlanError) or not earlier else earlier[0]
        raise ProgramError(cause, monitor.registrations) from error
    finally:
        runtime_settings.ROOT.set(None)
    incomplete = observed_incomplete_plans()
    if incomplete:  # the program caught it, but the plan is still incomplete: no verdict on it
        raise ProgramError(incomplete[0], monitor.registrations)
    return ProgramRun(project, stack, dry_run, list(monitor.registrations), outputs)


def _silence_orphaned_futures_of(error: BaseException) -> None:
    """Keep asyncio from printing "Future exception was never retrieved" for a failure already reported.

    When a registration fails, the SDK leaves that resource's output futures holding the same
    exception; asyncio would print each one with a traceback when they are collected.
    """
    loop = asyncio.get_event_loop()
    previous = loop.get_exception_handler()

    def handler(event_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exception = context.get("exception")
        if exception is error or (type(exception) is type(error) and str(exception) == str(error)):
            return
        if previous is not None:
            previous(event_loop, context)
        else:
            event_loop.default_exception_handler(context)

    loop.set_exception_handler(handler)


def _azure_identity(config: StackConfig) -> dict[str, str]:
    """Subscription and tenant the mocks answer with: provider config first, then the landing-zone config."""
    values = config.values
    subscription = values.get("azure-native:subscriptionId")
    tenant = values.get("azure-native:tenantId")
    for key, value in values.items():
        if key.endswith(":landingZone") and value.startswith("{"):
            with contextlib.suppress(ValueError):
                document = json.loads(value)
                subscription = subscription or document.get("subscriptionId")
                tenant = tenant or document.get("tenantId")
    return {
        "subscription_id": str(subscription or DEFAULT_SUBSCRIPTION_ID),
        "tenant_id": str(tenant or DEFAULT_TENANT_ID),
        "location": values.get("azure-native:location", "eastus"),
        "client_id": values.get("azure-native:clientId", ""),
    }


def _classic_identity(config: StackConfig) -> dict[str, str]:
    """The classic ``azure`` provider's identity from its own config keys, else azure-native's."""
    native = _azure_identity(config)
    values = config.values
    return {
        "subscriptionId": values.get("azure:subscriptionId") or native["subscription_id"],
        "tenantId": values.get("azure:tenantId") or native["tenant_id"],
        "clientId": values.get("azure:clientId") or values.get("azure-native:clientId") or "",
    }


def _azuread_identity(config: StackConfig) -> dict[str, str]:
    """The azuread provider's identity from its own config keys (``azuread:tenantId``, ``azuread:clientId``)."""
    classic = _classic_identity(config)
    values = config.values
    return {
        "tenantId": values.get("azuread:tenantId") or classic["tenantId"],
        "clientId": values.get("azuread:clientId") or classic["clientId"],
    }


@contextlib.contextmanager
def _working_directory(directory: Path) -> Iterator[None]:
    """Pulumi runs a program with its project folder as working directory."""
    previous = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(previous)


@contextlib.contextmanager
def _isolated_program_modules(program_path: Path) -> Iterator[None]:
    """Forget modules a program imported from its own folder, so the next program gets its own."""
    folder = str(program_path if program_path.is_dir() else program_path.parent)
    before = set(sys.modules)
    try:
        yield
    finally:
        for name in set(sys.modules) - before:
            module_file = getattr(sys.modules[name], "__file__", None) or ""
            if module_file.startswith(folder + os.sep):
                del sys.modules[name]
