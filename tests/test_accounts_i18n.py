"""The account, core and home pages in English (the second UI language): sign-in, the
authenticator pages, the own account and its advanced settings (API tokens), the system
administrator's accounts and the security administrator's roles and scope, the audit trail, the
background jobs, the shared export and import pages, the error pages, the workbench with its
to-dos and the public front door. Each page renders with its key English strings and no Chinese
left in its chrome once the data (association and people's names, addresses, reasons typed by
users, the audit trail's stored values) is taken out. Chinese stays the default; a township user
on the accounts list gets a 403 in English and a visitor is sent to the sign-in page."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from fpa.accounts import services as account_services
from fpa.accounts.models import ApiToken, User
from fpa.core import views as core_views
from fpa.core.excel.writer import INSTRUCTIONS
from fpa.core.models import AuditEvent, Job
from fpa.fund.models import Fund
from fpa.organizations import excel as staff_excel
from fpa.organizations import services as org_services
from fpa.organizations.models import Association, StaffMember
from tests.conftest import DAZHUANG, LIUJIAXIA, PASSWORD, login, staff_in
from tests.english import (  # noqa: F401 (the autouse fixture)
    chinese_left,
    data_words,
    default_language_afterwards,
    english,
)
from tests.fund_helpers import county_fund, give
from tests.members_helpers import apply

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"


def liujiaxia() -> Association:
    return Association.objects.get(code=LIUJIAXIA)


def data_values() -> list[str]:
    """The Chinese data a page may show: names and other values typed by users or seeded, and
    what the audit trail stored (object names, reasons, values before and after)."""
    values: set[str] = set()
    for field in ("name", "division_name", "address"):
        values.update(Association.objects.values_list(field, flat=True))
    values.update(StaffMember.objects.values_list("name", flat=True))
    values.update(Fund.objects.values_list("name", flat=True))
    values.update(v for v in User.objects.values_list("full_name", flat=True) if v)
    values.update(ApiToken.objects.values_list("name", flat=True))
    values.update(Job.objects.values_list("result_name", flat=True))  # the file stays Chinese
    values.add(staff_excel.STAFF_SHEET.title)  # so does its sheet, named in the job's title
    for event in AuditEvent.objects.all():
        values.update((event.object_repr, event.reason))
        for change in (event.changes or {}).values():
            values.update(str(v) for v in (change if isinstance(change, list) else [change]))
    for column in staff_excel.STAFF_SHEET.columns:  # the staff file's headers, on its import page
        values.add(column.header)
    values.add(INSTRUCTIONS)
    values.add("永靖县计划生育协会")  # the footer names the association
    return data_words(values)


def leftover(html: str) -> list[str]:
    """The Chinese left on a page once the data is removed (tests.english)."""
    return chinese_left(html, data_values())


def check(response: Any, *expected: str, status: int = 200) -> str:
    url = response.request["PATH_INFO"] if hasattr(response, "request") else "(handler)"
    assert response.status_code == status, (url, response.status_code)
    html = response.content.decode()
    assert 'lang="en"' in html, url
    for phrase in expected:
        assert phrase in html, (url, phrase)
    assert leftover(html) == [], (url, leftover(html))
    return html


def fragment(client: Client, url: str, *expected: str, **extra: Any) -> str:
    """An htmx answer (no page around it): the same check without the <html lang>."""
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert "<html" not in html
    for phrase in expected:
        assert phrase in html, (url, phrase)
    assert leftover(html) == [], (url, leftover(html))
    return html


def page(client: Client, url: str, *expected: str, status: int = 200, **data: Any) -> str:
    if data:
        return check(client.post(url, data), *expected, status=status)
    return check(client.get(url), *expected, status=status)


def followed(client: Client, url: str, *expected: str, **data: Any) -> str:
    """A POST that succeeds: the page it leads to carries the message."""
    return check(client.post(url, data, follow=True), *expected)


@pytest.fixture
def world(county: Any, township: Any, village: Any, finance: Any) -> dict[str, Any]:
    """A care fund with a donation, an office phone and address for 刘家峡镇, a member application
    waiting in 大庄村, 大庄村's filing returned by 刘家峡镇 and 刘家峡镇's waiting for the county."""
    fund = county_fund(county)
    give(finance, fund)
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    org_services.association_set_contact(
        actor=township,
        association=liujiaxia,
        address="刘家峡镇人民政府院内",
        public_phone="0930-8812345",
        expected_version=liujiaxia.version,
    )
    apply(village, DAZHUANG)
    dazhuang = Association.objects.get(code=DAZHUANG)
    head = staff_in(village, DAZHUANG, name="大庄专干", presides_daily_work=True)
    returned = org_services.filing_submit(actor=village, association=dazhuang, person=head)
    org_services.filing_return(actor=township, filing=returned, reason="请附任职文件")
    chief = staff_in(township, LIUJIAXIA, name="刘镇秘书长", post="secretary_general")
    org_services.filing_submit(actor=township, association=liujiaxia, person=chief)
    return {"fund": fund, "head": head}


# --- the public pages ---------------------------------------------------------------------------


def test_the_front_door_in_english(world):
    client = english()
    html = page(
        client,
        "/",
        "The family planning association serves special families",
        "The care fund in public",
        "Verifiable ledger",
        "Apply to join",
        "Contact us",
        "Staff sign-in",
    )
    assert "刘家峡镇人民政府院内" in html and "0930-8812345" in html  # data stays as typed
    page(client, "/?receipt=YJ-0000-99999", "No such receipt")


def test_sign_in_pages_in_english(township):
    client = english()
    page(client, LOGIN, "Sign in", "User name", "Password")
    page(
        client,
        LOGIN,
        "Incorrect user name or password.",
        username="township",
        password="Wrong-Passw0rd!",
    )
    for _ in range(4):
        client.post(LOGIN, {"username": "township", "password": "Wrong-Passw0rd!"})
    html = page(
        client, LOGIN, "Too many failed sign-ins", status=429, username="township", password="x"
    )
    assert "_auth_user_id" not in client.session and "the account is locked for a while" in html


def test_the_address_lock_in_english(township, settings):
    settings.FPA_LOCKOUT_IP_FAILURES = 3
    client = english()
    for n in range(3):
        client.post(LOGIN, {"username": f"nobody{n}", "password": "Wrong-Passw0rd!"})
    page(
        client,
        LOGIN,
        "Too many failed sign-ins from your network address",
        status=429,
        username="township",
        password=PASSWORD,
    )
    assert "_auth_user_id" not in client.session


def test_authenticator_pages_in_english(county):
    client = english(county)
    page(client, reverse("accounts:otp_verify"), "One-time code", "Verify")
    page(
        client,
        reverse("accounts:otp_verify"),
        "Enter the 6-digit code.",
        token="12ab",
    )
    page(
        client,
        reverse("accounts:otp_setup"),
        "Turn on the one-time code",
        "Scan the QR code below",
        "Secret key: ",
        'alt="QR code"',
    )
    page(
        client,
        reverse("accounts:otp_setup"),
        "The code is wrong",
        token="000000",
    )


def test_own_account_pages_in_english(county):
    client = english(county)
    page(
        client,
        reverse("accounts:profile"),
        "My account",
        "Change password",
        "Current password",
        "New password again",
        "Advanced settings",
    )
    page(
        client,
        reverse("accounts:profile"),
        "The two new passwords differ.",
        **{"pw-old_password": PASSWORD, "pw-new_password": "a", "pw-new_password2": "b"},
    )
    page(
        client,
        reverse("accounts:profile"),
        "at least three of lower-case letters",
        **{
            "pw-old_password": PASSWORD,
            "pw-new_password": "abcdefghijkl",
            "pw-new_password2": "abcdefghijkl",
        },
    )
    followed(
        client,
        reverse("accounts:profile"),
        "Password changed.",
        **{
            "pw-old_password": PASSWORD,
            "pw-new_password": "Another-Passw0rd!",
            "pw-new_password2": "Another-Passw0rd!",
        },
    )
    page(client, reverse("accounts:advanced"), "API tokens", "No tokens.")
    html = page(
        client,
        reverse("accounts:advanced"),
        "New token (shown only once",
        "Valid",
        **{"tk-name": "对接省级平台"},
    )
    token = ApiToken.objects.get(user=county)
    assert token.prefix in html
    followed(client, reverse("accounts:token_revoke", args=[token.pk]), "Token revoked.", x="1")
    page(client, reverse("accounts:advanced"), "Revoked")


def test_account_management_in_english(sysadmin, township):
    client = english(sysadmin)
    page(
        client,
        reverse("accounts:user_list"),
        "Accounts",
        "New account",
        "Last sign-in",
        "Active",
        "Township staff",
        'placeholder="User name or name"',
    )
    page(client, reverse("accounts:user_create"), "New account", "Initial password", "Save")
    page(
        client,
        reverse("accounts:user_create"),
        "A user name may contain only letters",
        username="王 专干",
        full_name="王专干",
        home_association=liujiaxia().pk,
        password=PASSWORD,
    )
    page(
        client,
        reverse("accounts:user_create"),
        "This user name is taken or empty.",
        username="township",
        full_name="王专干",
        home_association=liujiaxia().pk,
        password=PASSWORD,
    )
    page(
        client,
        reverse("accounts:user_create"),
        "The password is too short",
        username="wang",
        full_name="王专干",
        home_association=liujiaxia().pk,
        password="Ab1!",
    )
    followed(
        client,
        reverse("accounts:user_create"),
        "Account wang created",
        username="wang",
        full_name="王专干",
        home_association=liujiaxia().pk,
        password=PASSWORD,
    )
    wang = User.objects.get(username="wang")
    page(
        client,
        reverse("accounts:user_edit", args=[wang.pk]),
        "Account wang",
        "Association: ",
        "Roles: None",
        "Mobile: Not filled in",
        "Reset password",
    )
    page(
        client,
        reverse("accounts:user_edit", args=[township.pk]),
        "Roles: Township staff",
    )
    followed(
        client,
        reverse("accounts:user_edit", args=[wang.pk]),
        "Account saved.",
        full_name="王专干",
        phone="",
        is_active="",
    )
    page(client, reverse("accounts:user_list"), "Deactivated")
    page(
        client,
        reverse("accounts:user_edit", args=[sysadmin.pk]),
        "You cannot deactivate your own account.",
        full_name="sysadmin",
        phone="",
        is_active="",
    )
    assert User.objects.get(pk=sysadmin.pk).is_active
    followed(
        client,
        reverse("accounts:user_edit", args=[wang.pk]),
        "Password reset.",
        **{"reset-password": PASSWORD},
    )


def test_roles_and_scope_in_english(secadmin, township):
    client = english(secadmin)
    page(
        client,
        reverse("accounts:role_list"),
        "Roles & scope",
        "Separation of the three administrators",
        "Township staff",
        "Security administrator",
    )
    page(
        client,
        reverse("accounts:role_edit", args=[township.pk]),
        "Roles & scope: township",
        "Association (scope)",
        "County admin",
        "Village staff",
        "Auditor (read-only)",
    )
    page(
        client,
        reverse("accounts:role_edit", args=[township.pk]),
        "must be held alone",
        home_association=liujiaxia().pk,
        roles=["township_staff", "system_admin"],
    )
    page(
        client,
        reverse("accounts:role_edit", args=[secadmin.pk]),
        "You cannot change your own roles and scope.",
        home_association=liujiaxia().parent_id,
        roles=["security_admin"],
    )
    followed(
        client,
        reverse("accounts:role_edit", args=[township.pk]),
        "Roles and scope saved.",
        home_association=liujiaxia().pk,
        roles=["township_staff", "village_staff"],
    )


# --- core pages ---------------------------------------------------------------------------------


def test_audit_trail_in_english(county, auditadmin, world):
    account_services.token_issue(user=county, name="对接省级平台")
    html = page(
        english(county),
        reverse("core:audit_list"),
        "Audit trail",
        "Account / record",
        "Start date",
        "Search",
        "Create",
        "Reveal",
    )
    assert ">Token<" in html  # an action label
    html = page(english(auditadmin), reverse("core:audit_list"), "Audit trail", "Failed sign-in")
    page(english(county), reverse("core:audit_list") + "?date_from=x", "Enter a valid date.")


def test_jobs_and_excel_pages_in_english(county, world):
    client = english(county)
    page(client, reverse("core:job_list"), "My jobs", "No jobs yet.")
    page(client, reverse("organizations:staff_export"), "Export staff", "Export full details")
    response = client.get(reverse("organizations:staff_export"), {"download": "1"})
    assert response.status_code == 302, response.status_code
    job = Job.objects.get()
    html = page(client, response["Location"], "Download ", "Submitted by")
    assert job.title in html
    page(client, reverse("core:job_list"), "My jobs", "Submitted", "Done")
    page(client, reverse("organizations:staff_import"), "Import staff", "Upload and check")
    running = Job.objects.create(
        owner_id=county.pk,
        owner_username=county.username,
        scope_path=county.home_association.path,
        kind="excel.dry_run",
        title="staff.xlsx",
        status=Job.Status.RUNNING,
        stage="逐行检查",
        heartbeat_at=timezone.now(),
        rows_read=250,
        total=1000,
    )
    fragment(
        client,
        reverse("core:job_progress", args=[running.pk]),
        "Running",
        "250 rows read",
        "1000 in all",
        HTTP_HX_REQUEST="true",
    )
    page(
        client,
        reverse("core:job_detail", args=[running.pk]),
        "Cancel job",
        'data-fpa-confirm="The job stops and writes nothing. Cancel it?"',
    )
    followed(client, reverse("core:job_cancel", args=[running.pk]), "Cancelling", x="1")


def test_error_pages_in_english(township):
    client = english(township)
    page(client, "/no-such-page/", "Not found", "Back to home", status=404)
    html = page(client, reverse("accounts:user_list"), "Not allowed", status=403)
    assert "Accounts" not in html.split("<main", 1)[-1].split("</h1>")[0]


def test_the_400_and_500_pages_in_english(rf, yongjing):
    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    request.session = {}
    with translation.override("en"):
        check(core_views.bad_request(request), "Bad request", status=400)
        check(core_views.server_error(request), "System error", status=500)


# --- the workbench ------------------------------------------------------------------------------


def test_workbench_in_english(county, township, village, world):
    html = page(
        english(county),
        "/",
        "Dashboard",
        "Filings to review",
        "Applications waiting for approval",
        "Headline figures (永靖县计生协)",
        "Care fund available balance",
        "My account",
        "County admin",
        "Scope: ",
        " (622923)",
        "Shortcuts",
    )
    assert 'data-todo="organizations.filings_to_review"' in html
    html = page(english(township), "/", "Applications waiting for approval", "Township staff")
    assert "Filings to review" not in html and "Headline figures" not in html
    page(
        english(village),
        "/",
        "Returned and reminders",
        "The filing of 大庄村委会计生协 (大庄专干) was returned",
        "请附任职文件",
    )


# --- Chinese by default, refusals ---------------------------------------------------------------


def test_chinese_stays_the_default(sysadmin, secadmin, township):
    client = login(Client(), sysadmin)
    html = client.get(reverse("accounts:user_list")).content.decode()
    assert 'lang="zh-hans"' in html
    assert "账号管理" in html and "最近登录" in html and "乡镇专干" in html and "启用" in html
    assert "Last sign-in" not in html
    html = login(Client(), secadmin).get(reverse("accounts:role_list")).content.decode()
    assert "三员分立" in html and "角色与范围" in html
    html = Client().get(LOGIN).content.decode()
    assert "登录" in html and "Sign in" not in html


def test_refusals_in_english(township, yongjing):
    client = english(township)
    for url in (reverse("accounts:user_list"), reverse("accounts:role_list")):
        response = client.get(url)
        assert response.status_code == 403, url
        html = check(response, "Not allowed", status=403)
        assert "New account" not in html
    response = english().get(reverse("accounts:user_list"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    response = english().get(reverse("accounts:profile"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
