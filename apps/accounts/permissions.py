"""Who may do what in an organisation. Later apps reuse these checks rather than test roles themselves."""

from .models import Role

# Roles that may change an organisation's data. Auditors read and export only.
WRITE_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.IT_DIRECTOR})
SIGN_OFF_ROLES = frozenset({Role.ADMIN, Role.OFFICER})
MANAGE_MEMBERS_ROLES = frozenset({Role.ADMIN})

READ = "read"
WRITE = "write"
SIGN_OFF = "sign_off"
MANAGE_MEMBERS = "manage_members"

_ALLOWED = {
    READ: frozenset(Role),
    WRITE: WRITE_ROLES,
    SIGN_OFF: SIGN_OFF_ROLES,
    MANAGE_MEMBERS: MANAGE_MEMBERS_ROLES,
}


def has_permission(membership, action: str) -> bool:
    """True when the member's role allows the action (read, write, sign_off, manage_members)."""
    return membership is not None and membership.role in _ALLOWED[action]


def can_change(membership) -> bool:
    return has_permission(membership, WRITE)


def can_sign_off(membership) -> bool:
    return has_permission(membership, SIGN_OFF)
