"""A policy-pack session: the Analyzer calls the Pulumi CLI makes during ``pulumi preview``, in its order.

GetAnalyzerInfo, then Configure with the reconciled config (and ConfigureStack, with the stack tags
the CLI sets), then for every resource Remediate and Analyze with its checked inputs and options,
then AnalyzeStack once with every resource, its parent, dependencies and property dependencies.
Diagnostics are attributed to the analyzed resource when the pack leaves the URN empty, as the
engine does.

Properties go to the pack as the CLI marshals them for analyzers (pulumi/pulumi
``sdk/go/common/resource/plugin/analyzer_plugin.go``): top-level internal keys (``__…``) skipped for
Analyze and AnalyzeStack, resource references as the resource's ID (its URN for a component), never
as the reference object the pack's SDK cannot read. Remediations follow the engine's step generator
(``pkg/resource/deploy/step_generator.go``): before Analyze, a remediation's properties replace the
inputs for Analyze and for what follows, and each one is reported (policy, URN, changed keys).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from landing_zone import yaml12
from landing_zone.preview.analyzers import AnalyzerConnection
from landing_zone.preview.pack_config import WIRE_TO_LEVEL, PolicyConfig, reconcile, to_configure_request
from landing_zone.preview.project import PROJECT_TAG, RUNTIME_TAG, TAGS_CONFIG_KEY
from landing_zone.preview.recorder import Registration, go_duration_seconds, without_resource_references

_SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


@dataclass(frozen=True)
class PolicyDiagnostic:
    """One policy verdict against one resource (or the stack), as the CLI would print it."""

    policy_pack: str
    policy_pack_version: str
    policy: str
    description: str
    message: str
    enforcement_level: str
    severity: str
    urn: str
    #: ``violation``, or ``unverifiable`` for the SDK's "can't run policy ... during preview" verdict.
    #: Set here, from the diagnostic's structure, so no report ever infers a verdict from message text.
    kind: str = "violation"

    @property
    def blocking(self) -> bool:
        return self.enforcement_level == "mandatory"

    def to_json(self) -> dict[str, Any]:
        return {
            "policyPack": self.policy_pack,
            "policy": self.policy,
            "enforcementLevel": self.enforcement_level,
            "severity": self.severity,
            "urn": self.urn,
            "message": self.message,
        }


@dataclass(frozen=True)
class NotApplicable:
    """A policy that declared itself not applicable to a resource (or the stack), with its reason (exemptions)."""

    policy: str
    urn: str
    reason: str


@dataclass(frozen=True)
class Remediation:
    """A remediate-level policy changed a resource's inputs before Analyze. Names the keys, never values."""

    policy_pack: str
    policy: str
    urn: str
    changed: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {"policyPack": self.policy_pack, "policy": self.policy, "urn": self.urn, "changed": list(self.changed)}


@dataclass
class PackResult:
    """What one pack said about one preview."""

    name: str
    version: str
    path: Path
    policies: list[analyzer_pb2.PolicyInfo] = field(default_factory=list)
    config: dict[str, PolicyConfig] = field(default_factory=dict)
    diagnostics: list[PolicyDiagnostic] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_applicable: list[NotApplicable] = field(default_factory=list)
    remediations: list[Remediation] = field(default_factory=list)


def pack_version(pack_dir: Path) -> str:
    """The version the CLI reports for a pack: the one in PulumiPolicy.yaml."""
    try:
        document = yaml12.load_file(pack_dir / "PulumiPolicy.yaml") or {}
    except yaml12.YamlError:
        return "0.0.1"
    return str(document.get("version") or "0.0.1") if isinstance(document, Mapping) else "0.0.1"


def default_stack_tags(project: str, stack_config: Mapping[str, str]) -> dict[str, str]:
    """The tags the CLI sends when the caller has not computed them (`project.stack_tags` also has the description)."""
    tags = {PROJECT_TAG: project, RUNTIME_TAG: "python"}
    extra = stack_config.get(TAGS_CONFIG_KEY)
    if extra:
        import json

        try:
            document = json.loads(extra)
        except ValueError:
            document = None
        if isinstance(document, Mapping):
            tags.update({str(key): value for key, value in document.items() if isinstance(value, str)})
    return tags


