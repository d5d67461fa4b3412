"""Whether the non-production relaxation applies to one resource: decided here, once, for every rule.

A non-production stack must be destroyable without manual steps, so the rules that exist only to block
deletion (``protect``, ``CanNotDelete`` locks, the long Key Vault soft-delete window, an immutable log
archive) are relaxed for its resources: see ``nonprod_relaxable`` on `ResourceRule` and `StackRule` in
``framework.py``. Everything else (encryption, network, access, logging, purge protection) is enforced
the same in every stack.

The relaxation applies to a resource only when all of these hold, and fails closed otherwise:

1. The resource's own ``environmentClass`` tag says non-production, or it has no such tag and the
   stack tag ``environmentClass`` does (the stack's tags reach the pack in ``ConfigureStack``; set
   them with ``pulumi stack tag set`` or the ``pulumi:tags`` stack config key). A stack tag saying
   anything else (``prod``, a typo) forbids the relaxation for every resource of the stack, whatever
   the resource's own tag says.

   - Tag keys: ``environmentClass``, ``environment-class`` or ``environment_class``, in any case.
     When several are present, every one must say non-production.
   - Non-production values, in any case, trimmed: ``nonprod``, ``non-prod``, ``non_prod``,
     ``nonproduction``, ``non-production``, ``dev``, ``development``, ``test``, ``sandbox``.
     Any other value (``prod``, ``staging``, ``nonprd``, a value unknown until apply) is production.

2. No name of the stack looks like production. The names are the stack in the resource's URN
   (``urn:pulumi:<stack>::...``, what the engine itself records) and ``PULUMI_STACK``, which the CLI
   sets for the pack process. A name is split into words at every non-letter and at camelCase
   boundaries, and any word in `PRODUCTION_WORDS` makes it production: ``prod``, ``payments-prd``,
   ``prod2``, ``eu-live`` and ``paymentsProd`` (and therefore ``nonProd``: write ``nonprod``) are
   production; ``nonprod``, ``dev`` and ``product-test`` are not. No stack name at all is production.

3. The organisation has not forbidden it. The pack publishes the advisory rule ``nonprod-relaxations``,
   which reports every relaxed resource; making it ``mandatory`` in the pack config (a Pulumi Cloud
   policy group for production accounts) turns each relaxation into a blocking violation. That one
   setting is the switch, rather than a setting on each relaxed rule, because a policy only ever sees
   its own config: a per-rule switch or word list could disagree with what the report says was relaxed.

Only this module decides; it imports nothing from the rest of the pack.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pulumi_policy.proxy import UnknownValueError

from phi_guardrails.untrusted import quoted

#: Tag keys that declare the environment class, compared lower-cased.
TAG_KEYS = frozenset({"environmentclass", "environment-class", "environment_class"})
#: Tag values that declare non-production, compared lower-cased and trimmed.
NONPROD_VALUES = frozenset(
    {
        "nonprod",
        "non-prod",
        "non_prod",
        "nonproduction",
        "non-production",
        "dev",
        "development",
        "test",
        "sandbox",
    }
)
#: Words that make a stack name production.
PRODUCTION_WORDS = frozenset({"prod", "production", "prd", "live"})
#: The environment variable the Pulumi CLI sets to the stack name when it starts a policy pack.
STACK_VARIABLE = "PULUMI_STACK"
_URN_PREFIX = "urn:pulumi:"
#: Words of a name: a capitalised or lower-case run, or an all-caps run not followed by lower case.
_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")


@dataclass(frozen=True)
class Relaxation:
    """The decision for one resource: whether the relaxation applies, and why (for messages and reports).

    ``why`` names the tag (key and recognised value) or the reason for refusing, and the stack name;
    it never echoes an unrecognised tag value.
    """

    applies: bool
    why: str


def classify(tags: Any) -> tuple[str, str]:
    """``("absent" | "nonprod" | "production", detail)`` for a resource's or a stack's tags.

    A tag value unknown at preview, tags that are not a mapping, or any declaring key with another value:
    production. The whole ``tags`` property unknown at preview counts as absent (see `decide`).
    """
    if tags is None or tags is _UNKNOWN:
        return "absent", "no environmentClass tag" + (" known at preview" if tags is _UNKNOWN else "")
    if not isinstance(tags, Mapping):
        return "production", "its tags are not a mapping"
    declared: list[str] = []
    try:
        for key in list(tags.keys()):
            if not (isinstance(key, str) and key.strip().lower() in TAG_KEYS):
                continue
            value = tags[key]
            normalised = value.strip().lower() if isinstance(value, str) else None
            if normalised not in NONPROD_VALUES:
                return "production", f"tag {key.strip()} does not declare a non-production class"
            declared.append(f"{key.strip()}={normalised}")  # key.strip() is one of TAG_KEYS: safe to echo
    except UnknownValueError:
        return "production", "its environmentClass tag is not known until apply"
    if not declared:
        return "absent", "no environmentClass tag"
    return "nonprod", ", ".join(declared)


def stack_names(urn: str, environ: Mapping[str, str] | None = None) -> list[str]:
    """The stack names this resource is judged by: the one in its URN and ``PULUMI_STACK`` (when set)."""
    names: list[str] = []
    if urn.startswith(_URN_PREFIX) and "::" in urn:
        names.append(urn[len(_URN_PREFIX) :].split("::", 1)[0])
    variable = (os.environ if environ is None else environ).get(STACK_VARIABLE)
    if variable:
        names.append(variable)
    return [name for name in dict.fromkeys(names) if name]


def production_word(name: str) -> str | None:
    """The word that makes ``name`` a production stack name, or None."""
    for word in _WORDS.findall(name):
        if word.lower() in PRODUCTION_WORDS:
            return word.lower()
    return None


def decide(
    urn: str,
    props: Mapping[str, Any],
    stack_tags: Mapping[str, str] | None,
    environ: Mapping[str, str] | None = None,
) -> Relaxation:
    """Whether the non-production relaxation applies to the resource ``urn`` with properties ``props``.

    A resource whose whole ``tags`` property is unknown at preview is judged like an untagged one (by the
    stack tag): under ``pulumi preview``, azure-native leaves ``tags`` unknown in AnalyzeStack when the
    program gave none, while Analyze sees them absent, and both must decide alike so the report lists
    what the rules relaxed. ``pulumi up`` runs the pack again with the values known.
    """
    names = stack_names(urn, environ)
    refusal = _production_name(names)
    if refusal is not None:
        return Relaxation(False, refusal)
    stack_class, stack_detail = classify(stack_tags)
    resource_class, resource_detail = classify(_tags_of(props))
    stack = f"stack {quoted(names[0])} is not named as production"
    if stack_class == "production":
        return Relaxation(False, f"the stack's {stack_detail}")
    if resource_class == "nonprod":
        return Relaxation(True, f"resource tag {resource_detail}; {stack}")
    if resource_class == "absent" and stack_class == "nonprod":
        return Relaxation(True, f"stack tag {stack_detail} (the resource has no environmentClass tag); {stack}")
    if resource_class == "production":
        return Relaxation(False, f"the resource's {resource_detail}")
    return Relaxation(False, "neither the resource nor the stack is tagged environmentClass nonprod")


def _production_name(names: list[str]) -> str | None:
    """Why these stack names forbid the relaxation (none known, or one named as production), or None."""
    if not names:
        return "the stack name is not known"
    for name in names:
        word = production_word(name)
        if word is not None:
            return f"stack {quoted(name)} is named as production ('{word}')"
    return None


def _tags_of(props: Mapping[str, Any]) -> Any:
    """The ``tags`` property (any key case): None when absent, `_UNKNOWN` when unknown at preview, else as is."""
    try:
        if "tags" in props:
            return props["tags"]
        for key in props:
            if isinstance(key, str) and key.lower() == "tags":
                return props[key]
    except UnknownValueError:
        return _UNKNOWN
    return None


#: Stands for tags unknown until apply (classified as production).
_UNKNOWN = object()
