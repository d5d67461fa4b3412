"""What the offline preview answers when a program calls a provider function (an invoke).

Under ``pulumi preview`` an invoke runs for real: the provider reads live Azure state. Offline there is no
Azure, so an invoke is answered only where the answer is faithful, and every other invoke ends the
preview as an incomplete plan naming its token (`IncompletePlanError`), never with invented data:

- ``getClientConfig`` (azure-native, classic ``azure:core/getClientConfig`` and ``azuread``'s): the
  subscription, tenant and client from the stack's provider config, as each provider reads them from its own
  config. The signed-in principal's object ID cannot be known offline: one stable GUID per tenant, the same
  from every provider, as the three providers report the same principal.
- credential ``list*`` functions (account keys, registry credentials, connection strings, SAS tokens, ...):
  a secret shaped like the SDK's result. At preview the names such a call needs are normally unknown
  outputs, so the SDK never sends it, as under the CLI; called with literal names (an existing resource)
  it answers placeholders marked secret: the CLI would return the live secret, which no report may show.
- answers the user wrote in ``invoke-answers.json`` next to ``Pulumi.yaml`` (a data source reading an
  existing resource group, subnet or vault), matched on the token and the exact arguments.

``getClientToken`` is refused: a bearer token exists only when signed in to Azure, and a program asks
for one to call Azure itself, outside the plan (pulumi/examples ``azure-py-call-azure-sdk`` then sends
it to management.azure.com). A placeholder would send that request with a fake token.
"""

from __future__ import annotations

import base64
import collections.abc
import hashlib
import importlib
import json
import re
import sys
import typing
import uuid
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from landing_zone.errors import IncompletePlanError
from landing_zone.preview.recorder import SECRET_SIG, SECRET_VALUE_SIG
from landing_zone.preview.redact import mask_properties

#: User-written answers to invokes, keyed by token, next to Pulumi.yaml (see `load_invoke_answers`).
INVOKE_ANSWERS_FILE = "invoke-answers.json"

_CLASSIC_CLIENT_CONFIG = "azure:core/getClientConfig:getClientConfig"
_NATIVE_CLIENT_CONFIG = "azure-native:authorization:getClientConfig"
_AZUREAD_CLIENT_CONFIG = "azuread:index/getClientConfig:getClientConfig"
_CLIENT_TOKEN = "azure-native:authorization:getClientToken"

#: The last word of a ``list*`` function that returns credentials (``listStorageAccountKeys``,
#: ``listRegistryCredentials``, ``listWorkflowTriggerCallbackUrl``, ``listStorageAccountSAS``, ...), read
#: from the azure-native SDK's function names. Other ``list*`` functions read live state and are refused.
_CREDENTIAL_LIST = re.compile(
    r"^list[A-Za-z0-9]*?(Keys?|Credentials?|Secrets?|ConnectionStrings?|SAS|Sas|SasTokens|SasUrl|Passwords?|"
    r"Tokens?|CallbackUrl|SharedKey)(Slot|ForKeyName)?$"
)
#: Credential functions whose name does not start with ``list`` (Log Analytics workspace shared keys).
_CREDENTIAL_GETS = frozenset({"operationalinsights:getSharedKeys", "operationalinsights:getWorkspaceSharedKeys"})
#: ``list*`` names the pattern matches that list live state, not credentials.
_NOT_CREDENTIALS = frozenset({"logic:listIntegrationAccountKeyVaultKeys"})


