"""Member (会员) import and export on the shared Excel engine, and the composition workbook.

One row is one individual member (个人、流动人口、常住会员); group members are registered on the
page. The natural key is the ID number (through its search hash): a person holds one live
membership in the whole deployment. A row whose number matches a member in the actor's scope
updates that member through `member_update`; any other row is an application through
`member_apply`, approved at once through `member_approve` when its 状态 is 在册 (which needs the
right to decide for that association, as on the page). The card number and the status are
written on export and never changed by an import.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import IO, TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.http import FileResponse
from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.excel import writer
from fpa.core.protected import blind_index
from fpa.core.scope import scope_path_of
from fpa.members import services
from fpa.members.composition import BODIES, SOURCES, Line, Report
from fpa.members.models import Member
from fpa.organizations.models import Association, BodySeat

if TYPE_CHECKING:
    from fpa.accounts.models import User

OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
NOT_HOLDER = gettext_noop("该协会不能登记会员（须为在用的县、乡镇、村（社区）或单位协会）。")
GROUP = gettext_noop("团体会员请在“会员”页面逐个登记。")
ELSEWHERE = gettext_noop("该身份证号码已在其他地区入会，请联系对方协会办理转会。")
MOVED = gettext_noop("所属协会不能通过导入修改，请在会员页面办理转会。")
STATUS_FIXED = gettext_noop("状态不能通过导入修改，请在会员页面办理。")
CARD_FIXED = gettext_noop("会员证号由系统在审批通过后生成，不能导入或修改。")
NEW_STATUS = gettext_noop("新会员的状态只能是“待审批”或“在册”。")
NO_RIGHT = gettext_noop(
    "您不能审批该协会的入会申请（须由本协会或上级协会审批），请将状态填为“待审批”。"
)
IMPORT_KINDS = [(k.value, k.label) for k in Member.Kind if k != Member.Kind.GROUP]

MEMBER_SHEET = excel.Sheet(
    title="会员",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda member: member.association.code,
            width=16,
            hint="会员所属的村（社区）或单位协会的编码",
            example="622923100201",
        ),
        excel.Column(
            "姓名",
            "name",
            required=True,
            parse=excel.text(max_length=50, min_length=1, name=True),
            width=12,
        ),
        excel.Column(
            "会员类型",
            "kind",
            required=True,
            parse=excel.choice(Member.Kind.choices),
            width=14,
            example="个人会员",
            hint="个人会员、流动人口会员或常住会员（团体会员请在页面登记）",
        ),
        excel.Column(
            "身份证号码",
            "id_number",
            required=True,
            parse=excel.id_number(),
            protected="id_number",
            width=22,
            aliases=("身份证号", "公民身份号码"),
            hint="18位居民身份证号码；性别、出生日期由号码得出",
        ),
        excel.Column(
            "联系电话",
            "phone",
            parse=excel.phone(),
            protected="phone",
            width=16,
            aliases=("电话", "手机号码", "手机号"),
        ),
        excel.Column("住址", "address", parse=excel.text(max_length=200), width=28, empty=""),
        excel.Column(
            "政治面貌", "political_status", parse=excel.text(max_length=20), width=10, empty=""
        ),
        excel.Column("服务对象", "serves", parse=excel.text(max_length=100), width=14, empty=""),
        excel.Column("申请日期", "applied_on", parse=excel.date(), kind=excel.DATE, width=12),
        excel.Column(
            "状态",
            "status",
            parse=excel.choice(Member.Status.choices),
            width=10,
            hint="新会员填“待审批”（默认）或“在册”（本协会或上级协会已审批的）",
        ),
        excel.Column(
            "会员证号",
            "card_number",
            parse=excel.text(max_length=40),
            width=20,
            hint="导出时由系统填写，导入时留空或保持不变",
        ),
    ),
    key=("id_number",),
    related=("association",),
    notes=(
        "每行一名个人会员。以身份证号码识别会员：已在您管辖范围内入会的将被修改，其余登记为入会申请。",
    ),
)


class MemberImporter(excel.Importer):
    sheet = MEMBER_SHEET
    capability = "member.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        codes = {row.values["association"] for row in rows}
        found = {
            a.code: a for a in Association.objects.visible_to(self.actor).filter(code__in=codes)
        }
        for row in rows:
            association = found.get(row.values["association"])
            if association is None:
                row.fail("association", OUT_OF_SCOPE)
            elif association.kind not in services.MEMBER_HOLDERS or not association.is_current:
                row.fail("association", NOT_HOLDER)
            else:
                row.values["association"] = association
            if row.values.get("kind") == Member.Kind.GROUP:
                row.fail("kind", GROUP)

    def key(self, row: excel.Row) -> Hashable:
        return blind_index("id_number", row.values["id_number"])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        hashes = {row.key for row in rows}
        live = Member.objects.filter(id_number_hash__in=hashes, status__in=Member.LIVE)
        mine = {
            m.id_number_hash: m
            for m in live.filter(pk__in=Member.objects.visible_to(self.actor).values("pk"))
            .select_related("association")
            .order_by("id")
        }
        # Hashes only: whether a number is a member elsewhere, never who or where.
        self.elsewhere = set(live.values_list("id_number_hash", flat=True)) - set(mine)
        return mine

    def current(self, obj: Member, field_name: str) -> Any:
        if field_name == "association":
            return obj.association
        return getattr(obj, field_name)

    def validate(self, row: excel.Row) -> None:
        member: Member | None = row.target
        values = row.values
        if member is None:
            if row.key in self.elsewhere:
                row.fail("id_number", ELSEWHERE)
            if values.get("card_number"):
                row.fail("card_number", CARD_FIXED)
            status = values.get("status") or Member.Status.PENDING
            if status not in (Member.Status.PENDING, Member.Status.ACTIVE):
                row.fail("status", NEW_STATUS)
            elif status == Member.Status.ACTIVE and not _may_decide(as_user(self.actor), values):
                row.fail("status", NO_RIGHT)
            return
        values["applied_on"] = member.applied_on  # the application's date is history
        for fixed in ("status", "card_number"):
            if values.get(fixed) in (None, ""):  # left empty: keep what is stored
                values[fixed] = getattr(member, fixed)
        if values["association"] != member.association:
            row.fail("association", MOVED)
        if values["status"] != member.status:
            row.fail("status", STATUS_FIXED)
        if values["card_number"] != member.card_number:
            row.fail("card_number", CARD_FIXED)

    def create(self, values: dict[str, Any]) -> Member:
        data = dict(values)
        status = data.pop("status", None) or Member.Status.PENDING
        data.pop("card_number", None)
        member = services.member_apply(actor=as_user(self.actor), **data)
        if status == Member.Status.ACTIVE:
            member = services.member_approve(
                actor=as_user(self.actor), member=member, approved_on=member.applied_on
            )
        return member

    def update(self, obj: Member, changes: dict[str, Any]) -> Member:
        for fixed in ("association", "status", "card_number", "applied_on"):
            changes.pop(fixed, None)
        return services.member_update(actor=as_user(self.actor), member=obj, **changes)

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        name = getattr(association, "name", "")
        return f"{row.values.get('name', '')}（{name}）" if name else row.values.get("name", "")


def _may_decide(actor: User, values: dict[str, Any]) -> bool:
    association = values.get("association")
    home = actor.home_association
    return (
        isinstance(association, Association)
        and actor.has_capability("member.approve")
        and home is not None
        and home.pk in (association.pk, association.parent_id)
    )


def members_for_export(*, user: User, include_all: bool = False) -> QuerySet[Member]:
    """Individual members of the user's scope in tree order; active only unless `include_all`."""
    path = scope_path_of(user)
    queryset = Member.objects.visible_to(user).exclude(kind=Member.Kind.GROUP)
    queryset = queryset.filter(association__path__under=path) if path else queryset.none()
    if not include_all:
        queryset = queryset.filter(status=Member.Status.ACTIVE)
    return queryset.order_by("association__path", "id")


