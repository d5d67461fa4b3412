"""Every weakening of the gate, collected so no report can hide one, and strict mode that forbids the worst.

A weakening is anything that makes a preview pass that the pack as shipped would not pass:

- ``exemption`` / ``broad-exemption``: an active exemption in a policy-pack config; broad when its glob
  matches (nearly) every resource (``*``, ``urn:pulumi:*``, ``*-*``); long expiries are flagged in ``detail``;
- ``enforcement-lowered`` / ``disabled``: a policy's level below the pack's default, per rule or via ``all``;
- ``evaluation-date-override``: ``PHI_GUARDRAILS_EVALUATION_DATE`` judges exemptions as of another day;
- ``waiver``: a ``waiver:<name>`` tag a component wrote for a weakened default, with its reason and
  approver (``waiver:<name>:approver``);
- ``relaxation``: a rule a pack relaxed itself, reported by a policy the pack publishes with the tag
  ``weakening`` (the project's pack: ``nonprod-relaxations``, one per resource of a non-production stack
  whose deletion blockers are relaxed). The pack decides; the engine lists each of its verdicts.

`gate` collects them after the packs ran. In strict mode (``--strict``, or ``"landingZoneGate":
{"strict": true}`` in a pack config) the following are errors instead (exit 2), for regulated
repositories' CI: lowering or disabling a mandatory or critical rule; a broad exemption; an exemption
or waiver without an approver (or a waiver without a reason); an evaluation date earlier than today (it
revives expired exemptions); running no policy pack at all; disabling a policy that reports weakenings
(the relaxations would then be applied without being listed). A relaxation itself is not an error in
strict mode: the pack applies it only where it decides the stack is not production, and an organisation
that forbids it makes the reporting policy mandatory, which works under the Pulumi CLI as well.

The engine imports nothing from the pack or the components: it reads what packs publish over the
Analyzer protocol, the user's config, and the registered tags.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from pulumi.runtime.proto import analyzer_pb2

from landing_zone.preview.pack_config import WIRE_TO_LEVEL, PackConfigError, PolicyConfig, parse_iso_date
from landing_zone.preview.policy import PackResult
from landing_zone.preview.recorder import UNKNOWN, Registration

KINDS = (
    "exemption",
    "broad-exemption",
    "enforcement-lowered",
    "disabled",
    "evaluation-date-override",
    "waiver",
    "relaxation",
)
#: The policy tag that marks a policy whose verdicts are weakenings the pack applied itself (kind ``relaxation``).
WEAKENING_POLICY_TAG = "weakening"
#: In such a policy's message, the line that starts with this gives the relaxation's reason.
RELAXATION_REASON = "\nreason: "
#: The variable the project's pack reads to judge exemptions as of another day (reproducible audits).
EVALUATION_DATE_VARIABLE = "PHI_GUARDRAILS_EVALUATION_DATE"
#: Exemptions that run longer than this are flagged: a year is the usual risk-acceptance review cycle.
LONG_EXPIRY_DAYS = 365
#: A glob with fewer literal letters and digits than this (URN scaffolding aside) matches nearly everything.
_MIN_LITERAL_CHARACTERS = 4
#: Tags components write for a weakened default (``components.interfaces.waiver_tags``).
WAIVER_TAG_PREFIX = "waiver:"
WAIVER_APPROVER_SUFFIX = ":approver"
#: Policies named in the one line for an ``all`` lowering (the count says how many in total).
_LISTED_POLICIES = 10
_RANK = {"disabled": 0, "advisory": 1, "remediate": 2, "mandatory": 3}


@dataclass(frozen=True)
class Weakening:
    """One way this preview is weaker than the pack as shipped; every report lists each one."""

    kind: str
    policy: str
    target: str
    detail: str
    reason: str | None
    approver: str | None
    source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "policy": self.policy,
            "target": self.target,
            "detail": self.detail,
            "reason": self.reason,
            "approver": self.approver,
            "source": self.source,
        }

    def line(self) -> str:
        """One console line (callers strip control characters for the terminal)."""
        who = f"; approved by {self.approver}" if self.approver else "; no approver recorded"
        why = f"; reason: {self.reason}" if self.reason else ""
        return f"[{self.kind}] {self.policy} -> {self.target}: {self.detail}{why}{who} ({self.source})"


class StrictModeError(PackConfigError):
    """Strict mode forbids a weakening that is present; ``problems`` names each one and where it comes from."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.args = ("strict mode forbids these weakenings:\n" + "\n".join(f"  - {p}" for p in problems),)


