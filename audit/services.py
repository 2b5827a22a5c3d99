from functools import cache
from typing import Any

from django.db import connection, models, transaction

from audit.logging import escape_control_characters
from audit.models import GENESIS_HASH, AuditRecord, chained_hash, record_content

# Any constant of our own: the key of the PostgreSQL advisory lock that queues appends.
CHAIN_LOCK_KEY = 0x57A7_A0D1


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
    can be read learner by learner and unit by unit.

    Text is stored with its control characters escaped, so that a value carrying a line
    break (a filename, a title someone typed) can never pass for an entry of its own when
    the trail is exported or logged line by line.
    """
    return AuditRecord(
        actor_key=getattr(actor, "audit_key", None),
        centre=centre,
        verb=escape_control_characters(verb),
        object_type=target._meta.label_lower if target is not None else "",
        object_id=escape_control_characters(str(target.pk)) if target is not None else "",
        details=_escaped(details or {}),
        learner_ref=getattr(learner, "pk", learner),
        unit_ref=getattr(unit, "pk", unit),
    )


def _escaped(value):
    if isinstance(value, str):
        return escape_control_characters(value)
    if isinstance(value, dict):
        return {escape_control_characters(str(key)): _escaped(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escaped(item) for item in value]
    return value


def record_audit(**record) -> AuditRecord:
    """Append one record to the audit trail (arguments as ``audit_record``).

    Call it inside the transaction of the change it records, so that the change and
    its record are committed together or not at all.
    """
    written = audit_record(**record)
    record_audits([written])
    return written


def record_audits(records: list[AuditRecord]) -> None:
    """Append many records at once, for a change made in bulk, each chained to the last."""
    if not records:
        return
    with transaction.atomic():
        previous_hash, sequence = _chain_tail()
        for record in records:
            sequence += 1
            record.sequence = sequence
            record.previous_hash = previous_hash
            record.hash = previous_hash = chained_hash(previous_hash, record_content(record))
        AuditRecord.objects.bulk_create(records)


def _chain_tail() -> tuple[str, int]:
    """The hash and sequence of the last record, with the chain held for this transaction.

    Two transactions that read the same tail would both chain onto it and fork the trail.
    On PostgreSQL an advisory lock, held until commit, queues them; SQLite's IMMEDIATE
    transactions already let only one writer in at a time. The lock is held until the
    whole enclosing transaction ends, so audited changes commit one after another from
    the moment they are recorded.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        # The chain runs across every centre: the last record may be any centre's. Asked
        # in SQL of its own, as the lock is: every audited change and every page viewed
        # asks it, and asked through the ORM it cost twice the time.
        cursor.execute(_chain_tail_sql())
        last = cursor.fetchone()
    return tuple(last) if last else (GENESIS_HASH, 0)


@cache
def _chain_tail_sql() -> str:
    # The model's own names, quoted; nothing in it comes from a request.
    quote = connection.ops.quote_name
    return "SELECT {hash}, {sequence} FROM {table} ORDER BY {sequence} DESC LIMIT 1".format(  # noqa: S608
        hash=quote(AuditRecord._meta.get_field("hash").column),
        sequence=quote(AuditRecord._meta.get_field("sequence").column),
        table=quote(AuditRecord._meta.db_table),
    )
