"""Shared fixtures: the real Yongjing tree and one persona per role, all made through services.

Personas (Healthchecks-style): `county` (县级管理员), `township` (刘家峡镇专干), `township2`
(盐锅峡镇专干, the sibling township that must be refused), `village` (大庄村专干), `finance`,
`auditor`, `volunteer`, and the three administrators `sysadmin`, `secadmin`, `auditadmin`.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections, connection, connections
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from fpa.accounts.middleware import LOGIN_AT, TOUCHED_AT
from fpa.accounts.roles import Role
from fpa.accounts.services import user_create
from fpa.core.idnumbers import synthesize
from fpa.organizations.divisions import YONGJING_FILE, read_file
from fpa.organizations.models import Association
from fpa.organizations.services import divisions_load, staff_create

ROOT = Path(__file__).resolve().parent.parent
YONGJING = YONGJING_FILE
PASSWORD = "Test-Passw0rd!"

LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"  # a village of 刘家峡镇
SHANGQUAN = "622923101201"  # a village of 盐锅峡镇


def pytest_collection_modifyitems(items: list[Any]) -> None:
    """Every database test may use the "jobs" alias too (background jobs, fpa.core.db_router):
    the import pages enqueue jobs. A test that names its databases keeps them.

    A transactional test (real commits: races, the job worker, the server) empties every table
    when it ends, the rows the data migrations wrote too (care kinds, settings, consent texts).
    Each one therefore starts from the database as migrated (serialized_rollback), so which
    transactional test ran before it on the same worker does not matter."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        uses_db = "db" in item.fixturenames or "transactional_db" in item.fixturenames
        if marker is None and not uses_db:
            continue
        kwargs = dict(marker.kwargs) if marker is not None else {}
        if marker is None and "transactional_db" in item.fixturenames:
            kwargs["transaction"] = True
        if kwargs.get("transaction"):
            kwargs["serialized_rollback"] = True
        kwargs.setdefault("databases", ["default", "jobs"])
        item.add_marker(
            pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False
        )


@pytest.fixture(autouse=True)
def _ledger_witness_file(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Each test remembers the ledger heads it signs in its own file (docs/ledger.md)."""
    path = tmp_path_factory.mktemp("ledger") / "ledger-witness.json"
    settings.FPA_LEDGER_WITNESS_FILE = str(path)
    return path


@pytest.fixture
def yongjing(db: Any) -> Association:
    """The real 2023 Yongjing divisions as an association tree; returns the county association."""
    divisions_load(rows=read_file(YONGJING), valid_from=datetime.date(2023, 1, 1))
    return Association.objects.get(code="622923")


def make_user(username: str, code: str, role: str) -> Any:
    return user_create(
        actor=None,
        username=username,
        password=PASSWORD,
        full_name=username,
        home_association=Association.objects.get(code=code),
        roles=[role],
    )


def another_county(yongjing: Association, code: str = "622924", name: str = "广河县计生协") -> Any:
    """A second county association beside Yongjing (same prefecture), with no divisions below
    it, and its county administrator."""
    Association.objects.create(
        code=code,
        name=name,
        kind=Association.Kind.COUNTY,
        parent=yongjing.parent,
        path=yongjing.path.replace(yongjing.code, code),
        depth=yongjing.depth,
        valid_from=datetime.date(2023, 1, 1),
    )
    return make_user(f"county-{code}", code, Role.COUNTY_ADMIN)


@pytest.fixture
def county(yongjing: Association) -> Any:
    return make_user("county", "622923", Role.COUNTY_ADMIN)


@pytest.fixture
def township(yongjing: Association) -> Any:
    return make_user("township", LIUJIAXIA, Role.TOWNSHIP_STAFF)


@pytest.fixture
def township2(yongjing: Association) -> Any:
    return make_user("township2", YANGUOXIA, Role.TOWNSHIP_STAFF)


@pytest.fixture
def village(yongjing: Association) -> Any:
    return make_user("village", DAZHUANG, Role.VILLAGE_STAFF)


@pytest.fixture
def finance(yongjing: Association) -> Any:
    return make_user("finance", "622923", Role.FINANCE)


@pytest.fixture
def auditor(yongjing: Association) -> Any:
    return make_user("auditor", "622923", Role.AUDITOR)


@pytest.fixture
def volunteer(yongjing: Association) -> Any:
    return make_user("volunteer", DAZHUANG, Role.VOLUNTEER)


@pytest.fixture
def sysadmin(yongjing: Association) -> Any:
    return make_user("sysadmin", "622923", Role.SYSTEM_ADMIN)


@pytest.fixture
def secadmin(yongjing: Association) -> Any:
    return make_user("secadmin", "622923", Role.SECURITY_ADMIN)


@pytest.fixture
def auditadmin(yongjing: Association) -> Any:
    return make_user("auditadmin", "622923", Role.AUDIT_ADMIN)


def login(client: Client, user: Any) -> Client:
    """Sign in as `user`, with the second factor passed when the role needs one."""
    client.force_login(user)
    session = client.session
    session[LOGIN_AT] = time.time()
    session[TOUCHED_AT] = time.time()  # as the sign-in response leaves it (expiry just set)
    if user.needs_otp:
        device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(client: Client) -> Any:
    """`client_for(user)`: a fresh signed-in test client for that persona."""

    def make(user: Any) -> Client:
        return login(Client(), user)

    return make


_sequence = iter(range(1, 10**6))


def staff_in(actor: Any, code: str, **overrides: Any) -> Any:
    """A staff member of association `code`, with a synthetic valid ID number and phone."""
    n = next(_sequence)
    data = {
        "name": f"测试人员{n}",
        "post": "officer",
        "employment": "full_time",
        "term_start": datetime.date(2023, 1, 1),
        "id_number": synthesize("622923", datetime.date(1980, 1, 1), n % 1000),
        "phone": f"1390000{n:04d}",
    }
    data.update(overrides)
    return staff_create(actor=actor, association=Association.objects.get(code=code), **data)


def content(response: Any) -> bytes:
    """The body of a streamed response, closed as the server would (its temp file goes).

    Closing a response sends `request_finished`, whose `close_old_connections` would close the
    test's database connection on PostgreSQL (SQLite's in-memory database ignores it): it is
    held off while the response closes, as the test client does for the responses it returns.
    """
    try:
        return b"".join(response.streaming_content)
    finally:
        request_finished.disconnect(close_old_connections)
        try:
            response.close()
        finally:
            request_finished.connect(close_old_connections)


def all_text(data: bytes) -> bytes:
    """Every part of an xlsx (a zip) concatenated: to assert what a workbook does not contain."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


