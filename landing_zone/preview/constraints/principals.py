"""Role assignments to principals that are not users must say so (``principalType``).

Without ``principalType`` the assignment is sent as if for a user; when the principal is a managed
identity or service principal ARM answers ``UnmatchedPrincipalType`` (or the assignment fails to
replicate). A principal ID that comes from another resource's output (a managed identity, a
resource's system identity, a service principal) is not a user, so the type must be given and must
not be ``User``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from landing_zone.preview.constraints.model import Constraint, Finding
from landing_zone.preview.constraints.wire import Context, Resource, normalize_type

ROLE_ASSIGNMENT_TYPES = ("azure-native:authorization:RoleAssignment", "azure:authorization/assignment:Assignment")
#: Resources whose ID output is a user's object ID: a principal taken from these may be a user.
_USER_TYPES = ("azuread:index/user:User", "azuread:index/getUser:getUser")
_GROUP_TYPES = ("azuread:index/group:Group",)
REFERENCE = (
    "https://learn.microsoft.com/azure/role-based-access-control/role-assignments-template#new-service-principal"
)


def _check(resource: Resource, context: Context) -> Iterator[Finding]:
    # A stack reference or config may carry anyone's object ID; only resources the run creates tell the kind.
    sources = [
        other
        for other in context.referenced(resource, "principalId")
        if other.registration.custom and not other.token.startswith("pulumi:")
    ]
    if not sources or any(other.token in _USER_TYPES for other in sources):
        return
    expected = "Group" if all(other.token in _GROUP_TYPES for other in sources) else "ServicePrincipal"
    source = sources[0].registration
    if resource.is_unknown("principalType"):
        return
    principal_type = resource.value("principalType")
    if principal_type is None:
        yield Finding(
            "principalType",
            f"principalId comes from {source.type} '{source.name}' (a {expected}), but principalType is not set:"
            f" Azure then treats it as User and fails with UnmatchedPrincipalType; set principalType: {expected}",
        )
    elif (principal_type.text or "").lower() == "user":
        yield Finding(
            "principalType",
            f"principalId comes from {source.type} '{source.name}' (a {expected}), not a user; set principalType: {expected}",
        )


def principal_constraints() -> Iterable[Constraint]:
    yield Constraint(
        id="rbac.principal-type",
        title="Role assignments to service principals, managed identities and groups set principalType",
        reference=REFERENCE,
        types=frozenset(normalize_type(token) for token in ROLE_ASSIGNMENT_TYPES),
        check=_check,
    )
