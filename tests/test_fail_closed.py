"""The preview fails closed: exit 0 only for a complete verdict, and every other ending is exit 2 with a reason.

Each program here registers a Key Vault without purge protection (a mandatory violation) and then
tries to end the preview early or fake its verdict. The CLI runs as its own process (``python -m
landing_zone.cli``) so that a program which kills its process cannot take the test runner with it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

import landing_zone.cli
from landing_zone.cli import EXIT_ERROR, EXIT_MANDATORY_VIOLATIONS, EXIT_OK

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.subprocess

VAULT = textwrap.dedent(
    """
    import os, signal, sys, time
    import pulumi
    from pulumi_azure_native import keyvault

    vault = keyvault.Vault(
        "keys",
        resource_group_name="rg-keys",
        vault_name="kv-fail-closed01",
        location="eastus2",
        properties=keyvault.VaultPropertiesArgs(
            tenant_id="00000000-0000-0000-0000-000000000000",
            sku=keyvault.SkuArgs(family="A", name="premium"),
        ),
    )
    """
)

#: A policy pack with one rule whose body is given per test (the rule sees every resource).
PACK_MAIN = textwrap.dedent(
    """
    import os, sys, time
    from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

    def validate(args, report_violation):
    {body}

    PolicyPack(
        name="tiny-pack",
        enforcement_level=EnforcementLevel.MANDATORY,
        policies=[ResourceValidationPolicy(name="tiny-rule", description="a test rule", validate=validate)],
    )
    """
)


def program(tmp_path: Path, ending: str, *, stack_config: str = "config: {}\n") -> Path:
    """A project whose program registers the bad vault and then runs ``ending``."""
    folder = tmp_path / "program"
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text("name: fail-closed\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text(stack_config)
    (folder / "__main__.py").write_text(VAULT + textwrap.dedent(ending))
    return folder


def tiny_pack(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (folder / "__main__.py").write_text(PACK_MAIN.format(body=textwrap.indent(textwrap.dedent(body), "    ")))
    return folder


def cli(*arguments: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "landing_zone.cli", *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
    )


def assert_no_verdict(completed: subprocess.CompletedProcess[str], *artifacts: Path) -> None:
    """Exit 2, no pass claimed anywhere, no traceback, and no artifact written."""
    assert completed.returncode == EXIT_ERROR, completed.stdout + completed.stderr
    assert "Preview passed" not in completed.stdout + completed.stderr
    assert "Traceback" not in completed.stderr
    for artifact in artifacts:
        assert not artifact.exists()


@pytest.mark.parametrize(
    ("ending", "message"),
    [
        ("sys.exit()\n", "the program called sys.exit() (SystemExit) before it finished"),
        ("sys.exit(0)\n", "the program called sys.exit(0) (SystemExit) before it finished"),
        ("raise SystemExit('x')\n", "the program called sys.exit('x') (SystemExit) before it finished"),
        (
            "pulumi.Output.from_input(1).apply(lambda _: sys.exit(0))\n",
            "the program called sys.exit(0) (SystemExit) before it finished",
        ),
        ("os._exit(0)\n", "the program's process exited with status 0 (os._exit() or a crash) before the program"),
        ("os.kill(os.getpid(), signal.SIGKILL)\n", "the program's process was killed by SIGKILL before the program"),
        ("os.kill(os.getpid(), signal.SIGTERM)\n", "the program's process was killed by SIGTERM before the program"),
    ],
    ids=["sys.exit()", "sys.exit(0)", "SystemExit(x)", "exit-in-apply", "os._exit(0)", "SIGKILL", "SIGTERM"],
)
def test_a_program_that_ends_early_gets_no_verdict(tmp_path: Path, ending: str, message: str) -> None:
    folder = program(tmp_path, ending)
    report = tmp_path / "out.json"
    completed = cli("preview", folder, "--json", report)
    assert_no_verdict(completed, report)
    assert f"error: {folder / '__main__.py'}: {message}" in completed.stderr
    assert "gives no verdict" in completed.stderr
    if "SystemExit" in message:  # where the exit was called, in the program's own file
        last_line = len((folder / "__main__.py").read_text().splitlines())
        assert f"remove the exit call ({folder / '__main__.py'}:{last_line})." in completed.stderr


def test_a_stale_passing_json_is_removed_when_the_preview_fails(tmp_path: Path) -> None:
    folder = program(tmp_path, "sys.exit(0)\n")
    report = tmp_path / "out.json"
    report.write_text(json.dumps({"summary": {"mandatory": 0}}))
    assert_no_verdict(cli("preview", folder, "--json", report), report)


def test_a_program_that_patches_the_engine_cannot_change_the_verdict(tmp_path: Path) -> None:
    """The program runs in another process: patching the engine, the report or the CLI there changes nothing here."""
    folder = program(
        tmp_path,
        """
        import landing_zone.cli as cli
        import landing_zone.preview.engine as engine
        engine.PreviewResult.mandatory = property(lambda self: [])
        engine.PreviewResult.violations = property(lambda self: [])
        cli.exit_code = lambda result: 0
        cli.EXIT_MANDATORY_VIOLATIONS = 0
        """,
    )
    report = tmp_path / "out.json"
    completed = cli("preview", folder, "--json", report)
    assert completed.returncode == EXIT_MANDATORY_VIOLATIONS, completed.stderr
    violations = json.loads(report.read_text())["policyViolations"]
    assert ("keyvault-purge-protection", "urn:pulumi:dev::fail-closed::azure-native:keyvault:Vault::keys") in {
        (v["policy"], v["urn"]) for v in violations
    }


def test_a_program_that_never_ends_times_out(tmp_path: Path) -> None:
    folder = program(tmp_path, "time.sleep(600)\n")
    completed = cli("preview", folder, "--no-policy", "--program-timeout", "5")
    assert_no_verdict(completed)
    assert f"error: {folder / '__main__.py'}: the program did not finish within 5 s, so there is no verdict" in (
        completed.stderr
    )


def test_the_program_timeout_comes_from_the_environment_too(tmp_path: Path) -> None:
    folder = program(tmp_path, "time.sleep(600)\n")
    completed = cli("preview", folder, "--no-policy", env={"LANDING_ZONE_PROGRAM_TIMEOUT": "4"})
    assert_no_verdict(completed)
    assert "the program did not finish within 4 s" in completed.stderr
    bad = cli("preview", folder, "--no-policy", env={"LANDING_ZONE_PROGRAM_TIMEOUT": "soon"})
    assert_no_verdict(bad)
    assert "error: environment variable LANDING_ZONE_PROGRAM_TIMEOUT: 'soon' is not a number of seconds" in bad.stderr


def test_garbage_on_the_programs_channel_gets_no_verdict(tmp_path: Path) -> None:
    folder = program(
        tmp_path,
        """
        for fd in map(int, os.listdir("/proc/self/fd")):
            if fd > 2:
                try:
                    os.write(fd, b"\\x00\\x00\\x00\\x05{oops")
                except OSError:
                    pass
        """,
    )
    completed = cli("preview", folder, "--no-policy")
    assert_no_verdict(completed)
    assert "the program's process sent the preview a malformed message" in completed.stderr


def test_an_incomplete_plan_the_program_swallowed_still_fails(tmp_path: Path) -> None:
    folder = program(
        tmp_path,
        """
        from landing_zone.errors import IncompletePlanError
        try:
            raise IncompletePlanError(
                "invoke azure-native:web:listWebAppPublishingCredentials cannot be answered offline",
                kind="invoke",
                subject="azure-native:web:listWebAppPublishingCredentials",
            )
        except Exception:
            pass
        """,
    )
    report = tmp_path / "out.json"
    completed = cli("preview", folder, "--json", report)
    assert_no_verdict(completed, report)
    raised = 1 + (folder / "__main__.py").read_text().splitlines().index("    raise IncompletePlanError(")
    assert (
        f"error: {folder / '__main__.py'}:{raised}: incomplete plan (invoke: "
        "azure-native:web:listWebAppPublishingCredentials): invoke azure-native:web:listWebAppPublishingCredentials "
        "cannot be answered offline"
    ) in completed.stderr


def test_an_invoke_the_mocks_cannot_answer_fails_naming_it(tmp_path: Path) -> None:
    folder = program(
        tmp_path, "from pulumi_azure_native import resources\nresources.get_resource_group(resource_group_name='rg')\n"
    )
    report = tmp_path / "out.json"
    completed = cli("preview", folder, "--json", report)
    assert_no_verdict(completed, report)
    assert (
        f"error: {folder / '__main__.py'}: incomplete plan (invoke: azure-native:resources:getResourceGroup)"
    ) in completed.stderr


def test_a_rule_that_exits_fails_the_preview_naming_the_pack(tmp_path: Path) -> None:
    folder = program(tmp_path, "")
    pack = tiny_pack(tmp_path, "os._exit(0)\n")
    report = tmp_path / "out.json"
    completed = cli("preview", folder, "--policy-pack", pack, "--json", report, "--rpc-timeout", "20")
    assert_no_verdict(completed, report)
    assert f"error: policy pack tiny-pack ({pack}) exited (status 0) during Analyze of urn:pulumi:dev::" in (
        completed.stderr
    )


def test_a_rule_that_calls_sys_exit_fails_the_preview(tmp_path: Path) -> None:
    folder = program(tmp_path, "")
    pack = tiny_pack(tmp_path, "sys.exit(0)\n")
    completed = cli("preview", folder, "--policy-pack", pack, "--rpc-timeout", "5")
    assert_no_verdict(completed)
    assert f"error: policy pack tiny-pack ({pack})" in completed.stderr
    assert "Analyze of urn:pulumi:dev::fail-closed::" in completed.stderr


def test_a_rule_that_never_returns_times_out_naming_pack_and_resource(tmp_path: Path) -> None:
    folder = program(tmp_path, "")
    pack = tiny_pack(
        tmp_path,
        """
        if args.resource_type == "azure-native:keyvault:Vault":
            time.sleep(3600)
        """,
    )
    completed = cli("preview", folder, "--policy-pack", pack, "--rpc-timeout", "3")
    assert_no_verdict(completed)
    assert (
        f"error: policy pack tiny-pack ({pack}) did not answer Analyze of "
        "urn:pulumi:dev::fail-closed::azure-native:keyvault:Vault::keys within 3 s"
    ) in completed.stderr


def test_a_stack_config_over_128_kib_reaches_the_pack(tmp_path: Path) -> None:
    """The CLI passes stack config to packs in PULUMI_CONFIG; Linux caps one variable at 128 KiB."""
    big = "x" * 200_000
    folder = program(tmp_path, "", stack_config=json.dumps({"config": {"fail-closed:big": big}}))
    pack = tiny_pack(
        tmp_path,
        """
        import json
        if args.resource_type == "azure-native:keyvault:Vault":
            size = len(json.loads(os.environ["PULUMI_CONFIG"])["fail-closed:big"])
            report_violation(f"the pack saw a config value of {size} characters")
        """,
    )
    completed = cli("preview", folder, "--policy-pack", pack)
    assert completed.returncode == EXIT_MANDATORY_VIOLATIONS, completed.stderr
    assert "the pack saw a config value of 200000 characters" in completed.stdout
    assert "PULUMI_CONFIG environment variable, which Linux limits to 128 KiB" in completed.stdout + completed.stderr


def test_a_config_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    folder = program(tmp_path, "", stack_config=json.dumps({"config": {"fail-closed:big": "x" * 1_100_000}}))
    completed = cli("preview", folder, "--no-policy")
    assert_no_verdict(completed)
    assert f"error: {folder / 'Pulumi.dev.yaml'}: 1074 KiB is over the 1 MiB limit for a config file" in (
        completed.stderr
    )


@pytest.mark.parametrize("option", ["--json", "--report"])
def test_an_output_into_a_directory_or_missing_folder_exits_2_before_the_run(tmp_path: Path, option: str) -> None:
    folder = program(tmp_path, "")
    into_directory = cli("preview", folder, "--no-policy", option, tmp_path)
    assert_no_verdict(into_directory)
    assert f"error: {option} {tmp_path}: is a directory; give a file name" in into_directory.stderr
    missing = tmp_path / "missing" / "out.json"
    no_folder = cli("preview", folder, "--no-policy", option, missing)
    assert_no_verdict(no_folder)
    assert f"error: {option} {missing}: folder {missing.parent} does not exist; create it first" in no_folder.stderr


def test_validate_config_of_a_file_that_is_not_utf8_exits_2(tmp_path: Path) -> None:
    file = tmp_path / "latin1.yaml"
    file.write_bytes("prefix: caf\xe9\n".encode("latin-1"))
    completed = cli("validate-config", file)
    assert_no_verdict(completed)
    assert f"error: {file}: not UTF-8 text (byte 11); save it as UTF-8" in completed.stderr


def test_validate_config_of_an_oversized_file_exits_2(tmp_path: Path) -> None:
    file = tmp_path / "huge.yaml"
    file.write_text("prefix: " + "x" * 1_100_000 + "\n")
    completed = cli("validate-config", file)
    assert_no_verdict(completed)
    assert "1074 KiB is over the 1 MiB limit for a landing-zone config file" in completed.stderr


def test_in_process_packs_are_no_longer_a_cli_option(tmp_path: Path) -> None:
    """A pack loaded into the gate's own process could exit or hang it: the CLI always isolates packs."""
    completed = cli("preview", program(tmp_path, ""), "--in-process")
    assert completed.returncode == EXIT_ERROR
    assert "unrecognized arguments: --in-process" in completed.stderr


