"""The 三留守 registry on the shared Excel engine (`fpa.core.excel`): one sheet for export and
import, one row a person.

Export: the list's filters applied; every personal value masked (names too: a child's name is
personal information of the most sensitive kind, and one rule for all rows keeps a workbook
from unmasking children by their neighbours' rows). The full workbook needs `personal.reveal` and
a reason, and is audited by the engine.

Import: keyed by the ID number (so a masked export is not a file to re-import for changes:
its keys are hidden). A new row is registered through `person_register`, a changed one through
`person_update` (version-safe); the same file again changes nothing. Dry run first; the commit
writes every row or none.
"""

from __future__ import annotations

import datetime
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import FileResponse
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.excel.pages import ImportPage
from fpa.core.protected import Protected, blind_index
from fpa.leftbehind import selectors, services
from fpa.leftbehind.models import LeftBehindCare, LeftBehindPerson, child_born_after
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

    from fpa.accounts.models import User

IMPORT_KIND = "leftbehind.import_people"
OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
NOT_HOLDER = gettext_noop("三留守人员应登记在村（社区）或乡镇（街道）计生协。")
REGISTERED = gettext_noop("该身份证号码已在其他地区登记，请联系县计生协核实。")
CHILD = gettext_noop("登记留守儿童须有“留守儿童信息”权限，请由乡镇（街道）导入。")
ENDED = gettext_noop("该人员的记录已结束，不能通过导入修改。")


def _protected(value: Any) -> Any:
    return value.reveal_unchecked() if isinstance(value, Protected) else value


SHEET = excel.Sheet(
    title="三留守人员",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda p: p.association.code,
            width=16,
            hint="所属村（社区）计生协的编码，须在您的管辖范围内",
            example="622923100201",
        ),
        excel.Column("所属村（社区）", "area", export=lambda p: p.association.name, width=16),
        excel.Column(
            "类别", "kind", required=True, parse=excel.choice(LeftBehindPerson.Kind.choices)
        ),
        excel.Column(
            "姓名", "name", required=True, parse=excel.text(max_length=50), protected="name"
        ),
        excel.Column(
            "身份证号码",
            "id_number",
            required=True,
            parse=excel.id_number(),
            protected="id_number",
            width=22,
            aliases=("身份证号",),
        ),
        excel.Column("出生日期", "birth_date", kind=excel.DATE, width=12),
        excel.Column("联系电话", "phone", parse=excel.phone(), protected="phone", width=16),
        excel.Column(
            "住址", "address", parse=excel.text(max_length=200), protected="sensitive", width=24
        ),
        excel.Column(
            "监护人/家属姓名",
            "guardian_name",
            parse=excel.text(max_length=50),
            protected="name",
        ),
        excel.Column("与本人关系", "guardian_relation", parse=excel.text(max_length=20)),
        excel.Column(
            "监护人/家属电话",
            "guardian_phone",
            parse=excel.phone(),
            protected="phone",
            width=16,
        ),
        excel.Column("外出家庭成员", "absent_members", parse=excel.text(max_length=100)),
        excel.Column(
            "外出务工地点", "absent_workplace", parse=excel.text(max_length=200), width=20
        ),
        excel.Column("务工地区划代码", "absent_division", parse=excel.code(max_length=12)),
        excel.Column(
            "风险等级",
            "risk",
            required=True,
            parse=excel.choice(LeftBehindPerson.Risk.choices),
            width=8,
        ),
        excel.Column(
            "状态",
            "status_label",
            export=lambda p: p.get_status_display(),
            width=8,
            hint="导出时填写，导入时不读取",
        ),
        excel.Column("登记日期", "registered_on", kind=excel.DATE, width=12),
    ),
    key=("id_number",),
    related=("association",),
    notes=("本表为导出，供汇总和上报使用；个人信息已打码。",),
)
IMPORTED = (
    "association",
    "kind",
    "name",
    "id_number",
    "phone",
    "address",
    "guardian_name",
    "guardian_relation",
    "guardian_phone",
    "absent_members",
    "absent_workplace",
    "absent_division",
    "risk",
)


def _contact_name(record: LeftBehindCare) -> str:
    return record.contact.name if record.contact is not None else ""


def _recorder(record: LeftBehindCare) -> str:
    return str(record.recorded_by.full_name or record.recorded_by.username)


# The care records of the people the list shows (export only). The person's name is masked and
# the notes, which may hold health or family details, are hidden (●●●●) unless the full export
# is asked for with `personal.reveal` and a reason (audited by the engine).
CARE_SHEET = excel.Sheet(
    title="三留守关爱记录",
    columns=(
        excel.Column("日期", "occurred_on", kind=excel.DATE, width=12),
        excel.Column("关爱类别", "kind", export=lambda r: r.kind.name, width=12),
        excel.Column(
            "人员类别", "person_kind", export=lambda r: r.person.get_kind_display(), width=10
        ),
        excel.Column(
            "所属村（社区）", "area", export=lambda r: r.person.association.name, width=16
        ),
        excel.Column("姓名", "person_name", export=lambda r: r.person.name, protected="name"),
        excel.Column("联系人", "contact", export=_contact_name),
        excel.Column("记录人", "recorded_by", export=_recorder),
        excel.Column(
            "情况",
            "notes",
            export=lambda r: Protected(str(r.notes or ""), "sensitive"),
            protected="sensitive",
            width=40,
        ),
    ),
    key=(),
    related=("person__association", "kind", "contact", "recorded_by"),
    notes=(
        "本表为导出，供汇总和上报使用；姓名已打码，情况内容已隐藏（导出完整信息时显示，记入审计）。",
    ),
)
SHEETS = {"people": SHEET, "care": CARE_SHEET}


