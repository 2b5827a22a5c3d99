from django.db import migrations, models

# The live hashing, not a copy: the records chained here must verify exactly as
# ``manage.py verify_audit`` checks them.
from audit.models import GENESIS_HASH, chained_hash, record_content

TRIGGER = "audit_record_is_append_only"  # from 0002_refuse_changes_on_postgresql
BATCH = 1000


def chain_existing_records(apps, schema_editor):
    """Chain the records written before the chain existed, in the order they were written.

    PostgreSQL's trigger refuses any UPDATE of the trail, so it is switched off for this
    backfill alone; the migration's transaction switches it on again even if the backfill
    fails part-way.
    """
    AuditRecord = apps.get_model("audit", "AuditRecord")
    on_postgresql = schema_editor.connection.vendor == "postgresql"
    if on_postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditrecord DISABLE TRIGGER {TRIGGER}")
    previous_hash, sequence, last_pk = GENESIS_HASH, 0, 0
    # A batch at a time, by key, so a long trail is never held in memory whole.
    while batch := list(AuditRecord.objects.filter(pk__gt=last_pk).order_by("pk")[:BATCH]):
        for record in batch:
            sequence += 1
            record.sequence = sequence
            record.previous_hash = previous_hash
            record.hash = previous_hash = chained_hash(previous_hash, record_content(record))
        AuditRecord.objects.bulk_update(batch, ["sequence", "previous_hash", "hash"])
        last_pk = batch[-1].pk
    if on_postgresql:
        schema_editor.execute(f"ALTER TABLE audit_auditrecord ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    """Each audit record carries a hash of its content and of the record before it."""

    dependencies = [("audit", "0003_audit_learner_and_unit_refs")]

    operations = [
        migrations.AddField(
            model_name="auditrecord",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditrecord",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(chain_existing_records, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditrecord",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
    ]
