"""A program-supplied string quoted in a pack message is bounded, on one line and free of terminal controls.

Pack messages reach the Pulumi CLI's console and CI logs without the preview engine's escaping, so the
pack itself quotes every value it copies from the program (`phi_guardrails.untrusted.quoted`): a tag
key, a property path, a resource name, a private endpoint's group ID (that one is echoed only when the
private-link catalog knows it, so it is already a short catalogued name in the program's casing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
from phi_guardrails.untrusted import MAX_QUOTED, quoted

from landing_zone.preview.pack_config import PolicyConfig
from landing_zone.preview.policy import PackResult
from landing_zone.preview.runner import record

Analyze = Callable[..., PackResult]
#: Long, with an escape sequence, a newline, a bidi override and a quote.
HOSTILE = "vault\x1b[2J\nFAKE: all checks passed\u202e'" + "x" * 500


def _safe(message: str, limit: int = MAX_QUOTED) -> None:
    """One line after the rule's description (the CLI's diagnostic shape), no controls, the value cut."""
    assert "\x1b" not in message and message.count("\n") == 1 and "\u202e" not in message
    assert "x" * (limit + 1) not in message
    assert len(message) < 600


class TestQuoted:
    def test_plain_values_are_single_quoted(self) -> None:
        assert quoted("blob") == "'blob'"
        assert quoted(42) == "'42'"

    def test_controls_newlines_bidi_and_quotes_are_escaped(self) -> None:
        assert quoted("a\x1b[31mb\nc\u202ed'e\\") == "'a\\u001b[31mb\\u000ac\\u202ed\\'e\\\\'"

    def test_long_values_are_cut_with_an_ellipsis(self) -> None:
        assert quoted("y" * 100) == "'" + "y" * MAX_QUOTED + "…'"
        assert quoted("y" * 100, limit=5) == "'yyyyy…'"
        assert quoted("y" * MAX_QUOTED) == "'" + "y" * MAX_QUOTED + "'"


def _tagged(tags: dict[str, Any], **props: Any) -> Callable[[], None]:
    return lambda: pulumi.CustomResource(
        "azure-native:storage:StorageAccount", "st", {"accountName": "st1", "tags": tags, **props}
    )


def _messages(analyze: Analyze, program: Callable[[], None], policy: str) -> list[str]:
    config = {policy: PolicyConfig("mandatory")}
    found = analyze(record(program).registrations, config).diagnostics
    return [d.message for d in found if d.policy == policy]


def _finding(message: str) -> str:
    return message.split("\n", 1)[1]


def test_a_hostile_tag_key_is_quoted_bounded_in_the_tag_message(analyze: Analyze) -> None:
    (credential_name,) = _messages(analyze, _tagged({"password" + HOSTILE: "hunter2hunter2"}), "no-secrets-in-tags")
    (credential_value,) = _messages(analyze, _tagged({HOSTILE: "Password=abc"}), "no-secrets-in-tags")
    assert _finding(credential_name).startswith("tag 'passwordvault\\u001b[2J\\u000aFAKE")
    assert _finding(credential_value).startswith("tag 'vault\\u001b[2J\\u000aFAKE")
    for message in (credential_name, credential_value):
        _safe(message)


def test_a_hostile_property_path_is_quoted_bounded_in_the_plaintext_message(analyze: Analyze) -> None:
    program = _tagged(
        {}, settings={HOSTILE: "DefaultEndpointsProtocol=https;AccountKey=abcdefghijklmnopqrstuvwxyz12=="}
    )
    (message,) = _messages(analyze, program, "no-plaintext-secrets")
    assert _finding(message).startswith("'settings.vault\\u001b[2J\\u000aFAKE")
    _safe(message, limit=120)
