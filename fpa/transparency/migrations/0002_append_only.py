"""Refuse UPDATE and DELETE on the log's leaves, node cache and checkpoints, on SQLite and
PostgreSQL (the same mechanism as the audit table, fpa/core/migrations/0002)."""

from django.db import migrations

TABLES = ["transparency_logleaf", "transparency_lognode", "transparency_checkpoint"]

SQLITE_FORWARD = [
    sql
    for table in TABLES
    for sql in (
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END;""",
    )
]
SQLITE_BACKWARD = [
    sql
    for table in TABLES
    for sql in (
        f"DROP TRIGGER IF EXISTS {table}_no_update;",
        f"DROP TRIGGER IF EXISTS {table}_no_delete;",
    )
]
POSTGRES_FORWARD = [
    """CREATE OR REPLACE FUNCTION fpa_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END; $$ LANGUAGE plpgsql;""",
] + [
    f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
        FOR EACH ROW EXECUTE FUNCTION fpa_refuse_change();"""
    for table in TABLES
]
POSTGRES_BACKWARD = [f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in TABLES]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)  # no placeholders: the '%' is PL/pgSQL's


def backward(apps, schema_editor):
    statements = {"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRES_BACKWARD}
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("transparency", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]
