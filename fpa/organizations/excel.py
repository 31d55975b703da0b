"""Staff (工作人员) import and export: the first module on the shared Excel engine.

One row is one person in one post of one association. The natural key is (协会编码, 身份证号码,
职务): the association and the post as written, the ID number through its search hash. A row whose
key matches a current post-holder updates that record through `staff_update`; any other row creates
one through `staff_create`. Both services check the scope again and write the audit trail.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_noop

from fpa.accounts.requests import as_user
from fpa.core import excel
from fpa.core.protected import blind_index
from fpa.organizations import services
from fpa.organizations.models import Association, StaffMember

if TYPE_CHECKING:
    from fpa.accounts.models import User

OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
CLOSED = gettext_noop("该协会已停用，不能导入工作人员。")
TERM_ORDER = gettext_noop("任期结束日期不能早于开始日期。")

STAFF_SHEET = excel.Sheet(
    title="工作人员",
    columns=(
        excel.Column(
            "协会编码",
            "association",
            required=True,
            parse=excel.code(),
            export=lambda staff: staff.association.code,
            width=16,
            hint="本协会或下级协会的编码，可在“协会网络”中查到",
            example="622923100",
        ),
        excel.Column(
            "姓名",
            "name",
            required=True,
            parse=excel.text(max_length=50, min_length=1, name=True),
            width=12,
            example="张三",
        ),
        excel.Column(
            "身份证号码",
            "id_number",
            required=True,
            parse=excel.id_number(),
            protected="id_number",
            width=22,
            hint="18位居民身份证号码",
            aliases=("身份证号", "公民身份号码"),
        ),
        excel.Column(
            "联系电话",
            "phone",
            parse=excel.phone(),
            protected="phone",
            width=16,
            hint="手机号或座机号（区号-号码）",
            aliases=("电话", "手机号码", "手机号"),
        ),
        excel.Column(
            "职务",
            "post",
            required=True,
            parse=excel.choice(StaffMember.Post.choices),
            width=14,
            example="专干",
        ),
        excel.Column(
            "任职方式",
            "employment",
            required=True,
            parse=excel.choice(StaffMember.Employment.choices),
            width=10,
            example="专职",
        ),
        excel.Column(
            "任期开始",
            "term_start",
            required=True,
            parse=excel.date(),
            kind=excel.DATE,
            width=12,
            example="2023-01-01",
        ),
        excel.Column(
            "任期结束",
            "term_end",
            parse=excel.date(),
            kind=excel.DATE,
            width=12,
            hint="尚在任期内可不填",
        ),
    ),
    key=("association", "id_number", "post"),
    related=("association",),
    notes=("性别和出生日期由身份证号码自动得出，无需填写。",),
)


class StaffImporter(excel.Importer):
    sheet = STAFF_SHEET
    capability = "staff.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        codes = {row.values["association"] for row in rows}
        found = {
            association.code: association
            for association in Association.objects.visible_to(self.actor).filter(code__in=codes)
        }
        for row in rows:
            association = found.get(row.values["association"])
            if association is None:
                row.fail("association", OUT_OF_SCOPE)
            elif not association.is_current:
                row.fail("association", CLOSED)
            else:
                row.values["association"] = association

    def key(self, row: excel.Row) -> Hashable:
        return (
            row.values["association"].pk,
            blind_index("id_number", row.values["id_number"]),
            row.values["post"],
        )

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        hashes = {key[1] for row in rows if isinstance(key := row.key, tuple)}
        found: dict[Hashable, Any] = {}
        staff = (
            StaffMember.objects.visible_to(self.actor)
            .filter(id_number_hash__in=hashes, left_on__isnull=True)
            .select_related("association")
            .order_by("id")
        )
        for member in staff:
            found.setdefault((member.association_id, member.id_number_hash, member.post), member)
        return found

    def validate(self, row: excel.Row) -> None:
        start, end = row.values.get("term_start"), row.values.get("term_end")
        if start and end and end < start:
            row.fail("term_end", TERM_ORDER)

    def create(self, values: dict[str, Any]) -> StaffMember:
        data = dict(values)
        association = data.pop("association")
        return services.staff_create(actor=as_user(self.actor), association=association, **data)

    def update(self, obj: StaffMember, changes: dict[str, Any]) -> StaffMember:
        changes.pop("association", None)  # part of the key: never changed by an import
        return services.staff_update(actor=as_user(self.actor), staff=obj, **changes)

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        name = getattr(association, "name", "")
        return f"{row.values.get('name', '')}（{name}）" if name else row.values.get("name", "")


def staff_for_export(*, user: User, current_only: bool = True) -> QuerySet:
    """The staff the user may see, in tree order; only those in post unless `current_only`."""
    queryset = StaffMember.objects.visible_to(user).select_related("association")
    if current_only:
        today = timezone.localdate()
        queryset = queryset.filter(Q(left_on__isnull=True) | Q(left_on__gt=today)).filter(
            Q(term_end__isnull=True) | Q(term_end__gte=today)
        )
    return queryset.order_by("association__path", "post", "id")


def staff_export(
    *, user: User, current_only: bool = True, reveal: bool = False, reason: str = ""
) -> FileResponse:
    return excel.export_response(
        STAFF_SHEET,
        staff_for_export(user=user, current_only=current_only),
        actor=user,
        reveal=reveal,
        reason=reason,
    )


def staff_template() -> FileResponse:
    return excel.template_response(STAFF_SHEET)