@dataclass(frozen=True)
class _Lowering:
    pack: str
    policy: str
    default: str
    effective: str
    severity: str
    cause: str  # the policy's own name, "all", or "" when the pack's initial config did it
    source: str


def gate(
    packs: Sequence[PackResult],
    configs: Sequence[Mapping[str, PolicyConfig] | None],
    registrations: Sequence[Registration],
    *,
    strict: bool = False,
    environ: Mapping[str, str] | None = None,
    today: date | None = None,
) -> list[Weakening]:
    """Every weakening of this preview; raises `StrictModeError` for forbidden ones in strict mode.

    ``configs[i]`` is the user's config of ``packs[i]`` (`PackConfig` carries its file and the strict
    setting; plain mappings work too). ``environ`` and ``today`` are for tests.
    """
    environment = os.environ if environ is None else environ
    real_today = today or datetime.now(UTC).date()
    override = _evaluation_date(environment)
    judged = override or real_today
    weakenings: list[Weakening] = []
    problems: list[str] = []
    lowerings: list[_Lowering] = []
    for index, pack in enumerate(packs):
        user = configs[index] if index < len(configs) else None
        lowerings.extend(_lowerings(pack, user))
        weakenings.extend(_exemptions(pack, user, judged))
        weakenings.extend(relaxations(pack))
    weakenings.extend(_group_lowerings(lowerings))
    if override is not None and packs:
        weakenings.append(
            Weakening(
                kind="evaluation-date-override",
                policy="*",
                target="every exemption",
                detail=f"exemptions are judged as of {override.isoformat()} instead of {real_today.isoformat()}",
                reason=None,
                approver=None,
                source=f"environment variable {EVALUATION_DATE_VARIABLE}",
            )
        )
    weakenings.extend(waivers(registrations))
    if strict or any(getattr(config, "strict", False) for config in configs):
        problems = _strict_problems(lowerings, weakenings, override, real_today)
        problems.extend(_hidden_relaxations(packs, lowerings))
        if not packs:
            problems.insert(0, "no policy pack ran (--no-policy): strict mode needs a complete policy verdict")
        if problems:
            raise StrictModeError(problems)
    return weakenings


def _evaluation_date(environ: Mapping[str, str]) -> date | None:
    text = environ.get(EVALUATION_DATE_VARIABLE)
    if not text:
        return None
    parsed = parse_iso_date(text.strip())
    if parsed is None:
        raise PackConfigError([f"environment variable {EVALUATION_DATE_VARIABLE} must be a real date (YYYY-MM-DD)"])
    return parsed


def _source(config: PolicyConfig | None, user: Mapping[str, PolicyConfig] | None, pack: PackResult) -> str:
    return (
        (config.source if config is not None else None)
        or getattr(user, "source", None)
        or f"policy pack config of {pack.name}"
    )


_SEVERITIES = {
    analyzer_pb2.POLICY_SEVERITY_LOW: "low",
    analyzer_pb2.POLICY_SEVERITY_MEDIUM: "medium",
    analyzer_pb2.POLICY_SEVERITY_HIGH: "high",
    analyzer_pb2.POLICY_SEVERITY_CRITICAL: "critical",
}


def _severity(policy: analyzer_pb2.PolicyInfo) -> str:
    return _SEVERITIES.get(policy.severity, "")


def _lowerings(pack: PackResult, user: Mapping[str, PolicyConfig] | None) -> list[_Lowering]:
    result: list[_Lowering] = []
    user = user or {}
    everything = user.get("all")
    for policy in pack.policies:
        default = WIRE_TO_LEVEL.get(policy.enforcementLevel, "advisory")
        effective_config = pack.config.get(policy.name)
        effective = (effective_config.enforcement_level if effective_config else "") or default
        if _RANK.get(effective, 1) >= _RANK.get(default, 1):
            continue
        named = user.get(policy.name)
        if named is not None and named.enforcement_level:
            cause, source = policy.name, _source(named, user, pack)
        elif everything is not None and everything.enforcement_level:
            cause, source = "all", _source(everything, user, pack)
        else:
            cause, source = "", f"initial config of policy pack {pack.name}"
        result.append(_Lowering(pack.name, policy.name, default, effective, _severity(policy), cause, source))
    return result


