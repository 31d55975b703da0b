"""The backup drill (docs/operations.md, "Backup and restore"): data made through the real
services in a real database, `manage.py backup`, a fresh empty database, `manage.py restore`, and
the same counts, a verified ledger and protected fields readable with the same keys. Each
`manage.py` runs as its own process with its own DATABASE_URL, as an operator would run it.

On SQLite always; on PostgreSQL when the suite runs on PostgreSQL (two databases created and
dropped here beside the test database). Then every refusal of `restore`, and that no key is
inside a backup."""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.conftest import require_postgres

ROOT = Path(__file__).resolve().parent.parent
FIELD_KEY = "ZHJpbGwtZmllbGQta2V5LTAxMjM0NTY3ODlhYmNkZWY="
HASH_KEY = "ZHJpbGwtaGFzaC1rZXktMDEyMzQ1Njc4OWFiY2RlZjA="
LEDGER_SEED = "ZHJpbGwtbGVkZ2VyLXNlZWQtMDEyMzQ1Njc4OWFiY2Q="
FIELD_KEYS = json.dumps({"active": "d1", "keys": {"d1": FIELD_KEY}, "hash_key": HASH_KEY})

BUILD = """
import datetime, io, json
from django.utils import timezone
from PIL import Image
from fpa.accounts.roles import Role
from fpa.accounts.services import user_create
from fpa.core.idnumbers import synthesize
from fpa.families import services as families
from fpa.families.models import CareKind, Family
from fpa.fund import services as fund
from fpa.organizations.divisions import YONGJING_FILE, read_file
from fpa.organizations.models import Association
from fpa.organizations.services import divisions_load
from fpa.transparency.services import sign_checkpoint

divisions_load(rows=read_file(YONGJING_FILE), valid_from=datetime.date(2023, 1, 1))
county_association = Association.objects.get(code="622923")
def user(name, role):
    return user_create(actor=None, username=name, password="Drill-Passw0rd!", full_name=name,
                       home_association=county_association, roles=[role])
county, finance = user("county", Role.COUNTY_ADMIN), user("finance", Role.FINANCE)
numbers = [synthesize("622923", datetime.date(1968, 5, 4), n) for n in range(1, 4)]
for n, number in enumerate(numbers, 1):
    families.family_register(
        actor=county, association=Association.objects.get(code="622923100"),
        kind=Family.Kind.BEREAVED, notes="drill",
        people=[{"role": "mother", "name": f"演练母亲{n}", "id_number": number,
                 "phone": f"1398888{n:04d}"}])
care_fund = fund.fund_create(actor=county, association=county_association, name="演练基金")
for amount in ("10000.00", "2500.50"):
    fund.donation_record(actor=finance, fund=care_fund, amount=amount, donor_name="演练企业",
                         donor_kind="enterprise", form="cash", channel="bank",
                         received_on=timezone.localdate(), publish_name=True)
sign_checkpoint()
family = Family.objects.order_by("pk").first()
record = families.care_log(actor=county, family=family,
                           kind=CareKind.objects.get(code="routine_visit"),
                           occurred_on=timezone.localdate(), services=["visit"],
                           cares=["visiting"])
buffer = io.BytesIO()
Image.new("RGB", (40, 30), (10, 120, 200)).save(buffer, format="PNG")
families.care_photo_add(actor=county, record=record, photo=buffer.getvalue())
print(json.dumps({"id_number": numbers[0]}))
"""

# What the drill compares between the source and the restored database.
STATE = """
import json
from django.apps import apps
from django.conf import settings
from pathlib import Path
from fpa.accounts.models import User
from fpa.core.protected import blind_index
from fpa.core.services import protected_reveal
from fpa.families.models import CarePhoto, Person
from fpa.transparency.services import root_at, tree_size
counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
person = Person.objects.order_by("pk").first()
county = User.objects.get(username="county")
revealed = protected_reveal(actor=county, obj=person, field="id_number", reason="backup drill",
                            scope_path=person.family.association.path)
photo = CarePhoto.objects.get()
from fpa.core.models import AuditEvent
print(json.dumps({
    "counts": counts,
    "backups": AuditEvent.objects.filter(object_type="core.backup", action="export").count(),
    "restores": AuditEvent.objects.filter(object_type="core.restore", action="create").count(),
    "ledger": [tree_size(), root_at(tree_size()).hex()],
    "id_number": revealed,
    "found_by_hash": Person.objects.filter(
        id_number_hash=blind_index("id_number", revealed)).count(),
    "photo": (Path(settings.MEDIA_ROOT) / photo.file_name).read_bytes().hex(),
}))
"""