def export_rows(*, user: User, filters: selectors.PersonFilters, which: str) -> Any:
    """The rows of export `which` ("people" or "care") as the user sees them."""
    if which == "care":
        return selectors.care_for_export(user=user, filters=filters)
    return selectors.people_for_export(user=user, filters=filters)


def people_export(
    *,
    user: User,
    filters: selectors.PersonFilters,
    reveal: bool = False,
    reason: str = "",
    which: str = "people",
) -> FileResponse:
    """The workbook of the people the list shows with these filters, or of their care records
    (`which`="care"), streamed in the request (masked unless `reveal`: `personal.reveal` and a
    reason, audited by the engine). Above `EXPORT_INLINE_ROWS` rows the view runs the export as
    a background job instead (`fpa.leftbehind.jobs`)."""
    return excel.export_response(
        SHEETS[which],
        export_rows(user=user, filters=filters, which=which),
        actor=user,
        reveal=reveal,
        reason=reason,
    )


EXPORT_INLINE_ROWS = 2000  # above this many rows, an export is a background job with progress


def inline_rows() -> int:
    """The threshold (setting FPA_LEFTBEHIND_EXPORT_INLINE_ROWS overrides the default)."""
    return int(getattr(settings, "FPA_LEFTBEHIND_EXPORT_INLINE_ROWS", EXPORT_INLINE_ROWS))


def export_is_large(*, user: User, filters: selectors.PersonFilters, which: str) -> bool:
    """Whether export `which` has more rows than the threshold (one bounded query)."""
    limit = inline_rows()
    rows = export_rows(user=user, filters=filters, which=which).order_by()
    return bool(rows[: limit + 1].count() > limit)


class PersonImporter(excel.Importer):
    sheet = SHEET
    capability = "leftbehind.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        codes = {row.values["association"] for row in rows}
        found = {
            a.code: a for a in Association.objects.visible_to(self.actor).filter(code__in=codes)
        }
        for row in rows:
            association = found.get(row.values["association"])
            if association is None:
                row.fail("association", gettext(OUT_OF_SCOPE))
            elif association.kind not in services.HOLDERS:
                row.fail("association", gettext(NOT_HOLDER))
            else:
                row.values["association"] = association
            for name in ("area", "status_label", "registered_on", "birth_date"):
                row.values.pop(name, None)

    def key(self, row: excel.Row) -> Hashable:
        return blind_index("id_number", row.values["id_number"])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        digests = [row.key for row in rows]
        return {
            p.id_number_hash: p
            for p in LeftBehindPerson.objects.visible_to(self.actor)
            .filter(id_number_hash__in=digests)
            .select_related("association")
        }

    def current(self, obj: LeftBehindPerson, field_name: str) -> Any:
        if field_name == "association":
            return obj.association
        return _protected(getattr(obj, field_name, None))

    def validate(self, row: excel.Row) -> None:
        values, target = row.values, row.target
        if target is None:
            taken = LeftBehindPerson.objects.filter(id_number_hash=row.key).exists()
            if taken:
                row.fail("id_number", gettext(REGISTERED))
                return
        elif target.status != LeftBehindPerson.Status.ACTIVE:
            row.fail(None, gettext(ENDED))
            return
        if not self.actor.has_capability("leftbehind.children"):
            birth = _birth_of(values.get("id_number"))
            born_after = child_born_after(timezone.localdate())
            if values.get("kind") == LeftBehindPerson.Kind.CHILD or (birth and birth > born_after):
                row.fail("kind", gettext(CHILD))

    def create(self, values: dict[str, Any]) -> LeftBehindPerson:
        data = {k: v for k, v in values.items() if k in IMPORTED}
        association = data.pop("association")
        return services.person_register(actor=as_user(self.actor), association=association, **data)

    def update(self, obj: LeftBehindPerson, changes: dict[str, Any]) -> LeftBehindPerson:
        data = {k: v for k, v in changes.items() if k in IMPORTED}
        association = data.pop("association", None)
        return services.person_update(
            actor=as_user(self.actor),
            person=obj,
            version=obj.version,
            association=association,
            **data,
        )

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        kind = LeftBehindPerson.Kind(row.values["kind"]).label if row.values.get("kind") else ""
        return f"{kind}（{getattr(association, 'name', '')}）"


def _birth_of(id_number: Any) -> datetime.date | None:
    if not isinstance(id_number, str) or len(id_number) != 18:
        return None
    try:
        return datetime.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))
    except ValueError:
        return None


def _template() -> HttpResponseBase:
    return excel.template_response(SHEET)


IMPORT_PAGE = ImportPage(
    kind=IMPORT_KIND,
    sheet=SHEET,
    importer=PersonImporter,
    template="leftbehind/import.html",
    blank=_template,
    page_url=reverse_lazy("leftbehind:import"),
    done_url=reverse_lazy("leftbehind:list"),
    done_message=lambda r: (
        gettext("导入完成：新登记%(created)s人，修改%(updated)s人，%(unchanged)s人未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)