def members_export(
    *, user: User, include_all: bool = False, reveal: bool = False, reason: str = ""
) -> FileResponse:
    return excel.export_response(
        MEMBER_SHEET,
        members_for_export(user=user, include_all=include_all),
        actor=user,
        reveal=reveal,
        reason=reason,
    )


def members_template() -> FileResponse:
    return excel.template_response(MEMBER_SHEET)


# --- the composition workbook ---------------------------------------------------------------


def _count_now(source: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row["now"].get(source)


def _count_change(source: str) -> Callable[[dict[str, Any]], Any]:
    return lambda row: row["now"].get(source) - row["before"].get(source)


def _composition_sheet(year: int) -> excel.Sheet:
    columns = [
        excel.Column("协会", "name", export=lambda r: r["name"], width=24),
        excel.Column("机构", "body", export=lambda r: r["body"], width=14),
    ]
    for value, label in ((s.value, s.label) for s in SOURCES):
        columns.append(
            excel.Column(
                f"{label}{year}",
                f"{value}_now",
                export=_count_now(value),
                kind=excel.NUMBER,
                width=10,
            )
        )
        columns.append(
            excel.Column(
                f"{label}比上年增减",
                f"{value}_change",
                export=_count_change(value),
                kind=excel.NUMBER,
                width=10,
            )
        )
    columns += [
        excel.Column(f"合计{year}", "total", export=lambda r: r["now"].total, kind=excel.NUMBER),
        excel.Column(
            f"合计{year - 1}", "total_before", export=lambda r: r["before"].total, kind=excel.NUMBER
        ),
        excel.Column(
            "基层一线占比%",
            "share",
            export=lambda r: r["now"].grassroots_share,
            kind=excel.NUMBER,
        ),
        excel.Column(
            "占比比上年增减",
            "share_change",
            export=lambda r: r["share_change"],
            kind=excel.NUMBER,
        ),
    ]
    return excel.Sheet(
        title="代表与理事构成",
        columns=tuple(columns),
        key=(),
        notes=(
            f"按年末在任统计：届次年份不晚于{year}年、且{year}年12月31日前未卸任的席位。",
            "基层一线包括基层一线会员、志愿者和计生协工作者。",
        ),
    )


def _rows(report: Report) -> list[dict[str, Any]]:
    out = []
    labels = dict(BodySeat.Body.choices)
    for line in (*report.lines, report.total):
        for body in BODIES:
            out.append(_row(line, body, str(labels[body])))
    return out


def _row(line: Line, body: str, label: str) -> dict[str, Any]:
    return {
        "name": line.name,
        "body": label,
        "now": line.this[body],
        "before": line.last[body],
        "share_change": line.share_change(body),
    }


def composition_file(report: Report) -> tuple[IO[bytes], str]:
    """The composition workbook in a temporary file (rewound) and its file name."""
    sheet = _composition_sheet(report.year)
    handle = writer._temporary()
    try:
        excel.write_workbook(handle, sheet, _rows(report))
    except BaseException:
        handle.close()
        raise
    handle.seek(0)
    return handle, f"代表与理事构成-{report.root.code}-{report.year}.xlsx"


def composition_response(report: Report) -> FileResponse:
    handle, name = composition_file(report)
    return writer._response(handle, name)
