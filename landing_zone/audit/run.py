"""Run the policy pack and the drift check over a deployed stack (a ``pulumi stack export`` file), offline.

The pack is driven exactly as in the preview (`landing_zone.preview.policy.PolicyPackSession` over a
`SubprocessAnalyzer`: GetAnalyzerInfo, Configure with ``--policy-pack-config``, ConfigureStack, Analyze
per resource, AnalyzeStack once), with each resource's deployed properties: its outputs, over its
inputs for what Azure never returns. Drift findings become the diagnostics of a built-in pseudo-pack,
``deployed-state-drift``, so every report format (console, JSON, Markdown/HTML/CSV, SARIF) shows them
beside the pack's verdicts without a format of its own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pulumi.runtime.proto import analyzer_pb2

from landing_zone.audit.drift import Drift, find_drift
from landing_zone.audit.export import Deployment, load_export
from landing_zone.preview.analyzers import (
    AnalyzerConnection,
    InProcessAnalyzer,
    PolicyPackError,
    SubprocessAnalyzer,
    validate_pack_dir,
)
from landing_zone.preview.engine import PreviewResult, default_policy_pack
from landing_zone.preview.limits import DEFAULT_RPC_TIMEOUT
from landing_zone.preview.pack_config import PolicyConfig, check_config_count
from landing_zone.preview.policy import PackResult, PolicyDiagnostic, PolicyPackSession
from landing_zone.preview.recorder import ROOT_STACK_TYPE
from landing_zone.preview.runner import ProgramRun
from landing_zone.preview.weakenings import gate

#: The pseudo-pack that carries drift findings in every report.
DRIFT_PACK = "deployed-state-drift"
#: Its one policy.
DRIFT_POLICY = "no-drift-from-program"
DRIFT_DESCRIPTION = "Deployed settings must match the program: a property the program sets was changed outside Pulumi."
#: 45 CFR 164.308(a)(8): evaluate the safeguards "in response to environmental or operational changes".
DRIFT_CITATION = ("164.308(a)(8)", "Evaluation")


@dataclass
class AuditResult(PreviewResult):
    """A preview-shaped result (so the preview's reports render it) plus the drift and the export's notes."""

    drift: list[Drift] = field(default_factory=list)
    export_file: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def policy_mandatory(self) -> list[PolicyDiagnostic]:
        """Mandatory verdicts of the real packs (drift excluded)."""
        return [d for d in self.mandatory if d.policy_pack != DRIFT_PACK]


def audit(
    export_file: str | Path,
    *,
    policy_packs: Sequence[str | Path] | None = None,
    pack_configs: Sequence[Mapping[str, PolicyConfig] | None] = (),
    strict: bool = False,
    rpc_timeout: float = DEFAULT_RPC_TIMEOUT,
    in_process: bool = False,
) -> AuditResult:
    """Audit one export. Raises ExportError, PolicyPackError or PackConfigError (StrictModeError); never exits.

    ``in_process=True`` loads the packs into this process (trusted packs only: the test suite's own).
    """
    deployment = load_export(export_file)
    pack_dirs = [validate_pack_dir(p) for p in (policy_packs if policy_packs is not None else [default_policy_pack()])]
    check_config_count(pack_configs, len(pack_dirs))
    registrations = deployment.registrations
    root = next((r for r in registrations if r.type == ROOT_STACK_TYPE), None)
    run = ProgramRun(
        deployment.project, deployment.stack, False, registrations, dict(root.outputs) if root is not None else {}
    )
    result = AuditResult(run, export_file=str(export_file), notes=list(deployment.notes))
    with contextlib.ExitStack() as cleanup:
        for index, pack_dir in enumerate(pack_dirs):
            connection: AnalyzerConnection = (
                InProcessAnalyzer(pack_dir)
                if in_process
                else SubprocessAnalyzer(
                    pack_dir,
                    project=deployment.project,
                    stack=deployment.stack,
                    dry_run=False,
                    rpc_timeout=rpc_timeout,
                )
            )
            cleanup.callback(connection.close)
            session = PolicyPackSession(
                connection,
                pack_dir,
                user_config=pack_configs[index] if index < len(pack_configs) else None,
                project=deployment.project,
                stack=deployment.stack,
                dry_run=False,
            )
            session.start()
            session.analyze_all(registrations)
            assert session.result is not None
            session.result.warnings.extend(getattr(connection, "notes", []))
            result.packs.append(session.result)
    result.weakenings = gate(result.packs, pack_configs, registrations, strict=strict)
    result.drift = find_all_drift(deployment)
    result.packs.append(drift_pack(result.drift, Path(export_file)))
    return result


def find_all_drift(deployment: Deployment) -> list[Drift]:
    return [drift for resource in deployment.resources for drift in find_drift(resource)]


def drift_pack(drift: Sequence[Drift], source: Path) -> PackResult:
    """The drift findings as the verdicts of a mandatory policy, with its citation and remediation."""
    from landing_zone.cli_commands import tool_version

    reference, title = DRIFT_CITATION
    policy = analyzer_pb2.PolicyInfo(
        name=DRIFT_POLICY,
        displayName="No drift from the program",
        description=DRIFT_DESCRIPTION,
        enforcementLevel=analyzer_pb2.MANDATORY,
        policy_type=analyzer_pb2.POLICY_TYPE_RESOURCE,
        severity=analyzer_pb2.POLICY_SEVERITY_HIGH,
        framework=analyzer_pb2.PolicyComplianceFramework(
            name="HIPAA Security Rule", version="45 CFR Part 164 Subpart C", reference=reference, specification=title
        ),
        remediation_steps=(
            "Find the change in the Azure activity log and who made it. Restore the program's value with "
            "`pulumi up` (or `pulumi refresh` then `pulumi up`); if the change is wanted, make it in the program "
            "and review it like any other change."
        ),
    )
    version = tool_version()
    diagnostics = [
        PolicyDiagnostic(
            policy_pack=DRIFT_PACK,
            policy_pack_version=version,
            policy=DRIFT_POLICY,
            description=DRIFT_DESCRIPTION,
            message=f"{DRIFT_DESCRIPTION} {item.message}",
            enforcement_level="mandatory",
            severity="high",
            urn=item.urn,
        )
        for item in drift
    ]
    return PackResult(
        DRIFT_PACK,
        version,
        source,
        [policy],
        {DRIFT_POLICY: PolicyConfig("mandatory")},
        diagnostics,
    )


__all__ = ["DRIFT_PACK", "DRIFT_POLICY", "AuditResult", "PolicyPackError", "audit", "drift_pack", "find_all_drift"]
