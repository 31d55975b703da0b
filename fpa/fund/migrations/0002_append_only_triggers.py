"""Refuse UPDATE and DELETE on posted journal entries, their lines and the rules' versions, at the
database, on SQLite and on PostgreSQL (the function comes from core 0002)."""

from django.db import migrations

TABLES = ["fund_journalentry", "fund_journalline", "fund_rulesversion"]


def _sqlite(table):
    return [
        f"""CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;""",
        f"""CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END;""",
    ]


def _postgres(table):
    return [
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION fpa_refuse_change();"""
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    builders = {"sqlite": _sqlite, "postgresql": _postgres}
    if vendor not in builders:
        return
    for table in TABLES:
        for sql in builders[vendor](table):
            schema_editor.execute(sql, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for table in TABLES:
        if vendor == "sqlite":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update;", params=None)
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete;", params=None)
        elif vendor == "postgresql":
            schema_editor.execute(
                f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};", params=None
            )


class Migration(migrations.Migration):
    dependencies = [("fund", "0001_initial"), ("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]
