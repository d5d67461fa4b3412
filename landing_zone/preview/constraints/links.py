"""Finding a parent resource an input names: by property dependency, or by the literal name it gives.

Hand-written programs often name a parent with a literal (``virtual_network_name="vnet-hub"``) rather
than another resource's output, so no dependency is recorded. A parent in the same run whose own name
input equals that literal (without case, as ARM compares names) is the one meant; when several match,
none is chosen (a guess could reject a valid program).
"""

from __future__ import annotations

from landing_zone.preview.constraints.wire import Context, Resource

#: Parent type token (lowercase) -> the input that carries its name.
NAME_INPUTS = {
    "azure-native:network:virtualnetwork": "virtualNetworkName",
    "azure:network/virtualnetwork:virtualnetwork": "name",
    "azure-native:eventhub:namespace": "namespaceName",
    "azure:eventhub/eventhubnamespace:eventhubnamespace": "name",
    "azure-native:servicebus:namespace": "namespaceName",
    "azure:servicebus/namespace:namespace": "name",
    "azure-native:containerregistry:registry": "registryName",
    "azure:containerservice/registry:registry": "name",
    "azure-native:storage:storageaccount": "accountName",
    "azure:storage/account:account": "name",
}


def parents(resource: Resource, context: Context, prop: str, *tokens: str) -> list[Resource]:
    """The resources of ``tokens`` that ``resource``'s input ``prop`` refers to, by dependency or by literal name."""
    found = context.referenced(resource, prop, *tokens)
    if found:
        return found
    literal = resource.value(prop)
    if literal is None or literal.text is None or literal.secret:
        return []
    wanted = {token.lower() for token in tokens}
    named = []
    for other in context.resources:
        key = other.token.lower()
        if key not in wanted or key not in NAME_INPUTS:
            continue
        name = other.value(NAME_INPUTS[key])
        if name is not None and name.text is not None and name.text.lower() == literal.text.lower():
            named.append(other)
    return named if len(named) == 1 else []