def _group_lowerings(lowerings: Sequence[_Lowering]) -> list[Weakening]:
    """One weakening per named policy; one per level for those lowered through ``all`` (not forty lines)."""
    result: list[Weakening] = []
    through_all: dict[tuple[str, str, str], list[_Lowering]] = {}
    for item in lowerings:
        if item.cause == "all":
            through_all.setdefault((item.pack, item.effective, item.source), []).append(item)
            continue
        severity = f", severity {item.severity}" if item.severity else ""
        result.append(
            Weakening(
                kind="disabled" if item.effective == "disabled" else "enforcement-lowered",
                policy=item.policy,
                target=f"policy {item.policy} of {item.pack}",
                detail=f"enforcement {item.default} -> {item.effective}{severity}",
                reason=None,
                approver=None,
                source=item.source,
            )
        )
    for (pack, level, source), items in through_all.items():
        mandatory = sum(1 for item in items if item.default == "mandatory")
        critical = sum(1 for item in items if item.severity == "critical")
        names = ", ".join(item.policy for item in items[:_LISTED_POLICIES])
        if len(items) > _LISTED_POLICIES:
            names += f" and {len(items) - _LISTED_POLICIES} more"
        result.append(
            Weakening(
                kind="disabled" if level == "disabled" else "enforcement-lowered",
                policy="all",
                target=f"{len(items)} policies of {pack}",
                detail=(
                    f'"all": "{level}" lowers {len(items)} policies ({mandatory} mandatory, {critical} critical): '
                    f"{names}"
                ),
                reason=None,
                approver=None,
                source=source,
            )
        )
    return result


