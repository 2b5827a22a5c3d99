from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_record_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit records cannot be changed or deleted';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_record_is_append_only
    BEFORE UPDATE OR DELETE ON audit_auditrecord
    FOR EACH ROW EXECUTE FUNCTION audit_record_is_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_record_is_append_only ON audit_auditrecord;
DROP FUNCTION IF EXISTS audit_record_is_append_only();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    """The application never changes an audit record; on PostgreSQL the database refuses
    to as well, so that neither a bug nor a stray SQL session can rewrite the trail."""

    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP))]
