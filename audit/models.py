import hashlib
import json
from datetime import UTC
from typing import Any

from django.db import models
from django.utils import timezone

from audit.labels import describe_verb
from common.errors import Frozen
from common.scoping import centre_scoped_manager


class AuditRecordIsAppendOnly(Frozen):
    """Raised on any attempt to change or remove an audit record."""


# The previous hash of the first record in the trail.
GENESIS_HASH = "0" * 64

# Every field a record's hash covers: all it says, bar the hash itself and the row's key.
CHAINED_FIELDS = (
    "sequence",
    "at",
    "centre",
    "actor_key",
    "verb",
    "object_type",
    "object_id",
    "learner_ref",
    "unit_ref",
    "details",
)


def canonical_json(value: Any) -> str:
    """One spelling of a value as JSON, whatever order its keys were built in."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def record_content(record) -> dict[str, Any]:
    """What the record says, each value as the database gives it back (a timestamp in UTC,
    a key as text), so that a hash taken before the record is written matches the one
    recomputed from the stored row. Reads attributes only, so that a migration's
    historical model can use it too."""
    content = {}
    for name in CHAINED_FIELDS:
        field = record._meta.get_field(name)
        content[name] = field.to_python(getattr(record, field.attname))
    content["at"] = content["at"].astimezone(UTC).isoformat()
    content["actor_key"] = str(content["actor_key"]) if content["actor_key"] is not None else None
    return content


def chained_hash(previous_hash: str, content: dict[str, Any]) -> str:
    """The hash that links a record to the one before it: changing what any record says, or
    removing one, changes every hash after it."""
    return hashlib.sha256((previous_hash + canonical_json(content)).encode()).hexdigest()


# Models that moved to another app keep, in the records written before they moved, the
# label they had then: a record is never rewritten (its hash would no longer chain).
FORMER_LABELS = {
    **{
        f"learners.{model}": f"portfolio.{model}"
        for model in ("evidenceitem", "evidencefile", "evidencemapping", "evidenceversion")
    },
    **{
        f"learners.{model}": f"networking.{model}"
        for model in (
            "networkcontact",
            "contactinteraction",
            "networkingguidelines",
            "networkreview",
            "networkreviewentry",
        )
    },
    "centre.networkingprompt": "networking.networkingprompt",
    **{f"moderation.{model}": f"assessment.{model}" for model in ("criteriondecision", "unitsignoff")},
    **{
        f"moderation.{model}": f"iqa.{model}"
        for model in ("samplingplan", "assessorrisk", "iqasample", "iqaaction")
    },
}


def current_label(object_type: str) -> str:
    """The label today of the model a record's ``object_type`` names."""
    return FORMER_LABELS.get(object_type, object_type)


class AuditRecordQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditRecordIsAppendOnly("Audit records cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        # Refused here, before bulk_update opens a transaction that update() would break.
        raise AuditRecordIsAppendOnly("Audit records cannot be changed.")

    def delete(self):
        raise AuditRecordIsAppendOnly("Audit records cannot be deleted.")


class AuditRecord(models.Model):
    """One state change that matters to an assessor, an IQA or a moderator.

    Records are written once by services (``audit.services.record_audit``) and never
    changed or deleted by the application; on PostgreSQL a trigger refuses it too.
    Each record is chained to the one before it by a hash of its content, across every
    centre, so that a change or deletion made behind the application's back (a restored
    backup, a stray SQL session, SQLite, which has no trigger) shows up in
    ``manage.py verify_audit``.
    People and objects are referred to by keys only (a person's ``audit_key``, an
    object's type and primary key), never by copies of their details, so that erasing
    a person later never has to rewrite the trail.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor_key = models.UUIDField(
        null=True, blank=True, db_index=True, help_text="The actor's audit key; empty for the system."
    )
    centre = models.ForeignKey(
        "centre.Centre",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty for changes to the shared catalogue.",
    )
    verb = models.CharField(max_length=64)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    # Keys (not foreign keys, which erasure would have to rewrite) of the learner and the
    # unit a change concerns, so the trail can be read learner by learner or unit by unit.
    learner_ref = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    unit_ref = models.PositiveBigIntegerField(null=True, blank=True, db_index=True)
    # The chain's own order, given by record_audit as it appends: unlike the primary key it is
    # known before the insert, so it can be hashed, and has no gaps, so a missing record shows.
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = centre_scoped_manager(manager_class=models.Manager.from_queryset(AuditRecordQuerySet))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.verb} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditRecordIsAppendOnly("Audit records cannot be changed.")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditRecordIsAppendOnly("Audit records cannot be deleted.")

    @property
    def description(self) -> str:
        """The verb for a reader: "iqa.verdict_recorded" as "IQA verdict recorded"."""
        return describe_verb(self.verb)
