"""``landing-zone``: the offline preview with policy verdicts, and configuration checks.

Exit codes, one meaning each: 0 a complete verdict with no mandatory violation; 1 mandatory policy
violations (and nothing else wrong); 2 any error of the program, its configuration, a policy pack or
a file, including timeouts and incomplete plans (a message naming the file, no traceback unless
--debug); 3 Azure would reject the deployment (wins over 1).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from landing_zone.errors import ConfigError, IncompletePlanError
from landing_zone.preview.limits import DEFAULT_PROGRAM_TIMEOUT, DEFAULT_RPC_TIMEOUT, check_size
from landing_zone.preview.redact import Redactor, ScrubbingWriter, strip_controls

EXIT_OK = 0
EXIT_MANDATORY_VIOLATIONS = 1
EXIT_ERROR = 2
#: Azure Resource Manager or azure-native would reject the deployment (wins over 1).
EXIT_AZURE_REJECTS = 3
#: Environment variables for the timeouts, for CI systems that set options that way.
PROGRAM_TIMEOUT_ENV = "LANDING_ZONE_PROGRAM_TIMEOUT"
RPC_TIMEOUT_ENV = "LANDING_ZONE_RPC_TIMEOUT"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="landing-zone",
        description="HIPAA-hardened Azure landing zones for PHI: offline preview with policy enforcement.",
    )
    from landing_zone import cli_commands  # validate-config, policy-pack, audit, --version (DAY-TWO)

    cli_commands.add_version(parser)
    commands = parser.add_subparsers(dest="command", required=True)

    preview = commands.add_parser(
        "preview",
        help="run a Pulumi Python program offline under mocks and enforce policy packs, like `pulumi preview`",
    )
    preview.add_argument("program_dir", nargs="?", default=".", help="folder with Pulumi.yaml (default: .)")
    preview.add_argument("--stack", "-s", help="stack name (default: the only Pulumi.<stack>.yaml, else dev)")
    preview.add_argument(
        "--policy-pack",
        action="append",
        dest="policy_packs",
        metavar="DIR",
        help="policy pack folder; repeatable (default: the project's policy_pack/)",
    )
    preview.add_argument(
        "--policy-pack-config",
        action="append",
        dest="policy_pack_configs",
        metavar="FILE",
        help="JSON config for the policy pack in the same position, as `pulumi preview --policy-pack-config`",
    )
    preview.add_argument(
        "--json", dest="json_file", metavar="FILE", help="also write the result as JSON ('-' for stdout)"
    )
    preview.add_argument(
        "--report",
        dest="report_file",
        metavar="FILE",
        help="write the HIPAA compliance report (Markdown; HTML, CSV or SARIF 2.1.0 by the file's extension)",
    )
    preview.add_argument("--no-policy", action="store_true", help="record resources only; enforce no policy pack")
    preview.add_argument(
        "--program-timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"give up on a program that has not finished after this long (default: ${PROGRAM_TIMEOUT_ENV} or "
        f"{DEFAULT_PROGRAM_TIMEOUT:g})",
    )
    preview.add_argument(
        "--rpc-timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"give up on a policy pack that has not answered one call after this long (default: ${RPC_TIMEOUT_ENV} "
        f"or {DEFAULT_RPC_TIMEOUT:g})",
    )
    preview.add_argument(
        "--strict",
        action="store_true",
        help="regulated CI: lowering a mandatory or critical rule, a wildcard or unapproved exemption, or a waiver "
        "without approver is an error (exit 2); the pack config setting landingZoneGate.strict does the same",
    )
    preview.add_argument("--debug", action="store_true", help="show tracebacks for program errors")

    cli_commands.add_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command != "preview":
            from landing_zone.cli_commands import run

            code = run(arguments)
            if code is not None:
                return code
        try:
            return _preview(arguments)
        finally:  # a program process started early and never taken over (the preview failed first) ends now
            from landing_zone.preview.sandbox import discard_prestarted

            discard_prestarted()
    except BrokenPipeError:  # the reader (`| head`) went away before the verdict was written in full
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        # Fail closed, as `_preview` does for any write error: exit 0 would claim a verdict nobody read.
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("error: interrupted; no verdict", file=sys.stderr)
        return EXIT_ERROR
    except Exception as error:  # fail closed: whatever broke, exit 2 with a message, never a bare traceback
        print(f"error: internal error: {type(error).__name__}: {strip_controls(str(error))}", file=sys.stderr)
        if getattr(arguments, "debug", False):
            traceback.print_exc(file=sys.stderr)
        else:
            print("(run with --debug for the traceback, and report it)", file=sys.stderr)
        return EXIT_ERROR


def _preview(arguments: argparse.Namespace) -> int:
    from landing_zone.preview.sandbox import prestart

    # The program's process imports and starts while this one loads the engine and the packs.
    prestart(arguments.program_dir, arguments.stack, debug=arguments.debug)
    from landing_zone.preview.analyzers import PolicyPackError
    from landing_zone.preview.engine import preview
    from landing_zone.preview.pack_config import PackConfigError, load_pack_config_file
    from landing_zone.preview.project import ProjectError
    from landing_zone.preview.report import render, to_json
    from landing_zone.preview.runner import ProgramError
    from landing_zone.preview.sandbox import ProgramAbortedError

    try:
        program_timeout = _timeout(arguments.program_timeout, PROGRAM_TIMEOUT_ENV, DEFAULT_PROGRAM_TIMEOUT)
        rpc_timeout = _timeout(arguments.rpc_timeout, RPC_TIMEOUT_ENV, DEFAULT_RPC_TIMEOUT)
        _prepare_output(arguments.report_file, "--report")
        _prepare_output(arguments.json_file, "--json")
        packs = [] if arguments.no_policy else arguments.policy_packs
        for path in arguments.policy_pack_configs or []:
            _check_readable_text(path, "policy-pack config file")
        configs = [load_pack_config_file(path) for path in arguments.policy_pack_configs or []]
        result = preview(
            Path(arguments.program_dir),
            arguments.stack,
            policy_packs=packs,
            pack_configs=configs,
            strict=arguments.strict,
            program_timeout=program_timeout,
            rpc_timeout=rpc_timeout,
            debug=arguments.debug,
        )
    except ProgramError as failure:
        # the program's message (or --debug traceback) may quote a credential it registered: scrub it
        redactor = Redactor.for_registrations(failure.registrations)
        with contextlib.redirect_stderr(ScrubbingWriter(sys.stderr, redactor)):
            _report_program_failure(failure.cause, arguments.debug)
        return EXIT_ERROR
    except (ProgramAbortedError, ProjectError, PolicyPackError, PackConfigError, ConfigError, ValueError) as error:
        print(f"error: {strip_controls(str(error))}", file=sys.stderr)
        if arguments.debug:
            traceback.print_exc(file=sys.stderr)
        return EXIT_ERROR

    try:
        if arguments.report_file:
            from landing_zone.preview.compliance import write

            write(
                result,
                arguments.report_file,
                program_dir=arguments.program_dir,
                pack_config_files=arguments.policy_pack_configs or [],
            )
        json_to_stdout = arguments.json_file == "-"
        render(result, sys.stderr if json_to_stdout else sys.stdout, policies_enabled=not arguments.no_policy)
        if arguments.json_file:
            document = json.dumps(to_json(result), indent=2)
            if json_to_stdout:
                print(document)
            else:
                Path(arguments.json_file).write_text(document + "\n", encoding="utf-8")
    except OSError as error:
        print(f"error: cannot write {error.filename or 'the output'}: {error.strerror or error}", file=sys.stderr)
        for written in (arguments.report_file, arguments.json_file):  # no partial set of artifacts
            if written and written != "-":
                with contextlib.suppress(OSError):
                    Path(written).unlink(missing_ok=True)
        return EXIT_ERROR
    return exit_code(result)


class InputFileError(ValueError):
    """An input file the CLI will not read: missing, too large, or not UTF-8. The message names it."""


def _check_readable_text(file: str, what: str) -> None:
    """Fail with the file's name when it is missing, not a file, over the size limit, or not UTF-8."""
    path = Path(file)
    if not path.is_file():
        raise InputFileError(f"{file}: no such file" if not path.exists() else f"{file}: not a file")
    problem = check_size(file, path.stat().st_size, what)
    if problem:
        raise InputFileError(problem)
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputFileError(f"{file}: not UTF-8 text (byte {error.start}); save it as UTF-8") from None


