"""The compliance report an auditor reads: a summary first, then every rule, the resources it checked and what it saw.

Built from what the policy packs told the engine over the Analyzer protocol (each policy's HIPAA
citation, description, remediation and ``type:`` tags, its violations and "not applicable"
verdicts) plus what the preview recorded (each resource's Azure name, ID and inputs) and, when the
engine provides them, the weakenings and the values Azure would reject. Verdict kinds, always from
structured fields, never from message text:

- ``pass``: the rule checked the resource and found nothing;
- ``fail``: a violation (mandatory or advisory, as enforced);
- ``exempted``: a "not applicable" verdict on a resource a configured exemption names;
- ``waived``: the rule passed, and a waiver in code weakened this resource (see the weakenings);
- ``not verifiable``: the SDK could not run the rule because a value is only known after apply;
- ``not applicable``: the rule declared itself not applicable for another reason (``baselineStack``).

Remediations are listed apart from verdicts (pack, policy, resource, the property paths changed, never
the values): a remediated resource is deployed with inputs the program did not write, so the headline
counts them as findings. Evidence is read from the inputs the packs judged: after the provider's Check
and every remediation.

Every string in the report comes from a program, a config or a pack and is untrusted: it is
scrubbed of the run's secrets (`landing_zone.preview.redact`) and escaped for its format here and in
the templates. Markdown by default; ``.html``, ``.csv`` and ``.sarif`` by the file's extension.
"""

from __future__ import annotations

import csv
import fnmatch
import hashlib
import html
import io
import json
import re
import subprocess
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from pulumi.runtime.proto import analyzer_pb2

from landing_zone.preview.data_stores import data_store_types
from landing_zone.preview.engine import PreviewResult
from landing_zone.preview.recorder import Registration
from landing_zone.preview.redact import MASK, UNKNOWN, Redactor, mask_properties, one_line, strip_controls
from landing_zone.preview.report import all_remediations

PASS, FAIL, EXEMPTED, WAIVED, UNVERIFIABLE, NOT_APPLICABLE = (
    "pass",
    "fail",
    "exempted",
    "waived",
    "not verifiable",
    "not applicable",
)
#: Worst first: a rule's outcome is the first of these it has.
STATUSES = (FAIL, UNVERIFIABLE, EXEMPTED, WAIVED, NOT_APPLICABLE, PASS)
#: The order columns and legends read in.
DISPLAY_ORDER = (PASS, FAIL, EXEMPTED, WAIVED, UNVERIFIABLE, NOT_APPLICABLE)
CLASSIFICATION_TAGS = ("dataclassification", "data-classification", "data_classification", "classification")
#: A rule that checked at least this many resources and passed on all but a few collapses to one line.
BLANKET_MIN_RESOURCES = 12
BLANKET_MIN_PASS_SHARE = 0.9
_TEMPLATES = Path(__file__).with_name("templates")
_SEVERITY_NAMES = {1: "low", 2: "medium", 3: "high", 4: "critical"}
#: Property paths a rule's text names (``properties.enablePurgeProtection``, ``minimumTlsVersion``).
_PROPERTY_PATH = re.compile(r"(?<![\w.:/-])([a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*)(?![\w/-]|\.[A-Za-z])")


@dataclass(frozen=True)
class Resource:
    """A checked resource as an auditor finds it in Azure: its name there, its ID, where the program made it."""

    urn: str
    type: str
    name: str
    azure_name: str
    resource_id: str
    resource_group: str
    location: str
    source: str

    @property
    def identity(self) -> str:
        """The ARM ID when known, else ``type`` and Azure name (or the Pulumi name when Azure will name it)."""
        if self.resource_id:
            return self.resource_id
        return f"{self.type} {self.azure_name or self.name}"


@dataclass(frozen=True)
class Verdict:
    """One rule's verdict on one resource (or on the stack as a whole, with an empty URN)."""

    citation: str
    citation_title: str
    rule: str
    severity: str
    enforcement: str
    urn: str
    resource_type: str
    resource_name: str
    status: str
    detail: str
    azure_name: str = ""
    resource_id: str = ""
    evidence: tuple[tuple[str, str], ...] = ()
    source: str = ""
    #: Waivers in code the resource carries (``waiver:<name>`` tags): shown next to every verdict on it.
    waivers: tuple[str, ...] = ()

    @property
    def identity(self) -> str:
        if not self.urn:
            return "(stack)"
        return self.resource_id or f"{self.resource_type} {self.azure_name or self.resource_name}"


