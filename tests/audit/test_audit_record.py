import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import AuditRecord, AuditRecordIsAppendOnly
from audit.services import record_audit
from common.scoping import centre_scope, scopes_disabled
from tests.factories import UserFactory


@pytest.fixture
def record(centre_a):
    actor = UserFactory()
    with centre_scope(centre_a):
        return record_audit(
            actor=actor, verb="test.happened", target=centre_a, centre=centre_a, details={"n": 1}
        )


def test_record_refers_to_people_and_objects_by_key_only(record, centre_a):
    with scopes_disabled():
        saved = AuditRecord.objects.get(pk=record.pk)
    assert saved.object_type == "centre.centre"
    assert saved.object_id == str(centre_a.pk)
    assert saved.actor_key is not None
    field_names = {field.name for field in AuditRecord._meta.fields}
    assert field_names == {
        "id",
        "at",
        "actor_key",
        "centre",
        "verb",
        "object_type",
        "object_id",
        "details",
        "learner_ref",
        "unit_ref",
        "sequence",
        "previous_hash",
        "hash",
    }
    assert not any(field.is_relation for field in AuditRecord._meta.fields if field.name.endswith("_ref"))


def test_record_cannot_be_changed_or_deleted_through_the_application(record):
    record.verb = "forged"
    with pytest.raises(AuditRecordIsAppendOnly):
        record.save()
    with pytest.raises(AuditRecordIsAppendOnly):
        record.delete()
    with scopes_disabled():
        with pytest.raises(AuditRecordIsAppendOnly):
            AuditRecord.objects.filter(pk=record.pk).update(verb="forged")
        with pytest.raises(AuditRecordIsAppendOnly):
            AuditRecord.objects.filter(pk=record.pk).delete()
        with pytest.raises(AuditRecordIsAppendOnly):
            AuditRecord.objects.bulk_update([record], ["verb"])
        assert AuditRecord.objects.get(pk=record.pk).verb == "test.happened"


@pytest.mark.postgresql_only
def test_postgresql_refuses_raw_sql_that_rewrites_the_trail(record):
    for statement in ("UPDATE audit_auditrecord SET verb = 'forged'", "DELETE FROM audit_auditrecord"):
        with (
            pytest.raises(DatabaseError, match="cannot be changed or deleted"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    with scopes_disabled():
        assert AuditRecord.objects.get(pk=record.pk).verb == "test.happened"


def test_audit_records_are_scoped_to_their_centre(record, centre_a, centre_b):
    with centre_scope(centre_a):
        assert list(AuditRecord.objects.all()) == [record]
    with centre_scope(centre_b):
        assert not AuditRecord.objects.exists()
