"""Enrolments and claims imported from Excel on the shared engine (`fpa.core.excel`): upload, dry
run with a message per row and column, commit all or nothing.

Enrolments (参保人员): one row a person, keyed by (年度编号, 身份证号码). The person is found by
the ID number in the chosen registry inside the importer's scope and enrolled through
`enrolment_add` (ages, deceased and ID rules apply); a person already enrolled is "unchanged";
the file cannot change or remove an enrolment (that is done on its page).

Claims (理赔): one row a claim, keyed by (年度编号, 身份证号码, 出险日期, 出险类别), reported
through `claim_report` (refused unless the person was insured on the event date; the family's
care log gets its entry). The same file again adds nothing.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.excel.columns import KEEP
from fpa.core.excel.pages import ImportPage
from fpa.core.protected import blind_index
from fpa.insurance import selectors, services
from fpa.insurance.models import Claim, Enrolment, PolicyYear

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

IMPORT_ENROLMENTS = "insurance.import_enrolments"
IMPORT_CLAIMS = "insurance.import_claims"
NO_YEAR = gettext_noop("年度编号不存在或不在您的管辖范围内（见保险年度页面地址中的数字）。")
NO_PERSON = gettext_noop("在您的管辖范围内的%(source)s中没有该身份证号码的人员。")
NOT_ENROLLED = gettext_noop("该人员未参加这一保险年度。")
NO_CHANGES = gettext_noop("已参保的记录不能通过导入修改，请在参保人员页面办理。")
CLAIM_NO_CHANGES = gettext_noop("已报案的理赔不能通过导入修改，请在理赔页面办理。")


def _year_column() -> excel.Column:
    return excel.Column(
        "年度编号",
        "policy_year",
        required=True,
        parse=excel.integer(minimum=1, maximum=2**31 - 1),
        kind=excel.NUMBER,
        width=10,
        hint="保险年度页面地址中的数字，如 /insurance/years/3/ 填 3",
        example="1",
    )


def _id_column(header: str = "身份证号码") -> excel.Column:
    return excel.Column(
        header, "id_number", required=True, parse=excel.id_number(), protected="id_number", width=22
    )


ENROLMENT_SHEET = excel.Sheet(
    title="参保人员",
    columns=(
        _year_column(),
        excel.Column(
            "人员来源",
            "source",
            required=True,
            parse=excel.choice(Enrolment.Source.choices),
            width=14,
            example="特殊家庭成员",
        ),
        _id_column(),
        excel.Column(
            "保障起始日期",
            "covered_from",
            parse=excel.date(),
            kind=excel.DATE,
            width=12,
            hint="不填：起保日或今天（取较晚者）",
        ),
    ),
    key=("policy_year", "id_number"),
    notes=("人员须已在平台的特殊家庭、会员或志愿者名册中登记，且在您的管辖范围内。",),
)

CLAIM_SHEET = excel.Sheet(
    title="理赔报案",
    columns=(
        _year_column(),
        _id_column("被保险人身份证号码"),
        excel.Column("出险日期", "event_on", required=True, parse=excel.date(), kind=excel.DATE),
        excel.Column(
            "出险类别", "kind", required=True, parse=excel.choice(Claim.Kind.choices), width=10
        ),
        excel.Column("出险经过", "description", required=True, width=40),
    ),
    key=("policy_year", "id_number", "event_on", "kind"),
    notes=("出险日期须在被保险人的保障期间内。",),
)


def _years(importer: excel.Importer, rows: list[excel.Row]) -> None:
    """年度编号 -> the policy year the importer's user sees; a row of another fails."""
    wanted = {row.values["policy_year"] for row in rows}
    found = {
        y.pk: y for y in selectors.policy_years(user=as_user(importer.actor)).filter(pk__in=wanted)
    }
    for row in rows:
        year = found.get(row.values["policy_year"])
        if year is None:
            row.fail("policy_year", gettext(NO_YEAR))
        else:
            row.values["policy_year"] = year


def _hash(value: Any) -> str:
    try:
        return blind_index("id_number", str(value))
    except ValidationError:
        return ""