@dataclass
class Rule:
    """One policy, what it is for, and its verdicts."""

    pack: str
    name: str
    description: str
    citation: str
    citation_title: str
    severity: str
    enforcement: str
    remediation: str
    url: str
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return count(self.verdicts)

    @property
    def blanket(self) -> bool:
        """Checks (nearly) every resource and passes on nearly all: one line with counts, plus its exceptions."""
        total = len(self.verdicts)
        return total >= BLANKET_MIN_RESOURCES and self.counts[PASS] >= BLANKET_MIN_PASS_SHARE * total

    @property
    def exceptions(self) -> list[Verdict]:
        """Verdicts other than pass: always listed, even for a blanket rule."""
        return [v for v in self.verdicts if v.status != PASS]

    @property
    def outcome(self) -> str:
        counts = self.counts
        for status in STATUSES:
            if counts[status]:
                return status
        return NOT_APPLICABLE


@dataclass
class Safeguard:
    citation: str
    title: str
    rules: list[Rule]

    @property
    def verdicts(self) -> list[Verdict]:
        return [verdict for rule in self.rules for verdict in rule.verdicts]

    @property
    def counts(self) -> dict[str, int]:
        return count(self.verdicts)


@dataclass
class ComplianceReport:
    project: str
    stack: str
    generated: str
    packs: list[str]
    verdicts: list[Verdict] = field(default_factory=list)
    rules: list[Rule] = field(default_factory=list)
    phi_inventory: list[Resource] = field(default_factory=list)
    weakenings: list[dict[str, str]] = field(default_factory=list)
    rejections: list[dict[str, str]] = field(default_factory=list)
    #: Each remediation a pack applied: pack, policy, urn, resource, changed (paths, never values), source.
    remediations: list[dict[str, str]] = field(default_factory=list)
    provenance: list[tuple[str, str]] = field(default_factory=list)
    resources_checked: int = 0
    #: The program's Pulumi.yaml, when known: where stack-wide findings point (SARIF needs a file).
    project_file: str = ""

    def counts(self, verdicts: list[Verdict] | None = None) -> dict[str, int]:
        return count(self.verdicts if verdicts is None else verdicts)

    @property
    def safeguards(self) -> list[Safeguard]:
        grouped: dict[tuple[str, str], list[Rule]] = defaultdict(list)
        for rule in self.rules:
            grouped[(rule.citation, rule.citation_title)].append(rule)
        return [Safeguard(c, t, sorted(rules, key=lambda r: r.name)) for (c, t), rules in sorted(grouped.items())]

    @property
    def failures(self) -> list[Verdict]:
        """Failures, blocking ones first, then by severity."""
        rank = {"critical": 0, "high": 1, "medium": 2, "low": 3}
        failed = [v for v in self.verdicts if v.status == FAIL]
        return sorted(failed, key=lambda v: (v.enforcement != "mandatory", rank.get(v.severity, 4)))

    @property
    def unverifiable(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status == UNVERIFIABLE]

    @property
    def mandatory_failures(self) -> int:
        return sum(1 for v in self.failures if v.enforcement == "mandatory")

    @property
    def verdict(self) -> str:
        """The headline: what a reviewer needs before reading on."""
        if self.rejections:
            return "FAIL: Azure would reject this deployment"
        if self.mandatory_failures:
            return "FAIL: mandatory rules are violated"
        if self.unverifiable or self.weakenings or self.remediations or self.counts()[FAIL]:
            return "PASS with findings: read the summary"
        return "PASS"


def count(verdicts: Iterable[Verdict]) -> dict[str, int]:
    totals = dict.fromkeys(STATUSES, 0)
    for verdict in verdicts:
        totals[verdict.status] += 1
    return totals


def canonical_type(token: str) -> str:
    """``azure-native:keyvault/v20230701:Vault`` -> ``azure-native:keyvault:Vault`` (the pack's own rule)."""
    parts = token.split(":")
    if len(parts) == 3 and parts[0] in ("azure-native", "azure-nextgen") and "/" in parts[1]:
        module, _, version = parts[1].partition("/")
        if version.startswith("v") and version[1:2].isdigit():
            return f"{parts[0]}:{module}:{parts[2]}"
    return token


