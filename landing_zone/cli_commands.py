"""The ``landing-zone`` subcommands beyond ``preview``: ``validate-config``, ``policy-pack path``, ``audit``, ``--version``.

`landing_zone.cli` owns the parser's structure, error handling and exit codes; this module adds these
subcommands to it (``add_commands``) and runs them (``run``). Exit codes follow the preview's: 0 a
complete verdict with nothing wrong, 1 mandatory policy violations, 2 any error (message naming the
file, no traceback); ``audit`` adds 4: drift found and no mandatory violation.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from landing_zone.errors import ConfigError, Problem
from landing_zone.preview.redact import one_line, strip_controls

#: The distribution (pyproject.toml ``name``).
DISTRIBUTION = "pulumi-azure-phi-landing-zone"
#: Exit codes (the preview's, and audit's own 4).
EXIT_OK = 0
EXIT_MANDATORY_VIOLATIONS = 1
EXIT_ERROR = 2
EXIT_DRIFT = 4
#: The config key the reference program reads (``pulumi.Config().get_object("landingZone")``).
LANDING_ZONE_KEY = "landingZone"


def tool_version() -> str:
    """The installed distribution's version (importlib.metadata), or ``0+unknown`` from a bare checkout."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


def add_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--version", action="version", version=f"%(prog)s {tool_version()}")


def add_commands(commands: Any) -> None:
    """Register ``validate-config``, ``policy-pack`` and ``audit`` on the CLI's subparsers."""
    validate = commands.add_parser(
        "validate-config",
        help="validate a landing-zone config: a stack file (Pulumi.<stack>.yaml), --stack NAME, or a bare object",
    )
    validate.add_argument(
        "file",
        nargs="?",
        help="Pulumi.<stack>.yaml (reads <project>:landingZone under config:), or a YAML/JSON file holding the "
        "object (optionally under a top-level landingZone key); with --stack, the project folder (default: .)",
    )
    validate.add_argument("--stack", "-s", help="validate Pulumi.<NAME>.yaml of the project in FILE (default: .)")

    pack = commands.add_parser("policy-pack", help="the policy pack installed with this package")
    pack_commands = pack.add_subparsers(dest="pack_command", required=True)
    pack_commands.add_parser(
        "path",
        help='print the pack folder, for `pulumi preview --policy-pack "$(landing-zone policy-pack path)"`',
    )

    audit = commands.add_parser(
        "audit",
        help="run the policy pack and a drift check over a deployed stack's `pulumi stack export` (offline)",
    )
    audit.add_argument(
        "export_file", metavar="EXPORT.json", help="the output of `pulumi stack export` ('-' reads standard input)"
    )
    audit.add_argument(
        "--policy-pack",
        action="append",
        dest="policy_packs",
        metavar="DIR",
        help="policy pack folder; repeatable (default: this package's pack)",
    )
    audit.add_argument(
        "--policy-pack-config",
        action="append",
        dest="policy_pack_configs",
        metavar="FILE",
        help="JSON config for the policy pack in the same position, as `pulumi preview --policy-pack-config`",
    )
    audit.add_argument(
        "--json", dest="json_file", metavar="FILE", help="also write the result as JSON ('-' for stdout)"
    )
    audit.add_argument(
        "--report",
        dest="report_file",
        metavar="FILE",
        help="write the HIPAA compliance report (Markdown; HTML, CSV or SARIF 2.1.0 by the file's extension)",
    )
    audit.add_argument("--strict", action="store_true", help="forbidden weakenings are errors, as in the preview")
    from landing_zone.cli import RPC_TIMEOUT_ENV, _seconds
    from landing_zone.preview.limits import DEFAULT_RPC_TIMEOUT

    audit.add_argument(
        "--rpc-timeout",
        type=_seconds,
        metavar="SECONDS",
        help=f"give up on a policy pack that has not answered one call after this long (default: ${RPC_TIMEOUT_ENV} "
        f"or {DEFAULT_RPC_TIMEOUT:g})",
    )
    audit.add_argument("--debug", action="store_true", help="show tracebacks")