@pytest.mark.parametrize(
    ("rejections", "mandatory", "expected"),
    [
        ([], [], EXIT_OK),
        ([], ["violation"], EXIT_MANDATORY_VIOLATIONS),
        (["rejection"], [], 3),
        (["rejection"], ["violation"], 3),
    ],
)
def test_exit_codes_have_one_meaning_each(rejections: list[str], mandatory: list[str], expected: int) -> None:
    result = SimpleNamespace(azure_rejections=rejections, mandatory=mandatory)
    assert landing_zone.cli.exit_code(result) == expected


BOMB = "\n".join(
    [f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]" for prev, name in zip("abcdef", "bcdefg", strict=True)]
)


@pytest.mark.parametrize(
    ("stack_config", "message"),
    [
        ("config:\n  fail-closed:x: !!binary aGVsbG8=\n", "Pulumi.dev.yaml:2: config.fail-closed:x: explicit tag"),
        ("config:\n  fail-closed:x: &a [*a]\n", "Pulumi.dev.yaml:2: config.fail-closed:x[0]: alias *a refers to no"),
        (f"a: &a [x, x, x, x, x, x, x, x, x]\n{BOMB}\nconfig:\n  fail-closed:x: *g\n", "excessive aliasing"),
        ("config:\n  fail-closed:x: 1\n  fail-closed:x: 2\n", "duplicate key 'fail-closed:x'"),
    ],
    ids=["binary", "recursive-alias", "alias-bomb", "duplicate-key"],
)
def test_a_stack_config_yaml_error_exits_2_naming_the_file(tmp_path: Path, stack_config: str, message: str) -> None:
    folder = program(tmp_path, "", stack_config=stack_config)
    completed = cli("preview", folder, "--no-policy")
    assert_no_verdict(completed)
    assert f"error: {folder / 'Pulumi.dev.yaml'}" in completed.stderr
    assert message in completed.stderr