@pytest.fixture(autouse=True)
def job_files_dir(settings: Any, tmp_path: Path) -> Path:
    """Background jobs' result files (exports, report workbooks) go to a per-test directory."""
    settings.FPA_JOB_FILES_DIR = str(tmp_path / "job-files")
    return tmp_path / "job-files"


@pytest.fixture
def uploads_dir(settings: Any, tmp_path: Path) -> Path:
    """Uploads waiting between dry run and commit go to a per-test directory."""
    settings.FPA_EXCEL_UPLOAD_DIR = str(tmp_path)
    return tmp_path


# --- PostgreSQL-only tests ------------------------------------------------------------------------


def require_postgres() -> None:
    """Skip on SQLite; under CI's PostgreSQL leg (FPA_EXPECT_POSTGRES=1) a skip is a failure."""
    if connection.vendor == "postgresql":
        return
    if os.environ.get("FPA_EXPECT_POSTGRES") == "1":
        pytest.fail(f"FPA_EXPECT_POSTGRES=1 but the database is {connection.vendor}")
    pytest.skip("PostgreSQL only (set DATABASE_URL=postgres://... and run make pytest-pg)")


def race(calls: list[Any]) -> tuple[list[Any], list[BaseException]]:
    """Run the calls at the same moment, each in its own thread on its own connection; their
    results and the exceptions they raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []

    def run(call: Any) -> None:
        try:
            barrier.wait()
            results.append(call())
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def open_job_page(client: Any, response: Any) -> Any:
    """An import runs as a background job: the POST redirects to the job's page, which shows the
    result once the job ended (at once under the tests' immediate backend). Other responses pass."""
    if response.status_code == 302 and re.fullmatch(r"/jobs/\d+/", response["Location"]):
        return client.get(response["Location"])
    return response


def follow_job(client: Any, response: Any) -> Any:
    """An export or a report workbook runs as a background job (inside the request under the
    immediate backend of the tests): the request redirects to the job page, which offers the
    file; this follows both and returns the download's response."""
    assert response.status_code == 302, response.status_code
    location = response["Location"]
    assert re.fullmatch(r"/jobs/\d+/", location), location
    page = client.get(location)
    assert page.status_code == 200
    download = location + "download/"
    assert download in page.content.decode(), "the job page offers no download"
    got = client.get(download)
    assert got.status_code == 200
    return got


@pytest.fixture
def kept_area_options(settings: Any) -> Any:
    """The area filters' options kept per worker, as in production (the test settings turn that
    off): starts and ends with none kept."""
    from fpa.organizations.selectors import forget_area_options

    settings.FPA_AREA_OPTIONS_SECONDS = 60
    forget_area_options()
    yield settings
    forget_area_options()