def _is_checkable(registration: Registration) -> bool:
    return registration.custom and not registration.type.startswith("pulumi:")


def _specific(message: str, description: str) -> str:
    """The part of a violation message after the policy description the SDK puts first."""
    return message.removeprefix(description).strip() or description


def build(
    result: PreviewResult,
    *,
    redactor: Redactor | None = None,
    program_dir: str | Path | None = None,
    pack_config_files: Sequence[str | Path] = (),
) -> ComplianceReport:
    """Turn a preview into per-rule, per-resource verdicts with evidence, scrubbed of every secret of the run."""
    redactor = redactor or Redactor.for_result(result)

    def scrub(text: str) -> str:
        """Every string a report shows: no secret of the run, no escape sequence or control character."""
        return strip_controls(redactor.scrub(text))

    registrations = [r for r in result.resources if _is_checkable(r)]
    resources = {r.urn: describe(r, scrub) for r in registrations}
    everything = {r.urn: r for r in result.resources}
    weakenings = [_record(item, scrub) for item in getattr(result, "weakenings", []) or []]
    report = ComplianceReport(
        project=scrub(result.run.project),
        stack=scrub(result.run.stack),
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        packs=[scrub(f"{pack.name}@{pack.version}") for pack in result.packs],
        phi_inventory=[resources[r.urn] for r in registrations if _classification(r) == "phi" and _is_data_store(r)],
        weakenings=weakenings,
        rejections=[_record(item, scrub) for item in getattr(result, "azure_rejections", []) or []],
        remediations=[_remediation(item, everything.get(item.urn), scrub) for item in all_remediations(result)],
        provenance=_provenance(result, program_dir, pack_config_files, scrub),
        resources_checked=len(registrations),
        project_file=str(Path(program_dir) / "Pulumi.yaml") if program_dir is not None else "",
    )
    waived = {(w.get("policy", ""), w.get("target", "")) for w in weakenings if w.get("kind", "").lower() == "waiver"}
    waivers_on = _waivers_by_resource(weakenings)
    for pack in result.packs:
        disabled = {name for name, config in pack.config.items() if config.enforcement_level == "disabled"}
        by_key: dict[tuple[str, str], list[Any]] = defaultdict(list)
        for diagnostic in pack.diagnostics:
            by_key[(diagnostic.policy, diagnostic.urn)].append(diagnostic)
        not_applicable = _not_applicable(pack, registrations)
        for policy in pack.policies:
            if policy.name in disabled:
                continue
            types = {tag.removeprefix("type:") for tag in policy.tags if tag.startswith("type:")}
            if not types and policy.policy_type != analyzer_pb2.POLICY_TYPE_STACK:
                types = {"*"}  # a resource policy without type tags runs on every resource
            answered = {urn for (name, urn) in by_key if name == policy.name and urn} | {
                urn for (name, urn) in not_applicable if name == policy.name and urn
            }
            level = pack.config[policy.name].enforcement_level if policy.name in pack.config else "advisory"
            rule = Rule(
                pack=scrub(pack.name),
                name=scrub(policy.name),
                description=scrub(policy.description),
                citation=scrub(policy.framework.reference) or "(no citation)",
                citation_title=scrub(policy.framework.specification),
                severity=_SEVERITY_NAMES.get(policy.severity, ""),
                enforcement=level,
                remediation=scrub(policy.remediation_steps),
                url=scrub(policy.url),
            )
            named = _named_properties(f"{policy.description} {policy.remediation_steps}")
            common = {
                "citation": rule.citation,
                "citation_title": rule.citation_title,
                "rule": rule.name,
                "severity": rule.severity,
                "enforcement": rule.enforcement,
            }
            # a verdict on a component, provider or unknown URN is still a verdict: never drop one
            others = [everything[urn] for urn in sorted(answered) if urn not in resources and urn in everything]
            for registration in [*registrations, *others]:
                checked = "*" in types or canonical_type(registration.type) in types
                if not (checked or registration.urn in answered):
                    continue
                diagnostics = by_key.get((policy.name, registration.urn), [])
                status, detail = _status(diagnostics, not_applicable.get((policy.name, registration.urn)), policy)
                labels = (registration.urn, f"{registration.type}: {registration.name}")
                if status == PASS and any((policy.name, label) in waived for label in labels):
                    status, detail = WAIVED, "weakened by a waiver in code; see Weakenings"
                resource = resources.get(registration.urn) or describe(registration, scrub)
                paths = named | _named_properties(" ".join(d.message for d in diagnostics))
                rule.verdicts.append(
                    Verdict(
                        **common,
                        urn=registration.urn,
                        resource_type=resource.type,
                        resource_name=resource.name,
                        status=status,
                        detail=scrub(detail),
                        azure_name=resource.azure_name,
                        resource_id=resource.resource_id,
                        evidence=tuple((path, scrub(value)) for path, value in evidence(registration, paths)),
                        source=resource.source,
                        waivers=tuple(sorted(waivers_on.get(registration.urn, []))),
                    )
                )
            for urn in sorted(answered - everything.keys()):
                status, detail = _status(
                    by_key.get((policy.name, urn), []), not_applicable.get((policy.name, urn)), policy
                )
                rule.verdicts.append(
                    Verdict(
                        **common,
                        urn=urn,
                        resource_type="",
                        resource_name=scrub(urn),
                        status=status,
                        detail=scrub(detail),
                    )
                )
            stack_level = by_key.get((policy.name, ""), [])
            stack_answer = not_applicable.get((policy.name, ""))
            if stack_level or stack_answer or (policy.policy_type == analyzer_pb2.POLICY_TYPE_STACK and not types):
                status, detail = _status(stack_level, stack_answer, policy)
                rule.verdicts.append(
                    Verdict(
                        **common, urn="", resource_type="", resource_name="(stack)", status=status, detail=scrub(detail)
                    )
                )
            if rule.verdicts:
                report.rules.append(rule)
                report.verdicts.extend(rule.verdicts)
    return report