class InvokeAnswers:
    """Answer invokes for one stack: its provider identities and the user's answers file."""

    def __init__(
        self,
        native: Mapping[str, str],
        classic: Mapping[str, str] | None = None,
        answers: Mapping[str, list[dict[str, Any]]] | None = None,
        azuread: Mapping[str, str] | None = None,
    ) -> None:
        """``native``/``classic``/``azuread``: ``subscriptionId``, ``tenantId`` and optional ``clientId`` of each
        provider (azuread has no subscription)."""
        self.native = dict(native)
        self.classic = dict(classic or native)
        self.azuread = dict(azuread or self.classic)
        self.answers = dict(answers or {})

    def answer(self, token: str, args: Mapping[str, Any]) -> dict[str, Any]:
        """The invoke's result in wire form, or `IncompletePlanError` naming ``token``."""
        if token in self.answers:
            return self._from_file(token, args)
        if token == _NATIVE_CLIENT_CONFIG:
            return _client_config(self.native)
        if token == _CLASSIC_CLIENT_CONFIG:
            config = _client_config(self.classic)
            config["id"] = _classic_client_config_id(config)
            return config
        if token == _AZUREAD_CLIENT_CONFIG:
            config = _client_config(self.azuread)
            del config["subscriptionId"]
            # terraform-provider-azuread's client_config data source ID: tenant, client and object IDs.
            config["id"] = f"{config['tenantId']}-{config['clientId']}-{config['objectId']}"
            return config
        if token == _CLIENT_TOKEN:
            raise IncompletePlanError(
                f"invoke {token} cannot be answered offline: a bearer token exists only when signed in to Azure, "
                "and a program asks for one to call Azure itself, outside the plan (a placeholder would send "
                "that call with a fake token). Preview this program with `pulumi preview`.",
                kind="invoke",
                subject=token,
            )
        listed = credential_result(token)
        if listed is not None:
            return listed
        raise IncompletePlanError(
            f"invoke {token} cannot be answered offline: it reads live Azure (or another provider's) state, and "
            "an invented answer would change the plan. Pass the value as config, add the answer for these "
            f'arguments under "{token}" in {INVOKE_ANSWERS_FILE} next to Pulumi.yaml '
            f"({_given(args)}), or preview this program with `pulumi preview`.",
            kind="invoke",
            subject=token,
        )

    def _from_file(self, token: str, args: Mapping[str, Any]) -> dict[str, Any]:
        given = _plain(dict(args))
        for entry in self.answers[token]:
            if entry["args"] == given:
                result = dict(entry["result"])
                return {key: _secret(value) for key, value in result.items()} if entry.get("secret") else result
        raise IncompletePlanError(
            f"invoke {token}: {INVOKE_ANSWERS_FILE} has no answer for these arguments ({_given(args)}); add one "
            "with exactly these arguments.",
            kind="invoke",
            subject=token,
        )