class EnrolmentImporter(excel.Importer):
    sheet = ENROLMENT_SHEET
    capability = "insurance.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        _years(self, rows)
        user = as_user(self.actor)
        for row in rows:
            if not row.ok:
                continue
            source = row.values["source"]
            found = selectors.registry_person(
                user=user, source=source, id_number=row.values["id_number"]
            )
            if found is None:
                label = dict(Enrolment.Source.choices)[source]
                row.fail("id_number", gettext(NO_PERSON) % {"source": label})
            else:
                row.values["subject"] = found

    def key(self, row: excel.Row) -> Hashable:
        return (row.values["policy_year"].pk, row.values["id_number"])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        years = {row.values["policy_year"].pk for row in rows}
        hashes = {_hash(row.values["id_number"]) for row in rows}
        stored = (
            Enrolment.objects.visible_to(as_user(self.actor))
            .filter(policy_year_id__in=years, id_number_hash__in=hashes)
            .select_related("policy_year")
        )
        return {(e.policy_year_id, e.id_number.reveal_unchecked()): e for e in stored}

    def current(self, obj: Enrolment, field_name: str) -> Any:
        if field_name == "id_number":
            return obj.id_number.reveal_unchecked()
        if field_name == "covered_from":
            return obj.covered_from
        return getattr(obj, field_name)

    def validate(self, row: excel.Row) -> None:
        target = row.target
        if target is None:
            return
        given = row.values.get("covered_from")
        if target.status != Enrolment.Status.ENROLLED or (
            given not in (None, KEEP) and given != target.covered_from
        ):
            row.fail(None, gettext(NO_CHANGES))
        row.values["covered_from"] = target.covered_from

    def create(self, values: dict[str, Any]) -> Enrolment:
        return services.enrolment_add(
            actor=as_user(self.actor),
            policy_year=values["policy_year"],
            covered_from=values.get("covered_from"),
            **values["subject"],
        )

    def update(self, obj: Enrolment, changes: dict[str, Any]) -> Enrolment:
        raise excel_error(NO_CHANGES)

    def label(self, row: excel.Row) -> str:
        year: PolicyYear | Any = row.values.get("policy_year")
        subject = next(iter((row.values.get("subject") or {}).values()), None)
        name = getattr(subject, "name", "")
        return f"{name}（{year}）" if name else str(year)


class ClaimImporter(excel.Importer):
    sheet = CLAIM_SHEET
    capability = "insurance.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        _years(self, rows)
        live = [row for row in rows if row.ok]
        years = {row.values["policy_year"].pk for row in live}
        hashes = {_hash(row.values["id_number"]) for row in live}
        enrolments = {
            (e.policy_year_id, e.id_number_hash): e
            for e in Enrolment.objects.visible_to(as_user(self.actor))
            .filter(policy_year_id__in=years, id_number_hash__in=hashes)
            .select_related("association", "family__association")
        }
        for row in live:
            found = enrolments.get((row.values["policy_year"].pk, _hash(row.values["id_number"])))
            if found is None:
                row.fail("id_number", gettext(NOT_ENROLLED))
            else:
                row.values["enrolment"] = found

    def key(self, row: excel.Row) -> Hashable:
        return (row.values["enrolment"].pk, row.values["event_on"], row.values["kind"])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        enrolments = {row.values["enrolment"].pk for row in rows}
        stored = Claim.objects.visible_to(as_user(self.actor)).filter(enrolment_id__in=enrolments)
        return {(c.enrolment_id, c.event_on, c.kind): c for c in stored}

    def current(self, obj: Claim, field_name: str) -> Any:
        if field_name == "policy_year":
            return obj.enrolment.policy_year
        if field_name == "id_number":
            return obj.enrolment.id_number.reveal_unchecked()
        if field_name == "description":
            return obj.description.reveal_unchecked() if obj.description else ""
        return getattr(obj, field_name)

    def validate(self, row: excel.Row) -> None:
        target = row.target
        if target is not None and self.current(target, "description") != row.values.get(
            "description"
        ):
            row.fail("description", gettext(CLAIM_NO_CHANGES))

    def create(self, values: dict[str, Any]) -> Claim:
        return services.claim_report(
            actor=as_user(self.actor),
            enrolment=values["enrolment"],
            event_on=values["event_on"],
            kind=values["kind"],
            description=values["description"],
        )

    def update(self, obj: Claim, changes: dict[str, Any]) -> Claim:
        raise excel_error(CLAIM_NO_CHANGES)

    def label(self, row: excel.Row) -> str:
        enrolment = row.values.get("enrolment")
        return f"{getattr(enrolment, 'name', '')} {row.values.get('event_on', '')}"


def excel_error(message: str) -> Exception:
    from fpa.core.errors import ServiceError

    return ServiceError(gettext(message))


def _template(sheet: excel.Sheet) -> Any:
    def blank() -> HttpResponseBase:
        return excel.template_response(sheet)

    return blank


ENROLMENT_IMPORT = ImportPage(
    kind=IMPORT_ENROLMENTS,
    sheet=ENROLMENT_SHEET,
    importer=EnrolmentImporter,
    template="insurance/import_enrolments.html",
    blank=_template(ENROLMENT_SHEET),
    page_url=reverse_lazy("insurance:import_enrolments"),
    done_url=reverse_lazy("insurance:products"),
    done_message=lambda r: (
        gettext("导入完成：新参保%(created)s人，%(unchanged)s人已参保未变化。")
        % {"created": r.created, "unchanged": r.unchanged}
    ),
)
CLAIM_IMPORT = ImportPage(
    kind=IMPORT_CLAIMS,
    sheet=CLAIM_SHEET,
    importer=ClaimImporter,
    template="insurance/import_claims.html",
    blank=_template(CLAIM_SHEET),
    page_url=reverse_lazy("insurance:import_claims"),
    done_url=reverse_lazy("insurance:claims"),
    done_message=lambda r: (
        gettext("导入完成：新报案%(created)s件，%(unchanged)s件已存在未变化。")
        % {"created": r.created, "unchanged": r.unchanged}
    ),
)