@dataclass(frozen=True)
class Site:
    """One installation: a database and a var folder (media), run through manage.py."""

    env: dict[str, str]
    var: Path

    def manage(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
            timeout=600,
            check=False,
        )

    def ok(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def refused(self, *args: str) -> str:
        result = self.manage(*args)
        assert result.returncode != 0, result.stdout
        return result.stderr

    def state(self) -> dict:
        return json.loads(self.ok("shell", "-c", STATE).strip().splitlines()[-1])


def site(var: Path, database_url: str, **extra: str) -> Site:
    var.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "FPA_", "PG")) and k != "DATABASE_URL"
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        FPA_VAR_DIR=str(var),
        FPA_FIELD_KEYS=FIELD_KEYS,
        FPA_LEDGER_KEY=LEDGER_SEED,
        FPA_LEDGER_ORIGIN="drill.test/care-fund-ledger",
        PYTHONDONTWRITEBYTECODE="1",
    )
    env.update(extra)
    return Site(env=env, var=var)


# --- databases: SQLite files, or PostgreSQL databases created beside the test database -----------


def _pg_url(name: str) -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path=f"/{name}"))


def _pg_admin(sql: str) -> None:
    import psycopg

    parts = urlsplit(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(sql)


class Databases:
    def __init__(self, backend: str, tmp: Path) -> None:
        self.backend, self.tmp = backend, tmp
        self.created: list[str] = []
        self.prefix = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "fpa"

    def new(self, name: str) -> str:
        """The URL of a new, empty database."""
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp / f'{name}.sqlite3'}"
        full = f"{self.prefix}_{name}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')
        _pg_admin(f'CREATE DATABASE "{full}"')
        self.created.append(full)
        return _pg_url(full)

    def drop_all(self) -> None:
        for full in self.created:
            _pg_admin(f'DROP DATABASE IF EXISTS "{full}" WITH (FORCE)')


@dataclass(frozen=True)
class Drill:
    source: Site
    backup: Path
    built: dict
    databases: Databases

    def fresh(self, name: str, **extra: str) -> Site:
        return site(self.backup.parent / name, self.databases.new(name), **extra)


