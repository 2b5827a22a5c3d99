from typing import Any

from django.db import models

from .models import AuditRecord


def record_audit(
    *,
    actor,
    verb: str,
    target: models.Model | None = None,
    centre=None,
    details: dict[str, Any] | None = None,
) -> AuditRecord:
    """Append one record to the audit trail.

    Call it inside the transaction of the change it records, so that the change and
    its record are committed together or not at all. ``details`` must hold keys and
    facts about the change, never a person's name, email or other personal details.
    """
    return AuditRecord.objects.create(
        actor_key=getattr(actor, "audit_key", None),
        centre=centre,
        verb=verb,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        details=details or {},
    )