def _remediation(item: Any, registration: Registration | None, scrub: Any) -> dict[str, str]:
    """One remediation as text fields: which pack and policy changed which properties of which resource."""
    resource = describe(registration, scrub) if registration is not None else None
    return {
        "pack": scrub(
            f"{item.policy_pack}@{item.policy_pack_version}" if item.policy_pack_version else item.policy_pack
        ),
        "policy": scrub(item.policy),
        "urn": scrub(item.urn),
        "resource": resource.identity if resource is not None else scrub(item.urn),
        "type": resource.type if resource is not None else "",
        "name": resource.name if resource is not None else "",
        "azure_name": resource.azure_name if resource is not None else "",
        "resource_id": resource.resource_id if resource is not None else "",
        "changed": scrub(", ".join(item.changed)),
        "source": resource.source if resource is not None else "",
    }


def _waivers_by_resource(weakenings: list[dict[str, str]]) -> dict[str, list[str]]:
    """URN -> names of the waivers in code its tags carry (GATE records them with source ``tags of <urn>``)."""
    found: dict[str, list[str]] = defaultdict(list)
    for weakening in weakenings:
        source = weakening.get("source", "")
        if weakening.get("kind") == "waiver" and source.startswith("tags of urn:"):
            found[source.removeprefix("tags of ")].append(weakening.get("policy", ""))
    return found


def _status(diagnostics: list[Any], answer: tuple[str, str] | None, policy: Any) -> tuple[str, str]:
    """A verdict from the diagnostics' structured kind: violations first, then exemptions, then unknowns."""
    failures = [d for d in diagnostics if getattr(d, "kind", "violation") != "unverifiable"]
    unknown = [d for d in diagnostics if getattr(d, "kind", "violation") == "unverifiable"]
    if failures:
        return FAIL, " / ".join(_specific(d.message, policy.description) for d in failures)
    if answer is not None:
        return answer
    if unknown:
        return UNVERIFIABLE, unknown[0].message.split(" during preview: ", 1)[-1]
    return PASS, ""


