"""The properties AnalyzeStack receives for each resource under ``pulumi preview``, computed offline.

Verified by reading the sources (pulumi/pulumi at 1b5949891b3cefcb9974752b24a5ecef0acc86c8,
pulumi/pulumi-azure-native ``provider/pkg/provider/provider.go`` and ``provider/pkg/convert/previewOutputs.go``
as stored at 006a62afe453 and 604cfd525f96, pulumi/pulumi-terraform-bridge at 59de6c661df1):

- **What the engine sends.** ``pkg/resource/deploy/step_generator.go`` ``AnalyzeResources`` builds one
  ``AnalyzerStackResource`` per state in ``deployment.news`` with ``Properties: v.Outputs`` ("AnalyzeStack is
  called on the final outputs of each resource"), plus parent, dependencies and property dependencies.
  ``sdk/go/common/resource/plugin/analyzer_plugin.go`` marshals them with ``KeepUnknowns``, ``KeepSecrets``
  and ``SkipInternalKeys`` and without ``KeepResources`` (a resource reference goes as its ID, its URN for a
  component) - `policy.analyzer_properties` does that part.
- **Outputs of a create at preview.** ``pkg/resource/deploy/step.go`` ``CreateStep.Apply`` sets
  ``s.new.Outputs = resp.Properties`` from the provider's ``Create`` called with ``Preview: true``. A
  ``SameStep`` keeps ``s.old.Outputs`` (the previous deployment's state); an offline preview has no state,
  so every resource is a create. Components keep the outputs they register (``RegisterResourceOutputs``).
- **Secrets.** ``plugin/provider_plugin.go`` ``Create``: neither azure-native nor the bridge sets
  ``AcceptSecrets`` in its ``ConfigureResponse``, so the engine sends them plain inputs and afterwards runs
  ``annotateSecrets(outs, inputs)``: objects present on both sides are walked key by key, any other output
  whose input of the same name contains a secret becomes secret as a whole. ``step_executor.go`` then makes
  secret each ``additionalSecretOutputs`` key present (never ``id``) and each top-level output whose
  top-level input is secret.
- **azure-native's preview Create** returns ``PreviewOutputs(inputs, res.Response)`` and nothing else: every
  property the type declares as output, echoed from the (checked) input of the same SDK name when the value
  has the declared shape, unknown otherwise, objects alike (`provider_check.preview_outputs`). Input-only
  path parameters (``resourceGroupName``, ``accountName``, ``vaultName``, ``serverName``, a lock's
  ``scope``) are not outputs, so they are absent; ``name`` and ``id`` are unknown unless an input is called
  ``name``; ``azureApiVersion`` is echoed from the value Check added.
- **The classic provider (terraform bridge)** at preview returns the planned state
  (``pkg/tfbridge/provider.go`` ``Create``: ``diff.ProposedState``; ``pkg/tfshim/sdk-v2``): every schema
  attribute, configured values as given, computed attributes unknown, ``id`` unknown, unset optional
  attributes null. Offline the schema is read from the installed SDK class: outputs that are not inputs
  are unknown, declared inputs not given are null. Not knowable from the SDK: an optional *and* computed
  input left unset is unknown under the CLI and null here; attributes the provider marks sensitive are
  secret under the CLI even when the program passed them plain.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.runtime import rpc

from landing_zone.preview.provider_check import PACKAGE, preview_outputs

UNKNOWN = rpc.UNKNOWN
SECRET_SIG = rpc._special_sig_key
SECRET_VALUE_SIG = rpc._special_secret_sig
#: The output the engine never makes secret (``step_executor.go``: "The 'id' property cannot be made secret").
_ID = "id"


def preview_state(
    token: str, checked: Mapping[str, Any], additional_secret_outputs: list[str] | tuple[str, ...] = ()
) -> dict[str, Any]:
    """The outputs of ``token``'s provider ``Create`` at preview, with secrets marked as the engine marks them.

    ``checked`` is the checked inputs as plain wire data (resource references already replaced by IDs or URNs,
    secrets as the ``{sig, value}`` envelope, unknowns as the sentinel).
    """
    plain = _without_secrets(checked)
    if token.startswith(f"{PACKAGE}:"):
        outputs = preview_outputs(token, plain)
        if outputs is None:  # a type the installed SDK does not describe: the provider would refuse it
            outputs = dict(plain)
    else:
        outputs = _bridged_preview(token, plain)
    _annotate_secrets(outputs, checked)
    for key, value in checked.items():  # step_executor: a top-level secret input keeps its output secret
        if key in outputs and _is_secret(value) and not _is_secret(outputs[key]):
            outputs[key] = _secret(outputs[key])
    for key in additional_secret_outputs:
        if key != _ID and key in outputs and not _is_secret(outputs[key]):
            outputs[key] = _secret(outputs[key])
    return outputs


def preview_state_struct(
    token: str, checked: struct_pb2.Struct, additional_secret_outputs: list[str] | tuple[str, ...] = ()
) -> struct_pb2.Struct:
    """`preview_state` on and to wire ``Struct`` s."""
    state = preview_state(token, json_format.MessageToDict(checked), additional_secret_outputs)
    struct = struct_pb2.Struct()
    struct.update(state)
    return struct


def _bridged_preview(token: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The planned state a bridged provider returns: inputs as given, ``id`` and computed attributes unknown."""
    outputs: dict[str, Any] = {}
    declared = _sdk_outputs(token)
    if declared is not None:
        computed, inputs_declared = declared
        outputs.update({key: None for key in inputs_declared})
        outputs.update({key: UNKNOWN for key in computed})
    outputs.update(inputs)
    outputs[_ID] = UNKNOWN
    return outputs