def test_an_unquoted_date_in_config_stays_a_string_as_the_cli_reads_it(tmp_path: Path) -> None:
    folder = program(
        tmp_path,
        "assert pulumi.Config().require_object('x') == {'when': '2026-01-01'}, pulumi.Config().get('x')\n",
        stack_config="config:\n  fail-closed:x:\n    when: 2026-01-01\n",
    )
    completed = cli("preview", folder, "--no-policy")
    assert completed.returncode == EXIT_OK, completed.stderr


def test_a_forked_process_that_outlives_the_program_cannot_hold_the_preview_open(tmp_path: Path) -> None:
    """The verdict needs the program to finish, not every process it started to exit; those are stopped."""
    folder = program(tmp_path, "if os.fork() == 0:\n    time.sleep(600)\n    os._exit(0)\n")
    completed = cli("preview", folder, "--no-policy", "--program-timeout", "60")
    assert completed.returncode == EXIT_OK, completed.stderr


def test_a_forked_process_that_writes_after_the_program_finished_voids_the_run(tmp_path: Path) -> None:
    folder = program(
        tmp_path,
        """
        if os.fork() == 0:
            for fd in map(int, os.listdir("/proc/self/fd")):
                if fd > 2:
                    try:
                        os.write(fd, b'\\x00\\x00\\x00\\x11{"kind":"extra"}')
                    except OSError:
                        pass
            os._exit(0)
        """,
    )
    completed = cli("preview", folder, "--no-policy")
    assert_no_verdict(completed)
    assert "no verdict" in completed.stderr