def exit_code(result: Any) -> int:
    """One meaning per code: 3 Azure would reject the deployment (wins over 1), 1 mandatory violations, 0 clean."""
    if getattr(result, "azure_rejections", []):
        return EXIT_AZURE_REJECTS
    return EXIT_MANDATORY_VIOLATIONS if result.mandatory else EXIT_OK


def _report_program_failure(cause: BaseException, debug: bool) -> None:
    """The program's own failure: config problems as a list, an incomplete plan by name, else type and message."""
    from landing_zone.preview.sandbox import RemoteProgramError

    if isinstance(cause, ConfigError):
        print(strip_controls(cause.render()), file=sys.stderr)
        return
    if isinstance(cause, IncompletePlanError):
        subject = f" ({cause.kind}: {cause.subject})" if cause.kind or cause.subject else ""
        origin = f"{getattr(cause, 'origin', '')}: " if getattr(cause, "origin", "") else ""
        print(
            f"error: {strip_controls(origin)}incomplete plan{strip_controls(subject)}: {strip_controls(str(cause))}\n"
            "The offline preview cannot see the whole plan, so it gives no verdict.",
            file=sys.stderr,
        )
        return
    name = cause.type_name if isinstance(cause, RemoteProgramError) else type(cause).__name__
    where = f"{cause.origin}: " if isinstance(cause, RemoteProgramError) and cause.origin else ""
    print(
        f"error: {strip_controls(where)}the program failed: {strip_controls(name)}: {strip_controls(str(cause))}",
        file=sys.stderr,
    )
    if not debug:
        print("(run with --debug for the traceback)", file=sys.stderr)
    elif isinstance(cause, RemoteProgramError):
        print(strip_controls(cause.traceback_text), file=sys.stderr)
    else:
        traceback.print_exception(cause, file=sys.stderr)


def _seconds(text: str) -> float:
    """A timeout: a finite number of seconds above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} must be a finite number of seconds above 0")
    return value


def _timeout(flag: float | None, variable: str, default: float) -> float:
    """The flag's value, else the environment variable's, else the default."""
    if flag is not None:
        return flag
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        return _seconds(text)
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"environment variable {variable}: {error}") from None


def _prepare_output(target: str | None, option: str) -> None:
    """Fail before the run when an output cannot be written, and remove a stale copy from an earlier run.

    A CI job that uploads the file must never find an old passing result after a failed preview.
    """
    if not target or target == "-":
        return
    path = Path(target)
    if path.is_dir():
        raise ValueError(f"{option} {target}: is a directory; give a file name")
    if not path.parent.is_dir():
        raise ValueError(f"{option} {target}: folder {path.parent} does not exist; create it first")
    if path.is_file() or path.is_symlink():
        path.unlink()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