def _not_applicable(pack: Any, registrations: Sequence[Registration]) -> dict[tuple[str, str], tuple[str, str]]:
    """(policy, urn) -> (status, reason) for every "not applicable" answer.

    Exempted when a configured exemption of that policy names the resource (URN, or a glob on URN or
    name): the kind comes from the configuration, not from the pack's wording. A stack rule's answer
    names its resources as ``urn: reason`` pairs; one without them is about the whole stack.
    """
    names = {r.urn: r.name for r in registrations}
    answers: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in pack.not_applicable:
        config = pack.config.get(entry.policy)
        patterns = [
            str(item.get("resource", ""))
            for item in ((config.properties.get("exemptions") if config else None) or [])
            if isinstance(item, Mapping)
        ]

        def exempted(urn: str, patterns: list[str] = patterns) -> bool:
            name = names.get(urn, "")
            return any(
                p == urn or fnmatch.fnmatchcase(urn, p) or (name and fnmatch.fnmatchcase(name, p)) for p in patterns
            )

        if entry.urn:
            answers[(entry.policy, entry.urn)] = (EXEMPTED if exempted(entry.urn) else NOT_APPLICABLE, entry.reason)
            continue
        pairs = _stack_pairs(entry.reason, names)
        for urn, reason in pairs:
            answers[(entry.policy, urn)] = (EXEMPTED if exempted(urn) else NOT_APPLICABLE, reason)
        if not pairs:
            answers[(entry.policy, "")] = (NOT_APPLICABLE, entry.reason)
    return answers


def _stack_pairs(reason: str, names: Mapping[str, str]) -> list[tuple[str, str]]:
    """``urn: reason; urn: reason`` as the pack's stack rules write it, keeping only URNs this preview registered."""
    pairs = []
    for part in re.split(r"(?:^|; )(?=urn:pulumi:)", reason):
        urn, separator, detail = part.partition(": ")
        if separator and urn in names:
            pairs.append((urn, detail))
    return pairs


def _classification(registration: Registration) -> str | None:
    tags = registration.inputs.get("tags")
    if not isinstance(tags, dict):
        return None
    for key, value in tags.items():
        if key.lower() in CLASSIFICATION_TAGS and isinstance(value, str):
            return value.lower()
    return None


def _is_data_store(registration: Registration) -> bool:
    """A PHI tag on a DNS zone or a route table holds no PHI: the inventory lists data stores only (the pack's kinds
    catalog says which kinds are, `data_stores`)."""
    return canonical_type(registration.type) in data_store_types()


# --- what an auditor looks up in Azure ---------------------------------------------------------------


def describe(registration: Registration, scrub: Any = str) -> Resource:
    inputs = registration.inputs
    outputs = registration.outputs
    location = inputs.get("location") if isinstance(inputs.get("location"), str) else ""
    group = inputs.get("resourceGroupName") if isinstance(inputs.get("resourceGroupName"), str) else ""
    return Resource(
        urn=scrub(registration.urn),
        type=scrub(registration.type),
        name=scrub(registration.name),
        azure_name=scrub(azure_name(registration)),
        resource_id=scrub(_known_id(registration.id) or _known_id(outputs.get("id"))),
        resource_group=scrub(group if group != UNKNOWN else ""),
        location=scrub(location if location != UNKNOWN else ""),
        source=scrub(_source(registration)),
    )


def _known_id(value: Any) -> str:
    return value if isinstance(value, str) and value.lower().startswith("/subscriptions/") else ""


def _source(registration: Registration) -> str:
    uri = getattr(registration, "source_uri", "")
    if not uri:
        return ""
    path = Path(uri.removeprefix("file://"))
    shown = str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)
    return f"{shown}:{registration.source_line}"


def azure_name(registration: Registration) -> str:
    """The resource's own name in Azure, from the input azure-native names it by (``vaultName`` for a Vault).

    azure-native names a resource by ``<lowerCamelClass>Name`` (``privateZoneName``), sometimes by a
    shorter suffix of it (``accountName`` for ``StorageAccount``); the classic provider by ``name``.
    A resource Azure names at create time has none at preview.
    """
    inputs = registration.inputs
    cls = registration.type.rsplit(":", 1)[-1]
    candidates = {
        key: value
        for key, value in inputs.items()
        if key.endswith("Name") and isinstance(value, str) and value and value != UNKNOWN
    }
    exact = cls[:1].lower() + cls[1:] + "Name"
    if exact in candidates:
        return candidates[exact]
    suffixes = [key for key in candidates if key != "resourceGroupName" and cls.lower().endswith(key[:-4].lower())]
    if suffixes:
        return candidates[max(suffixes, key=len)]
    name = inputs.get("name")
    if isinstance(name, str) and name != UNKNOWN:
        return name
    output = registration.outputs.get("name")
    return output if isinstance(output, str) and output != UNKNOWN else ""