def _drill(backend: str, tmp: Path) -> Iterator[Drill]:
    databases = Databases(backend, tmp)
    try:
        source = site(tmp / "source", databases.new("drill_source"))
        source.ok("migrate", "--noinput", "--verbosity", "0")
        source.ok("migrate", "--database", "jobs", "--noinput", "--verbosity", "0")  # as make run
        built = json.loads(source.ok("shell", "-c", BUILD).strip().splitlines()[-1])
        source.ok("backup", str(tmp / "backup"))
        yield Drill(source=source, backup=tmp / "backup", built=built, databases=databases)
    finally:
        databases.drop_all()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def drill(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    if request.param == "postgresql":
        require_postgres()
    yield from _drill(request.param, tmp_path_factory.mktemp(f"drill-{request.param}"))


@pytest.fixture(scope="module")
def sqlite_drill(tmp_path_factory: pytest.TempPathFactory):
    yield from _drill("sqlite", tmp_path_factory.mktemp("drill-refusals"))


def copy_of(drill: Drill, name: str) -> Path:
    target = drill.backup.parent / name
    shutil.copytree(drill.backup, target)
    return target


# --- the drill -----------------------------------------------------------------------------------


def test_backup_then_restore_into_a_fresh_database_gives_the_same_data(drill: Drill):
    manifest = json.loads((drill.backup / "manifest.json").read_text())
    db = manifest["databases"]["default"]
    assert db["ledger"]["tree_size"] >= 2  # two donations
    assert db["ledger"]["checkpoint_keys"][0]["name"] == "drill.test/care-fund-ledger"
    assert db["audit_rows"] == db["tables"]["core_auditevent"] > 0
    assert db["tables"]["families_person"] == 3
    assert "0001_special_families" in db["migrations"]["families"]
    assert manifest["keys"]["field_keys"]["active"] == "d1"
    assert set(manifest["keys"]["field_keys"]["check_values"]) == {"d1"}
    assert any(name.startswith("media/families/photos/") for name in manifest["files"])
    before = drill.source.state()

    target = drill.fresh("restored")
    out = target.ok("restore", str(drill.backup))
    assert "verify_ledger: OK" in out
    assert "OK: restored" in out
    assert "OK:" in target.ok("verify_ledger")
    after = target.state()
    # The source's STATE run wrote one reveal audit row after the backup; the restored one too,
    # and the restore wrote its own row; the backup's row is in both.
    assert after["restores"] == 1 and before["restores"] == 0
    assert after["backups"] == before["backups"] == 1
    assert after["counts"] == {
        **before["counts"],
        "core.AuditEvent": before["counts"]["core.AuditEvent"] + 1,
    }
    assert after["ledger"] == before["ledger"]
    assert after["ledger"][1] == db["ledger"]["root_hash"]
    assert after["id_number"] == before["id_number"] == drill.built["id_number"]
    assert after["found_by_hash"] == 1
    assert after["photo"] == before["photo"]


def test_restore_without_the_field_key_refuses_and_leaves_the_database_empty(drill: Drill):
    other = json.dumps(
        {"active": "d2", "keys": {"d2": FIELD_KEY.replace("ZHJp", "b3Ro")}, "hash_key": HASH_KEY}
    )
    target = drill.fresh("no_key", FPA_FIELD_KEYS=other)
    error = target.refused("restore", str(drill.backup))
    assert "field key 'd1' is not loaded" in error
    assert "nothing was restored" in error
    assert "no tables" in target.ok("shell", "-c", EMPTY)


EMPTY = """
from django.db import connection
print("no tables" if not connection.introspection.table_names() else "tables")
"""


# --- refusals (SQLite) -----------------------------------------------------------------------------


def test_restore_refuses_a_database_that_is_not_empty(sqlite_drill: Drill):
    error = sqlite_drill.source.refused("restore", str(sqlite_drill.backup))
    assert "database 'default' is not empty" in error
    assert "nothing was restored" in error


def test_restore_refuses_a_migrated_but_empty_database(sqlite_drill: Drill):
    target = sqlite_drill.fresh("migrated")
    target.ok("migrate", "--noinput", "--verbosity", "0")
    assert "is not empty" in target.refused("restore", str(sqlite_drill.backup))


def test_restore_refuses_a_non_empty_media_folder(sqlite_drill: Drill):
    target = sqlite_drill.fresh("media_left")
    (target.var / "media").mkdir()
    (target.var / "media" / "old.jpg").write_bytes(b"old")
    error = target.refused("restore", str(sqlite_drill.backup))
    assert "media folder" in error
    assert "no tables" in target.ok("shell", "-c", EMPTY)


def test_restore_refuses_a_migration_this_code_does_not_know(sqlite_drill: Drill):
    newer = copy_of(sqlite_drill, "newer")
    manifest = json.loads((newer / "manifest.json").read_text())
    manifest["databases"]["default"]["migrations"]["families"].append("9999_from_the_future")
    (newer / "manifest.json").write_text(json.dumps(manifest))
    target = sqlite_drill.fresh("newer_target")
    error = target.refused("restore", str(newer))
    assert "families.9999_from_the_future" in error
    assert "nothing was restored" in error
    assert "no tables" in target.ok("shell", "-c", EMPTY)


def test_restore_refuses_files_that_do_not_match_the_manifest(sqlite_drill: Drill):
    damaged = copy_of(sqlite_drill, "damaged")
    manifest = json.loads((damaged / "manifest.json").read_text())
    photo = next(name for name in manifest["files"] if name.startswith("media/"))
    with (damaged / photo).open("ab") as handle:
        handle.write(b"\0")
    (damaged / "db" / "extra.sqlite3").write_bytes(b"")
    target = sqlite_drill.fresh("damaged_target")
    error = target.refused("restore", str(damaged))
    assert f"{photo}: SHA-256 does not match" in error
    assert "db/extra.sqlite3: not listed in the manifest" in error
    assert "no tables" in target.ok("shell", "-c", EMPTY)


def test_restore_refuses_a_different_key_under_the_same_id(sqlite_drill: Drill):
    same_id = json.dumps(
        {"active": "d1", "keys": {"d1": FIELD_KEY.replace("ZHJp", "b3Ro")}, "hash_key": HASH_KEY}
    )
    target = sqlite_drill.fresh("same_id", FPA_FIELD_KEYS=same_id)
    assert "field key 'd1' is loaded but is a different key" in target.refused(
        "restore", str(sqlite_drill.backup)
    )


def test_restore_refuses_checkpoints_signed_by_an_untrusted_ledger_key(sqlite_drill: Drill):
    other_seed = base64.b64encode(b"another-ledger-key-seed-01234567").decode()
    target = sqlite_drill.fresh("other_ledger", FPA_LEDGER_KEY=other_seed)
    error = target.refused("restore", str(sqlite_drill.backup))
    assert "ledger key drill.test/care-fund-ledger+" in error
    assert "FPA_LEDGER_TRUSTED_KEYS" in error


def test_restore_names_a_row_count_that_does_not_match(sqlite_drill: Drill):
    altered = copy_of(sqlite_drill, "altered")
    manifest = json.loads((altered / "manifest.json").read_text())
    manifest["databases"]["default"]["tables"]["families_person"] = 4
    (altered / "manifest.json").write_text(json.dumps(manifest))
    target = sqlite_drill.fresh("altered_target")
    error = target.refused("restore", str(altered))
    assert "table families_person: 3 rows, the manifest says 4" in error


def test_backup_refuses_an_existing_folder(sqlite_drill: Drill):
    before = sorted(p.name for p in sqlite_drill.backup.rglob("*"))
    error = sqlite_drill.source.refused("backup", str(sqlite_drill.backup))
    assert "already exists" in error
    assert sorted(p.name for p in sqlite_drill.backup.rglob("*")) == before
    empty = sqlite_drill.backup.parent / "empty-folder"
    empty.mkdir()
    assert "already exists" in sqlite_drill.source.refused("backup", str(empty))
    assert not list(sqlite_drill.backup.parent.glob(".*partial*"))


def test_a_backup_holds_no_key_material(sqlite_drill: Drill):
    secrets_ = [FIELD_KEY, HASH_KEY, LEDGER_SEED]
    raw = [base64.b64decode(value) for value in secrets_]
    files = [p for p in sqlite_drill.backup.rglob("*") if p.is_file()]
    assert len(files) >= 4  # manifest, database, photo and its thumbnail
    for path in files:
        data = path.read_bytes()
        for needle in [value.encode() for value in secrets_] + raw:
            assert needle not in data, f"{path} holds key material"
    assert (sqlite_drill.backup / "manifest.json").stat().st_mode & 0o077 == 0


# --- a backup taken while the site writes ----------------------------------------------------------

WRITER = """
import time
from pathlib import Path
from django.utils import timezone
from fpa.accounts.models import User
from fpa.fund import services as fund
from fpa.fund.models import Fund
finance, care_fund = User.objects.get(username="finance"), Fund.objects.get()
stop, deadline, n = Path(STOP_FILE), time.monotonic() + 120, 0
while not stop.exists() and time.monotonic() < deadline:
    fund.donation_record(actor=finance, fund=care_fund, amount=f"{n % 90 + 10}.00",
                         donor_name="并发捐赠", donor_kind="individual", form="cash",
                         channel="bank", received_on=timezone.localdate(), publish_name=False)
    n += 1
    if n == 1:
        print("started", flush=True)
print(n, flush=True)
"""


def test_a_backup_taken_during_writes_restores_and_verifies(drill: Drill):
    busy = drill.fresh("busy")
    busy.ok("restore", str(drill.backup))
    stop = busy.var / "stop-writing"
    writer = subprocess.Popen(
        [sys.executable, "manage.py", "shell", "-c", WRITER.replace("STOP_FILE", repr(str(stop)))],
        cwd=ROOT,
        env=busy.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        for line in writer.stdout:  # the shell may print a line of its own first
            seen.append(line)
            if line.strip() == "started":
                break
        assert seen and seen[-1].strip() == "started", "".join(seen)
        busy.ok("backup", str(busy.var / "backup-during-writes"))
    finally:
        stop.touch()
        output, _ = writer.communicate(timeout=180)
    assert writer.returncode == 0, output
    taken = json.loads((busy.var / "backup-during-writes" / "manifest.json").read_text())
    first = json.loads((drill.backup / "manifest.json").read_text())
    size = taken["databases"]["default"]["ledger"]["tree_size"]
    assert size > first["databases"]["default"]["ledger"]["tree_size"]
    target = drill.fresh("after_writes")
    assert f"verify_ledger: OK, {size} entries" in target.ok(
        "restore", str(busy.var / "backup-during-writes")
    )
