"""Two ways to reach a Python policy pack's Analyzer service, with one interface.

`SubprocessAnalyzer` does what the Pulumi CLI does: starts ``python -u -m pulumi.policy <engine>
<packDir>`` in the pack folder with the CLI's environment, reads the port from the first stdout
line, and speaks gRPC. It exercises exactly the code path a real ``pulumi preview --policy-pack``
runs, so the end-to-end verdicts are the CLI's.

`InProcessAnalyzer` loads the same pack in this process and calls the same servicer class the
gRPC server wraps, minus the transport. It is fast enough to run hundreds of test cases.
"""

from __future__ import annotations

import collections
import contextlib
import inspect
import json
import os
import runpy
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol
from unittest import mock

import grpc
import pulumi_policy
import pulumi_policy.policy as policy_module
from google.protobuf import empty_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from landing_zone.preview.limits import DEFAULT_RPC_TIMEOUT

_MAX_MESSAGE = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [("grpc.max_receive_message_length", _MAX_MESSAGE), ("grpc.max_send_message_length", _MAX_MESSAGE)]
#: The pack never dials the engine during analysis; the CLI passes its address, we pass a placeholder.
ENGINE_ADDRESS_PLACEHOLDER = "127.0.0.1:0"
#: Linux refuses to exec a process with one environment string over 128 KiB (MAX_ARG_STRLEN); leave headroom.
_MAX_ENVIRONMENT_VALUE = 120 * 1024
#: Starts ``pulumi.policy`` as ``-m`` would, after reading ``PULUMI_CONFIG`` from stdin into the environment.
_CONFIG_FROM_STDIN = (
    "import os, runpy, sys; os.environ['PULUMI_CONFIG'] = sys.stdin.read(); "
    "runpy.run_module('pulumi.policy', run_name='__main__', alter_sys=True)"
)


class PolicyPackError(Exception):
    """The policy pack could not be started, loaded or configured. The message says why."""


class AnalyzerConnection(Protocol):
    """The Analyzer RPCs the preview uses, whatever the transport."""

    def get_analyzer_info(self) -> analyzer_pb2.AnalyzerInfo: ...
    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None: ...
    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None: ...
    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse: ...
    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse: ...
    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse: ...
    def close(self) -> None: ...


def validate_pack_dir(pack_dir: str | Path) -> Path:
    folder = Path(pack_dir).resolve()
    if not (folder / "PulumiPolicy.yaml").is_file():
        raise PolicyPackError(f"{folder} is not a policy pack folder (no PulumiPolicy.yaml)")
    if not (folder / "__main__.py").is_file():
        raise PolicyPackError(f"{folder} has no __main__.py: only Python policy packs are supported")
    return folder