def load_invoke_answers(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Read ``invoke-answers.json`` in ``folder`` (absent: no answers).

    Shape: ``{"<token>": [{"args": {...}, "result": {...}, "secret": false}, ...]}``; arguments and
    results use the wire (camelCase) names the provider uses, as ``pulumi stack export`` shows them.
    ``"secret": true`` marks every result property secret. Raises ValueError naming the file and the entry.
    """
    path = folder / INVOKE_ANSWERS_FILE
    if not path.is_file():
        return {}
    document = read_json_object(path)
    answers: dict[str, list[dict[str, Any]]] = {}
    for token, entries in document.items():
        if not isinstance(entries, list) or not entries:
            raise ValueError(f'{path}: "{token}" must be a non-empty list of {{"args": ..., "result": ...}} answers')
        for index, entry in enumerate(entries):
            where = f'{path}: "{token}"[{index}]'
            if not isinstance(entry, dict) or set(entry) - {"args", "result", "secret"}:
                raise ValueError(f'{where} must be an object with "args", "result" and optionally "secret"')
            if not isinstance(entry.get("args", {}), dict) or not isinstance(entry.get("result"), dict):
                raise ValueError(f'{where}: "args" and "result" must be objects ("result" is required)')
            if not isinstance(entry.get("secret", False), bool):
                raise ValueError(f'{where}: "secret" must be true or false')
        answers[token] = [{"args": {}, **entry} for entry in entries]
    return answers


def read_json_object(path: Path) -> dict[str, Any]:
    """A JSON object from ``path``; duplicate keys and NaN/Infinity refused (ValueError naming the file)."""

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        counts = Counter(key for key, _ in pairs)  # linear: a crafted file may hold many keys in one object
        repeated = sorted(key for key, count in counts.items() if count > 1)
        if repeated:
            raise ValueError(f"key {repeated[0]!r} appears twice")
        return dict(pairs)

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not JSON")

    try:
        document = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=unique, parse_constant=constant)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{path}: cannot be read as JSON: {error}") from None
    if not isinstance(document, dict):
        raise ValueError(f"{path}: must hold a JSON object")
    return document


def credential_result(token: str) -> dict[str, Any] | None:
    """A credential function's result shaped like its SDK result class, every property secret; None otherwise."""
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != "azure-native":
        return None
    short = f"{parts[1]}:{parts[2]}"
    if short in _NOT_CREDENTIALS or not (_CREDENTIAL_LIST.match(parts[2]) or short in _CREDENTIAL_GETS):
        return None
    result_class = _result_class(parts[1], parts[2])
    if result_class is None:
        return None
    answer: dict[str, Any] = {}
    for member in vars(result_class).values():
        wire = getattr(getattr(member, "fget", None), "_pulumi_name", None)
        if isinstance(member, property) and wire:
            annotation = member.fget.__annotations__.get("return")
            answer[wire] = _secret(_placeholder(annotation, f"{token}:{wire}"))
    return answer


def _result_class(module: str, function: str) -> Any:
    """The SDK's ``<Function>Result`` class, from the function's own file in the module's package.

    The file name is the function name in snake case, with the SDK's own splitting of capitals
    (``listSignalRKeys`` -> ``list_signal_r_keys``, ``listWCFRelayKeys`` -> ``list_wcf_relay_keys``), so it is
    found by comparing names without underscores rather than by re-deriving the SDK's rule.
    """
    package_name = f"pulumi_azure_native.{module.replace('/', '.')}"
    try:
        package = sys.modules.get(package_name) or importlib.import_module(package_name)
    except ImportError:
        return None
    folder = Path(getattr(package, "__file__", "") or "").parent
    wanted_file = function.lower()
    wanted_class = f"{function}Result".lower()
    for path in folder.glob("*.py") if folder.name else ():
        if path.stem.replace("_", "") != wanted_file:
            continue
        loaded = importlib.import_module(f"{package_name}.{path.stem}")
        for attribute, value in vars(loaded).items():
            if attribute.lower() == wanted_class and isinstance(value, type):
                return value
    return None


def _client_config(identity: Mapping[str, str]) -> dict[str, Any]:
    tenant = identity["tenantId"]
    return {
        "clientId": identity.get("clientId") or stable_guid("client", tenant),
        "objectId": stable_guid("object", tenant),
        "subscriptionId": identity.get("subscriptionId", ""),
        "tenantId": tenant,
    }


def _classic_client_config_id(config: Mapping[str, str]) -> str:
    """The classic provider's data source ID: base64 of the four values (terraform-provider-azurerm client_config)."""
    text = (
        f"clientConfigs/clientId={config['clientId']};objectId={config['objectId']};"
        f"subscriptionId={config['subscriptionId']};tenantId={config['tenantId']}"
    )
    return base64.b64encode(text.encode()).decode()


def _given(args: Mapping[str, Any]) -> str:
    """The arguments for a message, credentials masked (a password argument, an ``AccountKey=`` inside a string)."""
    text = json.dumps(mask_properties(_plain(dict(args))), sort_keys=True, default=str)
    return f"arguments {text if len(text) <= 300 else text[:297] + '...'}"


def _plain(value: Any) -> Any:
    """Arguments as JSON would hold them: tuples as lists, None members dropped (the SDK does not send them)."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items() if item is not None}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def _secret(value: Any) -> dict[str, Any]:
    return {SECRET_SIG: SECRET_VALUE_SIG, "value": value}


def _placeholder(annotation: Any, seed: str) -> Any:
    """A value of the annotated shape that is obviously not real."""
    text = f"offline-{hashlib.sha256(seed.encode()).hexdigest()[:16]}"
    origin = typing.get_origin(annotation)
    arguments = [item for item in typing.get_args(annotation) if item is not type(None)]
    if origin is typing.Union and len(arguments) == 1:
        return _placeholder(arguments[0], seed)
    if origin in (list, collections.abc.Sequence):
        return [_placeholder(arguments[0] if arguments else str, seed)]
    scalars: dict[Any, Any] = {bool: False, int: 0, float: 0.0}
    if origin is not None or annotation in scalars:
        return scalars.get(annotation, {})
    name = annotation.__forward_arg__ if isinstance(annotation, typing.ForwardRef) else annotation
    return {"value": text} if isinstance(name, str) and name.startswith("outputs.") else text


def stable_guid(*parts: str) -> str:
    """A GUID derived from ``parts``: the same on every run, obviously not Azure's (the mocks use it too)."""
    return str(uuid.UUID(hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]))
