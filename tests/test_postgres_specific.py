"""What only PostgreSQL can show: the audit trigger and the pattern index behind `path__under`.

Skipped on SQLite (the `make test` run); CI runs the whole suite again on PostgreSQL
(`make pytest-pg`) with FPA_EXPECT_POSTGRES=1, where a skip would be an error.
"""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fpa.core.models import AuditEvent
from fpa.organizations.models import Association
from tests.conftest import require_postgres

LIUJIAXIA_PATH = "/62/6229/622923/622923100/"


@pytest.fixture(autouse=True)
def _postgres_only(db):
    require_postgres()


@pytest.fixture
def event():
    return AuditEvent.objects.create(
        action=AuditEvent.Action.CREATE,
        actor_username="tester",
        object_type="test",
        object_id="1",
        object_repr="a row that must never change",
        scope_path="/62/",
    )


def test_audit_trigger_is_installed():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditevent'::regclass"
            " AND NOT tgisinternal"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert "core_auditevent_append_only" in names


def test_audit_trigger_refuses_update(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.reason = "rewritten"
        event.save()
    event.refresh_from_db()
    assert event.reason == ""


def test_audit_trigger_refuses_delete(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_audit_trigger_allows_insert(event):
    AuditEvent.objects.create(action=AuditEvent.Action.LOGIN, actor_username="tester")
    assert AuditEvent.objects.count() == 2


def pattern_index_on_path() -> str:
    """The one varchar_pattern_ops index on `path` (Django makes it for the unique CharField)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT indexname FROM pg_indexes
               WHERE tablename = 'organizations_association'
                 AND indexdef LIKE '%%(path varchar_pattern_ops)%%'"""
        )
        rows = cursor.fetchall()
    assert len(rows) == 1, rows  # one, not a duplicate costing every write
    return rows[0][0]


def test_path_has_exactly_one_pattern_index():
    assert pattern_index_on_path()


def test_path_under_is_served_by_the_pattern_index(yongjing):
    """With sequential scans priced out, LIKE 'prefix%' is answered from the pattern index.

    `path` also has the unique constraint's plain btree index, which under a C collation could
    answer instead; it is dropped inside this test's transaction (rolled back afterwards) so that
    the plan proves the varchar_pattern_ops index itself is usable, whatever the collation.
    """
    pattern = pattern_index_on_path()
    queryset = Association.objects.filter(path__under=LIUJIAXIA_PATH)
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT idx.relname, con.conname FROM pg_index i
               JOIN pg_class idx ON idx.oid = i.indexrelid
               JOIN pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = i.indkey[0]
               LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid
               WHERE i.indrelid = 'organizations_association'::regclass
                 AND i.indnatts = 1 AND att.attname = 'path'
                 AND idx.relname <> %s""",
            [pattern],
        )
        others = cursor.fetchall()
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks before DDL
        for index, constraint in others:
            if constraint:
                cursor.execute(
                    f'ALTER TABLE organizations_association DROP CONSTRAINT "{constraint}"'
                )
            else:
                cursor.execute(f'DROP INDEX "{index}"')
        cursor.execute("ANALYZE organizations_association")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = queryset.explain()
    assert pattern in plan, plan
    assert "Index Scan" in plan or "Bitmap Index Scan" in plan, plan
    assert "~~" in plan, plan  # the LIKE itself, not some other condition


def test_path_under_matches_the_subtree_exactly(yongjing):
    """The LIKE pattern is escaped and anchored: exactly the prefix's subtree, nothing else."""
    under = set(
        Association.objects.filter(path__under=LIUJIAXIA_PATH).values_list("code", flat=True)
    )
    expected = {
        code
        for code, path in Association.objects.values_list("code", "path")
        if path.startswith(LIUJIAXIA_PATH)
    }
    assert under == expected
    assert "622923100" in under
    assert "622923101" not in under
    assert len(under) > 1
    assert not Association.objects.filter(path__under="/62/6229/622923/62292310_/").exists()
    assert not Association.objects.filter(path__under="/62/6229/622923/%/").exists()
