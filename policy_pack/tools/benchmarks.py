"""Generate ``phi_guardrails/data/benchmarks.json``: the controls other tools have, for the RULES.md crosswalk.

Two sources, read from git checkouts (``fetch github:Azure/azure-policy`` and
``fetch github:bridgecrewio/checkov`` give them):

- Azure Policy built-in definitions (``built-in-policies/policyDefinitions``): every non-deprecated
  definition's GUID, display name and the resource types its rule tests, and the policy definition
  IDs the HITRUST/HIPAA regulatory initiative (``a169a624-5599-4385-a696-c8d643089fab``) groups.
- Checkov's Azure checks (Terraform resource checks and graph checks): id, name and the ``azurerm_*``
  resources each reads.

Each control is keyed to the azure-native module(s) of the resources it reads (``Microsoft.Storage`` ->
``storage``; ``azurerm_storage_account`` -> ``storage``), which is how ``phi_guardrails.docs`` groups the
coverage table by the kinds catalog's services. Controls for modules no kind covers are kept (for ID
lookups) and land under "other services" in the table.

Usage: ``python policy_pack/tools/benchmarks.py AZURE_POLICY_GIT_DIR CHECKOV_GIT_DIR``. The file is
dated data: its header records both commits; regenerate when either moves.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).resolve().parents[1] / "phi_guardrails" / "data" / "benchmarks.json"
HIPAA_INITIATIVE = "built-in-policies/policySetDefinitions/Regulatory Compliance/HIPAA_HITRUST_audit.json"
HIPAA_INITIATIVE_ID = "a169a624-5599-4385-a696-c8d643089fab"

#: ARM namespaces whose azure-native module is not simply the lower-cased name after ``Microsoft.``.
NAMESPACE_MODULES = {
    "microsoft.documentdb": "cosmosdb",
    "microsoft.insights": "monitor",
    "microsoft.cache": "redis",
    "microsoft.classiccompute": "compute",
    "microsoft.classicstorage": "storage",
    "microsoft.classicnetwork": "network",
    "microsoft.hybridcompute": "hybridcompute",
    "microsoft.security": "security",
    "microsoft.operationalinsights": "operationalinsights",
    "microsoft.keyvault.data": "keyvault",
}
#: ``azurerm_`` resource-name prefixes (longest match wins) -> azure-native module.
AZURERM_MODULES = {
    "storage_": "storage",
    "key_vault": "keyvault",
    "mssql_": "sql",
    "sql_": "sql",
    "postgresql_": "dbforpostgresql",
    "mysql_": "dbformysql",
    "mariadb_": "dbformariadb",
    "app_service": "web",
    "linux_web_app": "web",
    "windows_web_app": "web",
    "function_app": "web",
    "linux_function_app": "web",
    "windows_function_app": "web",
    "service_plan": "web",
    "kubernetes_": "containerservice",
    "container_registry": "containerregistry",
    "container_group": "containerinstance",
    "container_app": "app",
    "cosmosdb_": "cosmosdb",
    "redis_": "redis",
    "eventhub": "eventhub",
    "servicebus_": "servicebus",
    "eventgrid_": "eventgrid",
    "cognitive_": "cognitiveservices",
    "search_service": "search",
    "api_management": "apimanagement",
    "data_factory": "datafactory",
    "synapse_": "synapse",
    "databricks_": "databricks",
    "virtual_machine": "compute",
    "linux_virtual_machine": "compute",
    "windows_virtual_machine": "compute",
    "managed_disk": "compute",
    "disk_encryption_set": "compute",
    "network_": "network",
    "virtual_network": "network",
    "subnet": "network",
    "application_gateway": "network",
    "firewall": "network",
    "public_ip": "network",
    "frontdoor": "network",
    "web_application_firewall_policy": "network",
    "log_analytics": "operationalinsights",
    "monitor_": "monitor",
    "security_center": "security",
    "role_": "authorization",
    "recovery_services": "recoveryservices",
    "data_protection": "dataprotection",
    "machine_learning": "machinelearningservices",
    "iothub": "devices",
    "batch_": "batch",
    "automation_": "automation",
    "data_lake": "datalakestore",
    "spring_cloud": "appplatform",
    "healthcare_": "healthcareapis",
    "signalr_": "signalrservice",
    "app_configuration": "appconfiguration",
    "logic_app": "logic",
    "cdn_": "cdn",
}


#: azure-native modules of the services a PHI workload deploys (issue 12's list plus the landing zone's own).
RELEVANT_MODULES = frozenset(
    {
        "apimanagement", "app", "authorization", "cognitiveservices", "compute", "containerinstance",
        "containerregistry", "containerservice", "cosmosdb", "databricks", "datafactory", "dataprotection",
        "dbformysql", "dbforpostgresql", "eventgrid", "eventhub", "keyvault", "monitor", "network",
        "operationalinsights", "recoveryservices", "redis", "redisenterprise", "search", "security", "servicebus",
        "sql", "storage", "synapse", "web",
    }
)  # fmt: skip


#: Built-in policy folders whose subscription-level definitions belong to a service's module.
SUBSCRIPTION_FOLDERS = {"Security Center": "security", "Monitoring": "monitor", "General": "authorization"}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _blobs(repo: Path, paths: list[str]) -> list[bytes]:
    """The contents of many files at HEAD in one ``git cat-file --batch`` run."""
    request = "".join(f"HEAD:{path}\n" for path in paths).encode()
    data = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"], input=request, capture_output=True, check=True
    ).stdout
    contents: list[bytes] = []
    offset = 0
    for _ in paths:
        newline = data.index(b"\n", offset)
        header = data[offset:newline].split()
        if header[-1] == b"missing":
            contents.append(b"")
            offset = newline + 1
            continue
        size = int(header[2])
        contents.append(data[newline + 1 : newline + 1 + size])
        offset = newline + 1 + size + 1
    return contents


def _namespace_module(resource_type: str) -> str | None:
    namespace = resource_type.split("/", 1)[0].strip().lower()
    if not namespace.startswith("microsoft."):
        return None
    return NAMESPACE_MODULES.get(namespace, namespace.removeprefix("microsoft."))


def _types_in(rule: Any) -> set[str]:
    """Resource types a policy rule tests with ``field: type`` (equals, in, like)."""
    found: set[str] = set()
    if isinstance(rule, dict):
        if str(rule.get("field", "")).lower() == "type":
            for key in ("equals", "in", "like"):
                value = rule.get(key)
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and item.lower().startswith("microsoft."):
                        found.add(item)
        for value in rule.values():
            found |= _types_in(value)
    elif isinstance(rule, list):
        for item in rule:
            found |= _types_in(item)
    return found


def azure_policies(repo: Path) -> tuple[list[dict[str, Any]], list[str]]:
    paths = [
        path
        for path in _git(
            repo, "ls-tree", "-r", "--name-only", "HEAD", "built-in-policies/policyDefinitions"
        ).splitlines()
        if path.endswith(".json") and "/Azure Government/" not in path
    ]
    policies: dict[str, dict[str, Any]] = {}
    for path, blob in zip(paths, _blobs(repo, paths), strict=True):
        try:
            document = json.loads(blob.decode("utf-8-sig"))
        except ValueError:
            continue
        properties = document.get("properties", {})
        guid = str(document.get("name") or "")
        if not re.fullmatch(r"[0-9a-f-]{36}", guid) or properties.get("metadata", {}).get("deprecated"):
            continue
        types = sorted(_types_in(properties.get("policyRule", {}).get("if", {})))
        modules = sorted({module for module in map(_namespace_module, types) if module})
        folder = path.split("/")[2] if path.count("/") >= 3 else ""
        if folder == "Regulatory Compliance":
            modules = []  # organisational (manual or Microsoft-managed) controls: no resource setting to check
        elif folder in SUBSCRIPTION_FOLDERS and set(modules) <= {"resources"}:
            modules = [SUBSCRIPTION_FOLDERS[folder]]  # subscription-level audits (Defender plans, activity log)
        policies[guid] = {
            "id": guid,
            "name": str(properties.get("displayName") or ""),
            "modules": modules,
        }
    initiative = json.loads(_blobs(repo, [HIPAA_INITIATIVE])[0].decode("utf-8-sig"))
    members = sorted(
        {ref["policyDefinitionId"].rsplit("/", 1)[-1] for ref in initiative["properties"]["policyDefinitions"]}
    )
    return sorted(policies.values(), key=lambda item: item["id"]), members


_CHECK_ID = re.compile(r"""\b(?:check_)?id\s*=\s*["'](CKV2?_AZURE_\d+)["']""")
_CHECK_NAME = re.compile(r"""\bname\s*=\s*["'](.+?)["'],?\s*$""", re.MULTILINE)
_BASE = re.compile(r"from checkov\.terraform\.checks\.resource\.azure\.(\w+) import")
_RESOURCES = re.compile(r"supported_resources\s*=\s*[\(\[]([^\)\]]*)[\)\]]", re.DOTALL)


def _azurerm_module(resource: str) -> str | None:
    name = resource.removeprefix("azurerm_")
    matches = [prefix for prefix in AZURERM_MODULES if name.startswith(prefix)]
    return AZURERM_MODULES[max(matches, key=len)] if matches else None


def checkov_checks(repo: Path) -> list[dict[str, Any]]:
    files = _git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    python = [p for p in files if p.startswith("checkov/terraform/checks/resource/azure/") and p.endswith(".py")]
    graph = [p for p in files if p.startswith("checkov/terraform/checks/graph_checks/azure/") and p.endswith(".yaml")]
    checks: dict[str, dict[str, Any]] = {}
    texts = {
        path: blob.decode("utf-8", errors="replace")
        for path, blob in zip(python + graph, _blobs(repo, python + graph), strict=True)
    }
    for path, text in texts.items():
        if path.endswith(".yaml"):
            identifier = re.search(r"^\s*id:\s*[\"']?(CKV2?_AZURE_\d+)", text, re.MULTILINE)
            name = re.search(r"^\s*name:\s*[\"']?(.+?)[\"']?\s*$", text, re.MULTILINE)
            # The subject is the first resource_types entry; connected resources are only context.
            subject = re.search(r"resource_types:\s*(?:\n\s*-\s*)?[\"']?(azurerm_[a-z0-9_]+)", text)
            resources = [subject.group(1)] if subject else []
        else:
            identifier = _CHECK_ID.search(text)
            name = _CHECK_NAME.search(text)
            block = _RESOURCES.search(text)
            base = _BASE.search(text)
            if block is None and base is not None:  # a subclass of a shared check (NSG port rules) takes its resources
                block = _RESOURCES.search(texts.get(f"checkov/terraform/checks/resource/azure/{base.group(1)}.py", ""))
            resources = sorted(set(re.findall(r"azurerm_[a-z0-9_]+", block.group(1)))) if block else []
        if identifier is None:
            continue
        modules = sorted({module for module in map(_azurerm_module, resources) if module})
        checks[identifier.group(1)] = {
            "id": identifier.group(1),
            "name": name.group(1).strip() if name else "",
            "modules": modules,
        }
    return sorted(checks.values(), key=lambda item: (item["id"].startswith("CKV2"), int(item["id"].rsplit("_", 1)[1])))


def _render(document: dict[str, Any]) -> str:
    """JSON with one control per line: small, and diffs show which controls moved."""
    head = {key: value for key, value in document.items() if key not in ("policies", "checks")}
    lines = [json.dumps(head, ensure_ascii=False)[:-1] + ","]
    for key in ("policies", "checks"):
        items = [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in document[key]]
        lines.append(f'"{key}": [')
        lines.append(",\n".join(items))
        lines.append("]," if key == "policies" else "]")
    return "\n".join(lines) + "\n}\n"


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    policy_repo, checkov_repo = Path(argv[0]), Path(argv[1])
    policies, members = azure_policies(policy_repo)
    # Keep what a crosswalk can cite: definitions for the services a PHI workload uses, and every initiative member.
    wanted = set(members)
    policies = [policy for policy in policies if set(policy["modules"]) & RELEVANT_MODULES or policy["id"] in wanted]
    document = {
        "generatedBy": "policy_pack/tools/benchmarks.py",
        "azurePolicy": {
            "source": "https://github.com/Azure/azure-policy (built-in-policies)",
            "commit": _git(policy_repo, "rev-parse", "HEAD").strip(),
            "date": _git(policy_repo, "log", "-1", "--format=%cs").strip(),
        },
        "checkov": {
            "source": "https://github.com/bridgecrewio/checkov (checkov/terraform/checks, Azure)",
            "commit": _git(checkov_repo, "rev-parse", "HEAD").strip(),
            "date": _git(checkov_repo, "log", "-1", "--format=%cs").strip(),
        },
        "hipaaInitiative": {"id": HIPAA_INITIATIVE_ID, "name": "HITRUST/HIPAA", "policyDefinitionIds": members},
        "policies": policies,
        "checks": checkov_checks(checkov_repo),
    }
    OUTPUT.write_text(_render(document), encoding="utf-8")
    print(f"wrote {OUTPUT}: {len(policies)} policies, {len(document['checks'])} checks")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
