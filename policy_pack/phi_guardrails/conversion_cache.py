"""Convert a resource's properties once per Analyze/AnalyzeStack call, not once per policy.

pulumi-policy's ``Analyze`` converts the resource's properties afresh for every policy of the pack
(``json_format.MessageToDict``, then ``deserialize_properties``, then ``unknown_checking_proxy``), before
a policy can say whether the resource is a type it checks; ``AnalyzeStack`` converts every resource once
per stack policy. With this pack's ~120 rules those conversions were about three quarters of the pack's
time on ``tests/benchmarks/bench_preview.py`` (500 storage accounts).

Each step is a pure function of its input, so during one of those calls it runs once per input object
(the request's message, then each step's result): the memo holds the inputs, so an identity cannot be
reused by another object within the call. Policies then share one read-only view
of the properties: validation only reads them (this pack's rules read through `ResourceView` and never
write). Outside those calls (``Configure`` keeps its converted config, ``Remediate`` may change
properties) nothing is shared. Should a future pulumi-policy lack these internals, nothing is installed
and the pack runs as before, only slower.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from types import ModuleType, SimpleNamespace
from typing import Any

#: The servicer calls during which conversions are shared (each gRPC call runs on one server thread).
CACHED_CALLS = ("Analyze", "AnalyzeStack")
#: The SDK's steps after ``MessageToDict`` (names in ``pulumi_policy.policy``), shared by identity.
SHARED_STEPS = ("deserialize_properties", "unknown_checking_proxy")

#: Set on the SDK module once installed, so installing twice wraps nothing twice.
MARKER = "_phi_guardrails_conversion_cache"

_state = threading.local()


def _by_identity(original: Callable[..., Any]) -> Callable[..., Any]:
    """``original``, once per input object (and further arguments) within a call."""

    @functools.wraps(original)
    def once(value: Any, *args: Any, **kwargs: Any) -> Any:
        memo: dict[Any, Any] | None = getattr(_state, "memo", None)
        if memo is None or kwargs:
            return original(value, *args, **kwargs)
        key = (original.__name__, id(value), args)
        entry = memo.get(key)
        if entry is None or entry[0] is not value:
            entry = memo[key] = (value, original(value, *args))  # holding the input keeps its id unique
        return entry[1]

    return once


def _sharing(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def within(*args: Any, **kwargs: Any) -> Any:
        outer = getattr(_state, "memo", None)
        _state.memo = {} if outer is None else outer
        try:
            return call(*args, **kwargs)
        finally:
            _state.memo = outer

    return within


def install(sdk_policy: ModuleType | None = None) -> bool:
    """Share conversions within the SDK servicer's Analyze and AnalyzeStack; True when installed (idempotent)."""
    if sdk_policy is None:
        from pulumi_policy import policy as sdk_policy
    if getattr(sdk_policy, MARKER, False):
        return True
    json_format = getattr(sdk_policy, "json_format", None)
    servicer = getattr(sdk_policy, "_PolicyAnalyzerServicer", None)
    steps = [getattr(sdk_policy, name, None) for name in SHARED_STEPS]
    if json_format is None or servicer is None or None in steps or not all(hasattr(servicer, n) for n in CACHED_CALLS):
        return False
    shim = SimpleNamespace(
        **{name: getattr(json_format, name) for name in dir(json_format) if not name.startswith("__")}
    )
    shim.MessageToDict = _by_identity(json_format.MessageToDict)
    sdk_policy.json_format = shim
    for name, step in zip(SHARED_STEPS, steps, strict=True):
        setattr(sdk_policy, name, _by_identity(step))
    for name in CACHED_CALLS:
        setattr(servicer, name, _sharing(getattr(servicer, name)))
    setattr(sdk_policy, MARKER, True)
    return True