def _alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie waiting for a reaper counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def test_the_program_ends_when_the_preview_is_killed(tmp_path: Path) -> None:
    """The program runs in its own session (so it can be stopped as a group); it must not outlive the gate."""
    marker = tmp_path / "program.pid"
    folder = program(tmp_path, f"open({str(marker)!r}, 'w').write(str(os.getpid()))\ntime.sleep(600)\n")
    gate = subprocess.Popen(
        [sys.executable, "-m", "landing_zone.cli", "preview", str(folder), "--no-policy"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not (marker.is_file() and marker.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        pid = int(marker.read_text())
        assert _alive(pid)
        gate.kill()
        gate.wait()
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _alive(pid)
    finally:
        if gate.poll() is None:
            gate.kill()
            gate.wait()


def test_outputs_a_component_registers_later_reach_analyze_stack(tmp_path: Path) -> None:
    """RegisterResourceOutputs arrives after the component's registration: the engine gets the update."""
    folder = program(
        tmp_path,
        """
        class Box(pulumi.ComponentResource):
            def __init__(self, name: str) -> None:
                super().__init__("test:index:Box", name)
                self.register_outputs({"label": "late-output"})

        Box("box")
        """,
    )
    pack = tmp_path / "stack-pack"
    pack.mkdir()
    (pack / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 0.0.1\n")
    (pack / "__main__.py").write_text(
        textwrap.dedent(
            """
            from pulumi_policy import EnforcementLevel, PolicyPack, StackValidationPolicy

            def validate(args, report_violation):
                for resource in args.resources:
                    if resource.resource_type == "test:index:Box":
                        report_violation(f"box label {resource.props.get('label')}")

            PolicyPack(
                name="stack-pack",
                enforcement_level=EnforcementLevel.MANDATORY,
                policies=[StackValidationPolicy(name="box-outputs", description="x", validate=validate)],
            )
            """
        )
    )
    completed = cli("preview", folder, "--policy-pack", pack)
    assert completed.returncode == EXIT_MANDATORY_VIOLATIONS, completed.stderr
    assert "box label late-output" in completed.stdout
