"""Exports, report workbooks and two management commands as background jobs (fpa.core.jobs).

Jobs run inside the request here (django-tasks' immediate backend, settings.test). What is
checked: the job runs as the user who asked (scope, masking, a full export's audit row), the file
is served to its owner only (not to another township, a county administrator who sees the job,
an anonymous visitor or a forged id), progress is rows written of the total, result files go
after the retention period, and `load_divisions` / `rotate_field_keys` run the same work in the
foreground (progress lines) and as a job enqueued by the system (`--background`).
"""

from __future__ import annotations

import datetime
import io
import os
import time

from django.core.management import call_command
from django.utils import timezone

from fpa.core import job_files, jobs
from fpa.core.models import AuditEvent, Job
from fpa.organizations.models import Association
from tests.conftest import DAZHUANG, LIUJIAXIA, SHANGQUAN, content
from tests.test_excel_engine import read_back
from tests.test_families_excel import register

EXPORT_URL = "/families/export/"


def job_of(response) -> Job:
    assert response.status_code == 302, response.status_code
    return Job.objects.get(pk=int(response["Location"].split("/")[2]))


def test_an_export_is_a_job_with_progress_run_as_the_user(township, township2, client_for):
    for n in range(4):
        register(township, mother=f"本镇{n}")
    register(township2, code=SHANGQUAN, mother="外镇")
    client = client_for(township)
    job = job_of(client.get(EXPORT_URL, {"download": "1"}))
    assert (job.kind, job.status, job.owner_id) == ("families.export", "done", township.pk)
    assert (job.total, job.rows_read, job.rows_written) == (4, 4, 4)
    assert jobs.percent(job) == 100 and job.result == {"rows": 4, "reveal": False}
    assert job.params == {"all": False, "reveal": False, "reason": ""}
    rows = read_back(content(client.get(f"/jobs/{job.pk}/download/")))
    assert sorted(row[2] for row in rows[1:]) == [f"本镇{n}" for n in range(4)]
    assert job.pk in [j.pk for j in jobs.jobs_visible_to(township)]


def test_a_full_export_file_is_served_to_its_owner_only(
    township, township2, county, client, client_for
):
    family = register(township, mother="本村甲")
    secret = next(p.id_number.reveal_unchecked() for p in family.people.all() if p.id_number)
    owner = client_for(township)
    before = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count()
    job = job_of(owner.post(EXPORT_URL, {"reveal": "1", "reason": "年度核对"}))
    assert job.status == "done" and job.params["reason"] == "年度核对"
    event = AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).latest("pk")
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == before + 1
    assert (event.actor_id, event.reason) == (township.pk, "年度核对")
    download = f"/jobs/{job.pk}/download/"
    assert secret in [str(cell) for row in read_back(content(owner.get(download))) for cell in row]
    # The county administrator sees the job in the subtree, but not the file.
    admin = client_for(county)
    page = admin.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200 and download not in page.content.decode()
    assert admin.get(download).status_code == 404
    # Another township, a forged id, an anonymous visitor.
    other = client_for(township2)
    assert other.get(f"/jobs/{job.pk}/").status_code == 404
    assert other.get(download).status_code == 404
    assert owner.get(f"/jobs/{job.pk + 1000}/download/").status_code == 404
    assert client.get(download).status_code == 302  # to the sign-in page
    assert client.get(download)["Location"].startswith("/accounts/login/")


def test_refusals_happen_before_any_job(township, finance, client_for):
    before = Job.objects.count()
    response = client_for(township).post(EXPORT_URL, {"reveal": "1", "reason": " "})
    assert response.status_code == 200 and "请填写导出完整信息的原因。" in response.content.decode()
    assert client_for(finance).get(EXPORT_URL, {"download": "1"}).status_code == 403
    assert Job.objects.count() == before


def test_the_job_refuses_an_owner_who_lost_the_right(township, finance):
    """A job queued for a user who no longer holds the capability (or was deactivated) fails
    without a file, whatever its params say."""
    register(township, mother="本村甲")
    for user in (finance, township):
        if user is township:
            township.is_active = False
            township.save(update_fields=["is_active"])
        job = Job.objects.create(
            owner_id=user.pk,
            owner_username=user.username,
            kind="families.export",
            title="x",
            params={"all": True, "reveal": True, "reason": "想看看"},
        )
        assert jobs.run_job.call(job.pk) == "failed"
        job.refresh_from_db()
        assert job.status == "failed" and job.result_file == ""
        assert job.error == "您的账号已停用或无权进行此操作。"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_result_files_go_after_the_retention_period(township, client_for, settings, job_files_dir):
    register(township, mother="本村甲")
    client = client_for(township)
    old = job_of(client.get(EXPORT_URL, {"download": "1"}))
    fresh = job_of(client.get(EXPORT_URL, {"download": "1"}))
    orphan = job_files_dir / "999999-0123456789abcdef.bin"
    orphan.write_bytes(b"x")
    stale_time = time.time() - 25 * 3600
    os.utime(orphan, (stale_time, stale_time))
    settings.FPA_JOB_FILES_RETENTION_HOURS = 24
    Job.objects.filter(pk=old.pk).update(finished_at=timezone.now() - datetime.timedelta(hours=25))
    old_file = job_files_dir / old.result_file
    assert old_file.is_file()
    # Past the period the file is not served, even before the purge runs.
    assert client.get(f"/jobs/{old.pk}/download/").status_code == 404
    assert client.get(f"/jobs/{fresh.pk}/download/").status_code == 200
    out = io.StringIO()
    call_command("purge_job_files", stdout=out)
    assert "2 expired job files removed" in out.getvalue()
    assert not old_file.exists() and not orphan.exists()
    assert (job_files_dir / fresh.result_file).is_file()
    old.refresh_from_db()
    assert old.result_file == ""
    assert job_files.purge_job_files() == 0


