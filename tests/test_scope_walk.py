"""Deny by default, walked over every URL.

Every web view must declare its scope; anonymous users are sent to sign in; and for every view that
loads an object named in the URL, an object of the sibling township 盐锅峡镇 (622923101) is refused
to 刘家峡镇 (622923100) users with 403 or 404 on GET and POST, changing nothing. A new view with a
new model fails here until the registries below say which foreign object to try.
"""

from __future__ import annotations

import datetime
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.http import HttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, path, reverse
from django.urls.converters import IntConverter
from django.utils import timezone
from PIL import Image

from fpa.accounts.models import ApiToken, User
from fpa.accounts.roles import Role
from fpa.accounts.services import token_issue
from fpa.activities.models import Activity, ActivityPhoto, Expert, HealthCase, PeerClub, Site
from fpa.activities.models import Campaign as ActivityCampaign
from fpa.cadres import services as cadre_services
from fpa.cadres.models import ContactPoint, Finding, Visit
from fpa.childcare import services as childcare_services
from fpa.childcare.models import Inspection as ChildcareInspection
from fpa.childcare.models import Institution, Recommendation
from fpa.childcare.models import Problem as ChildcareProblem
from fpa.core.audit import snapshot
from fpa.core.excel import exports
from fpa.core.idnumbers import synthesize
from fpa.core.models import AuditEvent, Job
from fpa.core.scope import ScopeDeclaration, declaration_of, public_view, scoped_view
from fpa.families import jobs as family_jobs
from fpa.families import services as family_services
from fpa.families.models import (
    Campaign,
    CareKind,
    CarePhoto,
    CareRecord,
    Contact,
    ContactRole,
    Family,
    Need,
    PaymentRate,
    Person,
    StatusChange,
    Support,
)
from fpa.field import services as field_services
from fpa.fund import services as fund_services
from fpa.fund.models import Account, Donation, Feedback, Grant, GrantAttachment, JournalEntry
from fpa.insurance.models import Claim as InsuranceClaim
from fpa.insurance.models import ClaimDocument, Enrolment, PolicyYear, Product
from fpa.leftbehind.models import (
    LeftBehindCare,
    LeftBehindContact,
    LeftBehindNeed,
    LeftBehindPerson,
)
from fpa.members import services as member_services
from fpa.members.models import Member, Reregistration, Transfer
from fpa.migrants.models import EnterpriseProfile, Evaluation, Migrant, MigrantTransfer
from fpa.migrants.models import FamilyMember as MigrantFamilyMember
from fpa.migrants.models import Need as MigrantNeed
from fpa.migrants.models import ServiceRecord as MigrantService
from fpa.organizations.models import Association, AssociationChange, BodySeat, Filing, StaffMember
from fpa.organizations.services import filing_submit, seat_add
from fpa.rights.models import Case as RightsCase
from fpa.rights.models import Step as RightsStep
from fpa.tasks import models as task_models
from fpa.volunteers import services as volunteer_services
from fpa.volunteers.models import (
    Certificate,
    HoursRecord,
    Pairing,
    Service,
    Team,
    Volunteer,
)
from tests.assessment_helpers import assessment_world
from tests.conftest import (
    DAZHUANG,
    LIUJIAXIA,
    PASSWORD,
    SHANGQUAN,
    YANGUOXIA,
    another_county,
    make_user,
    staff_in,
)
from tests.insurance_helpers import insurance_world
from tests.leftbehind_helpers import leftbehind_world
from tests.migrants_helpers import migrants_world
from tests.notifications_helpers import notifications_world
from tests.reports_helpers import reports_world
from tests.rights_helpers import rights_world
from tests.tasks_helpers import tasks_world
from tests.transfers_helpers import transfers_world

FOREIGN_STAFF_NAME = "外镇人员甲"
FOREIGN_SEAT_NAME = "外镇理事乙"
FOREIGN_FAMILY_NAME = "外镇母亲丙"
FOREIGN_MEMBER_NAME = "外镇会员戊"
FOREIGN_VOLUNTEER_NAME = "外镇志愿者己"
PUBLIC = {
    "healthyfamilies:public_index",
    "healthyfamilies:public_list",
    "core:set_language",
    "core:healthz",
    "core:readyz",
    "core:favicon",
    # The user guide (帮助): no personal data, needed before signing in (fpa.core.help_views).
    "core:help",
    "core:help_section",
    "accounts:login",
    "accounts:logout",
    # `/`: the front door for a visitor, the workbench (a scoped view) once signed in.
    "dashboard:home",
    "fund:public_root",
    "fund:public_home",
    "fund:public_data",
    "fund:public_donations",
    "fund:public_receipt",
    "fund:public_grants",
    "fund:public_grant",
    "fund:public_notices",
    "fund:public_feedback",
    "fund:public_feedback_status",
    "fund:public_rules",
    "fund:public_report",
    # The public journal: every field of every entry's leaf, the code tables, the lookup.
    "fund:public_entries",
    "fund:public_entry",
    "fund:public_codes",
    "fund:public_lookup",
    # The online member application, its status by reference code, the member card check: no
    # personal data beyond a masked name (fpa/members/views/public.py).
    "members:join",
    "members:join_status",
    "members:check",
    # The verifiable ledger: public by design (docs/ledger.md).
    "transparency:home",
    "transparency:checkpoint_text",
    "transparency:checkpoint",
    "transparency:checkpoints",
    "transparency:status",
    "transparency:public_key",
    "transparency:leaves",
    "transparency:leaf",
    "transparency:consistency",
    "transparency:notice",
    "transparency:notice_plain",
    "transparency:checkpoint_page",
    "transparency:verifier",
    "transparency:spec",
    "transparency:spec_fund",
    "transparency:witnesses",
    "transparency:browser_verify",
    "volunteers:apply",
    "volunteers:verify",
    # The field app's web app manifest (browsers fetch it without cookies) and its service worker
    # (built from the repository, no data): the app's shell itself needs a sign-in
    # (fpa/field/app.py).
    "field:manifest",
    "field:sw",
    # Activities: the phone sign-in a QR code opens, the calendar of upcoming public activities
    # and the published summaries with their chosen photos; no personal data
    # (fpa/activities/views/signin.py, public.py).
    "activities:signin",
    "activities:calendar",
    "activities:news_list",
    "activities:news",
    "activities:news_photo",
    # A county's published assessment results: township names, totals and ranks only.
    "assessment:public",
}
# URL kwargs that are not the scoped object, and what to put in them.
EXTRA_KWARGS = {"field": "phone"}