def run(arguments: argparse.Namespace) -> int | None:
    """Run the subcommand this module owns; None when it is not one of them."""
    if arguments.command == "validate-config":
        return validate_config(arguments.file, arguments.stack)
    if arguments.command == "policy-pack":
        return policy_pack_path()
    if arguments.command == "audit":
        return audit_command(arguments)
    return None


# --- policy-pack path -------------------------------------------------------------------------------------------


def policy_pack_path() -> int:
    """Print the pack folder this package ships (the checkout's in a development install)."""
    from landing_zone.preview.pack_location import bundled_policy_pack

    folder = bundled_policy_pack()
    if folder is None:
        print(
            "error: this installation has no policy pack (phi_landing_zone_policy_pack); reinstall "
            f"{DISTRIBUTION} from a wheel or a source checkout",
            file=sys.stderr,
        )
        return EXIT_ERROR
    print(folder)
    return EXIT_OK


# --- validate-config --------------------------------------------------------------------------------------------


def validate_config(file: str | None, stack: str | None) -> int:
    """Validate a stack file's ``<project>:landingZone``, a ``--stack``'s, or a bare object; say which key was read."""
    from landing_zone.cli import InputFileError, _check_readable_text
    from landing_zone.preview.project import ProjectError

    try:
        if stack is not None:
            path = _stack_file(Path(file or "."), stack)
        elif file is None:
            raise InputFileError("give a config file, or --stack NAME (in a project folder)")
        else:
            path = Path(file)
        _check_readable_text(str(path), "landing-zone config file")
        config, key = _load(path)
    except ConfigError as error:
        print(strip_controls(error.render()), file=sys.stderr)
        return EXIT_ERROR
    except (InputFileError, ProjectError) as error:
        print(f"error: {strip_controls(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except (OSError, ValueError) as error:
        print(f"error: {file}: {strip_controls(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    print(
        f"{one_line(str(path))}: read {one_line(key)}: valid landing-zone configuration for {config.prefix}-{config.environment}"
    )
    return EXIT_OK


def _project_header(folder: Path) -> tuple[str, Path] | None:
    """Name and stack-config folder from the project file in ``folder`` (None without one).

    Only these two settings: validating config needs no runnable program, so this reads less than
    `project.load_project` (which also insists on the program's ``__main__.py``).
    """
    from landing_zone import yaml12
    from landing_zone.preview.project import ProjectError

    path = next((folder / name for name in ("Pulumi.yaml", "Pulumi.yml") if (folder / name).is_file()), None)
    if path is None:
        return None
    try:
        document = yaml12.load_file(path)
    except yaml12.YamlError as error:
        raise ProjectError(f"{path}: {error}") from None
    if not isinstance(document, Mapping) or not isinstance(document.get("name"), str):
        raise ProjectError(f"{path}: a project needs a 'name'")
    stack_dir = (folder / str(document.get("stackConfigDir") or ".")).resolve()
    if not stack_dir.is_relative_to(folder.resolve()):
        raise ProjectError(f"{path}: stackConfigDir resolves to {stack_dir}, outside the project folder")
    return document["name"], stack_dir


def _stack_file(folder: Path, stack: str) -> Path:
    from landing_zone.preview.project import ProjectError, check_stack_name

    if folder.is_file():
        raise ProjectError(f"{folder}: with --stack, give the project folder (default: .), not a file")
    check_stack_name(stack)
    header = _project_header(folder)
    if header is None:
        raise ProjectError(f"no Pulumi.yaml in {folder.resolve()}: not a Pulumi project folder")
    name, stack_dir = header
    path = stack_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        stacks = sorted(
            p.name[len("Pulumi.") : -len(".yaml")] for p in stack_dir.glob("Pulumi.*.yaml") if p.name.count(".") == 2
        )
        raise ProjectError(
            f"no stack file {path} for stack {stack!r} in project {name!r} (stacks with files: "
            f"{', '.join(stacks) or 'none'})"
        )
    return path


def _is_stack_file(path: Path, document: Any) -> bool:
    """``Pulumi.<stack>.yaml`` by name, or a document whose only settings sit under ``config:``."""
    name = path.name
    if name.startswith("Pulumi.") and name.endswith((".yaml", ".yml")) and name.count(".") == 2:
        return True
    return isinstance(document, Mapping) and "config" in document and LANDING_ZONE_KEY not in document


def _load(path: Path) -> tuple[Any, str]:
    """The validated config and a description of the key it came from."""
    from landing_zone import yaml12
    from landing_zone.config import load_config_file, parse_config

    if path.suffix.lower() == ".json":
        config = load_config_file(path)
        return config, "the top-level landingZone key" if _has_top_key(path) else "the whole file"
    try:
        document = yaml12.load_file(path)
    except yaml12.YamlError:
        document = None  # load_config_file reports it, with the line
    if document is None or not _is_stack_file(path, document):
        config = load_config_file(path)
        top = isinstance(document, Mapping) and set(document) == {LANDING_ZONE_KEY}
        return config, "the top-level landingZone key" if top else "the whole file as the landingZone object"
    section = document.get("config") if isinstance(document, Mapping) else None
    if not isinstance(section, Mapping):
        raise ConfigError([Problem("config", "a stack file needs a config: section holding landingZone")], str(path))
    key = _landing_zone_key(path, section)
    return parse_config(section[key], f"{path}: {key}"), f"config key '{key}'"


def _has_top_key(path: Path) -> bool:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return False
    return isinstance(document, Mapping) and set(document) == {LANDING_ZONE_KEY}


def _project_name(folder: Path) -> str | None:
    """The project name in the Pulumi.yaml of the stack file's folder or the nearest folder above it."""
    for candidate in [folder, *folder.parents]:
        header = _project_header(candidate)
        if header is not None:
            return header[0]
    return None


def _landing_zone_key(path: Path, section: Mapping[str, Any]) -> str:
    """``<project>:landingZone`` (project from Pulumi.yaml), else ``landingZone``, else the one ``*:landingZone``."""
    project = _project_name(path.resolve().parent)
    candidates = [f"{project}:{LANDING_ZONE_KEY}"] if project else []
    candidates.append(LANDING_ZONE_KEY)
    for key in candidates:
        if key in section:
            return key
    namespaced = sorted(str(key) for key in section if str(key).endswith(f":{LANDING_ZONE_KEY}"))
    if len(namespaced) == 1 and not project:
        return namespaced[0]
    looked = (
        " or ".join(f"'{key}'" for key in candidates) if project else f"'{LANDING_ZONE_KEY}' or '<project>:landingZone'"
    )
    found = f"; it has {', '.join(repr(key) for key in namespaced)}" if namespaced else ""
    raise ConfigError(
        [Problem("config", f"no landing-zone object: looked for {looked}{found}")],
        str(path),
    )


# --- audit ------------------------------------------------------------------------------------------------------


def audit_command(arguments: argparse.Namespace) -> int:
    """Audit a stack export; print, write --json/--report; exit 1 mandatory violations, 4 drift only, 0 clean."""
    import contextlib
    import traceback

    from landing_zone.audit.export import ExportError
    from landing_zone.audit.run import audit
    from landing_zone.cli import RPC_TIMEOUT_ENV, _check_readable_text, _prepare_output, _timeout
    from landing_zone.preview.analyzers import PolicyPackError
    from landing_zone.preview.limits import DEFAULT_RPC_TIMEOUT
    from landing_zone.preview.pack_config import PackConfigError, load_pack_config_file

    try:
        _prepare_output(arguments.report_file, "--report")
        _prepare_output(arguments.json_file, "--json")
        for path in arguments.policy_pack_configs or []:
            _check_readable_text(path, "policy-pack config file")
        configs = [load_pack_config_file(path) for path in arguments.policy_pack_configs or []]
        rpc_timeout = _timeout(arguments.rpc_timeout, RPC_TIMEOUT_ENV, DEFAULT_RPC_TIMEOUT)
        result = audit(
            arguments.export_file,
            policy_packs=arguments.policy_packs,
            pack_configs=configs,
            strict=arguments.strict,
            rpc_timeout=rpc_timeout,
        )
    except (ExportError, PolicyPackError, PackConfigError, ConfigError, ValueError) as error:
        print(f"error: {strip_controls(str(error))}", file=sys.stderr)
        if arguments.debug:
            traceback.print_exc(file=sys.stderr)
        return EXIT_ERROR
    try:
        write_audit(result, arguments.json_file, arguments.report_file)
    except OSError as error:
        with contextlib.suppress(Exception):
            print(f"error: cannot write {error.filename or 'the output'}: {error.strerror or error}", file=sys.stderr)
        return EXIT_ERROR
    return audit_exit_code(result)


def audit_exit_code(result: Any) -> int:
    """1 when a pack's mandatory policy fails (wins), 4 when only drift was found, 0 when neither."""
    if result.policy_mandatory:
        return EXIT_MANDATORY_VIOLATIONS
    return EXIT_DRIFT if result.drift else EXIT_OK


def audit_json(result: Any) -> dict[str, Any]:
    """The preview's --json shape (`report.to_json`) plus ``audit`` (the export) and ``drift`` (with a count)."""
    from landing_zone.preview.redact import Redactor
    from landing_zone.preview.report import to_json

    redactor = Redactor.for_result(result)
    document = to_json(result, redactor)
    document["audit"] = {"export": result.export_file, "notes": list(result.notes)}
    document["drift"] = [item.to_json() for item in result.drift]
    document["summary"]["drift"] = len(result.drift)
    document["summary"]["mandatory"] = len(result.policy_mandatory)
    return json.loads(strip_controls(redactor.scrub(json.dumps(document))))


def render_audit(result: Any) -> str:
    """The preview's console report (`report.render`), headed as an audit, with the drift summary at the end."""
    import io

    from landing_zone.preview.report import render

    buffer = io.StringIO()
    render(result, buffer)
    out = [line for line in (_audit_line(line, result) for line in buffer.getvalue().splitlines()) if line is not None]
    for note in result.notes:
        out.append(f"note: {one_line(note)}")
    if result.drift:
        out.append(
            f"Drift: {len(result.drift)} propert{'y' if len(result.drift) == 1 else 'ies'} changed outside Pulumi"
        )
        by_urn = {r.urn: r for r in result.resources}
        for item in result.drift:
            registration = by_urn.get(item.urn)
            label = f"{registration.type}: {registration.name}" if registration else item.urn
            out.append(
                f"    ~ {one_line(label)}: {one_line(item.property)}: program {item.expected}, Azure {item.actual}"
            )
        if not result.policy_mandatory:
            out.append("Audit FAILED: drift from the program (exit 4).")
    else:
        out.append("No drift: every property the program sets has its deployed value.")
    return "\n".join(out) + "\n"


def _audit_line(line: str, result: Any) -> str | None:
    """One line of the preview's console output, worded for a deployed stack (None drops it)."""
    if line.startswith("Previewing update ("):
        stack, export = one_line(result.run.stack), one_line(result.export_file)
        return f"Auditing deployed stack ({stack}) from {export}: offline, nothing decrypted"
    if line.startswith(" +   ") and line.rstrip().endswith(("create", "create [protect]")):
        return "     " + line[5:].replace("  create", "  deployed")
    if line.lstrip().startswith("+ ") and " to create (" in line:
        return line.replace("+ ", "", 1).replace(" to create (", " deployed (")
    if line.startswith("Preview FAILED: mandatory"):
        return "Audit FAILED: the deployed stack fails mandatory policies." if result.policy_mandatory else None
    if line.startswith("Preview passed"):
        return "Policies passed: no mandatory policy violations."
    return line


def write_audit(result: Any, json_file: str | None, report_file: str | None) -> None:
    from landing_zone.preview.redact import Redactor

    if report_file:
        from landing_zone.preview.compliance import write

        write(result, report_file)
    json_to_stdout = json_file == "-"
    text = strip_controls(Redactor.for_result(result).scrub(render_audit(result)))
    (sys.stderr if json_to_stdout else sys.stdout).write(text)
    if json_file:
        document = json.dumps(audit_json(result), indent=2)
        if json_to_stdout:
            print(document)
        else:
            Path(json_file).write_text(document + "\n", encoding="utf-8")


__all__ = ["EXIT_DRIFT", "add_commands", "add_version", "audit_exit_code", "run", "tool_version"]