def test_the_monthly_report_workbook_is_a_job_and_the_page_stays(township, township2, client_for):
    register(township, mother="本村甲")
    client = client_for(township)
    page = client.get("/families/monthly/", {"code": LIUJIAXIA})
    assert page.status_code == 200 and page.context["report"] is not None
    job = job_of(client.get("/families/monthly/", {"code": LIUJIAXIA, "download": "xlsx"}))
    assert (job.kind, job.status) == ("families.monthly_report", "done")
    assert job.params["code"] == LIUJIAXIA and job.total == job.rows_written > 0
    rows = read_back(content(client.get(f"/jobs/{job.pk}/download/")), "计生特殊家庭月报")
    assert rows[1][0] == "填报单位：刘家峡镇计生协"
    # Another township's code: the page says so, no job.
    before = Job.objects.count()
    other = client_for(township2).get("/families/monthly/", {"code": DAZHUANG, "download": "xlsx"})
    assert other.status_code == 200 and other.context["foreign"]
    assert Job.objects.count() == before
    assert client_for(township2).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_the_fund_statement_workbook_is_an_audited_job(county, finance, client_for):
    from tests.fund_helpers import county_fund, give

    fund = county_fund(county)
    give(finance, fund, "1000")
    client = client_for(finance)
    response = client.get("/fund/report/", {"year": timezone.localdate().year})
    assert response.status_code == 200  # the on-screen statement stays a page
    job = job_of(
        client.get("/fund/report/", {"download": "xlsx", "year": timezone.localdate().year})
    )
    assert (job.kind, job.status, job.params["fund"]) == ("fund.statement", "done", fund.pk)
    event = AuditEvent.objects.filter(object_type="fund.statement").latest("pk")
    assert event.actor_id == finance.pk and event.action == AuditEvent.Action.EXPORT
    table = read_back(content(client.get(f"/jobs/{job.pk}/download/")), "基金收支表")
    assert table[0] == ["项目", "科目代码", "科目名称", "金额（元）"]
    assert client_for(county).get(f"/jobs/{job.pk}/download/").status_code == 404


def test_load_divisions_in_the_foreground(db, tmp_path, capsys):
    from tests.test_divisions import TOP, write

    path = write(tmp_path, TOP)
    call_command("load_divisions", str(path))
    out = capsys.readouterr().out
    assert "[读取行政区划文件]" in out and f"read {len(TOP)}/{len(TOP)}" in out
    assert f"{len(TOP)} created" in out


def test_load_divisions_in_the_background(db, tmp_path, capsys):
    from tests.test_divisions import TOP, write

    path = write(tmp_path, TOP)
    call_command("load_divisions", str(path), "--background")
    out = capsys.readouterr().out
    job = Job.objects.get(kind="organizations.load_divisions")
    assert f"Job {job.pk} (organizations.load_divisions) queued" in out
    assert f"manage.py job_status {job.pk}" in out
    assert (job.status, job.owner_id, job.total, job.rows_written) == (
        "done",
        None,
        len(TOP),
        len(TOP),
    )
    assert job.result["created"] == len(TOP) and Association.objects.count() == len(TOP)
    event = AuditEvent.objects.get(object_type="core.job")
    assert event.actor_id is None and event.reason == "manage.py load_divisions --background"
    call_command("job_status", str(job.pk))
    assert f"job {job.pk} organizations.load_divisions: done" in capsys.readouterr().out


def test_load_divisions_in_the_background_reports_a_bad_file(db, tmp_path, capsys):
    from tests.test_divisions import TOP, write

    path = write(tmp_path, [*TOP, "62292310020,短编码村,village,622923100"])
    call_command("load_divisions", str(path), "--background")
    job = Job.objects.get(kind="organizations.load_divisions")
    assert job.status == "failed" and "nothing was loaded" in job.error
    assert not Association.objects.exists()


def test_rotate_field_keys_in_the_foreground_and_in_the_background(township, capsys):
    register(township, mother="本村甲")
    call_command("rotate_field_keys")
    out = capsys.readouterr().out
    assert "[查找使用旧密钥的加密字段]" in out and "[用当前密钥重新加密]" in out
    assert "families.Person: 0 values re-encrypted" in out
    call_command("rotate_field_keys", "--background")
    job = Job.objects.get(kind="core.rotate_field_keys")
    assert f"Job {job.pk}" in capsys.readouterr().out
    assert job.status == "done" and job.owner_id is None
    assert job.result["reencrypted"] == 0 and job.result["scanned"] >= 2
    assert AuditEvent.objects.filter(object_type="core.job", reason__contains="rotate").exists()