class PolicyPackSession:
    """Drives one analyzer connection through a preview."""

    def __init__(
        self,
        connection: AnalyzerConnection,
        pack_dir: Path,
        *,
        user_config: Mapping[str, PolicyConfig] | None = None,
        project: str = "project",
        stack: str = "stack",
        dry_run: bool = True,
        stack_config: Mapping[str, str] | None = None,
        secret_keys: Iterable[str] = (),
        stack_tags: Mapping[str, str] | None = None,
    ) -> None:
        self.connection = connection
        self.pack_dir = pack_dir
        self.user_config = user_config
        self.project = project
        self.stack = stack
        self.dry_run = dry_run
        self.stack_config = dict(stack_config or {})
        self.secret_keys = list(secret_keys)
        self.stack_tags = dict(stack_tags) if stack_tags is not None else default_stack_tags(project, self.stack_config)
        self.result: PackResult | None = None
        self._remediates = False

    def start(self) -> PackResult:
        """GetAnalyzerInfo, reconcile and validate config, Configure. Raises PackConfigError on bad config."""
        info = self.connection.get_analyzer_info()
        config, warnings = reconcile(info, self.user_config)
        self.connection.configure(to_configure_request(config))
        self.connection.configure_stack(
            analyzer_pb2.AnalyzerStackConfigureRequest(
                stack=self.stack,
                project=self.project,
                organization="organization",
                dry_run=self.dry_run,
                config=self.stack_config,
                config_secret_keys=self.secret_keys,
                tags=self.stack_tags,
            )
        )
        self.result = PackResult(
            info.name, pack_version(self.pack_dir), self.pack_dir, list(info.policies), config, [], warnings
        )
        # The pack's Remediate runs only remediate-level policies; with none it answers nothing, so skip the call.
        self._remediates = any(value.enforcement_level == "remediate" for value in config.values())
        return self.result

    def analyze_all(self, registrations: Sequence[Registration]) -> list[PolicyDiagnostic]:
        """Analyze each resource, then the stack; return every diagnostic in that order."""
        by_urn = {registration.urn: registration for registration in registrations}
        for registration in registrations:
            self.analyze_resource(registration, by_urn)
        return self.analyze_stack(registrations)

    def analyze_resource(self, registration: Registration, by_urn: Mapping[str, Registration]) -> None:
        """Remediate, then analyze one resource as it registers (``by_urn`` needs at least its provider)."""
        response = self.connection.analyze(self.prepare(registration, by_urn))
        self.collect(response, registration.urn)

    def prepare(self, registration: Registration, by_urn: Mapping[str, Registration]) -> analyzer_pb2.AnalyzeRequest:
        """Run Remediate (when a policy is remediate-level) and return the Analyze request for what results.

        A remediation's properties replace the resource's checked inputs, and overlay its outputs, so
        Analyze, other packs and AnalyzeStack see the remediated resource, as under the CLI.
        """
        if self._remediates and registration.custom:
            self._remediate(registration, by_urn)
        return analyze_request(registration, by_urn)

    def _remediate(self, registration: Registration, by_urn: Mapping[str, Registration]) -> None:
        assert self.result is not None, "start() must run first"
        request = analyze_request(registration, by_urn, skip_internal=False)
        response = _call_remediate(self.connection, request)
        for remediation in response.remediations:
            if remediation.diagnostic:  # the engine shows it as an advisory violation
                self.result.diagnostics.append(
                    PolicyDiagnostic(
                        policy_pack=remediation.policyPackName or self.result.name,
                        policy_pack_version=self.result.version,
                        policy=remediation.policyName,
                        description=remediation.description,
                        message=remediation.diagnostic,
                        enforcement_level="advisory",
                        severity="",
                        urn=registration.urn,
                    )
                )
                continue
            before = dict(registration.checked.fields)
            after = remediation.properties
            changed = tuple(
                sorted(
                    key
                    for key in set(before) | set(after.fields)
                    if key not in before or key not in after.fields or before[key] != after.fields[key]
                )
            )
            inputs = struct_pb2.Struct()
            inputs.CopyFrom(after)
            registration.checked_struct = inputs
            for key in changed:
                if key in after.fields:
                    registration.outputs_struct.fields[key].CopyFrom(after.fields[key])
                elif key in registration.outputs_struct.fields:
                    del registration.outputs_struct.fields[key]
            self.result.remediations.append(
                Remediation(
                    remediation.policyPackName or self.result.name, remediation.policyName, registration.urn, changed
                )
            )
        for entry in response.not_applicable:
            self.result.not_applicable.append(NotApplicable(entry.policy_name, registration.urn, entry.reason))

    def analyze_stack(self, registrations: Sequence[Registration]) -> list[PolicyDiagnostic]:
        """Analyze the whole stack once every resource is registered; return every diagnostic so far."""
        by_urn = {registration.urn: registration for registration in registrations}
        request = analyzer_pb2.AnalyzeStackRequest(resources=[stack_resource(r, by_urn) for r in registrations])
        self.collect(self.connection.analyze_stack(request), "")
        assert self.result is not None
        return self.result.diagnostics

    def collect(self, response: analyzer_pb2.AnalyzeResponse, urn: str) -> None:
        """Record a response's diagnostics and not-applicable verdicts, attributed to ``urn`` when the pack left it empty."""
        assert self.result is not None, "start() must run first"
        for diagnostic in response.diagnostics:
            self.result.diagnostics.append(
                PolicyDiagnostic(
                    policy_pack=diagnostic.policyPackName or self.result.name,
                    policy_pack_version=self.result.version,
                    policy=diagnostic.policyName,
                    description=diagnostic.description,
                    message=diagnostic.message,
                    enforcement_level=WIRE_TO_LEVEL.get(diagnostic.enforcementLevel, "advisory"),
                    severity=_SEVERITIES.get(diagnostic.severity, ""),
                    urn=diagnostic.urn or urn,
                    kind=diagnostic_kind(diagnostic),
                )
            )
        for entry in response.not_applicable:
            self.result.not_applicable.append(NotApplicable(entry.policy_name, urn, entry.reason))


