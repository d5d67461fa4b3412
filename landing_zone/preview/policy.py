"""A policy-pack session: the Analyzer calls the Pulumi CLI makes during ``pulumi preview``, in its order.

GetAnalyzerInfo, then Configure with the reconciled config (and ConfigureStack, with the stack tags
the CLI sets), then for every resource Remediate and Analyze with its checked inputs and options,
then AnalyzeStack once with every resource, its parent, dependencies and property dependencies.
Diagnostics are attributed to the analyzed resource when the pack leaves the URN empty, as the
engine does.

Properties go to the pack as the CLI marshals them for analyzers (pulumi/pulumi
``sdk/go/common/resource/plugin/analyzer_plugin.go``): top-level internal keys (``__…``) skipped for
Analyze and AnalyzeStack, resource references as the resource's ID (its URN for a component), never
as the reference object the pack's SDK cannot read.

Remediations, as verified in pulumi/pulumi (commit 1b59498, 2026-08-21) and pulumi-policy 1.x:

- ``pkg/resource/deploy/step_generator.go`` (``continueStepsFromImport``): after the provider's
  Check (``inputs = resp.Properties``), a first pass calls ``Remediate`` on every analyzer in the
  order the packs were given, each with the inputs the previous one left; a second pass calls
  ``Analyze`` on every analyzer (in parallel) with the final inputs (``analyzeAll``). Every resource
  goes through both passes: custom resources, providers and components alike.
- A remediation with properties replaces the inputs outright (``inputs = tresult.Properties``) and
  ``new.Inputs``: that is what the Create/Update step sends to the provider (``step.go``
  ``CreateStep.Apply``, ``Properties: s.new.Inputs``), so the provider's preview outputs, which
  AnalyzeStack reads, are those of the remediated resource; we compute them again the way the
  recorder does (`stack_outputs`). A component has no provider call: its outputs are whatever it
  registers, untouched by a remediation.
- Each remediation emits ``OnPolicyRemediation(urn, remediation, before, after)``; the display
  (``pkg/backend/display/diff.go``, ``renderDiffPolicyRemediationEvent``) shows
  ``[remediate] <policy>`` with the diff of before/after, and nothing when there is no diff.
- A remediation that carries a ``diagnostic`` instead of properties changes nothing and is shown as an
  advisory policy violation (``OnPolicyViolation`` with ``apitype.Advisory``). The Python SDK
  (``pulumi_policy/policy.py``, ``Remediate``) sends exactly that, ``can't run remediation '<policy>'
  from policy pack '<pack>@v<version>' during preview: …``, when the remediation reads a value
  unknown at preview; we record it as ``unverifiable``.
- Properties cross the wire with ``KeepUnknowns``, ``KeepSecrets`` and internal keys in both directions
  (``analyzer_plugin.go``, ``Remediate``): a value the remediation returns unknown stays unknown for
  Analyze, a secret stays a secret.
- Only remediate-level policies remediate: the pack's SDK skips every other level, ``disabled`` included
  (its own or from config, ``_get_enforcement_level``), and answers nothing. We skip the RPC for a pack
  with no remediate-level policy: the answer would be empty. (The CLI also skips a pack whose
  ``Remediate`` is ``Unimplemented``; every Python pack implements it.)
- A diagnostic reported at ``remediate`` level by Analyze or AnalyzeStack counts as ``mandatory``
  (``analyze_snapshot.go``, ``analyzeResource``; ``AnalyzeStack`` in ``step_generator.go``).

Each remediation is recorded (`Remediation`) with the property paths it changed, never the values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2

from landing_zone import yaml12
from landing_zone.preview.analyzers import AnalyzerConnection
from landing_zone.preview.pack_config import WIRE_TO_LEVEL, PolicyConfig, reconcile, to_configure_request
from landing_zone.preview.project import PROJECT_TAG, RUNTIME_TAG, TAGS_CONFIG_KEY
from landing_zone.preview.recorder import (
    PROVIDER_TYPE_PREFIX,
    SECRET_SIG,
    SECRET_VALUE_SIG,
    STACK_REFERENCE_TYPE,
    Registration,
    go_duration_seconds,
    without_resource_references,
)
from landing_zone.preview.stack_outputs import preview_state_struct

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
    """A remediate-level policy changed a resource's inputs before Analyze.

    ``changed`` names the property paths that differ (``minimumTlsVersion``, ``networkAcls.defaultAction``,
    ``tags["cost center"]``), never their values: a remediated input may be a secret.
    """

    policy_pack: str
    policy: str
    urn: str
    changed: tuple[str, ...]
    policy_pack_version: str = ""
    description: str = ""

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
        """Remediate, then analyze one resource as it registers (``by_urn`` needs at least its provider).

        For one pack only: with several, every pack remediates before any analyzes (`remediate_all`).
        """
        self.remediate(registration, by_urn)
        self.analyze(registration, by_urn)

    def analyze(self, registration: Registration, by_urn: Mapping[str, Registration]) -> None:
        """Analyze one resource as it stands now (after every pack's remediations)."""
        response = self.connection.analyze(analyze_request(registration, by_urn))
        self.collect(response, registration.urn)

    def remediate(self, registration: Registration, by_urn: Mapping[str, Registration]) -> None:
        """Run this pack's Remediate on one resource (when a policy is remediate-level) and carry the result forward.

        A remediation's properties replace the resource's checked inputs, which the next pack's
        Remediate, every pack's Analyze and the Azure constraints read; for a custom resource they also
        replace the same keys of its outputs, which AnalyzeStack reads (what the provider's preview
        Create would echo back).
        """
        assert self.result is not None, "start() must run first"
        if not self._remediates:
            return
        request = analyze_request(registration, by_urn, skip_internal=False)
        response = _call_remediate(self.connection, request)
        for remediation in response.remediations:
            if remediation.diagnostic:  # the engine shows it as an advisory violation; nothing changes
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
                        kind=remediation_diagnostic_kind(remediation),
                    )
                )
                continue
            before = json_format.MessageToDict(registration.checked)
            after = struct_pb2.Struct()
            after.CopyFrom(remediation.properties)
            changed = changed_paths(before, json_format.MessageToDict(after))
            top_level = {_top_key(path) for path in changed}
            registration.checked_struct = after
            if registration.custom:
                _carry_to_outputs(registration, top_level, dry_run=self.dry_run)
            if changed:  # the CLI shows nothing for a remediation that changed nothing
                self.result.remediations.append(
                    Remediation(
                        policy_pack=remediation.policyPackName or self.result.name,
                        policy=remediation.policyName,
                        urn=registration.urn,
                        changed=changed,
                        policy_pack_version=self.result.version,
                        description=remediation.description,
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
                    enforcement_level=_reported_level(diagnostic.enforcementLevel),
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


def _carry_to_outputs(registration: Registration, changed: set[str], *, dry_run: bool) -> None:
    """A remediated custom resource's outputs: what its provider's Create answers for the remediated inputs.

    At preview that is the provider's preview answer computed again from the new checked inputs
    (`stack_outputs.preview_state_struct`, as the recorder computed it from the program's); a provider
    resource, a stack reference or a run outside preview gets the changed top-level inputs overlaid.
    """
    previewed = (
        dry_run and not registration.type.startswith(PROVIDER_TYPE_PREFIX) and registration.type != STACK_REFERENCE_TYPE
    )
    if previewed:
        registration.outputs_struct = preview_state_struct(
            registration.type,
            without_resource_references(registration.checked),
            list(registration.additional_secret_outputs),
        )
        return
    for key in changed:
        if key in registration.checked.fields:
            registration.outputs_struct.fields[key].CopyFrom(registration.checked.fields[key])
        elif key in registration.outputs_struct.fields:
            del registration.outputs_struct.fields[key]


def remediate_all(
    sessions: Sequence[PolicyPackSession], registration: Registration, by_urn: Mapping[str, Registration]
) -> None:
    """The CLI's first pass over one resource: every pack's Remediate in the order the packs were given,
    each seeing what the previous one left. Analyze comes after, for every pack, on the final inputs."""
    for session in sessions:
        session.remediate(registration, by_urn)


def _reported_level(wire: int) -> str:
    """A diagnostic's level as the CLI counts it: ``remediate`` reported by Analyze means the remediation did not
    fix it, so it is ``mandatory`` (``analyze_snapshot.go``)."""
    level = WIRE_TO_LEVEL.get(wire, "advisory")
    return "mandatory" if level == "remediate" else level


def remediation_diagnostic_kind(remediation: analyzer_pb2.Remediation) -> str:
    """``unverifiable`` for the SDK's "can't run remediation ... during preview" answer (a value unknown at
    preview), else ``violation``: either way the CLI shows it as an advisory violation."""
    opening = f"can't run remediation '{remediation.policyName}' from policy pack '{remediation.policyPackName}@v"
    return "unverifiable" if remediation.diagnostic.startswith(opening) else "violation"


_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _path(prefix: str, key: str) -> str:
    """A Pulumi property path: ``a.b`` for identifiers, ``a["key with spaces"]`` otherwise."""
    if _IDENTIFIER.fullmatch(key):
        return f"{prefix}.{key}" if prefix else key
    return f"{prefix}[{json.dumps(key)}]"


def _top_key(path: str) -> str:
    """The top-level property a path starts in (``tags["a b"]`` -> ``tags``; ``["a.b"].c`` -> ``a.b``)."""
    if path.startswith("["):
        return json.JSONDecoder().raw_decode(path, 1)[0]
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == SECRET_VALUE_SIG


def changed_paths(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The property paths whose values differ between two wire-format property maps, in sorted order.

    Objects are compared key by key and lists of equal length item by item; a list that grew or shrank is
    one path. A secret is never looked into: a change anywhere inside it is the secret's own path. Top-level
    internal keys (``__…``) are the engine's, not the resource's, and are not reported.
    """
    found: list[str] = []

    def walk(old: Any, new: Any, prefix: str) -> None:
        if old == new:
            return
        if _is_secret(old) or _is_secret(new):
            found.append(prefix)
        elif isinstance(old, Mapping) and isinstance(new, Mapping):
            for key in sorted(set(old) | set(new)):
                if not prefix and key.startswith("__"):
                    continue
                walk(old.get(key, _ABSENT), new.get(key, _ABSENT), _path(prefix, key))
        elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
            for index, (left, right) in enumerate(zip(old, new, strict=True)):
                walk(left, right, f"{prefix}[{index}]")
        else:
            found.append(prefix)

    walk(dict(before), dict(after), "")
    return tuple(found)


_ABSENT = object()


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
    # the provider's inputs as the engine holds them (checked, then remediated), internal keys skipped
    # (``marshalProvider`` in analyzer_plugin.go)
    return analyzer_pb2.AnalyzerProviderResource(
        type=provider.type, properties=analyzer_properties(provider.checked), urn=provider.urn, name=provider.name
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
