"""Writing to the append-only audit log. Services call `record` for every change an auditor may ask about."""

from .models import AuditEvent


def record(organisation, actor, action: str, summary: str, obj=None, **detail) -> AuditEvent:
    """Append one event. `actor` may be None (command line, scheduled task)."""
    label = "" if actor is None else (getattr(actor, "email", "") or getattr(actor, "username", ""))
    return AuditEvent.objects.create(
        organisation=organisation,
        actor=actor,
        actor_label=label or "system",
        action=action,
        object_type=type(obj).__name__ if obj is not None else "",
        object_id=str(getattr(obj, "pk", "") or ""),
        summary=summary[:500],
        detail=detail,
    )