@functools.cache
def _sdk_outputs(token: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(outputs that are not inputs, inputs) of a Python SDK resource class, found through the module the SDK
    registered for the token's package and module; None when no installed SDK registered it."""
    package, _, rest = token.partition(":")
    module_name = rest.rpartition(":")[0]
    for module in rpc._RESOURCE_MODULES.get(rpc._module_key(package, module_name), []):
        info = getattr(module, "mod_info", None)
        if not isinstance(info, Mapping) or token not in info.get("classes", {}):
            continue
        try:
            python_module = importlib.import_module(info["fqn"])
            cls = getattr(python_module, info["classes"][token])
            args = getattr(python_module, f"{info['classes'][token]}Args", None)
        except (ImportError, AttributeError, KeyError):
            return None
        outputs = _getter_names(cls)
        inputs = _getter_names(args) if args is not None else frozenset()
        return outputs - inputs, inputs
    return None


def _getter_names(cls: Any) -> frozenset[str]:
    return frozenset(
        member.fget._pulumi_name
        for member in vars(cls).values()
        if isinstance(member, property) and getattr(member.fget, "_pulumi_name", None)
    )


def _is_secret(value: Any) -> bool:
    return isinstance(value, Mapping) and value.get(SECRET_SIG) == SECRET_VALUE_SIG


def _secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIG: SECRET_VALUE_SIG, "value": value}


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping) and SECRET_SIG not in value


def _contains_secrets(value: Any) -> bool:
    if _is_secret(value):
        return True
    if isinstance(value, Mapping):
        return any(_contains_secrets(item) for item in value.values())
    if isinstance(value, list):
        return any(_contains_secrets(item) for item in value)
    return False


def _without_secrets(value: Any) -> Any:
    """What the engine sends a provider that does not accept secrets: every secret as its plain value."""
    if _is_secret(value):
        return _without_secrets(value.get("value"))
    if isinstance(value, Mapping):
        return {key: _without_secrets(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_without_secrets(item) for item in value]
    return value


def _annotate_secrets(outputs: dict[str, Any], inputs: Mapping[str, Any]) -> None:
    """``annotateSecrets`` of ``provider_plugin.go``, in place."""
    for key, input_value in inputs.items():
        if key not in outputs:
            continue
        output_value = outputs[key]
        if _is_object(output_value) and _is_object(input_value):
            _annotate_secrets(output_value, input_value)
        elif not _is_secret(output_value) and _contains_secrets(input_value):
            outputs[key] = _secret(output_value)


__all__ = ["preview_state", "preview_state_struct"]
