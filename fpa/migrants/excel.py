"""The migrant registry on the shared Excel engine (`fpa.core.excel`): one sheet for export and
import, one row a migrant.

Export (a background job, `fpa.migrants.jobs`): the list's filters applied; names, ID and phone
numbers and addresses masked. The full workbook needs `personal.reveal` and a reason, and is
audited by the engine.

Import: keyed by the registering association and the ID number, so the same file again changes
nothing and a changed row changes the record (a masked export is not a file to re-import: its
keys are hidden). A new row is registered through `migrant_register`, a changed one through
`migrant_update`. Dry run first (every row and column checked, nothing written); the commit, as
a job, writes every row or none.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from django.urls import reverse_lazy
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.excel.pages import ImportPage
from fpa.core.protected import Protected, blind_index
from fpa.migrants import places, selectors, services
from fpa.migrants.models import HOLDER_KINDS, Migrant
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

IMPORT_KIND = "migrants.import_migrants"
OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
NOT_HOLDER = gettext_noop("流动人口应登记在村（社区）、乡镇或企业、园区、商会、流动人口计生协。")
NO_EMPLOYER = gettext_noop("企业计生协编码不存在或不能选择。")
NO_ORIGIN = gettext_noop("流入人口请填写流出地（户籍地）区划代码。")
NO_DESTINATION = gettext_noop("流出人口请填写流入地区划代码。")
CLOSED = gettext_noop("该流动人口已离开或已注销，不能通过导入修改。")
EXPORT_ONLY = ("area", "origin_name", "destination_name", "employer_name", "status_label")


def _plain(value: Any) -> Any:
    return value.reveal_unchecked() if isinstance(value, Protected) else value


def _division(value: str) -> str:
    """A division code cell: 6, 9 or 12 digits of a known county (full-width folded)."""
    try:
        return places.place(value).code
    except places.PlaceError as exc:
        raise ValueError(exc.message) from exc


SHEET = excel.Sheet(
    title="流动人口",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda m: m.association.code,
            width=16,
            hint="登记流动人口的村（社区）、乡镇或企业计生协的编码，须在您的管辖范围内",
            example="622923100201",
        ),
        excel.Column("登记协会", "area", export=lambda m: m.association.name, width=18),
        excel.Column(
            "流动方向",
            "direction",
            required=True,
            parse=excel.choice(Migrant.Direction.choices),
            width=8,
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
        excel.Column("性别", "sex", export=lambda m: m.get_sex_display(), width=6),
        excel.Column("联系电话", "phone", parse=excel.phone(), protected="phone", width=16),
        excel.Column(
            "现住址", "address", parse=excel.text(max_length=200), protected="sensitive", width=24
        ),
        excel.Column(
            "流出地区划代码",
            "origin_code",
            parse=_division,
            width=14,
            hint="6位（县级）、9位（乡镇）或12位（村），流入人口必填",
            example="620102",
        ),
        excel.Column("流出地", "origin_name", export=lambda m: places.name_of(m.origin_code)),
        excel.Column(
            "流入地区划代码",
            "destination_code",
            parse=_division,
            width=14,
            hint="流出人口必填",
        ),
        excel.Column(
            "流入地", "destination_name", export=lambda m: places.name_of(m.destination_code)
        ),
        excel.Column("工作单位", "workplace", parse=excel.text(max_length=200), width=20),
        excel.Column(
            "企业计生协编码",
            "employer",
            parse=excel.code(),
            export=lambda m: m.employer.code if m.employer_id else "",
            width=18,
            hint="工作单位有计生协的填写其编码，可不填",
        ),
        excel.Column(
            "企业计生协",
            "employer_name",
            export=lambda m: m.employer.name if m.employer_id else "",
            width=18,
        ),
        excel.Column("流入（流出）日期", "arrived_on", kind=excel.DATE, parse=excel.date()),
        excel.Column("预计离开日期", "expected_departure", kind=excel.DATE, parse=excel.date()),
        excel.Column(
            "状态",
            "status_label",
            export=lambda m: m.get_status_display(),
            width=8,
            hint="导出时填写，导入时不读取",
        ),
    ),
    key=("association", "id_number"),
    related=("association", "employer"),
    notes=("本表为导出，供汇总和上报使用；个人信息已打码。",),
)
IMPORTED = (
    "direction",
    "name",
    "id_number",
    "phone",
    "address",
    "origin_code",
    "destination_code",
    "workplace",
    "employer",
    "arrived_on",
    "expected_departure",
)


class MigrantImporter(excel.Importer):
    sheet = SHEET
    capability = "migrant.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        user = as_user(self.actor)
        codes = {row.values["association"] for row in rows}
        found = {a.code: a for a in Association.objects.visible_to(user).filter(code__in=codes)}
        employer_codes = {row.values.get("employer") for row in rows} - {None, ""}
        employers = {
            a.code: a for a in selectors.employer_choices(user=user).filter(code__in=employer_codes)
        }
        for row in rows:
            for name in (*EXPORT_ONLY, "sex"):
                row.values.pop(name, None)
            association = found.get(row.values["association"])
            if association is None:
                row.fail("association", gettext(OUT_OF_SCOPE))
            elif association.kind not in HOLDER_KINDS:
                row.fail("association", gettext(NOT_HOLDER))
            else:
                row.values["association"] = association
            code = row.values.get("employer")
            if code:
                employer = employers.get(code)
                if employer is None:
                    row.fail("employer", gettext(NO_EMPLOYER))
                else:
                    row.values["employer"] = employer

    def key(self, row: excel.Row) -> Hashable:
        return (row.values["association"].pk, blind_index("id_number", row.values["id_number"]))

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        digests = {row.key[1] for row in rows if isinstance(row.key, tuple)}
        associations = {row.values["association"].pk for row in rows}
        return {
            (m.association_id, m.id_number_hash): m
            for m in Migrant.objects.visible_to(as_user(self.actor))
            .filter(id_number_hash__in=digests, association_id__in=associations)
            .select_related("association", "employer")
        }

    def current(self, obj: Migrant, field_name: str) -> Any:
        if field_name in ("association", "employer"):
            return getattr(obj, field_name)
        return _plain(getattr(obj, field_name, None))

    def validate(self, row: excel.Row) -> None:
        """The rules across columns the dry run can check without writing: a closed record is
        not changed by a file; an inflow names its origin, an outflow its destination."""
        target, values = row.target, row.values
        if target is not None and target.status != Migrant.Status.ACTIVE:
            row.fail(None, gettext(CLOSED))
            return
        direction = values.get("direction") or (target.direction if target else "")
        if direction == Migrant.Direction.INFLOW and not (
            values.get("origin_code") or (target is not None and target.origin_code)
        ):
            row.fail("origin_code", gettext(NO_ORIGIN))
        if direction == Migrant.Direction.OUTFLOW and not (
            values.get("destination_code") or (target is not None and target.destination_code)
        ):
            row.fail("destination_code", gettext(NO_DESTINATION))

    def create(self, values: dict[str, Any]) -> Migrant:
        data = {k: v for k, v in values.items() if k in IMPORTED}
        return services.migrant_register(
            actor=as_user(self.actor), association=values["association"], **data
        )

    def update(self, obj: Migrant, changes: dict[str, Any]) -> Migrant:
        data = {k: v for k, v in changes.items() if k in IMPORTED}
        return services.migrant_update(
            actor=as_user(self.actor), migrant=obj, version=obj.version, **data
        )

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        direction = row.values.get("direction")
        shown = Migrant.Direction(direction).label if direction else ""
        return f"{shown}（{getattr(association, 'name', '')}）"


def _template() -> HttpResponseBase:
    return excel.template_response(SHEET)


IMPORT_PAGE = ImportPage(
    kind=IMPORT_KIND,
    sheet=SHEET,
    importer=MigrantImporter,
    template="migrants/import.html",
    blank=_template,
    page_url=reverse_lazy("migrants:import"),
    done_url=reverse_lazy("migrants:list"),
    done_message=lambda r: (
        gettext("导入完成：新登记%(created)s人，修改%(updated)s人，%(unchanged)s人未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)