def diagnostic_kind(diagnostic: analyzer_pb2.AnalyzeDiagnostic) -> str:
    """``unverifiable`` only for the diagnostic the pulumi-policy SDK itself builds when a policy reads a value
    unknown at preview: advisory, with its exact ``can't run policy '<name>' from policy pack '<pack>@v<version>'
    during preview:`` opening. A violation's message always opens with the policy's description (the SDK
    prepends it), so text from a resource or a pack's message cannot make a violation look unverifiable."""
    opening = (
        f"can't run policy '{diagnostic.policyName}' from policy pack "
        f"'{diagnostic.policyPackName}@v{diagnostic.policyPackVersion}' during preview: "
    )
    unverifiable = (
        diagnostic.enforcementLevel == analyzer_pb2.ADVISORY
        and diagnostic.message.startswith(opening)
        and not (diagnostic.description and diagnostic.message.startswith(diagnostic.description))
    )
    return "unverifiable" if unverifiable else "violation"


def _call_remediate(
    connection: AnalyzerConnection, request: analyzer_pb2.AnalyzeRequest
) -> analyzer_pb2.RemediateResponse:
    """Remediate over whichever transport the connection uses (the connection classes predate Remediate)."""
    method = getattr(connection, "remediate", None)
    if method is not None:
        return method(request)
    servicer = getattr(connection, "_servicer", None)
    if servicer is not None:
        return servicer.Remediate(request, None)
    return connection._call("Remediate", request)  # type: ignore[attr-defined]


def _options(registration: Registration) -> analyzer_pb2.AnalyzerResourceOptions:
    options = analyzer_pb2.AnalyzerResourceOptions(
        protect=registration.protect,
        ignoreChanges=registration.ignore_changes,
        deleteBeforeReplace=registration.delete_before_replace,
        deleteBeforeReplaceDefined=registration.delete_before_replace_defined,
        additionalSecretOutputs=registration.additional_secret_outputs,
        aliases=[alias["urn"] for alias in registration.aliases if "urn" in alias],
        parent=registration.parent or "",
    )
    if registration.custom_timeouts:
        options.customTimeouts.CopyFrom(
            analyzer_pb2.AnalyzerResourceOptions.CustomTimeouts(
                create=_seconds(registration.custom_timeouts.get("create")),
                update=_seconds(registration.custom_timeouts.get("update")),
                delete=_seconds(registration.custom_timeouts.get("delete")),
            )
        )
    return options


def _seconds(duration: str | None) -> float:
    """Pulumi custom timeouts are Go durations (checked at registration); the analyzer wants seconds."""
    return go_duration_seconds(duration)


def analyzer_properties(properties: struct_pb2.Struct, *, skip_internal: bool = True) -> struct_pb2.Struct:
    """Properties as the CLI marshals them for a pack: internal keys skipped, resource references as IDs."""
    if not (skip_internal and any(key.startswith("__") for key in properties.fields)):
        return without_resource_references(properties)
    result = struct_pb2.Struct()
    for key, value in without_resource_references(properties).fields.items():
        if not key.startswith("__"):
            result.fields[key].CopyFrom(value)
    return result


def _provider(
    registration: Registration, by_urn: Mapping[str, Registration]
) -> analyzer_pb2.AnalyzerProviderResource | None:
    if not registration.provider:
        return None
    provider = by_urn.get(registration.provider.rsplit("::", 1)[0])
    if provider is None:
        return None
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=provider.inputs_struct, urn=provider.urn, name=provider.name
    )


def analyze_request(
    registration: Registration, by_urn: Mapping[str, Registration], *, skip_internal: bool = True
) -> analyzer_pb2.AnalyzeRequest:
    """The Analyze (or, with internal keys kept, Remediate) call for one resource: its checked inputs,
    its options and its provider."""
    request = analyzer_pb2.AnalyzeRequest(
        type=registration.type,
        properties=analyzer_properties(registration.checked, skip_internal=skip_internal),
        urn=registration.urn,
        name=registration.name,
        options=_options(registration),
    )
    provider = _provider(registration, by_urn)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def stack_resource(registration: Registration, by_urn: Mapping[str, Registration]) -> analyzer_pb2.AnalyzerResource:
    """The AnalyzeStack entry for one resource: its outputs, parent and dependency edges."""
    resource = analyzer_pb2.AnalyzerResource(
        type=registration.type,
        properties=analyzer_properties(registration.outputs_struct),
        urn=registration.urn,
        name=registration.name,
        options=_options(registration),
        parent=registration.parent or "",
        dependencies=registration.dependencies,
    )
    for key, urns in registration.property_dependencies.items():
        resource.propertyDependencies[key].urns.extend(urns)
    provider = _provider(registration, by_urn)
    if provider is not None:
        resource.provider.CopyFrom(provider)
    return resource
