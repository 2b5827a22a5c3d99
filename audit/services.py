from typing import Any

from django.db import models

from .models import AuditRecord


def audit_record(
    *,
    actor,
    verb: str,
    target: models.Model | None = None,
    centre=None,
    details: dict[str, Any] | None = None,
    learner=None,
    unit=None,
) -> AuditRecord:
    """An audit record, not yet written: people and objects by key only. ``details`` must
    hold keys and facts about the change, never a person's name, email or other details.
    ``learner`` and ``unit`` (objects or keys) name what the change concerns, so the trail
    can be read learner by learner and unit by unit."""
    return AuditRecord(
        actor_key=getattr(actor, "audit_key", None),
        centre=centre,
        verb=verb,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        details=details or {},
        learner_ref=getattr(learner, "pk", learner),
        unit_ref=getattr(unit, "pk", unit),
    )


def record_audit(**record) -> AuditRecord:
    """Append one record to the audit trail (arguments as ``audit_record``).

    Call it inside the transaction of the change it records, so that the change and
    its record are committed together or not at all.
    """
    written = audit_record(**record)
    written.save()
    return written


def record_audits(records: list[AuditRecord]) -> None:
    """Append many records at once, for a change made in bulk."""
    AuditRecord.objects.bulk_create(records)
