"""Volunteers and service hours on the shared Excel engine.

Volunteers: one row a person, keyed by the ID number (through its search hash). A new row is an
application entered by staff (`volunteer_apply`, status 已报名待考察: vetting and the agreement
follow in the platform); a known one updates the profile through `volunteer_update`.

Hours: one row a volunteer at one service, keyed by (服务编号, 身份证号码). A new row is recorded
and confirmed by the organising association (`hours_record`, which refuses a risky service
without insurance); confirmed hours are never changed by an import.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.urls import reverse_lazy
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.excel.pages import ImportPage
from fpa.core.protected import Protected, blind_index
from fpa.organizations.models import Association
from fpa.volunteers import selectors, services
from fpa.volunteers.models import HoursRecord, Service, Skill, Volunteer

if TYPE_CHECKING:
    from fpa.accounts.models import User

OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
NOT_HOLDER = gettext_noop("志愿者须登记在县、乡镇或村（社区）计生协。")
MOVED = gettext_noop("不能通过导入变更所属协会，请在平台上办理。")
NO_SERVICE = gettext_noop("服务编号不存在或不在您的管辖范围内。")
NO_VOLUNTEER = gettext_noop("该身份证号码的志愿者不存在或不在您的管辖范围内。")
HOURS_FIXED = gettext_noop("该志愿者在此服务中的时长已登记，不能通过导入修改。")


class Skills:
    """技能: names separated by 、 or commas, each one of the configured skills."""

    def __call__(self, value: str) -> tuple[str, ...]:
        names = [n for n in re.split(r"[、,，;；\s]+", unicodedata.normalize("NFKC", value)) if n]
        known = {s.name: s.code for s in Skill.objects.all()}
        unknown = [n for n in names if n not in known]
        if unknown:
            raise ValueError(
                gettext("无法识别技能“%(unknown)s”，可填写：%(known)s。")
                % {"unknown": "、".join(unknown), "known": "、".join(known)}
            )
        return tuple(sorted({known[n] for n in names}))

    def display(self, value: Any) -> str:
        names = dict(Skill.objects.values_list("code", "name"))
        return "、".join(names.get(code, code) for code in value or ())


def _skills_of(volunteer: Volunteer) -> str:
    return "、".join(s.name for s in volunteer.skills.all())


def _yes(name: str) -> excel.Column:
    labels = {
        "on_weekdays": "工作日可服务",
        "on_weekends": "周末可服务",
        "in_evenings": "晚间可服务",
    }
    return excel.Column(labels[name], name, parse=excel.boolean(), width=10, empty=False)


VOLUNTEER_SHEET = excel.Sheet(
    title="志愿者",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda v: v.association.code,
            width=16,
            hint="报名的县、乡镇或村（社区）计生协编码",
            example="622923100201",
        ),
        excel.Column(
            "姓名",
            "name",
            required=True,
            parse=excel.text(max_length=50, min_length=2, name=True),
            export=lambda v: v.display_name,
            width=12,
        ),
        excel.Column(
            "身份证号码",
            "id_number",
            required=True,
            parse=excel.id_number(),
            protected="id_number",
            width=22,
            aliases=("身份证号", "公民身份号码"),
        ),
        excel.Column(
            "联系电话",
            "phone",
            required=True,
            parse=excel.phone(),
            protected="phone",
            width=16,
            aliases=("电话", "手机号码", "手机号"),
        ),
        excel.Column("住址", "address", parse=excel.text(max_length=200), width=24, empty=""),
        excel.Column("职业/专业", "occupation", parse=excel.text(max_length=100), empty=""),
        excel.Column(
            "技能",
            "skills",
            parse=Skills(),
            export=_skills_of,
            width=24,
            hint="多个技能用顿号分隔，如：心理咨询、法律援助",
            empty=(),
        ),
        _yes("on_weekdays"),
        _yes("on_weekends"),
        _yes("in_evenings"),
        excel.Column(
            "监护人姓名",
            "guardian_name",
            parse=excel.text(max_length=50, name=True),
            empty="",
            hint="未满十八周岁必填",
        ),
        excel.Column("与本人关系", "guardian_relation", parse=excel.text(max_length=20), empty=""),
        excel.Column("监护人电话", "guardian_phone", parse=excel.phone(), protected="phone"),
        excel.Column("监护人同意日期", "guardian_consent_on", parse=excel.date(), kind=excel.DATE),
        excel.Column(
            "状态",
            "status",
            parse=excel.choice(Volunteer.Status.choices),
            hint="导出时填写，导入时不改变状态（考察、签约在平台上办理）",
        ),
    ),
    key=("id_number",),
    related=("association",),
    notes=(
        "新的身份证号码登记为“已报名待考察”的志愿者，须报名人已签署现行版本的报名同意书。",
        "性别和出生日期由身份证号码自动得出；未满十四周岁者的姓名导出时打码。",
    ),
)


class VolunteerImporter(excel.Importer):
    sheet = VOLUNTEER_SHEET
    capability = "volunteer.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        codes = {row.values["association"] for row in rows}
        found = {
            a.code: a for a in Association.objects.visible_to(self.actor).filter(code__in=codes)
        }
        for row in rows:
            association = found.get(row.values["association"])
            if association is None:
                row.fail("association", OUT_OF_SCOPE)
            elif association.kind not in services.HOLDERS or not association.is_current:
                row.fail("association", NOT_HOLDER)
            else:
                row.values["association"] = association
            row.values.pop("status", None)

    def key(self, row: excel.Row) -> Hashable:
        return blind_index("id_number", row.values["id_number"])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        hashes = [row.key for row in rows]
        return {
            v.id_number_hash: v
            for v in Volunteer.objects.visible_to(self.actor)
            .filter(id_number_hash__in=hashes)
            .exclude(status=Volunteer.Status.REFUSED)  # a refused application: apply again
            .select_related("association")
            .prefetch_related("skills")
        }

    def current(self, obj: Volunteer, field_name: str) -> Any:
        if field_name == "skills":
            return tuple(sorted(s.code for s in obj.skills.all())) or None
        if field_name == "association":
            return obj.association
        if field_name == "name":
            return obj.display_name  # a child's name is exported masked: unchanged on re-import
        return getattr(obj, field_name)

    def validate(self, row: excel.Row) -> None:
        target = row.target
        if target is not None and row.values["association"].pk != target.association_id:
            row.fail("association", MOVED)

    def create(self, values: dict[str, Any]) -> Volunteer:
        data = dict(values)
        codes = data.pop("skills", ()) or ()
        return services.volunteer_apply(
            actor=as_user(self.actor),
            consent_version=selectors.current_consent().version,
            skills=list(Skill.objects.filter(code__in=codes)),
            **data,
        )

    def update(self, obj: Volunteer, changes: dict[str, Any]) -> Volunteer:
        changes.pop("association", None)
        changes.pop("id_number", None)
        skills = None
        if "skills" in changes:
            skills = list(Skill.objects.filter(code__in=changes.pop("skills") or ()))
        return services.volunteer_update(
            actor=as_user(self.actor), volunteer=obj, skills=skills, **changes
        )

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        return f"{row.values.get('name', '')}（{getattr(association, 'name', '')}）"


def _masked_id(record: HoursRecord) -> Protected | None:
    return record.volunteer.id_number


HOURS_SHEET = excel.Sheet(
    title="志愿服务时长",
    columns=(
        excel.Column(
            "服务编号",
            "service",
            required=True,
            parse=excel.integer(minimum=1, maximum=2**62),
            export=lambda h: h.service_id,
            kind=excel.NUMBER,
            hint="“志愿服务活动”页面上的编号",
        ),
        excel.Column(
            "服务名称",
            "service_title",
            export=lambda h: h.service.title,
            parse=excel.text(max_length=100),
            hint="仅供核对，导入时不使用",
        ),
        excel.Column(
            "服务日期",
            "service_date",
            export=lambda h: h.service.date,
            parse=excel.date(),
            kind=excel.DATE,
            hint="仅供核对，导入时不使用",
        ),
        excel.Column(
            "姓名",
            "name",
            export=lambda h: h.volunteer.display_name,
            parse=excel.text(max_length=50, name=True),
            hint="仅供核对，导入时不使用",
        ),
        excel.Column(
            "身份证号码",
            "id_number",
            required=True,
            parse=excel.id_number(),
            protected="id_number",
            export=_masked_id,
            width=22,
            aliases=("身份证号",),
        ),
        excel.Column(
            "服务时长（小时）",
            "hours",
            required=True,
            parse=excel.decimal_number(places=1, minimum=0.1, maximum=24),
            kind=excel.NUMBER,
            hint="只计实际服务时间，不含往返路途时间",
            aliases=("时长",),
        ),
        excel.Column("说明", "note", parse=excel.text(max_length=300), empty=""),
        excel.Column(
            "状态",
            "status",
            parse=excel.choice(HoursRecord.Status.choices),
            hint="导出时填写，导入的时长由组织单位确认",
        ),
    ),
    key=("service", "id_number"),
    related=("service", "volunteer"),
    notes=("导入即视为组织单位确认的时长；有风险的服务须志愿者在服务当日有有效的意外保险。",),
)


class HoursImporter(excel.Importer):
    sheet = HOURS_SHEET
    capability = "volunteer.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        ids = {row.values["service"] for row in rows}
        found = {
            s.pk: s
            for s in Service.objects.visible_to(self.actor)
            .filter(pk__in=ids)
            .select_related("association")
        }
        hashes = {blind_index("id_number", row.values["id_number"]) for row in rows}
        people = {
            v.id_number_hash: v
            for v in Volunteer.objects.visible_to(self.actor)
            .filter(id_number_hash__in=hashes)
            .exclude(status=Volunteer.Status.REFUSED)
            .select_related("association")
        }
        for row in rows:
            for name in ("service_title", "service_date", "name", "status"):
                row.values.pop(name, None)
            service = found.get(row.values["service"])
            volunteer = people.get(blind_index("id_number", row.values["id_number"]))
            if service is None:
                row.fail("service", NO_SERVICE)
            if volunteer is None:
                row.fail("id_number", NO_VOLUNTEER)
            if service is not None and volunteer is not None:
                row.values["service"] = service
                row.values["volunteer"] = volunteer

    def key(self, row: excel.Row) -> Hashable:
        return (row.values["service"].pk, row.values["volunteer"].pk)

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        # the parts of each row's key, read from the values `key` made it of
        services_ = {row.values["service"].pk for row in rows}
        volunteers = {row.values["volunteer"].pk for row in rows}
        return {
            (h.service_id, h.volunteer_id): h
            for h in HoursRecord.objects.filter(
                service_id__in=services_, volunteer_id__in=volunteers
            )
        }

    def current(self, obj: HoursRecord, field_name: str) -> Any:
        if field_name == "service":
            return obj.service
        if field_name == "id_number":
            return obj.volunteer.id_number
        return getattr(obj, field_name, None)

    def validate(self, row: excel.Row) -> None:
        target = row.target
        if target is not None and target.hours != row.values["hours"]:
            row.fail("hours", HOURS_FIXED)

    def create(self, values: dict[str, Any]) -> HoursRecord:
        return services.hours_record(
            actor=as_user(self.actor),
            service=values["service"],
            volunteer=values["volunteer"],
            hours=values["hours"],
            note=values.get("note") or "",
        )

    def update(self, obj: HoursRecord, changes: dict[str, Any]) -> HoursRecord:
        # Only a changed note can reach here (hours are refused in validate): keep the record.
        return obj

    def label(self, row: excel.Row) -> str:
        volunteer, service = row.values.get("volunteer"), row.values.get("service")
        return f"{getattr(volunteer, 'display_name', '')} · {getattr(service, 'title', '')}"


def volunteers_for_export(*, user: User) -> QuerySet[Volunteer]:
    return (
        Volunteer.objects.visible_to(user)
        .prefetch_related("skills")
        .order_by("association__path", "id")
    )


def volunteers_export(*, user: User, reveal: bool = False, reason: str = "") -> FileResponse:
    return excel.export_response(
        VOLUNTEER_SHEET, volunteers_for_export(user=user), actor=user, reveal=reveal, reason=reason
    )


def hours_export(*, user: User) -> FileResponse:
    queryset = HoursRecord.objects.visible_to(user).order_by("service__date", "id")
    return excel.export_response(HOURS_SHEET, queryset, actor=user)


def _template(sheet: excel.Sheet) -> Any:
    return lambda: excel.template_response(sheet)


VOLUNTEER_IMPORT = ImportPage(
    kind="volunteers.volunteers",
    sheet=VOLUNTEER_SHEET,
    importer=VolunteerImporter,
    template="volunteers/import.html",
    blank=_template(VOLUNTEER_SHEET),
    page_url=reverse_lazy("volunteers:import"),
    done_url=reverse_lazy("volunteers:list"),
    done_message=lambda r: (
        f"导入完成：新报名{r.created}人，修改{r.updated}人，{r.unchanged}人未变化。"
    ),
)
HOURS_IMPORT = ImportPage(
    kind="volunteers.hours",
    sheet=HOURS_SHEET,
    importer=HoursImporter,
    template="volunteers/import.html",
    blank=_template(HOURS_SHEET),
    page_url=reverse_lazy("volunteers:import_hours"),
    done_url=reverse_lazy("volunteers:services"),
    done_message=lambda r: f"导入完成：登记并确认{r.created}条时长，{r.unchanged}条未变化。",
)
