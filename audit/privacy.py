"""What the audit trail holds about a learner: the changes made to their records.

The trail is exported but never erased. It refers to people by opaque keys only (a
person's ``audit_key``, a learner's primary key), so erasure breaks the link at the other
end (the learner's record is deleted, their account deleted or given a new key) and never
has to update or delete a record, which PostgreSQL would refuse anyway.
"""

import re

from django.db.models import Q

from audit.models import AuditRecord
from audit.references import STAFF_ROLE, name_references
from common.personal_data import Export, PersonalData, Provider, register
from common.scoping import scopes_disabled

# A person's audit key in a record's details (the assessor allocated, the person given a role).
AUDIT_KEY = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE)


@register
class AuditProvider(Provider):
    models = (
        PersonalData(
            "audit.AuditRecord",
            ("actor_key", "learner_ref", "details"),
            "Accountability for every change that matters, by opaque keys that lead nowhere once a "
            "person is erased.",
        ),
    )
    erase_order = 90

    def export(self, learner) -> Export:
        own_key = str(learner.user.audit_key) if learner.user_id else None
        # About their records, or their membership here, or their own account (such as
        # setting up an authenticator, which belongs to no centre).
        about_them = Q(learner_ref=learner.pk)
        if own_key:
            about_them |= Q(details__person=own_key)
        records = list(AuditRecord.objects.filter(about_them, centre=learner.centre))
        if learner.user_id:
            with scopes_disabled():
                records += AuditRecord.objects.filter(
                    centre__isnull=True, object_type="accounts.user", object_id=str(learner.user_id)
                )
        records.sort(key=lambda record: (record.at, record.pk))
        roles = _staff_roles(learner.centre, records)
        return Export(
            data={
                "audit.json": {
                    "audit_trail": [
                        {
                            "at": record.at,
                            "what": record.description,
                            "verb": record.verb,
                            "object_type": record.object_type,
                            "object_id": record.object_id,
                            "by": _actor(record.actor_key, own_key, roles),
                            "details": _without_keys(record.details, own_key),
                        }
                        for record in records
                    ]
                }
            }
        )


def _staff_roles(centre, records) -> dict[str, str]:
    """The staff roles in the learner's centre of each person who made one of ``records``,
    by audit key, as the centre app names them ("assessor and internal quality assurer")."""
    keys = {record.actor_key for record in records if record.actor_key is not None}
    return {str(key): roles for key, roles in name_references(STAFF_ROLE, centre=centre, keys=keys).items()}


def _actor(actor_key, own_key: str | None, roles: dict[str, str]) -> str:
    """Who made a change, as the learner may know it: themselves, Waymark, or staff by role."""
    if actor_key is None:
        return "Waymark (done automatically)"
    if str(actor_key) == own_key:
        return "you"
    if str(actor_key) in roles:
        return f"centre staff ({roles[str(actor_key)]})"
    return "someone else"


def _without_keys(value, own_key: str | None):
    """``value`` with every person's audit key but the learner's own withheld."""
    if isinstance(value, str):
        return AUDIT_KEY.sub(lambda m: "you" if m.group(0).lower() == own_key else "someone else", value)
    if isinstance(value, dict):
        return {key: _without_keys(inner, own_key) for key, inner in value.items()}
    if isinstance(value, list):
        return [_without_keys(inner, own_key) for inner in value]
    return value