class SubprocessAnalyzer:
    """A policy pack started and spoken to exactly as the Pulumi CLI does it."""

    def __init__(
        self,
        pack_dir: str | Path,
        *,
        project: str,
        stack: str,
        dry_run: bool = True,
        organization: str = "organization",
        config: Mapping[str, str] | None = None,
        startup_timeout: float | None = None,
        rpc_timeout: float = DEFAULT_RPC_TIMEOUT,
    ) -> None:
        self.pack_dir = validate_pack_dir(pack_dir)
        self.name = self.pack_dir.name  # until GetAnalyzerInfo answers with the pack's own name
        self._rpc_timeout = rpc_timeout
        #: Things the preview should tell the user about how this pack was run (see `notes`).
        self.notes: list[str] = []
        environment = dict(os.environ)
        environment.update(
            PULUMI_PROJECT=project,
            PULUMI_STACK=stack,
            PULUMI_DRY_RUN="true" if dry_run else "false",
            PULUMI_ORGANIZATION=organization,
        )
        config_json = json.dumps(dict(config or {}))
        # The CLI passes the stack config in the PULUMI_CONFIG environment variable. Linux caps one
        # variable at 128 KiB, so a larger config goes through stdin into the same variable, set
        # inside the pack's process before `pulumi.policy` reads it: the pack sees what it would see.
        command = [sys.executable, "-u", "-m", "pulumi.policy"]
        if len(config_json.encode()) <= _MAX_ENVIRONMENT_VALUE:
            environment["PULUMI_CONFIG"] = config_json
        else:
            environment.pop("PULUMI_CONFIG", None)
            command = [sys.executable, "-u", "-c", _CONFIG_FROM_STDIN]
            self.notes.append(
                f"the stack config is {len(config_json.encode()) // 1024} KiB as JSON: the Pulumi CLI passes it to "
                "policy packs in the PULUMI_CONFIG environment variable, which Linux limits to 128 KiB, so "
                "`pulumi preview --policy-pack` on Linux would fail to start the pack"
            )
        self._process = subprocess.Popen(
            [*command, ENGINE_ADDRESS_PLACEHOLDER, str(self.pack_dir)],
            cwd=self.pack_dir,
            env=environment,
            stdin=subprocess.DEVNULL if "PULUMI_CONFIG" in environment else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if self._process.stdin is not None:
            with self._process.stdin:
                self._process.stdin.write(config_json.encode())
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=40)
        self._port: int | None = None
        self._port_ready = threading.Event()
        self._startup_timeout = startup_timeout if startup_timeout is not None else rpc_timeout
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        threading.Thread(target=self._read_port_then_drain_stdout, daemon=True).start()
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None

    def _read_port_then_drain_stdout(self) -> None:
        assert self._process.stdout is not None
        first = self._process.stdout.readline().decode(errors="replace").strip()
        if first.isdigit():
            self._port = int(first)
        elif first:
            self._stderr_tail.append(f"(stdout) {first}")
        self._port_ready.set()
        for line in self._process.stdout:
            self._stderr_tail.append(f"(stdout) {line.decode(errors='replace').rstrip()}")

    def _drain_stderr(self) -> None:
        assert self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr_tail.append(line.decode(errors="replace").rstrip())

    def _connect(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is not None:
            return self._stub
        if not self._port_ready.wait(self._startup_timeout) or self._port is None:
            self.close()
            detail = "\n".join(self._stderr_tail) or "no output"
            raise PolicyPackError(
                f"policy pack {self.pack_dir} did not start within {self._startup_timeout:g} s:\n{detail}"
            )
        self._channel = grpc.insecure_channel(f"127.0.0.1:{self._port}", options=_CHANNEL_OPTIONS)
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        return self._stub

    def _call(self, method: str, request: Any, subject: str = "") -> Any:
        stub = self._connect()
        try:
            return getattr(stub, method)(request, timeout=self._rpc_timeout)
        except grpc.RpcError as error:
            raise self._failure(method, subject, error) from None

    def _failure(self, method: str, subject: str, error: grpc.RpcError) -> PolicyPackError:
        """A pack RPC that failed or timed out: which pack, which call, which resource, and what to do."""
        what = f"{method} of {subject}" if subject else method
        code = error.code() if hasattr(error, "code") else None
        if code == grpc.StatusCode.UNAVAILABLE:  # the connection dropped: give the process a moment to be seen gone
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(timeout=2)
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            message = (
                f"policy pack {self.name} ({self.pack_dir}) did not answer {what} within {self._rpc_timeout:g} s: "
                "a rule may never return (or it ended its own thread with sys.exit). Fix the rule, or raise "
                "--rpc-timeout (LANDING_ZONE_RPC_TIMEOUT) if it is legitimately slow."
            )
        elif self._process.poll() is not None:
            message = (
                f"policy pack {self.name} ({self.pack_dir}) exited (status {self._process.returncode}) "
                f"during {what}: a rule or the pack stopped its process."
            )
        else:
            message = f"policy pack {self.name} ({self.pack_dir}) failed {what}: {error.details()}"
        detail = "\n".join(self._stderr_tail)
        return PolicyPackError(f"{message}\n{detail}".rstrip())

    def get_analyzer_info(self) -> analyzer_pb2.AnalyzerInfo:
        info = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        self.name = info.name or self.name
        return info

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self._call("Configure", request)

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        self._call("ConfigureStack", request)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call("Analyze", request, request.urn)

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call("AnalyzeStack", request, "the stack")

    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse:
        return self._call("Remediate", request, request.urn)

    def analyze_later(self, request: analyzer_pb2.AnalyzeRequest) -> Callable[[], analyzer_pb2.AnalyzeResponse]:
        """Send Analyze now without waiting; the returned function waits for the answer.

        The pack works on it in its own process while this one keeps registering resources.
        """
        future = self._connect().Analyze.future(request, timeout=self._rpc_timeout)

        def result() -> analyzer_pb2.AnalyzeResponse:
            try:
                return future.result()
            except grpc.RpcError as error:
                raise self._failure("Analyze", request.urn, error) from None

        return result

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()


class _PackCapturedError(Exception):
    """Raised by the stand-in PolicyPack so the pack's ``__main__`` stops before it would serve."""


_LOADED: dict[Path, tuple[str, list[Any], dict[str, Any]]] = {}


def load_pack_definition(pack_dir: str | Path) -> tuple[str, list[Any], dict[str, Any]]:
    """Run a pack's ``__main__.py`` with `PolicyPack` replaced, and return its name, policies and options.

    Works for any Python pack, ours or not: whatever the pack passes to ``PolicyPack(...)`` is
    captured instead of starting a gRPC server. Results are cached per folder.
    """
    folder = validate_pack_dir(pack_dir)
    if folder in _LOADED:
        return _LOADED[folder]
    captured: dict[str, Any] = {}
    signature = inspect.signature(pulumi_policy.PolicyPack.__init__)

    def capture(*args: Any, **kwargs: Any) -> None:
        bound = signature.bind(None, *args, **kwargs)
        captured.update({key: value for key, value in bound.arguments.items() if key != "self"})
        raise _PackCapturedError

    with (
        mock.patch.object(pulumi_policy, "PolicyPack", capture),
        mock.patch.object(policy_module, "PolicyPack", capture),
    ):
        try:
            runpy.run_path(str(folder), run_name="__main__")
        except _PackCapturedError:
            pass
        except Exception as error:
            raise PolicyPackError(f"policy pack {folder} failed to load: {type(error).__name__}: {error}") from error
    if "name" not in captured:
        raise PolicyPackError(f"policy pack {folder} never constructed a PolicyPack")
    name = captured.pop("name")
    policies = captured.pop("policies")
    _LOADED[folder] = (name, policies, captured)
    return _LOADED[folder]


class InProcessAnalyzer:
    """The pack's own servicer, called directly: same logic as the gRPC server, no process or transport."""

    def __init__(self, pack_dir: str | Path) -> None:
        name, policies, options = load_pack_definition(pack_dir)
        self.name = name
        self._servicer = policy_module._PolicyAnalyzerServicer(  # pinned pulumi-policy version: private API
            name,
            "0.0.1",  # what the SDK itself reports; the CLI reads the real version from PulumiPolicy.yaml
            policies,
            options.get("enforcement_level") or pulumi_policy.EnforcementLevel.ADVISORY,
            options.get("initial_config"),
            options.get("description"),
            options.get("display_name"),
            options.get("readme"),
            options.get("provider"),
            options.get("tags"),
            options.get("repository"),
        )

    def _call(self, method: str, request: Any, subject: str = "") -> Any:
        """Call the servicer; a rule that exits becomes a PolicyPackError (a hang is not contained: tests only)."""
        try:
            return getattr(self._servicer, method)(request, None)
        except SystemExit as error:
            what = f"{method} of {subject}" if subject else method
            raise PolicyPackError(f"policy pack {self.name} called sys.exit({error.code!r}) during {what}") from None

    def get_analyzer_info(self) -> analyzer_pb2.AnalyzerInfo:
        return self._call("GetAnalyzerInfo", empty_pb2.Empty())

    def configure(self, request: analyzer_pb2.ConfigureAnalyzerRequest) -> None:
        self._call("Configure", request)

    def configure_stack(self, request: analyzer_pb2.AnalyzerStackConfigureRequest) -> None:
        self._call("ConfigureStack", request)

    def analyze(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call("Analyze", request, request.urn)

    def analyze_stack(self, request: analyzer_pb2.AnalyzeStackRequest) -> analyzer_pb2.AnalyzeResponse:
        return self._call("AnalyzeStack", request, "the stack")

    def remediate(self, request: analyzer_pb2.AnalyzeRequest) -> analyzer_pb2.RemediateResponse:
        return self._call("Remediate", request, request.urn)

    def close(self) -> None:
        """Nothing to release: the servicer lives as long as this object."""