def _named_properties(text: str) -> set[str]:
    """Property paths a rule's text names; single words only when camelCase (``minimumTlsVersion``)."""
    found = set()
    for match in _PROPERTY_PATH.findall(text):
        if "." in match or re.search(r"[a-z][A-Z]", match):
            found.add(match)
    return found


def evidence(registration: Registration, paths: Iterable[str]) -> list[tuple[str, str]]:
    """The values of the properties the rule names, read from the checked inputs (credentials masked).

    The pack does not send what it read; this is what the report read from the same inputs the pack
    received (after the provider's Check and every pack's remediation), for the properties the rule's
    description, remediation or message names.
    """
    masked = mask_properties(registration.checked_inputs, registration.type)
    observed = []
    for named in sorted(paths):
        for path in (named, f"properties.{named}"):
            found, value = _lookup(masked, path)
            if found:
                observed.append((path, _show(value)))
                break
    return observed


def _lookup(document: Any, path: str) -> tuple[bool, Any]:
    node = document
    for part in path.split("."):
        if not isinstance(node, Mapping):
            return False, None
        match = next((key for key in node if key.lower() == part.lower()), None)
        if match is None:
            return False, None
        node = node[match]
    return True, node


def _show(value: Any) -> str:
    """A property value as an auditor reads it: JSON, unknowns named, long values shortened."""
    if value == UNKNOWN:
        return "(known after apply)"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    text = text.replace(UNKNOWN, "(known after apply)")
    return text if len(text) <= 160 else text[:157] + "..."


def _record(item: Any, scrub: Any) -> dict[str, str]:
    """A weakening or rejection as text fields, whatever record type the engine hands over."""
    if isinstance(item, Mapping):
        fields = dict(item)
    elif hasattr(item, "__dataclass_fields__"):
        fields = {name: getattr(item, name) for name in item.__dataclass_fields__}
    else:
        fields = dict(vars(item))
    return {str(key): scrub("" if value is None else str(value)) for key, value in fields.items()}


# --- provenance ---------------------------------------------------------------------------------------


def _provenance(
    result: PreviewResult, program_dir: str | Path | None, pack_config_files: Sequence[str | Path], scrub: Any
) -> list[tuple[str, str]]:
    """What an auditor needs to reproduce the report: versions, commit, config hashes, date."""
    rows = [("Generated", datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))]
    try:
        rows.append(("Tool", f"landing-zone {metadata.version('pulumi-azure-phi-landing-zone')}"))
    except metadata.PackageNotFoundError:
        rows.append(("Tool", "landing-zone (version unknown: not installed as a package)"))
    for pack in result.packs:
        rows.append(("Policy pack", f"{pack.name}@{pack.version}"))
        rows.append((f"{pack.name} effective config sha256", _sha256_json(_effective_config(pack))))
    program = Path(program_dir) if program_dir is not None else None
    if program is not None:
        commit = _git_commit(program)
        rows.append(("Git commit", commit or "(not a git checkout)"))
        stack_file = _stack_file(program, result.run.stack)
        rows.append(
            (
                f"Stack config sha256 ({stack_file.name if stack_file else 'none'})",
                _sha256_file(stack_file) if stack_file else "(no stack config file)",
            )
        )
    for path in pack_config_files:
        rows.append((f"Pack config sha256 ({Path(path).name})", _sha256_file(Path(path))))
    return [(scrub(key), scrub(value)) for key, value in rows]


def _effective_config(pack: Any) -> dict[str, Any]:
    return {
        name: {"enforcementLevel": config.enforcement_level, **config.properties}
        for name, config in sorted(pack.config.items())
    }


def _sha256_json(document: Any) -> str:
    return hashlib.sha256(json.dumps(document, sort_keys=True, default=str).encode()).hexdigest()