def is_broad_glob(pattern: str) -> bool:
    """True for a glob that matches (nearly) every resource: ``*``, ``urn:pulumi:prod::*``, ``*-*-*``, ``*a*``.

    A URN glob is broad when its resource-name part (after the last ``::``) is missing or wildcards:
    ``urn:pulumi:*::*::azure-native:keyvault:Vault::*`` exempts every vault. Any other glob must keep
    a few letters or digits once wildcards and character classes are removed, and must not be mostly
    wildcards.
    """
    if not any(char in pattern for char in "*?["):
        return False
    if pattern.lower().startswith("urn:"):
        segments = pattern.split("::")
        name = segments[-1] if len(segments) >= 4 else ""
        return _literal_letters(name) < _MIN_LITERAL_CHARACTERS
    letters = _literal_letters(pattern)
    wildcards = len(re.findall(r"\*+|\?", pattern))
    return letters < _MIN_LITERAL_CHARACTERS or wildcards > max(2, letters // 3)


def _literal_letters(pattern: str) -> int:
    """Letters and digits a glob matches literally (outside ``*``, ``?`` and ``[...]``)."""
    literal = re.sub(r"\[[^\]]*\]", "", pattern)
    return sum(1 for char in literal if char.isalnum())


def _exemptions(pack: PackResult, user: Mapping[str, PolicyConfig] | None, judged: date) -> list[Weakening]:
    result: list[Weakening] = []
    for name, config in pack.config.items():
        entries = config.properties.get("exemptions") if config.properties else None
        if not isinstance(entries, Sequence) or isinstance(entries, (str, bytes)):
            continue
        for entry in entries:
            if not isinstance(entry, Mapping):
                continue
            resource = str(entry.get("resource", ""))
            expires = parse_iso_date(str(entry.get("expires", "")))
            if expires is None or expires < judged:
                continue  # expired exemptions weaken nothing (the pack enforces the rule again)
            broad = is_broad_glob(resource)
            flags = []
            if broad:
                flags.append("the glob matches nearly every resource")
            days = (expires - judged).days
            if days > LONG_EXPIRY_DAYS:
                flags.append(f"long expiry: {days} days away")
            detail = f"exempted until {expires.isoformat()}" + (f" ({'; '.join(flags)})" if flags else "")
            approver = entry.get("approvedBy")
            result.append(
                Weakening(
                    kind="broad-exemption" if broad else "exemption",
                    policy=name,
                    target=resource,
                    detail=detail,
                    reason=str(entry.get("reason", "")).strip() or None,
                    approver=approver.strip() if isinstance(approver, str) and approver.strip() else None,
                    source=_source(config, user, pack),
                )
            )
    return result


def relaxations(pack: PackResult) -> list[Weakening]:
    """The verdicts of the pack's policies tagged ``weakening``: rules the pack relaxed itself, one per resource."""
    reporters = {policy.name for policy in pack.policies if WEAKENING_POLICY_TAG in policy.tags}
    result: list[Weakening] = []
    for diagnostic in pack.diagnostics:
        if diagnostic.policy not in reporters or diagnostic.kind != "violation":
            continue
        text = diagnostic.message
        if diagnostic.description and text.startswith(diagnostic.description + "\n"):
            text = text[len(diagnostic.description) + 1 :]
        detail, _, reason = text.strip().partition(RELAXATION_REASON)
        result.append(
            Weakening(
                kind="relaxation",
                policy=diagnostic.policy,
                target=_resource_of(diagnostic.urn),
                detail=" ".join(detail.split()),
                reason=" ".join(reason.split()) or None,
                approver=None,
                source=f"policy {diagnostic.policy} of {pack.name} ({diagnostic.enforcement_level})",
            )
        )
    return result


def _resource_of(urn: str) -> str:
    """``type: name`` from a URN (``urn:pulumi:stack::project::parent$type::name``), as waivers name resources."""
    parts = urn.split("::")
    if len(parts) < 4:
        return urn or "the stack"
    return f"{parts[2].rsplit('$', 1)[-1]}: {'::'.join(parts[3:])}"


def _hidden_relaxations(packs: Sequence[PackResult], lowerings: Sequence[_Lowering]) -> list[str]:
    """Strict mode: a disabled weakening reporter would let its pack relax rules without any report."""
    reporters = {
        (pack.name, policy.name) for pack in packs for policy in pack.policies if WEAKENING_POLICY_TAG in policy.tags
    }
    return [
        f"{item.source}: disabling policy {item.policy} of {item.pack} hides the relaxations it reports"
        for item in lowerings
        if item.effective == "disabled" and (item.pack, item.policy) in reporters
    ]


def waivers(registrations: Sequence[Registration]) -> list[Weakening]:
    """The ``waiver:<name>`` tags of every registered resource, with their reason and approver."""
    result: list[Weakening] = []
    for registration in registrations:
        tags = registration.inputs.get("tags")
        if not isinstance(tags, Mapping):
            continue
        for key, value in tags.items():
            if not (isinstance(key, str) and key.lower().startswith(WAIVER_TAG_PREFIX)):
                continue
            if key.lower().endswith(WAIVER_APPROVER_SUFFIX):
                continue
            name = key[len(WAIVER_TAG_PREFIX) :]
            approver = _tag(tags, f"{key}{WAIVER_APPROVER_SUFFIX}")
            reason = value.strip() if isinstance(value, str) and value != UNKNOWN else None
            result.append(
                Weakening(
                    kind="waiver",
                    policy=name,
                    target=f"{registration.type}: {registration.name}",
                    detail=f"secure default '{name}' waived in code",
                    reason=reason or None,
                    approver=approver,
                    source=f"tags of {registration.urn}",
                )
            )
    return result


def _tag(tags: Mapping[str, Any], key: str) -> str | None:
    for candidate, value in tags.items():
        if isinstance(candidate, str) and candidate.lower() == key.lower():
            if isinstance(value, str) and value != UNKNOWN:
                return value.strip() or None
            return None
    return None


def _strict_problems(
    lowerings: Sequence[_Lowering], weakenings: Sequence[Weakening], override: date | None, today: date
) -> list[str]:
    problems: list[str] = []
    for item in lowerings:
        if item.default == "mandatory" or item.severity == "critical":
            how = f'"all": "{item.effective}"' if item.cause == "all" else f'"{item.policy}": "{item.effective}"'
            problems.append(
                f"{item.source}: {how} lowers {item.default} policy {item.policy}"
                f"{' (severity critical)' if item.severity == 'critical' else ''} of {item.pack}"
            )
    for weakening in weakenings:
        if weakening.kind == "broad-exemption":
            problems.append(
                f"{weakening.source}: {weakening.policy}.exemptions resource {weakening.target!r} "
                "is a wildcard that matches nearly every resource; name the resource"
            )
        if weakening.kind in ("exemption", "broad-exemption") and weakening.approver is None:
            problems.append(
                f"{weakening.source}: {weakening.policy}.exemptions for {weakening.target!r} has no approvedBy"
            )
        if weakening.kind == "waiver" and (weakening.approver is None or weakening.reason is None):
            problems.append(
                f"{weakening.source}: waiver '{weakening.policy}' on {weakening.target} lacks a reason or approver"
            )
    if override is not None and override < today:
        problems.append(
            f"environment variable {EVALUATION_DATE_VARIABLE}={override.isoformat()} is in the past, "
            "which revives expired exemptions"
        )
    return problems


__all__ = [
    "EVALUATION_DATE_VARIABLE",
    "KINDS",
    "StrictModeError",
    "Weakening",
    "gate",
    "is_broad_glob",
    "relaxations",
    "waivers",
]