@dataclass(frozen=True)
class Route:
    name: str
    route: str
    callback: Any
    kwargs: dict[str, type]  # kwarg name -> int or str

    @property
    def declaration(self) -> ScopeDeclaration | None:
        return declaration_of(self.callback)


def walk(
    patterns: list[Any] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[Route]:
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "api":
                continue  # the API has its own deny-by-default (tested below)
            inner = ":".join(p for p in (namespace, pattern.namespace) if p)
            yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            converters = getattr(pattern.pattern, "converters", {})
            kwargs = {
                name: int if isinstance(converters.get(name), IntConverter) else str
                for name in pattern.pattern.regex.groupindex
            }
            name = ":".join(p for p in (namespace, pattern.name or "") if p)
            yield Route(name, prefix + str(pattern.pattern), pattern.callback, kwargs)


ROUTES = list(walk())


def test_the_walk_finds_the_application():
    names = {r.name for r in ROUTES}
    assert len(ROUTES) >= 30
    assert {"dashboard:home", "organizations:staff_reveal", "accounts:user_edit"} <= names
    assert all(r.name and ":" in r.name for r in ROUTES), "every URL needs a namespaced name"


def test_every_view_declares_its_scope():
    undeclared = [r.route for r in ROUTES if r.declaration is None]
    assert not undeclared, f"views without @public_view/@scoped_view: {undeclared}"


def test_public_views_are_exactly_the_known_ones():
    public = {r.name for r in ROUTES if r.declaration and r.declaration.public}
    assert public == PUBLIC


def dummy_url(route: Route) -> str:
    kwargs = {
        name: EXTRA_KWARGS.get(name, 1 if kind is int else YANGUOXIA)
        for name, kind in route.kwargs.items()
    }
    return reverse(route.name, kwargs=kwargs)


def test_anonymous_is_refused_everywhere_but_the_public_views(client, yongjing):
    refused = []
    for route in ROUTES:
        if route.name in PUBLIC:
            continue
        url = dummy_url(route)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code == 302:
                assert response["Location"].startswith("/accounts/login/?next="), url
            else:
                assert response.status_code in {403, 404, 405}, (url, response.status_code)
        refused.append(route.name)
    assert len(refused) == len(ROUTES) - len(PUBLIC)
    assert not AuditEvent.objects.exclude(action=AuditEvent.Action.CREATE).exists()


# --- the foreign object of every declared model -----------------------------------------------


@pytest.fixture
def world(yongjing, county, township, township2, village, finance, settings, tmp_path):
    """One object of each scoped model in 盐锅峡镇 (foreign) and in 刘家峡镇 (local)."""
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the care photos' files
    yanguoxia = Association.objects.get(code=YANGUOXIA)
    liujiaxia = Association.objects.get(code=LIUJIAXIA)
    foreign_staff = staff_in(county, YANGUOXIA, name=FOREIGN_STAFF_NAME, phone="13911110000")
    local_staff = staff_in(county, LIUJIAXIA)
    village_staff = staff_in(county, DAZHUANG)
    seat = dict(body="council", source="volunteer", term_year=2023)
    foreign = {
        Association: yanguoxia,
        StaffMember: foreign_staff,
        Filing: filing_submit(actor=township2, association=yanguoxia, person=foreign_staff),
        BodySeat: seat_add(actor=county, association=yanguoxia, name=FOREIGN_SEAT_NAME, **seat),
        User: township2,
    }
    local = {
        Association: liujiaxia,
        StaffMember: local_staff,
        Filing: filing_submit(
            actor=village, association=Association.objects.get(code=DAZHUANG), person=village_staff
        ),
        BodySeat: seat_add(actor=county, association=liujiaxia, name="本镇理事", **seat),
        User: township,
    }
    foreign.update(family_world(township2, SHANGQUAN, FOREIGN_FAMILY_NAME, 1))
    local.update(family_world(township, DAZHUANG, "本镇母亲丁", 2))
    foreign.update(fund_world(county, finance, township2, yanguoxia, foreign[Family], "外镇基金"))
    local.update(fund_world(county, finance, township, liujiaxia, local[Family], "本镇基金"))
    foreign.update(member_world(township2, SHANGQUAN, "622923101", FOREIGN_MEMBER_NAME, 1))
    local.update(member_world(township, DAZHUANG, "622923100", "本镇会员己", 2))
    foreign.update(volunteer_world(township2, SHANGQUAN, foreign[Family], 1))
    local.update(volunteer_world(township, DAZHUANG, local[Family], 2))
    foreign.update(childcare_world(township2, SHANGQUAN))
    local.update(childcare_world(township, DAZHUANG))
    foreign_insurance = insurance_world(township2, YANGUOXIA, SHANGQUAN)
    foreign.update(foreign_insurance.pop("models"))
    local.update(insurance_world(township, LIUJIAXIA, DAZHUANG)["models"])
    foreign.update(rights_world(township2, YANGUOXIA, SHANGQUAN))
    local.update(rights_world(township, LIUJIAXIA, DAZHUANG))
    foreign.update(reports_world(township2, YANGUOXIA, SHANGQUAN))
    local.update(reports_world(township, LIUJIAXIA, DAZHUANG))
    foreign.update(transfers_world(township2, YANGUOXIA, SHANGQUAN))
    local.update(transfers_world(township, LIUJIAXIA, DAZHUANG))
    foreign.update(leftbehind_world(township2, YANGUOXIA, SHANGQUAN))
    local.update(leftbehind_world(township, LIUJIAXIA, DAZHUANG))
    foreign.update(migrants_world(township2, YANGUOXIA, SHANGQUAN))
    local.update(migrants_world(township, LIUJIAXIA, DAZHUANG))
    foreign.update(cadres_world(county, township2, SHANGQUAN))
    local.update(cadres_world(county, township, DAZHUANG))
    foreign.update(tasks_world(county, township2, YANGUOXIA))
    local.update(tasks_world(county, township, LIUJIAXIA))
    foreign_activities = activity_world(township2, YANGUOXIA, SHANGQUAN)
    local_activities = activity_world(township, LIUJIAXIA, DAZHUANG)
    foreign.update(foreign_activities.pop("models"))
    local.update(local_activities.pop("models"))
    # Views that take an id in the URL without a declared model load it themselves.
    # A finished export of 盐锅峡镇 (its result file on disk): every job view loads it by id.
    job = exports.start_export(
        kind=family_jobs.EXPORT, actor=township2, title="盐锅峡镇导出", params={"all": False}
    )
    foreign_by_route = {"accounts:token_revoke": token_issue(user=township2)[0]}
    # A phone of 上川村's village staff, registered for offline field work.
    village_staff = make_user("ygx-village", SHANGQUAN, Role.VILLAGE_STAFF)
    foreign_by_route["field:device_end"] = field_services.device_register(
        actor=village_staff, label="外镇手机", session_key=None
    ).device
    foreign_by_route |= {
        f"core:{name}": job for name in ("job_detail", "job_progress", "job_cancel", "job_download")
    }
    foreign_by_route |= foreign_activities
    foreign_by_route |= foreign_insurance
    foreign_by_route |= assessment_world(county, township2, another_county(yongjing))
    # Messages belong to an account, not an association: township2's message is foreign.
    foreign_by_route |= notifications_world(township2, YANGUOXIA, SHANGQUAN)
    notifications_world(township, LIUJIAXIA, DAZHUANG)
    return {"foreign": foreign, "local": local, "by_route": foreign_by_route}


def cadres_world(county: Any, cadre: Any, code: str) -> dict[Any, Any]:
    """A township cadre's contact point on a village of their township, with a visit that found
    one problem."""
    point = cadre_services.point_assign(
        actor=county, cadre=cadre, association=Association.objects.get(code=code)
    )
    visit = cadre_services.visit_log(
        actor=cadre,
        point=point,
        visited_on=point.start_date,
        method=Visit.Method.VILLAGE,
        summary="到村了解联系人落实情况",
        findings=["活动室缺少桌椅"],
    )
    return {ContactPoint: point, Finding: visit.findings.get()}


def family_world(actor: Any, code: str, mother: str, n: int) -> dict[Any, Any]:
    """A special family with its people, a contact, a care record, a need and a campaign; each
    with the protected or sensitive value that its reveal view shows."""
    family = family_services.family_register(
        actor=actor,
        association=Association.objects.get(code=code),
        kind=Family.Kind.BEREAVED,
        notes="家庭备注",
        people=[
            {
                "role": "mother",
                "name": mother,
                "id_number": synthesize("622923", datetime.date(1970, 1, n), 2 * n),
                "phone": f"1398888000{n}",
            },
            {"role": "child", "name": "子女", "death_date": datetime.date(2020, 1, 1)},
        ],
    )
    contact = family_services.contact_assign(
        actor=actor,
        family=family,
        role=ContactRole.objects.get(code="village_cadre"),
        name="联系人",
        phone=f"1397777000{n}",
        start_date=timezone.localdate(),
    )
    care = family_services.care_log(
        actor=actor,
        family=family,
        kind=CareKind.objects.get(code="routine_visit"),
        occurred_on=timezone.localdate(),
        notes="走访情况",
    )
    need = family_services.need_raise(actor=actor, family=family, description="诉求")
    photo = family_services.care_photo_add(actor=actor, record=care, photo=tiny_png())
    campaign = family_services.campaign_create(
        actor=actor,
        association=family.association,
        name="春节走访",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
    )
    return {
        Family: family,
        Person: family.people.get(role="mother"),
        Contact: contact,
        CareRecord: care,
        Need: need,
        Campaign: campaign,
        CarePhoto: photo,
    }


def fund_world(
    county: Any, finance: Any, applicant: Any, association: Any, family: Any, name: str
) -> dict[Any, Any]:
    """A care fund held by the township, with a donation (and its entry), a grant, feedback and
    an attachment of the grant."""
    fund = fund_services.fund_create(actor=county, association=association, name=name)
    donation = fund_services.donation_record(
        actor=finance,
        fund=fund,
        donor_name="捐赠人",
        donor_kind="individual",
        form="cash",
        channel="bank",
        amount="100.00",
        received_on=timezone.localdate(),
    )
    grant = fund_services.grant_apply(
        actor=applicant,
        association=family.association,
        target="family",
        family=family,
        category=Account.objects.get(code="5101"),
        amount="50.00",
        purpose="慰问",
    )
    feedback = fund_services.feedback_submit(
        fund=fund, grant=grant, kind="comment", text="好", rating=5
    )
    attachment = fund_services.grant_attachment_add(
        actor=applicant, grant=grant, kind="proof", upload=tiny_png()
    )
    return {
        Donation: donation,
        JournalEntry: donation.entry,
        Grant: grant,
        Feedback: feedback,
        GrantAttachment: attachment,
    }


def member_world(actor: Any, code: str, township_code: str, name: str, n: int) -> dict[Any, Any]:
    """An active member with a pending transfer to its own township association (the foreign
    one stays inside 盐锅峡镇), and a re-registration campaign."""
    applied = member_services.member_apply(
        actor=actor,
        association=Association.objects.get(code=code),
        kind="individual",
        name=name,
        id_number=synthesize("622923", datetime.date(1980, 2, n), 10 + 2 * n),
        phone=f"1396666000{n}",
    )
    member = member_services.member_approve(actor=actor, member=applied)
    transfer = member_services.transfer_request(
        actor=actor,
        member=member,
        to_association=Association.objects.get(code=township_code),
        reason="转会",
    )
    campaign = member_services.reregistration_start(
        actor=actor,
        association=Association.objects.get(code=township_code),
        name="重新登记",
        start_date=timezone.localdate(),
        end_date=timezone.localdate(),
    )
    return {Member: member, Transfer: transfer, Reregistration: campaign}


def volunteer_world(actor: Any, code: str, family: Family, n: int) -> dict[Any, Any]:
    """An active volunteer with hours (one confirmed, one submitted), a certificate, a pairing
    with the family and a team."""
    from tests.volunteers_helpers import active, service

    volunteer = active(actor, code, name=FOREIGN_VOLUNTEER_NAME if n == 1 else "本镇志愿者")
    done = service(actor, code)
    volunteer_services.hours_record(actor=actor, service=done, volunteer=volunteer, hours="3")
    other = active(actor, code)
    other.user = make_user(f"walk-volunteer-{n}", code, Role.VOLUNTEER)
    other.save(update_fields=["user"])
    assignment = volunteer_services.assignment_create(actor=actor, service=done, volunteer=other)
    submitted = volunteer_services.hours_submit(actor=other.user, assignment=assignment, hours="2")
    team = volunteer_services.team_create(
        actor=actor, association=Association.objects.get(code=code), level="squad", name="小队"
    )
    return {
        Volunteer: volunteer,
        Service: done,
        HoursRecord: submitted,
        Certificate: volunteer_services.certificate_issue(actor=actor, volunteer=volunteer),
        Pairing: volunteer_services.pairing_create(
            actor=actor, volunteer=volunteer, family=family, start_date=timezone.localdate()
        ),
        Team: team,
    }


def childcare_world(actor: Any, code: str) -> dict[Any, Any]:
    """A running institution inspected with a problem found, recommended for the prefecture's
    model evaluation."""
    from tests.childcare_helpers import inspect, institution, problem

    made = institution(actor, code)
    done = inspect(actor, made)
    recommendation = childcare_services.recommendation_create(
        actor=actor,
        institution=made,
        year=timezone.localdate().year,
        level="prefecture",
        recommended_on=timezone.localdate(),
    )
    return {
        Institution: made,
        ChildcareInspection: done,
        ChildcareProblem: problem(actor, done),
        Recommendation: recommendation,
    }


def activity_world(actor: Any, township_code: str, village_code: str) -> dict[str, Any]:
    """A held activity at a site, with a photo, a health follow-up and a healthy-family
    nomination (the declared models); and the views that load their object themselves: a
    campaign, the site, an expert, a peer club, the photo, a configurable list's item."""
    from fpa.activities import services as activity_services
    from fpa.activities.models import Category, MediaReport, SiteKind, Specialty
    from fpa.activities.services import photos as photo_services
    from fpa.healthyfamilies import services as hf_services
    from fpa.healthyfamilies.models import Nomination
    from tests.activities_helpers import held

    township_ = Association.objects.get(code=township_code)
    village_ = Association.objects.get(code=village_code)
    today = timezone.localdate()
    site = activity_services.site_create(
        actor=actor,
        association=township_,
        kind=SiteKind.objects.get(code="member_home"),
        name="会员之家",
        status="open",
        opened_on=datetime.date(2024, 5, 29),
        contact_phone="13911112222",
    )
    activity = held(actor, township_code, site=site, place="")
    photo = photo_services.photo_add(actor=actor, owner=activity, upload=tiny_png())
    report = activity_services.media_add(
        actor=actor,
        activity=activity,
        outlet="tv",
        name="电视台",
        published_on=timezone.localdate(),
        scan=tiny_png(),
    )
    case = activity_services.case_create(
        actor=actor,
        association=village_,
        kind=HealthCase.Kind.GENETIC,
        person_name="随访对象",
        phone="13911113333",
        details="需要遗传咨询",
        follow_up_on=today,
    )
    nomination = hf_services.nomination_create(
        actor=actor,
        association=village_,
        year=today.year,
        household_name="健康之家",
        members_count=4,
        address="村里",
        reason="家庭和睦，重视健康生活方式。",
    )
    expert: Expert = activity_services.expert_add(
        actor=actor,
        association=township_,
        specialties=Specialty.objects.filter(code="psychology"),
        name="专家甲",
        phone="13911114444",
    )
    club: PeerClub = activity_services.peer_club_add(
        actor=actor, association=township_, school="中学", members=10
    )
    campaign = activity_services.campaign_create(
        actor=actor,
        association=township_,
        title="部署",
        starts_on=today,
        ends_on=today,
    )
    category = Category.objects.get(code="other")
    by_route: dict[str, Any] = {
        "models": {
            Activity: activity,
            HealthCase: case,
            Nomination: nomination,
            MediaReport: report,
        }
    }
    by_route |= {
        f"activities:{name}": campaign
        for name in ("campaign", "campaign_edit", "campaign_activities", "campaign_export")
    }
    by_route |= {f"activities:{name}": site for name in ("site", "site_edit", "site_families")}
    by_route["activities:site_reveal"] = {"pk": site.pk, "field": "contact_phone"}
    by_route |= {f"activities:{name}": expert for name in ("expert", "expert_edit")}
    by_route["activities:expert_reveal"] = {"pk": expert.pk, "field": "phone"}
    by_route |= {f"activities:{name}": club for name in ("club", "club_edit")}
    by_route["activities:photo_add"] = {"kind": "activity", "owner": activity.pk}
    by_route |= {
        f"activities:{name}": photo
        for name in ("photo", "photo_thumb", "photo_edit", "photo_public", "photo_remove")
    }
    by_route |= {
        f"activities:settings_item_{name}": {"kind": "category", "pk": category.pk}
        for name in ("edit", "move", "active")
    }
    by_route["activities:settings_item_add"] = {"kind": "category"}
    return by_route


def workbook_text(response: Any) -> str:
    """Every cell of every sheet of a downloaded workbook, as one text."""
    import python_calamine

    data = b"".join(response.streaming_content)
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    cells = (
        str(cell)
        for name in book.sheet_names
        for row in book.get_sheet_by_name(name).to_python()
        for cell in row
    )
    return " ".join(cells)


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (176, 48, 58)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def local_actors(yongjing, township):
    """刘家峡镇 users: the township staff, and administrators scoped to 刘家峡镇."""
    return [
        township,
        make_user("sysadmin-ljx", LIUJIAXIA, Role.SYSTEM_ADMIN),
        make_user("secadmin-ljx", LIUJIAXIA, Role.SECURITY_ADMIN),
    ]


def url_for(route: Route, obj: Any) -> str:
    declaration = route.declaration
    assert declaration is not None
    kwargs: dict[str, Any] = {declaration.kwarg: getattr(obj, declaration.field)}
    for name in route.kwargs:
        if name == declaration.kwarg:
            continue
        assert name in EXTRA_KWARGS, f"{route.name}: say what to put in URL kwarg {name!r}"
        kwargs[name] = EXTRA_KWARGS[name]
    return reverse(route.name, kwargs=kwargs)


def post_payload(foreign: dict[Any, Any]) -> dict[str, str]:
    """A body that each form would accept if the object were in scope."""
    return {
        "name": "越权修改",
        "kind": "enterprise",
        "effective_date": "2024-01-01",
        "note": "越权",
        "version": "1",
        "phone": "13900009999",
        "post": "officer",
        "employment": "full_time",
        "term_start": "2024-01-01",
        "left_on": "2024-01-02",
        "reason": "越权查看",
        "course": "培训",
        "start_date": "2024-01-01",
        "hours": "1",
        "person": str(foreign[StaffMember].pk),
        "decision": "accept",
        "body": "council",
        "source": "volunteer",
        "term_year": "2023",
        "ended_on": "2024-01-02",
        "full_name": "越权",
        "is_active": "on",
        "home_association": str(foreign[Association].pk),
        "roles": "township_staff",
    }


def state(objects: dict[Any, Any]) -> dict[str, Any]:
    """Everything the walk could change: row counts, the audit trail, each foreign object."""
    counted = [Association, AssociationChange, StaffMember, Filing, BodySeat, User, ApiToken]
    counted += [Family, Person, Contact, CareRecord, Need, Support, StatusChange, Campaign]
    counted += [PaymentRate, CarePhoto, Donation, JournalEntry, Grant, Feedback, GrantAttachment]
    counted += [Member, Transfer, Reregistration]
    counted += [task_models.Task, task_models.ProgressReport, task_models.Step]
    counted += [task_models.Supervision, task_models.Extension, task_models.Evidence]
    counted += [Volunteer, Service, HoursRecord, Certificate, Pairing, Team]
    counted += [Institution, ChildcareInspection, ChildcareProblem, Recommendation]
    counted += [Activity, ActivityPhoto, ActivityCampaign, Expert, HealthCase, PeerClub, Site]
    counted += [Product, PolicyYear, Enrolment, InsuranceClaim, ClaimDocument]
    counted += [RightsCase, RightsStep]
    counted += [Migrant, MigrantTransfer, MigrantFamilyMember, MigrantService, MigrantNeed]
    counted += [EnterpriseProfile, Evaluation]
    counted += [LeftBehindPerson, LeftBehindContact, LeftBehindCare, LeftBehindNeed]
    out: dict[str, Any] = {m.__name__: m.objects.count() for m in counted}
    out["audit"] = AuditEvent.objects.count()
    out["jobs"] = list(Job.objects.order_by("pk").values_list("pk", "status", "cancel_requested"))
    for declared, obj in objects.items():
        out[declared.__name__] = snapshot(declared.objects.get(pk=obj.pk))
    return out


def test_every_declared_model_has_a_foreign_object(world):
    declared = {r.declaration.model for r in ROUTES if r.declaration and r.declaration.model}
    missing = declared - set(world["foreign"])
    assert not missing, f"add a 盐锅峡镇 object for {missing} to the `world` fixture"
    assert declared - set(world["local"]) == set()
    unmodelled = {
        r.name
        for r in ROUTES
        if r.kwargs and r.declaration and not r.declaration.public and not r.declaration.model
    }
    assert unmodelled == set(world["by_route"]), "say which foreign object these views load"


def test_foreign_objects_are_refused_on_every_view(world, local_actors, client_for):
    clients = [(user, client_for(user)) for user in local_actors]  # sign-ins are audited first
    foreign = world["foreign"]
    before = state(foreign)
    payload = post_payload(foreign)
    checked = []
    for route in ROUTES:
        declaration = route.declaration
        if declaration is None or declaration.model is None:
            continue
        url = url_for(route, foreign[declaration.model])
        exercised = False
        for user, client in clients:
            get, post = client.get(url), client.post(url, payload)
            if user.has_capability(declaration.capability):
                exercised = True
                assert get.status_code in {404, 405}, (route.name, user.username, get.status_code)
                assert post.status_code == 404, (route.name, user.username, post.status_code)
            else:
                assert get.status_code in {403, 405}, (route.name, user.username, get.status_code)
                assert post.status_code == 403, (route.name, user.username, post.status_code)
            for response in (get, post):
                assert FOREIGN_STAFF_NAME.encode() not in response.content
                assert FOREIGN_FAMILY_NAME.encode() not in response.content
                assert FOREIGN_MEMBER_NAME.encode() not in response.content
                assert FOREIGN_VOLUNTEER_NAME.encode() not in response.content
        assert exercised, f"{route.name}: no 刘家峡镇 persona holds {declaration.capability}"
        checked.append(route.name)
    for name, obj in world["by_route"].items():
        route = next(r for r in ROUTES if r.name == name)
        kwargs = obj if isinstance(obj, dict) else {next(iter(route.kwargs)): obj.pk}
        url = reverse(name, kwargs=kwargs)
        for _, client in clients:
            got, posted = client.get(url).status_code, client.post(url).status_code
            assert got in {403, 404, 405}, (name, got)
            # a view that only serves GET refuses POST by its method, after refusing the GET
            assert posted in {403, 404} or (posted == 405 and got in {403, 404}), (name, posted)
        checked.append(name)
    assert state(foreign) == before
    assert len(checked) >= 17


def test_the_same_urls_work_for_local_objects(world, local_actors, client_for):
    """The refusals above are the scope at work, not a URL built wrongly."""
    local = world["local"]
    clients: dict[int, Any] = {}
    for route in ROUTES:
        declaration = route.declaration
        if declaration is None or declaration.model is None:
            continue
        user = next(u for u in local_actors if u.has_capability(declaration.capability))
        client = clients.setdefault(user.pk, client_for(user))
        url = url_for(route, local[declaration.model])
        response = client.get(url)
        if response.status_code == 405:  # POST-only: the object must load for a real request
            response = client.post(url, {"reason": "本镇回访", "ended_on": "2024-12-31"})
            assert response.status_code in {200, 302}, (route.name, response.status_code)
        else:
            assert response.status_code == 200, (route.name, response.status_code)
    token = token_issue(user=local_actors[0])[0]
    response = client_for(local_actors[0]).post(reverse("accounts:token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    # township2's token (refused above) is still usable.
    assert world["by_route"]["accounts:token_revoke"].is_usable


def test_lists_and_search_show_nothing_foreign(world, township, client_for):
    client = client_for(township)
    for route in ROUTES:
        declaration = route.declaration
        if declaration is None or declaration.public or route.kwargs:
            continue
        if not township.has_capability(declaration.capability):
            continue
        for params in ({}, {"q": "ygx"}, {"q": "外镇"}, {"all": "1", "include_closed": "on"}):
            response = client.get(reverse(route.name), params, follow=True)
            if response.status_code == 405 and response.headers.get("Allow") == "POST":
                break  # an action without arguments (mark all read): nothing to list
            assert response.status_code == 200, (route.name, params)
            body = workbook_text(response) if response.streaming else response.content.decode()
            markers = (FOREIGN_STAFF_NAME, FOREIGN_SEAT_NAME, FOREIGN_FAMILY_NAME, "盐锅峡")
            markers += (FOREIGN_MEMBER_NAME,)
            markers += (FOREIGN_VOLUNTEER_NAME,)
            for marker in (*markers, YANGUOXIA):
                assert marker not in body, (route.name, params, marker)
    response = client.get("/org/composition/", {"code": YANGUOXIA})
    assert response.status_code == 200
    assert response.context["association"] is None
    assert "盐锅峡" not in response.content.decode()
    response = client.get("/org/autocomplete/", {"q": "盐锅峡"})
    assert response.json() == {"results": []}


# --- a view without a declaration is refused --------------------------------------------------


def undeclared(request: Any) -> HttpResponse:
    return HttpResponse("should never be seen")


@public_view
def declared_public(request: Any) -> HttpResponse:
    return HttpResponse("public")


@scoped_view(capability="org.view")
def declared_scoped(request: Any) -> HttpResponse:
    return HttpResponse("scoped")


def rewrapped(request: Any) -> HttpResponse:
    """A wrapper that forgot functools.wraps: the declaration is lost, so it is refused."""
    return declared_scoped(request)


urlpatterns = [
    path("undeclared/", undeclared),
    path("public/", declared_public),
    path("scoped/", declared_scoped),
    path("rewrapped/", rewrapped),
]


@pytest.mark.urls(__name__)
def test_middleware_refuses_an_undeclared_view(client, client_for, township):
    assert client.get("/public/").status_code == 200
    signed_in = client_for(township)
    assert signed_in.get("/scoped/").content == b"scoped"
    for path_ in ("/undeclared/", "/rewrapped/"):
        for c in (client, signed_in):
            for method in (c.get, c.post):
                response = method(path_)
                assert response.status_code == 403, (path_, response.status_code)
                assert b"should never be seen" not in response.content
                assert b"scoped" not in response.content


# --- foreign ids posted in forms --------------------------------------------------------------


def test_close_form_refuses_merging_into_a_foreign_association(world, township, client_for):
    client = client_for(township)
    villages = Association.objects.filter(parent__code=LIUJIAXIA, kind="village").order_by("code")
    target, sibling = villages[0], villages[1]
    before = state({Association: target})
    changes = AssociationChange.objects.count()
    response = client.post(
        f"/org/a/{target.code}/close/",
        {"effective_date": "2024-06-30", "merged_into": world["foreign"][Association].pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["merged_into"] == [
        "所选协会不存在或不在您的管辖范围内。"
    ]
    assert state({Association: target}) == before
    assert AssociationChange.objects.count() == changes
    # The same form with a 刘家峡镇 village goes through.
    response = client.post(
        f"/org/a/{target.code}/close/", {"effective_date": "2024-06-30", "merged_into": sibling.pk}
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.valid_to, target.successor_id) == (datetime.date(2024, 6, 30), sibling.pk)


def test_filing_form_refuses_a_foreign_person(world, township, client_for):
    client = client_for(township)
    filings = Filing.objects.count()
    response = client.post(
        f"/org/a/{DAZHUANG}/filing/", {"person": world["foreign"][StaffMember].pk}
    )
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert Filing.objects.count() == filings


def test_township_scoped_sysadmin_cannot_create_a_foreign_account(world, client_for):
    admin = make_user("sysadmin-ljx", LIUJIAXIA, Role.SYSTEM_ADMIN)
    client = client_for(admin)
    users = User.objects.count()
    data = {
        "username": "outsider",
        "full_name": "外镇账号",
        "password": "Outsider-Passw0rd!",
        "home_association": world["foreign"][Association].pk,
    }
    response = client.post("/accounts/users/new/", data)
    assert response.status_code == 200
    assert response.context["form"].errors["home_association"] == [
        "所选协会不存在或不在您的管辖范围内。"
    ]
    assert User.objects.count() == users
    assert not User.objects.filter(username="outsider").exists()
    # With a 刘家峡镇 association the same form creates the account.
    data["home_association"] = Association.objects.get(code=DAZHUANG).pk
    assert client.post("/accounts/users/new/", data).status_code == 302
    assert User.objects.get(username="outsider").home_association.code == DAZHUANG


def test_township_scoped_secadmin_cannot_move_a_user_abroad(world, township, client_for):
    admin = make_user("secadmin-ljx", LIUJIAXIA, Role.SECURITY_ADMIN)
    client = client_for(admin)
    response = client.post(
        f"/accounts/roles/{township.pk}/",
        {"home_association": world["foreign"][Association].pk, "roles": ["township_staff"]},
    )
    assert response.status_code == 200
    assert "home_association" in response.context["form"].errors
    township.refresh_from_db()
    assert township.home_association.code == LIUJIAXIA


# --- the API ----------------------------------------------------------------------------------


def api_urls() -> dict[str, str]:
    resolver = next(
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    )
    prefix = "/" + str(resolver.pattern)
    return {
        pattern.name: prefix + str(pattern.pattern).replace("<code>", YANGUOXIA)
        for pattern in resolver.url_patterns
    }


# Reachable without signing in: only exchanging a password for a token.
API_PUBLIC = {("POST", "/api/v1/auth/token")}


def test_api_refuses_anonymous_callers(client, yongjing):
    urls = api_urls()
    assert {"association_list", "staff_list", "filing_list", "association_detail"} <= set(urls)
    unauthenticated = set()
    for url in sorted(set(urls.values())):
        for method in ("GET", "POST", "DELETE"):
            if (method, url) in API_PUBLIC:
                continue
            response = client.generic(method, url)
            assert response.status_code in {401, 404, 405}, (method, url, response.status_code)
            if response.status_code == 401:
                unauthenticated.add((method, url.removeprefix("/api/v1/")))
    assert unauthenticated == {
        ("GET", "field/work"),
        ("POST", "field/sync"),
        ("POST", "field/photos"),
        ("POST", "field/reveal"),
        ("GET", "field/devices"),
        ("POST", "field/devices"),
        ("POST", "field/devices/<device_id>/end"),
        ("GET", "associations"),
        ("GET", f"associations/{YANGUOXIA}"),
        ("GET", "staff"),
        ("GET", "filings"),
        ("DELETE", "auth/token"),
        ("GET", "families"),
        ("GET", "families/<family_id>"),
        ("GET", "families/<family_id>/care"),
        ("POST", "families/<family_id>/care"),
        ("GET", "families/<family_id>/needs"),
        ("GET", "families/<family_id>/contacts"),
        ("POST", "needs/<need_id>"),
        ("GET", "families/transfers"),
        ("GET", "families/transfers/<transfer_id>"),
        ("POST", "families/<family_id>/transfer"),
        ("POST", "families/transfers/<transfer_id>/accept"),
        ("POST", "families/transfers/<transfer_id>/refuse"),
        ("POST", "families/transfers/<transfer_id>/cancel"),
        ("GET", "fund/grants"),
        ("GET", "fund/donations"),
        ("GET", "members"),
        ("POST", "members"),
        ("GET", "reports"),
        ("POST", "reports"),
        ("GET", "reports/<report_id>"),
        ("POST", "reports/<report_id>/submit"),
        ("POST", "reports/<report_id>/return"),
        ("POST", "reports/<report_id>/accept"),
        ("GET", "members/counts"),
        ("GET", "members/transfers"),
        ("GET", "members/transfers/<transfer_id>"),
        ("POST", "members/transfers/<transfer_id>/accept"),
        ("POST", "members/transfers/<transfer_id>/refuse"),
        ("GET", "members/<member_id>"),
        ("POST", "members/<member_id>/approve"),
        ("POST", "members/<member_id>/reject"),
        ("POST", "members/<member_id>/status"),
        ("POST", "members/<member_id>/transfer"),
        ("GET", "volunteers"),
        ("GET", "volunteers/services"),
        ("POST", "volunteers/services/<service_id>/hours"),
        ("GET", "volunteers/suggestions"),
        ("GET", "volunteers/<volunteer_id>"),
        ("GET", "volunteers/me"),
        ("POST", "volunteers/me/hours"),
        ("GET", "activities"),
        ("POST", "activities"),
        ("GET", "activities/sites"),
        ("POST", "activities/sites"),
        ("GET", "activities/sites/<site_id>"),
        ("GET", "activities/campaigns"),
        ("GET", "activities/campaigns/<campaign_id>"),
        ("POST", "activities/campaigns"),
        ("POST", "activities/campaigns/<campaign_id>"),
        ("GET", "activities/experts"),
        ("POST", "activities/experts"),
        ("GET", "activities/experts/<expert_id>"),
        ("POST", "activities/experts/<expert_id>"),
        ("GET", "activities/clubs"),
        ("GET", "activities/clubs/<club_id>"),
        ("POST", "activities/<activity_id>/fund"),
        ("GET", "activities/figures"),
        ("GET", "activities/<activity_id>"),
        ("POST", "activities/<activity_id>/approve"),
        ("POST", "activities/<activity_id>/hold"),
        ("POST", "activities/<activity_id>/summary"),
        ("POST", "activities/<activity_id>/cancel"),
        ("GET", "left-behind/people"),
        ("GET", "left-behind/people/<person_id>"),
        ("GET", "left-behind/people/<person_id>/care"),
        ("POST", "left-behind/people/<person_id>/care"),
        ("GET", "left-behind/people/<person_id>/needs"),
        ("POST", "left-behind/people/<person_id>/needs"),
        ("POST", "left-behind/needs/<need_id>"),
        ("GET", "left-behind/people/<person_id>/contacts"),
        ("POST", "left-behind/people/<person_id>/contacts"),
        ("POST", "left-behind/contacts/<contact_id>/end"),
        ("GET", "migrants"),
        ("POST", "migrants"),
        ("GET", "migrants/counts"),
        ("GET", "migrants/<migrant_id>"),
        ("POST", "migrants/<migrant_id>"),
        ("POST", "migrants/<migrant_id>/services"),
        ("GET", "enterprises"),
        ("GET", f"enterprises/{YANGUOXIA}"),
        ("GET", "insurance/products"),
        ("GET", "insurance/years"),
        ("GET", "insurance/years/<year_id>/enrolments"),
        ("POST", "insurance/years/<year_id>/enrolments"),
        ("POST", "insurance/years/<year_id>/rules/<rule>/preview"),
        ("POST", "insurance/years/<year_id>/rules/<rule>/run"),
        ("GET", "insurance/jobs/<job_id>"),
        ("GET", "insurance/claims"),
        ("POST", "insurance/claims"),
        ("GET", "insurance/claims/<claim_id>"),
        ("POST", "insurance/claims/<claim_id>/steps"),
        ("GET", "insurance/figures"),
        ("GET", "overview"),  # fpa.dashboard.api
        ("GET", "rights/cases"),
        ("POST", "rights/cases"),
        ("GET", "rights/cases/<case_id>"),
        ("POST", "rights/cases/<case_id>/follow-ups"),
        ("POST", "rights/cases/<case_id>/close"),
        ("POST", "rights/cases/<case_id>/satisfaction"),
        ("POST", "rights/cases/<case_id>/refer"),
        ("POST", "rights/cases/<case_id>/reopen"),
        ("GET", "notifications"),
        ("GET", "notifications/preferences"),
        ("POST", "notifications/read-all"),
        ("GET", "notifications/<message_id>"),
        ("POST", "notifications/<message_id>/read"),
        ("GET", "tasks"),  # fpa.tasks.api
        ("GET", "tasks/measures"),
        ("GET", "tasks/<task_id>"),
        ("POST", "tasks/<task_id>/reports"),
        ("POST", "tasks/<task_id>/complete"),
        ("POST", "tasks/notices/<notice_id>/answer"),
        ("POST", "tasks/<task_id>/extensions"),
        ("POST", "tasks/<task_id>/accept"),
        ("POST", "tasks/<task_id>/return"),
        ("POST", "tasks/<task_id>/reopen"),
        ("POST", "tasks/<task_id>/reminders"),
        ("POST", "tasks/<task_id>/notices"),
        ("POST", "tasks/<task_id>/interviews"),
        ("POST", "tasks/extensions/<extension_id>/decide"),
        ("POST", "tasks/measures"),
        ("POST", "tasks/measures/<measure_id>"),
        ("POST", "tasks"),
        ("POST", "tasks/<task_id>"),
        ("POST", "tasks/<task_id>/delegate"),
        ("POST", "tasks/<task_id>/reports/upload"),
        ("POST", "tasks/notices/<notice_id>/answer/upload"),
        ("GET", "assessment/schemes"),  # fpa.assessment.api
        ("GET", "assessment/schemes/<scheme_id>"),
        ("GET", "assessment/rounds"),
        ("GET", "assessment/rounds/<round_id>"),
        ("POST", "assessment/rounds/<round_id>/advance"),
        ("POST", "assessment/rounds/<round_id>/freeze"),
        ("GET", "assessment/jobs/<job_id>"),
        ("POST", "assessment/rounds/<round_id>/publish"),
        ("GET", f"assessment/rounds/<round_id>/sheets/{YANGUOXIA}"),
        ("POST", f"assessment/rounds/<round_id>/sheets/{YANGUOXIA}/self"),
        ("POST", f"assessment/rounds/<round_id>/sheets/{YANGUOXIA}/score"),
        ("POST", f"assessment/rounds/<round_id>/sheets/{YANGUOXIA}/appeals"),
        ("POST", "assessment/appeals/<appeal_id>/answer"),
        ("POST", "assessment/schemes"),
        ("POST", "assessment/schemes/<scheme_id>/indicators"),
        ("POST", "assessment/schemes/<scheme_id>/indicators/<indicator_id>"),
        ("POST", "assessment/schemes/<scheme_id>/publish"),
        ("POST", "assessment/rounds"),
        *(
            (method, doc)
            for method in ("GET", "POST", "DELETE")
            for doc in ("docs", "openapi.json")
        ),
    }


@pytest.fixture
def bearer(client, world):
    response = client.post(
        "/api/v1/auth/token",
        json.dumps({"username": "township", "password": PASSWORD}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return {"HTTP_AUTHORIZATION": f"Bearer {response.json()['token']}"}


def api_all(client: Any, url: str, headers: dict[str, str], **params: Any) -> list[dict]:
    items: list[dict] = []
    after = None
    while True:
        query = {**params, "size": 100, **({"after": after} if after else {})}
        response = client.get(url, query, **headers)
        assert response.status_code == 200, response.content
        page = response.json()
        items += page["items"]
        after = page["next"]
        if not after:
            return items


@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/associations/{YANGUOXIA}",
        f"/api/v1/associations/{SHANGQUAN}",
        f"/api/v1/staff?association={YANGUOXIA}",
        f"/api/v1/staff?association={SHANGQUAN}",
    ],
)
def test_api_foreign_objects_are_404(client, bearer, url):
    response = client.get(url, **bearer)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_api_local_objects_are_found(client, bearer):
    response = client.get(f"/api/v1/associations/{LIUJIAXIA}", **bearer)
    assert response.status_code == 200
    assert response.json()["code"] == LIUJIAXIA
    response = client.get("/api/v1/staff", {"association": LIUJIAXIA}, **bearer)
    assert response.status_code == 200
    assert response.json()["items"]


def test_api_lists_hold_nothing_outside_the_township(client, bearer, world):
    local_prefix = LIUJIAXIA
    associations = api_all(client, "/api/v1/associations", bearer, include_closed=True)
    codes = {a["code"] for a in associations}
    assert {LIUJIAXIA, DAZHUANG} <= codes
    assert all(code.startswith(local_prefix) for code in codes), codes
    assert api_all(client, "/api/v1/associations", bearer, q="ygx") == []

    staff = api_all(client, "/api/v1/staff", bearer, current_only=False)
    assert {s["id"] for s in staff} >= {world["local"][StaffMember].pk}
    assert all(s["association_code"].startswith(local_prefix) for s in staff)
    assert world["foreign"][StaffMember].pk not in {s["id"] for s in staff}

    filings = api_all(client, "/api/v1/filings", bearer)
    assert {f["id"] for f in filings} == {world["local"][Filing].pk}
    assert all(f["association_code"].startswith(local_prefix) for f in filings)
