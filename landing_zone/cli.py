"""``landing-zone``: the offline preview with policy verdicts, and configuration checks.

Exit codes: 0 no mandatory violation, 1 at least one mandatory violation, 2 the program, its
configuration or the policy-pack configuration failed (a message, no traceback unless --debug).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path

from landing_zone.errors import ConfigError

EXIT_OK = 0
EXIT_MANDATORY_VIOLATIONS = 1
EXIT_ERROR = 2
#: Azure Resource Manager or azure-native would reject the deployment (wins over 1).
EXIT_AZURE_REJECTS = 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="landing-zone",
        description="HIPAA-hardened Azure landing zones for PHI: offline preview with policy enforcement.",
    )
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
        help="write the HIPAA compliance report (Markdown; HTML or CSV by the file's extension)",
    )
    preview.add_argument("--no-policy", action="store_true", help="record resources only; enforce no policy pack")
    preview.add_argument(
        "--in-process",
        action="store_true",
        help="load packs in this process instead of over gRPC (faster; the default matches the CLI exactly)",
    )
    preview.add_argument(
        "--strict",
        action="store_true",
        help="regulated CI: lowering a mandatory or critical rule, a wildcard or unapproved exemption, or a waiver "
        "without approver is an error (exit 2); the pack config setting landingZoneGate.strict does the same",
    )
    preview.add_argument("--debug", action="store_true", help="show tracebacks for program errors")

    validate = commands.add_parser("validate-config", help="validate a landing-zone config file (YAML or JSON)")
    validate.add_argument("file", help="YAML or JSON file, optionally with a top-level landingZone key")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    try:
        if arguments.command == "validate-config":
            return _validate_config(arguments.file)
        return _preview(arguments)
    except BrokenPipeError:  # the reader (`| head`) went away: not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _validate_config(file: str) -> int:
    from landing_zone.config import load_config_file

    try:
        config = load_config_file(file)
    except ConfigError as error:
        print(error.render(), file=sys.stderr)
        return EXIT_ERROR
    print(f"{file}: valid landing-zone configuration for {config.prefix}-{config.environment}")
    return EXIT_OK


def _preview(arguments: argparse.Namespace) -> int:
    from landing_zone.preview.analyzers import PolicyPackError
    from landing_zone.preview.engine import preview
    from landing_zone.preview.pack_config import PackConfigError, load_pack_config_file
    from landing_zone.preview.project import ProjectError
    from landing_zone.preview.report import render, to_json
    from landing_zone.preview.runner import ProgramError

    try:
        packs = [] if arguments.no_policy else arguments.policy_packs
        configs = [load_pack_config_file(path) for path in arguments.policy_pack_configs or []]
        result = preview(
            Path(arguments.program_dir),
            arguments.stack,
            policy_packs=packs,
            pack_configs=configs,
            in_process=arguments.in_process,
            strict=arguments.strict,
        )
    except ProgramError as failure:
        cause = failure.cause
        if isinstance(cause, ConfigError):
            print(cause.render(), file=sys.stderr)
        else:
            print(f"error: the program failed: {type(cause).__name__}: {cause}", file=sys.stderr)
            if arguments.debug:
                traceback.print_exception(cause, file=sys.stderr)
            else:
                print("(run with --debug for the traceback)", file=sys.stderr)
        return EXIT_ERROR
    except (ProjectError, PolicyPackError, PackConfigError, ConfigError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        if arguments.debug:
            traceback.print_exc(file=sys.stderr)
        return EXIT_ERROR

    if arguments.report_file:
        from landing_zone.preview.compliance import write

        write(result, arguments.report_file)
    json_to_stdout = arguments.json_file == "-"
    render(result, sys.stderr if json_to_stdout else sys.stdout, policies_enabled=not arguments.no_policy)
    if arguments.json_file:
        document = json.dumps(to_json(result), indent=2)
        if json_to_stdout:
            print(document)
        else:
            Path(arguments.json_file).write_text(document + "\n", encoding="utf-8")
    if result.azure_rejections:
        return EXIT_AZURE_REJECTS
    return EXIT_MANDATORY_VIOLATIONS if result.mandatory else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