def _sha256_file(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as error:
        return f"(unreadable: {error.strerror})"


def _stack_file(program: Path, stack: str) -> Path | None:
    for candidate in (program / f"Pulumi.{stack}.yaml", program / f"Pulumi.{stack}.yml"):
        if candidate.is_file():
            return candidate
    return None


def _git_commit(folder: Path) -> str:
    """The checkout's commit, ``+ uncommitted changes`` when the tree is dirty; empty outside git."""
    try:
        head = subprocess.run(
            ["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5, check=False
        )
        if head.returncode != 0:
            return ""
        dirty = subprocess.run(
            ["git", "-C", str(folder), "status", "--porcelain", "--", "."],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    suffix = " + uncommitted changes" if dirty.returncode == 0 and dirty.stdout.strip() else ""
    return head.stdout.strip() + suffix


# --- rendering ------------------------------------------------------------------------------------------


def md(value: Any) -> Markup:
    """Untrusted text as one Markdown table cell or line: no table breaks, no HTML, no emphasis, no links."""
    if isinstance(value, Markup):
        return value
    text = one_line(str(value))
    text = html.escape(text, quote=False)
    text = re.sub(r"([\\`*\[\]|~])", r"\\\1", text)
    return Markup(text)


def _environment(autoescape: bool) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(_TEMPLATES),
        autoescape=autoescape,
        finalize=None if autoescape else md,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["md"] = md
    environment.filters["css"] = lambda status: status.replace(" ", "-")
    environment.globals.update(STATUSES=DISPLAY_ORDER, PASS=PASS, FAIL=FAIL, MASK=MASK)
    return environment


def render_markdown(report: ComplianceReport) -> str:
    return _environment(autoescape=False).get_template("report.md.j2").render(report=report)


def render_html(report: ComplianceReport) -> str:
    return _environment(autoescape=True).get_template("report.html.j2").render(report=report)


#: OWASP CSV injection: a cell a spreadsheet would read as a formula starts with one of these.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: Any) -> str:
    """One CSV cell a spreadsheet will not execute: formula-like text gets a leading apostrophe (OWASP).

    Escape sequences and control characters go first (a URN keeps the ones its resource name had, and
    a CSV is often read with ``cat``); newline and tab stay, quoted.
    """
    text = "" if value is None else strip_controls(str(value))
    if text.startswith(_FORMULA_STARTS):
        text = "'" + text
    return text


def render_csv(report: ComplianceReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(
        [
            "citation",
            "safeguard",
            "rule",
            "severity",
            "enforcement",
            "status",
            "resource_urn",
            "resource_type",
            "resource_name",
            "azure_name",
            "resource_id",
            "evidence",
            "detail",
            "waivers",
            "source",
        ]
    )
    for v in report.verdicts:
        row = [
            v.citation,
            v.citation_title,
            v.rule,
            v.severity,
            v.enforcement,
            v.status,
            v.urn,
            v.resource_type,
            v.resource_name,
            v.azure_name,
            v.resource_id,
            "; ".join(f"{path}={value}" for path, value in v.evidence),
            v.detail,
            "; ".join(v.waivers),
            v.source,
        ]
        writer.writerow([csv_cell(cell) for cell in row])
    for item in report.remediations:  # no citation or verdict: what a pack changed before judging
        row = [
            "",
            "",
            item["policy"],
            "",
            "remediate",
            "remediated",
            item["urn"],
            item["type"],
            item["name"],
            item["azure_name"],
            item["resource_id"],
            "",
            f"{item['pack']} changed {item['changed']}",
            "",
            item["source"],
        ]
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()


def render(report: ComplianceReport, suffix: str) -> str:
    if suffix in (".html", ".htm"):
        return render_html(report)
    if suffix == ".csv":
        return render_csv(report)
    return render_markdown(report)


def write(
    result: PreviewResult,
    path: str | Path,
    *,
    program_dir: str | Path | None = None,
    pack_config_files: Sequence[str | Path] = (),
) -> ComplianceReport:
    """Build the report and write it in the format the file name asks for (.md, .html/.htm, .csv, .sarif).

    The written text is scrubbed once more as a whole, in every spelling a secret takes once escaped.
    """
    redactor = Redactor.for_result(result)
    report = build(result, redactor=redactor, program_dir=program_dir, pack_config_files=pack_config_files)
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix == ".sarif":
        from landing_zone.preview import sarif

        text = sarif.render(report, result)
    else:
        text = render(report, suffix)
    target.write_text(redactor.scrub(text), encoding="utf-8")
    return report


__all__ = ["ComplianceReport", "Rule", "Verdict", "build", "csv_cell", "md", "render", "write"]
