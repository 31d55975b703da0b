"""Background jobs (fpa.core.jobs): progress, cancel, a dead worker, scope, /readyz.

Jobs run inside the request here (django-tasks' immediate backend); test_jobs_worker.py starts a
real worker process.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from fpa.core import jobs
from fpa.core.crypto import keyring
from fpa.core.excel import jobs as excel_jobs
from fpa.core.models import AuditEvent, Job, WorkerBeat
from fpa.organizations.models import StaffMember
from tests.conftest import DAZHUANG
from tests.test_organizations_excel import IMPORT_URL, person, workbook

ROW = [DAZHUANG, None, None, None, "理事", "兼职", "2024-01-01", None]


def staff_rows(count: int) -> bytes:
    rows = []
    for n in range(count):
        row = list(ROW)
        row[1] = f"员工{n:04d}"
        row[2] = person(n % 900 + 1, 1960 + n // 900)
        rows.append(row)
    return workbook(*rows)


def job_importer() -> str:
    from fpa.organizations.views import STAFF_IMPORT

    return STAFF_IMPORT.importer_path


def dry_run_job(client: Any, data: bytes) -> Job:
    response = client.post(IMPORT_URL, {"file": _file(data)})
    assert response.status_code == 302 and response["Location"].startswith("/jobs/")
    return Job.objects.get(pk=int(response["Location"].split("/")[2]))


def _file(data: bytes) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("工作人员.xlsx", data)


def test_an_import_runs_as_jobs_with_progress_and_ends_on_the_result(
    township, client_for, uploads_dir
):
    client = client_for(township)
    job = dry_run_job(client, staff_rows(3))
    assert (job.kind, job.status, job.owner_id) == ("excel.dry_run", "done", township.pk)
    assert (job.rows_read, job.rows_planned, job.rows_written, job.total) == (3, 3, 0, 3)
    assert job.result["report"]["created"] == 3 and job.worker_id
    assert job.started_at <= job.finished_at
    assert "6229" not in job.secret  # the upload's key is sealed, not stored as given
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "确认导入（新增3人，修改0人）" in page and f'value="{job.token}"' in page
    # The commit, as a second job: rows written, the summary.
    response = client.post(IMPORT_URL, {"token": job.token})
    commit = Job.objects.get(pk=int(response["Location"].split("/")[2]))
    assert (commit.kind, commit.status, commit.rows_written, commit.total) == (
        "excel.commit",
        "done",
        3,
        3,
    )
    assert StaffMember.objects.filter(name__startswith="员工").count() == 3
    assert "导入完成：新增3人" in client.get(f"/jobs/{commit.pk}/").content.decode()
    # Both are in "我的任务".
    listing = client.get("/jobs/").content.decode()
    assert f"/jobs/{job.pk}/" in listing and f"/jobs/{commit.pk}/" in listing


def test_a_cancelled_commit_writes_nothing(township, client_for, uploads_dir):
    """The commit checks the flag between batches; the batch already written is rolled back."""
    client = client_for(township)
    rows = excel_jobs.import_string(job_importer()).batch_size  # more than one batch
    job = dry_run_job(client, staff_rows(rows + 20))
    assert job.status == "done" and job.result["report"]["created"] == rows + 20
    before = (StaffMember.objects.count(), AuditEvent.objects.filter(action="create").count())
    commit = Job.objects.create(
        owner_id=township.pk,
        scope_path=job.scope_path,
        kind="excel.commit",
        title="t",
        params={**job.params, "write": True},
        token=job.token,
        secret=keyring().encrypt(jobs.job_secret(job), context=f"job|excel.commit|{job.token}"),
        status=Job.Status.RUNNING,
        cancel_requested=True,  # asked while it runs: seen after the first batch
    )
    progress = jobs.Progress(commit)
    with pytest.raises(jobs.JobCancelled):
        excel_jobs.commit(commit, progress)
    assert progress.job.rows_written == rows  # one batch was written, then rolled back
    assert (StaffMember.objects.count(), AuditEvent.objects.filter(action="create").count()) == (
        before
    )
    assert not (uploads_dir / f"{job.token}.bin").exists()  # the upload is discarded


def test_cancel_a_queued_job_and_the_page_says_so(township, township2, client_for):
    job = Job.objects.create(
        owner_id=township.pk, scope_path="x", kind="excel.dry_run", title="待取消"
    )
    assert client_for(township2).post(f"/jobs/{job.pk}/cancel/").status_code == 404
    job.refresh_from_db()
    assert job.status == "queued" and not job.cancel_requested
    client = client_for(township)
    assert client.post(f"/jobs/{job.pk}/cancel/").status_code == 302
    job.refresh_from_db()
    assert (job.status, job.cancel_requested) == ("cancelled", True)
    assert jobs.run_job.call(job.pk) == "skipped"  # a worker that picks it up later does nothing
    assert "任务已取消，没有写入任何数据。" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert AuditEvent.objects.filter(object_type="core.job", actor=township).count() == 1


def test_a_job_whose_worker_died_shows_as_failed(township, client_for):
    old = timezone.now() - datetime.timedelta(minutes=2)
    job = Job.objects.create(
        owner_id=township.pk,
        kind="excel.commit",
        title="中断",
        status=Job.Status.RUNNING,
        started_at=old,
        heartbeat_at=old,
        worker_id="gone-1",
    )
    alive = Job.objects.create(
        owner_id=township.pk,
        kind="excel.commit",
        title="进行中",
        status=Job.Status.RUNNING,
        started_at=old,
        heartbeat_at=timezone.now(),
    )
    page = client_for(township).get(f"/jobs/{job.pk}/").content.decode()
    assert "后台进程已中断（超过1分钟没有响应），任务没有完成。请重新提交。" in page
    job.refresh_from_db()
    alive.refresh_from_db()
    assert (job.status, alive.status) == ("failed", "running")
    # A worker's heartbeat reaps them too.
    again = Job.objects.create(
        owner_id=township.pk, kind="x", title="y", status="running", heartbeat_at=old
    )
    jobs.worker_beat("w-1")
    again.refresh_from_db()
    assert again.status == "failed"


def test_the_progress_partial_polls_while_running_and_refreshes_when_done(township, client_for):
    client = client_for(township)
    job = Job.objects.create(
        owner_id=township.pk,
        kind="excel.dry_run",
        title="t",
        status=Job.Status.RUNNING,
        stage="逐行检查",
        heartbeat_at=timezone.now(),
        rows_read=250,
        total=1000,
    )
    partial = client.get(f"/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert f'hx-get="/jobs/{job.pk}/progress/"' in body and 'aria-valuenow="25"' in body
    assert "job-width-5" in body and "已读取250行" in body and "逐行检查" in body
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE)
    done = client.get(f"/jobs/{job.pk}/progress/", HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true"


def test_scope_own_jobs_and_the_county_subtree(
    township, township2, county, village, client_for, client
):
    mine = Job.objects.create(
        owner_id=township.pk, scope_path=township.home_association.path, kind="k", title="镇的任务"
    )
    assert client_for(township).get(f"/jobs/{mine.pk}/").status_code == 200
    assert client_for(township2).get(f"/jobs/{mine.pk}/").status_code == 404
    assert client_for(village).get(f"/jobs/{mine.pk}/").status_code == 404  # own jobs only
    assert "镇的任务" not in client_for(township2).get("/jobs/").content.decode()
    assert client_for(county).get(f"/jobs/{mine.pk}/").status_code == 200  # the subtree
    assert "镇的任务" in client_for(county).get("/jobs/").content.decode()
    for forged in ("999999", "0"):
        assert client_for(township).get(f"/jobs/{forged}/").status_code == 404
    for url in (f"/jobs/{mine.pk}/", "/jobs/", f"/jobs/{mine.pk}/progress/"):
        assert client.get(url)["Location"].startswith("/accounts/login/")  # anonymous
    assert jobs.job_get(user=township2, pk=mine.pk) is None
    assert jobs.job_get(user=township, pk="1 OR 1=1") is None


def test_the_job_list_costs_a_fixed_number_of_queries(
    township, client_for, django_assert_max_num_queries
):
    client = client_for(township)
    for n in range(40):
        Job.objects.create(owner_id=township.pk, kind="k", title=f"任务{n}")
    client.get("/jobs/")
    with django_assert_max_num_queries(12):
        response = client.get("/jobs/")
    assert response.content.decode().count('href="/jobs/') >= 30


# --- /readyz ------------------------------------------------------------------------------------


def test_readyz_is_ready_with_a_live_worker_and_fails_without(client, db):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "fail" and body["checks"]["worker"] == "fail"
    assert {k for k, v in body["checks"].items() if v == "ok"} == {
        "database",
        "migrations",
        "field_keys",
        "ledger_key",
    }
    jobs.worker_beat("w-ready")
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["status"] == "ok"
    assert client.get("/healthz").json() == {"status": "ok"}
    WorkerBeat.objects.update(beat_at=timezone.now() - datetime.timedelta(seconds=61))
    assert client.get("/readyz").json()["checks"]["worker"] == "fail"


def test_readyz_fails_on_unapplied_migrations(client, db):
    jobs.worker_beat("w-ready")
    MigrationRecorder.Migration.objects.filter(
        app="core", name="0003_jobs_and_worker_beats"
    ).delete()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["migrations"] == "fail"


def test_readyz_fails_without_keys(client, db, monkeypatch, settings):
    from fpa.core import crypto
    from fpa.transparency import keys

    jobs.worker_beat("w-ready")
    monkeypatch.setenv("FPA_FIELD_KEYS", "not json")
    monkeypatch.delenv("FPA_LEDGER_KEY")
    settings.FPA_LEDGER_KEY_FILE = "/nonexistent/ledger-key.pem"
    crypto.keyring.cache_clear()
    keys._cached.cache_clear()
    try:
        response = client.get("/readyz")
        checks = response.json()["checks"]
        assert response.status_code == 503
        assert (checks["field_keys"], checks["ledger_key"]) == ("fail", "fail")
        assert checks["database"] == "ok"
    finally:
        monkeypatch.undo()
        crypto.keyring.cache_clear()
        keys._cached.cache_clear()
