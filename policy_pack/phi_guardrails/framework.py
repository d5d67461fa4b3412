"""The small framework every rule plugs into.

A `ResourceRule` is one control: an id, what it requires, the HIPAA paragraph it implements, a
severity, a default enforcement level, remediation steps, and one `Target` per resource type it
reads (azure-native and the classic azure provider spell the same setting differently). A target's
check yields violation messages; it reads properties through `ResourceView`, which:

- matches types in any API version (``azure-native:keyvault/v20230701:Vault`` is a Vault);
- reads nested wire-format properties by dotted path;
- turns a value unknown at preview into `UnverifiableError`, which the rule reports as "cannot be
  verified until apply" for that property and resource, instead of passing silently or crashing.

Messages never echo property values: policies see secrets in plaintext.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyComplianceFramework,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from phi_guardrails.citations import FRAMEWORK_NAME, FRAMEWORK_VERSION, Citation
from phi_guardrails.environment import decide
from phi_guardrails.exemptions import EXEMPTIONS_SCHEMA, exemptions_from, find
from phi_guardrails.untrusted import quoted

_MISSING = object()
#: In a target's types: the check reads every resource type.
ANY_TYPE = "*"


class UnverifiableError(Exception):
    """A property needed by a check is unknown until apply (it depends on another resource's output)."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@lru_cache(maxsize=4096)  # every rule asks of every resource: a pack sees few distinct tokens
def canonical_type(token: str) -> str:
    """A type token without its API version.

    ``azure-native:keyvault/v20230701:Vault`` becomes ``azure-native:keyvault:Vault``.

    Classic-provider tokens (``azure:keyvault/keyVault:KeyVault``) keep their module path: there the
    segment after ``/`` is part of the name, not a version.
    """
    parts = token.split(":")
    if len(parts) == 3 and parts[0] in ("azure-native", "azure-nextgen") and "/" in parts[1]:
        module, _, version = parts[1].partition("/")
        if version.startswith("v") and version[1:2].isdigit():
            return f"{parts[0]}:{module}:{parts[2]}"
    return token


class ResourceView:
    """Read-only, unknown-aware access to one resource's properties."""

    def __init__(
        self, resource_type: str, name: str, urn: str, props: Mapping[str, Any], config: Mapping[str, Any] | None = None
    ) -> None:
        self.type = canonical_type(resource_type)
        self.name = name
        self.urn = urn
        self._props = props
        self.config: Mapping[str, Any] = config or {}

    @classmethod
    def from_args(cls, args: ResourceValidationArgs) -> ResourceView:
        return cls(args.resource_type, args.name, args.urn, args.props, args.get_config())

    def get(self, path: str, default: Any = None) -> Any:
        """The value at a dotted wire-format path (``properties.networkAcls.defaultAction``).

        Missing keys give ``default``. A key matches exactly, else case-insensitively, so hand-written
        resources with unusual casing are still read. Raises `UnverifiableError` for a value unknown at preview.
        """
        current: Any = self._props
        for key in path.split("."):
            if not isinstance(current, Mapping):
                return default
            try:
                value = _lookup(current, key)
            except UnknownValueError:
                raise UnverifiableError(path) from None
            if value is _MISSING:
                return default
            current = value
        return current

    @property
    def props(self) -> Mapping[str, Any]:
        """All properties, for checks that scan everything (values unknown at preview raise when read)."""
        return self._props

    def has(self, path: str) -> bool:
        """True when the property is set to something non-empty, or to a value unknown until apply.

        For presence checks (``a workspace is configured``) an unknown value is enough: it will be
        an ID, just not one known at preview.
        """
        try:
            value = self.get(path)
        except UnverifiableError:
            return True
        if isinstance(value, (Mapping, Sequence)):
            return len(value) > 0  # by size: comparing contents would read values unknown at preview
        return value is not None

    def first(self, *paths: str, default: Any = None) -> Any:
        """The value of the first path that is present (for renamed properties across provider versions)."""
        for path in paths:
            value = self.get(path, _MISSING)
            if value is not _MISSING:
                return value
        return default


def _lookup(mapping: Mapping[str, Any], key: str) -> Any:
    if key in mapping:
        return mapping[key]
    lowered = key.lower()
    for candidate in mapping:
        if isinstance(candidate, str) and candidate.lower() == lowered:
            return mapping[candidate]
    return _MISSING


def entries(value: Any) -> list[Any]:
    """The items of a list property (policy props are read-only proxies, not lists); [] for anything else."""
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        return list(value)
    return []


def peek(mapping: Any, key: str) -> Any:
    """``mapping[key]`` for hints that may be unknown at preview: unknown and missing both read as None."""
    if not isinstance(mapping, Mapping):
        return None
    try:
        return mapping.get(key)
    except UnknownValueError:
        return None


def is_mapping(value: Any) -> bool:
    """True for an object property (policy props are read-only mappings, not dicts)."""
    return isinstance(value, Mapping)


def is_false(value: Any) -> bool:
    """True only for an explicit false (or its string spelling): absence is not false."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def as_number(value: Any) -> float | None:
    """A number from the wire (floats), or from a numeric string; None when absent or not numeric."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def setting(view: ResourceView, key: str, default: float) -> float:
    """A numeric policy setting from the pack config (the CLI fills in schema defaults; in-process, this does)."""
    value = as_number(view.config.get(key))
    return default if value is None else value


def is_true(value: Any) -> bool:
    """True for a real boolean true (or its string spelling); anything else, including absence, is not."""
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def equals_ignoring_case(value: Any, expected: str) -> bool:
    return isinstance(value, str) and value.strip().lower() == expected.lower()


Check = Callable[[ResourceView], Iterable[str]]


@dataclass(frozen=True)
class Target:
    """The resource types a check reads (any API version), and the check."""

    types: tuple[str, ...]
    check: Check


@dataclass(frozen=True)
class ResourceRule:
    """One control over individual resources, with everything an auditor and an engineer need."""

    id: str
    description: str
    citation: Citation
    severity: Severity
    enforcement: EnforcementLevel
    remediation: str
    targets: tuple[Target, ...]
    config_schema: PolicyConfigSchema | None = None
    related: Sequence[Citation] = field(default_factory=tuple)
    #: Crosswalk for auditors (RULES.md): the Azure Policy built-in definition IDs (GUIDs) and the Checkov
    #: check IDs (``CKV_AZURE_33``) that enforce the same control, where one exists.
    azure_policy_ids: tuple[str, ...] = ()
    checkov_ids: tuple[str, ...] = ()
    #: A deletion blocker (protect, locks, soft-delete window, immutability) that a non-production stack may
    #: drop so `pulumi destroy` completes: for a resource `environment.decide` relaxes, the rule reports
    #: "not applicable" instead of its findings, or, with ``nonprod_settings``, runs with those settings.
    #: Never set it on encryption, network, access or logging rules.
    nonprod_relaxable: bool = False
    #: Settings (name, value) that replace the rule's config for a relaxed resource: the rule stays enforced, less strictly.
    nonprod_settings: tuple[tuple[str, Any], ...] = ()

    def target_for(self, resource_type: str) -> Target | None:
        """The target that reads this type (``*`` in a target's types reads every type)."""
        canonical = canonical_type(resource_type)
        for target in self.targets:
            if canonical in target.types or ANY_TYPE in target.types:
                return target
        return None

    @property
    def resource_types(self) -> tuple[str, ...]:
        return tuple(token for target in self.targets for token in target.types)

    def evaluate(self, view: ResourceView) -> tuple[list[str], str | None]:
        """Violations for a resource, and the property that could not be verified at preview (if any)."""
        target = self.target_for(view.type)
        if target is None:
            return [], None
        messages: list[str] = []
        try:
            messages.extend(target.check(view))
        except UnverifiableError as unknown:
            return messages, unknown.path
        except UnknownValueError as unknown:  # a check read a nested value straight from the props
            return messages, ".".join(unknown.props)
        return messages, None

    def framework(self) -> PolicyComplianceFramework:
        return PolicyComplianceFramework(
            name=FRAMEWORK_NAME,
            version=FRAMEWORK_VERSION,
            reference=self.citation.reference,
            specification=self.citation.title,
        )

    def schema(self) -> PolicyConfigSchema:
        """The settings this rule publishes to the CLI: its own plus ``exemptions``."""
        return with_exemptions(self.config_schema)

    def to_policy(self) -> ResourceValidationPolicy:
        def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
            remember_analyzed(args.urn, args.resource_type, args.props)
            view = ResourceView.from_args(args)
            messages, unverifiable = self.evaluate(view)
            if (messages or unverifiable) and self.nonprod_relaxable:
                relaxation = decide(args.urn, args.props, args.stack_tags)
                if relaxation.applies and self.nonprod_settings:
                    config = {**view.config, **dict(self.nonprod_settings)}
                    view = ResourceView(args.resource_type, args.name, args.urn, args.props, config)
                    messages, unverifiable = self.evaluate(view)
                elif relaxation.applies:
                    args.not_applicable(f"relaxed for a non-production stack: {relaxation.why}")
            active, expired = find(exemptions_from(view.config), args.urn, args.name)
            if active is not None and (messages or unverifiable):
                args.not_applicable(active.describe())
            suffix = f" (an exemption expired on {expired.expires.isoformat()})" if expired is not None else ""
            for message in messages:
                report_violation(message + suffix, None)
            if unverifiable is not None:
                # The CLI turns this into an advisory "can't run policy during preview" diagnostic on
                # this resource; `pulumi up` re-runs the policy once the value is known.
                error = UnknownValueError(UNKNOWN_STRING_VALUE, unverifiable.split("."))
                error.message = (
                    f"{unverifiable} of {view.type} {quoted(view.name)} is not known until apply, "
                    f"so '{self.id}' cannot be verified at preview"
                )
                raise error

        return ResourceValidationPolicy(
            name=self.id,
            description=self.description,
            enforcement_level=self.enforcement,
            validate=validate,
            config_schema=self.schema(),
            severity=self.severity,
            framework=self.framework(),
            remediation_steps=self.remediation,
            tags=policy_tags(self.citation, self.resource_types),
        )


def with_exemptions(schema: PolicyConfigSchema | None) -> PolicyConfigSchema:
    """Every rule's settings plus the ``exemptions`` list."""
    properties = dict(schema.properties) if schema is not None else {}
    properties["exemptions"] = EXEMPTIONS_SCHEMA
    return PolicyConfigSchema(
        properties=properties, required=list(schema.required or []) if schema is not None else None
    )


def policy_tags(citation: Citation, resource_types: Sequence[str]) -> list[str]:
    """Tags published with each policy: the framework, the paragraph, and the resource types it checks.

    Tools (such as the compliance report) read ``type:`` tags to know which resources a rule covered.
    """
    return ["hipaa", citation.paragraph, *(f"type:{token}" for token in resource_types)]


#: URN -> (type, checked inputs) this pack process was sent by Analyze during the run (see `analyzed_inputs`).
_ANALYZED: dict[str, tuple[str, Mapping[str, Any]]] = {}
#: Resource-group types: what "the same resource group" is anchored on.
RESOURCE_GROUP_TYPES = ("azure-native:resources:ResourceGroup", "azure:core/resourceGroup:ResourceGroup")


def remember_analyzed(urn: str, resource_type: str, props: Mapping[str, Any]) -> None:
    """Keep the checked inputs Analyze sent for a resource, for the stack rules that run after it."""
    _ANALYZED[urn] = (resource_type, props)


def analyzed_inputs(urn: str, resource_type: str) -> Mapping[str, Any] | None:
    """The checked inputs this pack was sent for ``urn`` by Analyze in this run, or None.

    AnalyzeStack carries each resource's *outputs*, and azure-native's preview outputs lack every input-only
    path parameter (``resourceGroupName``, ``vaultName``, a lock's ``scope``). The engine calls Analyze on every
    resource's checked inputs while it generates steps (``step_generator.go``, ``analyzeAll``) and AnalyzeStack
    once at the end (``AnalyzeResources``), on the same pack process; ``analyze_snapshot.go`` does the same
    for a stored stack. So the inputs are what the CLI itself gave this pack. A resource this pack was not
    sent (no resource policy ran) has none, and a rule that needs them fails closed.
    """
    found = _ANALYZED.get(urn)
    return found[1] if found is not None and found[0] == resource_type else None


class StackView(ResourceView):
    """A stack resource's properties as the CLI lets the pack know them.

    At preview AnalyzeStack's outputs are the provider's preview answer: azure-native leaves out input-only
    path parameters (``resourceGroupName``, ``vaultName``) and answers unknown every declared output the
    program did not give (an optional input left unset, a computed member of an echoed object). A value is
    read from the outputs when they hold it fully known (after ``pulumi up``, the deployed value); otherwise
    from the checked inputs Analyze sent (`analyzed_inputs`), where an unset property is absent and a value
    computed from another resource is still unknown. Without analyzed inputs only the outputs are read.
    """

    def __init__(self, outputs: ResourceView, inputs: Mapping[str, Any] | None) -> None:
        super().__init__(outputs.type, outputs.name, outputs.urn, outputs.props, outputs.config)
        self.outputs = outputs
        self.inputs = (
            None if inputs is None else ResourceView(outputs.type, outputs.name, outputs.urn, inputs, outputs.config)
        )

    def get(self, path: str, default: Any = None) -> Any:
        try:
            found = self.outputs.get(path, _MISSING)
        except UnverifiableError:
            if self.inputs is None:
                raise
            return self.inputs.get(path, default)
        if self.inputs is None:
            return default if found is _MISSING else found
        if found is not _MISSING and found is not None and not _has_unknowns(found):
            return found
        return self.inputs.get(path, default)

    def has(self, path: str) -> bool:
        """As `ResourceView.has`; without analyzed inputs an unknown output raises `UnverifiableError` instead of
        counting as set: azure-native answers an optional input the program left unset unknown too."""
        if self.inputs is None:
            self.outputs.get(path)
        return super().has(path)

    @property
    def props(self) -> Mapping[str, Any]:
        """The analyzed inputs when the pack has them (what the program set), else the outputs."""
        return self.inputs.props if self.inputs is not None else self.outputs.props


class StackResource:
    """One resource in AnalyzeStack: its properties (a `StackView`) and its edges to other resources."""

    def __init__(self, resource: Any, config: Mapping[str, Any]) -> None:
        self.raw = resource
        #: Its outputs exactly as AnalyzeStack sent them.
        self.outputs = ResourceView(resource.resource_type, resource.name, resource.urn, resource.props, config)
        inputs = analyzed_inputs(resource.urn, resource.resource_type)
        #: What the CLI lets the pack know of it (`StackView`): outputs, else the inputs Analyze sent.
        self.view: ResourceView = StackView(self.outputs, inputs)
        self.type = self.view.type
        self.name = resource.name
        self.urn = resource.urn

    def depends_on_via(self, *properties: str) -> list[str]:
        """URNs this resource takes through the given input properties (property dependencies)."""
        urns: list[str] = []
        for prop in properties:
            urns.extend(dependency.urn for dependency in self.raw.property_dependencies.get(prop, []))
        return urns

    @property
    def protected(self) -> bool:
        return bool(getattr(self.raw.opts, "protect", False))


class StackContext:
    """Everything a stack check reads, plus the record of what could not be verified at preview."""

    def __init__(self, resources: Sequence[Any], config: Mapping[str, Any]) -> None:
        self.resources = [StackResource(resource, config) for resource in resources]
        self.by_urn = {resource.urn: resource for resource in self.resources}
        self.config = config
        self.unverifiable: list[str] = []
        #: The stack's tags (``ConfigureStack``), set by `StackRule` before its check runs.
        self.stack_tags: Mapping[str, str] = {}

    def of_type(self, *types: str) -> list[StackResource]:
        return [resource for resource in self.resources if resource.type in types]

    def findings(
        self, resources: Iterable[StackResource], check: Callable[[StackResource], Iterable[str]]
    ) -> Iterable[tuple[str, str]]:
        """Run ``check`` on each resource; an unknown value skips that resource and is recorded, not fatal."""
        for resource in resources:
            try:
                for message in check(resource):
                    yield resource.urn, message
            except UnverifiableError as unknown:
                self.unverifiable.append(f"{unknown.path} of {resource.type} {quoted(resource.name)}")
            except UnknownValueError as unknown:  # a check read a nested value straight from the props
                self.unverifiable.append(f"{'.'.join(unknown.props)} of {resource.type} {quoted(resource.name)}")

    def read(self, resource: StackResource, path: str, default: Any = None, *, required: bool = True) -> Any:
        """A property of a resource; an unknown value reads as ``default``.

        ``required=True`` records the unknown as something the rule could not verify; pass False for
        values only used as hints (for example matching a resource by the name inside an ID).
        """
        try:
            return resource.view.get(path, default)
        except UnverifiableError:
            if required:
                self.unverifiable.append(f"{path} of {resource.type} {quoted(resource.name)}")
            return default

    def value(self, resource: StackResource, path: str, default: Any = None, *, required: bool = False) -> Any:
        """`read` for values used to correlate resources: an unknown value is not recorded unless ``required``."""
        return self.read(resource, path, default, required=required)

    def name_of(self, resource: StackResource, *name_paths: str) -> str | None:
        """The resource's physical name, lower-cased, from the first of ``name_paths`` known (then ``name``)."""
        for path in (*name_paths, "name"):
            found = self.value(resource, path)
            if isinstance(found, str) and found and found != UNKNOWN_STRING_VALUE:
                return found.lower()
        return None

    def refers_to(
        self,
        resource: StackResource,
        target: StackResource,
        properties: Sequence[str],
        target_names: Sequence[str] = (),
    ) -> bool:
        """Whether ``resource`` points at ``target`` through one of ``properties``.

        First by property dependency (the value came from ``target``'s outputs), else by value: a known name,
        or the last segment of a known ARM ID, in the property equal to ``target``'s name (read from
        ``target_names``, then ``name``).
        """
        return target.urn in self.referrals((resource,), (target,), properties, target_names)

    def referrals(
        self,
        resources: Iterable[StackResource],
        targets: Sequence[StackResource],
        properties: Sequence[str],
        target_names: Sequence[str] = (),
    ) -> dict[str, list[StackResource]]:
        """Target URN -> the ``resources`` (in order) that `refers_to` it: the same matches in one pass over each
        side instead of one `refers_to` per pair (a stack of hundreds of accounts and their services)."""
        wanted = {target.urn for target in targets}
        by_name: dict[str, list[StackResource]] = {}
        for target in targets:
            name = self.name_of(target, *target_names)
            if name is not None:
                by_name.setdefault(name, []).append(target)
        found: dict[str, list[StackResource]] = {}
        for resource in resources:
            hits = dict.fromkeys(urn for urn in resource.depends_on_via(*properties) if urn in wanted)
            for prop in properties:
                value = self.value(resource, prop)
                if isinstance(value, str):
                    for target in by_name.get(value.lower().rstrip("/").rsplit("/", 1)[-1], ()):
                        hits.setdefault(target.urn)
            for urn in hits:
                found.setdefault(urn, []).append(resource)
        return found

    def group_keys(self, resource: StackResource, *properties: str) -> set[str]:
        """What identifies the resource group ``resource`` names through ``properties`` (``resourceGroupName``
        when none are given): the group's URN when the value came from a group in the stack (property
        dependency), ``name:<group>`` for a known name or a group's own ARM ID. Empty when nothing identifies it.
        A resource group identifies itself."""
        keys: set[str] = set()
        if resource.type in RESOURCE_GROUP_TYPES:
            keys.add(resource.urn)
            name = self.name_of(resource, "resourceGroupName")
            if name is not None:
                keys.add(f"name:{name}")
            return keys
        properties = properties or ("resourceGroupName",)
        for urn in resource.depends_on_via(*properties):
            group = self.by_urn.get(urn)
            if group is not None and group.type in RESOURCE_GROUP_TYPES:
                keys |= self.group_keys(group)
        for prop in properties:
            found = self.value(resource, prop)
            if not isinstance(found, str) or not found or found == UNKNOWN_STRING_VALUE:
                continue
            if "/" not in found:
                if prop.endswith("GroupName"):  # a bare value is a group's name only in a group-name property
                    keys.add(f"name:{found.lower()}")
                continue
            segments = found.strip("/").split("/")
            if len(segments) == 4 and segments[2].lower() == "resourcegroups":  # the group's own ARM ID
                keys.add(f"name:{segments[3].lower()}")
        return keys

    def same_resource_group(
        self, first: StackResource, second: StackResource, first_via: Sequence[str] = (), second_via: Sequence[str] = ()
    ) -> bool:
        """True when both name the same resource group: the same group resource, or the same known name."""
        return bool(self.group_keys(first, *first_via) & self.group_keys(second, *second_via))


def _guarded(findings: Iterable[tuple[str, str]], context: StackContext) -> Iterable[tuple[str, str]]:
    """A check's findings; an unknown value read outside `StackContext.findings` ends the check as unverifiable."""
    try:
        yield from findings
    except UnverifiableError as unknown:
        context.unverifiable.append(unknown.path)


def _has_unknowns(value: Any) -> bool:
    """Whether a policy value holds anything unknown at preview (reading it raises)."""
    try:
        if isinstance(value, Mapping):
            return any(_has_unknowns(value[key]) for key in list(value))
        if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
            return any(_has_unknowns(item) for item in value)
    except UnknownValueError:
        return True
    return False


StackCheck = Callable[[StackContext], Iterable[tuple[str, str]]]


@dataclass(frozen=True)
class StackRule:
    """One control over the whole stack (relationships between resources), with the same metadata as resource rules."""

    id: str
    description: str
    citation: Citation
    severity: Severity
    enforcement: EnforcementLevel
    remediation: str
    check: StackCheck
    resource_types: tuple[str, ...] = ()
    config_schema: PolicyConfigSchema | None = None
    related: Sequence[Citation] = field(default_factory=tuple)
    #: A subscription-wide control (activity log export, Defender plans) that a workload stack inherits
    #: from the platform stack owning the subscription baseline: ``baselineStack`` in the rule's config
    #: names that stack, and the rule reports "not applicable" here with that name instead of a violation.
    subscription_baseline: bool = False
    #: Crosswalk for auditors, as on `ResourceRule`.
    azure_policy_ids: tuple[str, ...] = ()
    checkov_ids: tuple[str, ...] = ()
    #: As on `ResourceRule`: findings on a resource `environment.decide` relaxes are dropped (listed as not applicable).
    nonprod_relaxable: bool = False
    #: This rule's findings are weakenings the pack applied itself (published as the policy tag ``weakening``,
    #: which the offline engine lists among the preview's weakenings).
    reports_weakenings: bool = False

    def framework(self) -> PolicyComplianceFramework:
        return PolicyComplianceFramework(
            name=FRAMEWORK_NAME,
            version=FRAMEWORK_VERSION,
            reference=self.citation.reference,
            specification=self.citation.title,
        )

    def schema(self) -> PolicyConfigSchema:
        """The settings this rule publishes to the CLI: its own, ``exemptions`` and, for a subscription
        control, ``baselineStack``."""
        schema = with_exemptions(self.config_schema)
        if self.subscription_baseline:
            schema.properties["baselineStack"] = {
                "type": "string",
                "minLength": 1,
                "description": "The stack (org/project/stack) that owns this subscription's baseline and is checked by this rule; set only in workload stacks' policy config.",
            }
        return schema

    def to_policy(self) -> StackValidationPolicy:
        def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
            config = args.get_config()
            if self.subscription_baseline and config.get("baselineStack"):
                args.not_applicable(
                    f"the subscription baseline is owned and checked by stack '{config['baselineStack']}'"
                )
                return
            context = StackContext(args.resources, config)
            context.stack_tags = args.stack_tags
            exemptions = exemptions_from(config)
            exempted: list[str] = []
            for urn, message in _guarded(self.check(context), context):
                resource = context.by_urn.get(urn)
                if self.nonprod_relaxable and resource is not None:
                    relaxation = decide(urn, resource.view.props, args.stack_tags)
                    if relaxation.applies:
                        exempted.append(f"{urn}: relaxed for a non-production stack: {relaxation.why}")
                        continue
                active, expired = find(exemptions, urn, resource.name if resource else "")
                if active is not None:
                    exempted.append(f"{urn}: {active.describe()}")
                    continue
                suffix = f" (an exemption expired on {expired.expires.isoformat()})" if expired is not None else ""
                report_violation(message + suffix, urn)
            note = f"; {'; '.join(sorted(set(exempted)))}" if exempted else ""
            if context.unverifiable:
                error = UnknownValueError(UNKNOWN_STRING_VALUE, [])
                error.message = (
                    f"'{self.id}' could not verify at preview, because these values are not known until apply: "
                    + "; ".join(sorted(set(context.unverifiable)))
                    + note
                )
                raise error
            if exempted:
                args.not_applicable("; ".join(sorted(set(exempted))))

        return StackValidationPolicy(
            name=self.id,
            description=self.description,
            enforcement_level=self.enforcement,
            validate=validate,
            config_schema=self.schema(),
            severity=self.severity,
            framework=self.framework(),
            remediation_steps=self.remediation,
            tags=policy_tags(self.citation, self.resource_types) + (["weakening"] if self.reports_weakenings else []),
        )
