"""Sites and activities imported from Excel on the shared engine (`fpa.core.excel`).

Sites (阵地): one row a site, keyed by (协会编码, 名称). A new row is registered through
`site_create`; a changed one is edited through `site_update` (version-safe); the same file again
changes nothing. The contact phone is protected: masked in the report, and a masked cell (an
export) keeps the stored number.

Activities (活动): one row an activity, keyed by (协会编码, 活动名称, 开始时间). A new row is
planned through `activity_plan`, then marked held through `activity_hold` when it says 已开展,
with its participants by group; the services' rules apply (a future activity cannot be held, an
activity awaiting approval cannot be held). An activity with physical risk is never marked held
by an import: the accident insurance is confirmed on its page.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Hashable
from typing import TYPE_CHECKING, Any

from django.db.models import Model
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from fpa.accounts.requests import as_user
from fpa.activities import jobs, services
from fpa.activities.models import PARTICIPANT_GROUPS, Activity, Category, Site, SiteKind, Theme
from fpa.core import excel
from fpa.core.excel.columns import KEEP
from fpa.core.excel.pages import ImportPage
from fpa.organizations.models import Association

if TYPE_CHECKING:
    from django.http.response import HttpResponseBase

OUT_OF_SCOPE = gettext_noop("协会编码不存在或不在您的管辖范围内。")
CLOSED_ASSOCIATION = gettext_noop("该协会已撤销，不能再登记。")
UNKNOWN_ITEM = gettext_noop("无法识别“%(value)s”，可填写：%(known)s。")
RETIRED_ITEM = gettext_noop("“%(value)s”已停用，请选择其他项。")
FUTURE_DATE = gettext_noop("日期不能晚于今天。")
OPEN_NEEDS_DATE = gettext_noop("运行中的阵地请填写启用日期。")
CLOSED_NEEDS_DATE = gettext_noop("已关闭的阵地请填写关闭日期。")
ONLY_CLOSED_DATE = gettext_noop("只有已关闭的阵地才有关闭日期。")
CLOSED_BEFORE_OPENED = gettext_noop("关闭日期不能早于启用日期。")
BAD_DATETIME = gettext_noop("时间格式不正确，请按“2024-05-29 09:00”的格式填写日期和时间。")
DATETIME_RANGE = gettext_noop("时间应在2000年至2100年之间。")
ENDS_BEFORE = gettext_noop("结束时间不能早于开始时间。")
NO_SITE = gettext_noop("本协会及上级协会没有名为“%(name)s”的阵地（或已关闭）。")
NO_PLACE = gettext_noop("请填写阵地或地点。")
NOT_STARTED = gettext_noop("活动尚未开始，不能标记为已开展。")
NEEDS_APPROVAL = gettext_noop("本活动须经上级审批后才能开展，请在平台上报批后再标记已开展。")
RISKY = gettext_noop(
    "有人身风险的活动须在活动页面上确认已投保意外险后才能标记为已开展，不能通过导入标记。"
)
NO_PARTICIPANTS = gettext_noop("已开展的活动请填写参加人数（至少一个人群）。")
PLANNED_COUNTS = gettext_noop("计划中的活动不填写参加人数和发放资料，开展后再填写。")
PLANNED_SUMMARY = gettext_noop("计划中的活动不填写活动总结，开展后再填写。")
SHORT_SUMMARY = gettext_noop("总结至少写10个字。")
BACK_TO_PLANNED = gettext_noop("已开展的活动不能通过导入改回计划中。")
CANCELLED = gettext_noop("该活动已取消，不能通过导入修改。")

# The statuses an import may ask an activity to reach.
PLANNED, HELD = "planned", "held"
TARGET_STATUSES = ((PLANNED, "计划中"), (HELD, "已开展"))
COUNT_NAMES = (*(name for name, _label in PARTICIPANT_GROUPS), "materials")


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip()


class ListItem:
    """A value of a configurable list (阵地类型, 活动类别, 主题), by its name or its code. The
    value is the code; `display` shows the name."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    def __call__(self, value: str) -> str:
        value = _fold(value)
        items = list(self.model._default_manager.values_list("code", "name", "active"))
        for code_, name, active in items:
            if value in (name, code_) or value.lower() == code_.lower():
                if not active:
                    raise ValueError(gettext(RETIRED_ITEM) % {"value": value})
                return str(code_)
        known = "、".join(name for _code, name, active in items if active)
        raise ValueError(gettext(UNKNOWN_ITEM) % {"value": value, "known": known})

    def display(self, value: Any) -> str:
        names = dict(self.model._default_manager.values_list("code", "name"))
        return str(names.get(value, value))

    def get(self, value: str | None) -> Any:
        return self.model._default_manager.get(code=value) if value else None


_DATETIME = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*[T ]?\s*"
    r"(\d{1,2})\s*[:时点]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})(?:\.\d+)?)?\s*[分秒]?"
)


class DateTime:
    """A date with its time in the local zone: 2024-05-29 09:00, 2024/5/29 9:00,
    2024年5月29日 9时00分 (full-width digits and colons too)."""

    def __call__(self, value: str) -> datetime.datetime:
        found = _DATETIME.fullmatch(_fold(value))
        if found is None:
            raise ValueError(gettext(BAD_DATETIME))
        year, month, day, hour, minute = (int(part) for part in found.groups()[:5])
        second = int(found.group(6) or 0)
        try:
            moment = datetime.datetime(year, month, day, hour, minute, second)
        except ValueError as exc:
            raise ValueError(gettext(BAD_DATETIME)) from exc
        if not 2000 <= year <= 2100:
            raise ValueError(gettext(DATETIME_RANGE))
        return timezone.make_aware(moment)

    def display(self, value: Any) -> str:
        return str(value)


def _local(moment: datetime.datetime | None) -> datetime.datetime | None:
    return timezone.localtime(moment) if moment is not None else None


def _association_column(hint: str) -> excel.Column:
    return excel.Column(
        "协会编码",
        "association",
        required=True,
        parse=excel.code(),
        export=lambda obj: obj.association.code,
        width=16,
        hint=hint,
        example="622923100201",
    )


def _resolve_associations(importer: excel.Importer, rows: list[excel.Row]) -> None:
    """协会编码 -> the association, inside the importer's scope; a row out of scope fails."""
    codes = {row.values["association"] for row in rows}
    found = {
        a.code: a for a in Association.objects.visible_to(importer.actor).filter(code__in=codes)
    }
    for row in rows:
        association = found.get(row.values["association"])
        if association is None:
            row.fail("association", gettext(OUT_OF_SCOPE))
        elif not association.is_current:
            row.fail("association", gettext(CLOSED_ASSOCIATION))
        else:
            row.values["association"] = association


# --- sites ----------------------------------------------------------------------------------------

SITE_KINDS = ListItem(SiteKind)

SITE_SHEET = excel.Sheet(
    title="服务阵地",
    columns=(
        _association_column("阵地所属的协会编码，须在您的管辖范围内"),
        excel.Column(
            "阵地类型",
            "kind",
            required=True,
            parse=SITE_KINDS,
            export=lambda s: s.kind.name,
            width=16,
            hint="如：会员之家、人口文化大院、暖心家园（见“活动设置”中的阵地类型）",
            aliases=("类型",),
        ),
        excel.Column(
            "名称",
            "name",
            required=True,
            parse=excel.text(max_length=100, min_length=2),
            width=24,
            hint="同一协会的阵地以名称识别，重复导入时修改该阵地",
            aliases=("阵地名称",),
        ),
        excel.Column("地址", "address", parse=excel.text(max_length=200), width=24, empty=""),
        excel.Column("开放时间", "opening_hours", parse=excel.text(max_length=100), empty=""),
        excel.Column(
            "联系人", "contact_name", parse=excel.text(max_length=50, name=True), empty=""
        ),
        excel.Column(
            "联系电话",
            "contact_phone",
            parse=excel.phone(),
            protected="phone",
            width=16,
            aliases=("电话",),
        ),
        excel.Column(
            "状态",
            "status",
            required=True,
            parse=excel.choice(Site.Status.choices),
            width=10,
            hint="筹建中、运行中或已关闭",
        ),
        excel.Column(
            "启用日期", "opened_on", parse=excel.date(), kind=excel.DATE, hint="运行中的阵地必填"
        ),
        excel.Column(
            "关闭日期", "closed_on", parse=excel.date(), kind=excel.DATE, hint="已关闭的阵地必填"
        ),
        excel.Column("设施", "facilities", parse=excel.text(max_length=2000), width=30, empty=""),
    ),
    key=("association", "name"),
    related=("association", "kind"),
    notes=(
        "以协会编码和名称识别阵地：已有的阵地按文件修改，其余新建。",
        "暖心家园服务的特殊家庭和阵地照片在平台上登记。",
    ),
)


class SiteImporter(excel.Importer):
    sheet = SITE_SHEET
    capability = "activity.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        _resolve_associations(self, rows)

    def key(self, row: excel.Row) -> Hashable:
        return (row.values["association"].pk, row.values["name"])

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        associations = {row.values["association"].pk for row in rows}
        names = {row.values["name"] for row in rows}
        return {
            (s.association_id, s.name): s
            for s in Site.objects.visible_to(self.actor)
            .filter(association_id__in=associations, name__in=names)
            .select_related("association", "kind")
        }

    def current(self, obj: Site, field_name: str) -> Any:
        if field_name == "kind":
            return obj.kind.code
        return getattr(obj, field_name)

    def validate(self, row: excel.Row) -> None:
        values, target = row.values, row.target
        status = values["status"]
        opened = values.get("opened_on")
        closed = values.get("closed_on")
        today = timezone.localdate()
        for name, day in (("opened_on", opened), ("closed_on", closed)):
            if day is not None and day > today:
                row.fail(name, gettext(FUTURE_DATE))
        if status == Site.Status.OPEN and opened is None:
            row.fail("opened_on", gettext(OPEN_NEEDS_DATE))
        if status == Site.Status.CLOSED and closed is None:
            row.fail("closed_on", gettext(CLOSED_NEEDS_DATE))
        if status != Site.Status.CLOSED and closed is not None:
            row.fail("closed_on", gettext(ONLY_CLOSED_DATE))
        if opened and closed and closed < opened:
            row.fail("closed_on", gettext(CLOSED_BEFORE_OPENED))
        if target is None and values.get("contact_phone") is None:
            values.pop("contact_phone", None)

    def create(self, values: dict[str, Any]) -> Site:
        data = dict(values)
        association = data.pop("association")
        kind = SITE_KINDS.get(data.pop("kind"))
        return services.site_create(
            actor=as_user(self.actor), association=association, kind=kind, **data
        )

    def update(self, obj: Site, changes: dict[str, Any]) -> Site:
        changes.pop("association", None)
        if "kind" in changes:
            changes["kind"] = SITE_KINDS.get(changes["kind"])
        return services.site_update(
            actor=as_user(self.actor), site=obj, version=obj.version, **changes
        )

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        return f"{row.values.get('name', '')}（{getattr(association, 'name', '')}）"


# --- activities -----------------------------------------------------------------------------------

CATEGORIES = ListItem(Category)
THEMES = ListItem(Theme)


def _count(name: str, label: Any) -> excel.Column:
    return excel.Column(
        str(label),
        name,
        parse=excel.integer(minimum=0, maximum=1_000_000),
        kind=excel.NUMBER,
        width=9,
        empty=0,
        hint="已开展的活动填写" if name == "members" else "",
    )


def _status_of(activity: Activity) -> str:
    if activity.status in (Activity.Status.PLANNED, Activity.Status.APPROVED):
        return PLANNED
    if activity.status in (Activity.Status.HELD, Activity.Status.SUMMARISED):
        return HELD
    return str(activity.status)


ACTIVITY_IMPORT_SHEET = excel.Sheet(
    title="活动",
    columns=(
        _association_column("主办协会的编码，须在您的管辖范围内"),
        excel.Column(
            "活动名称",
            "title",
            required=True,
            parse=excel.text(max_length=100, min_length=2),
            width=30,
        ),
        excel.Column(
            "类别",
            "category",
            required=True,
            parse=CATEGORIES,
            export=lambda a: a.category.name,
            width=12,
            hint="宣传教育、业务培训、健康服务、计生家庭帮扶、青春健康、流动人口服务、权益维护、其他",
        ),
        excel.Column(
            "主题",
            "theme",
            parse=THEMES,
            export=lambda a: a.theme.name if a.theme else "",
            width=16,
            hint="可不填，如：5·29会员活动日",
        ),
        excel.Column(
            "形式",
            "setting",
            required=True,
            parse=excel.choice(Activity.Setting.choices),
            width=9,
            hint="进学校、进企业、进社区、进家庭、线上或其他",
        ),
        excel.Column(
            "开始时间",
            "starts_at",
            required=True,
            parse=DateTime(),
            export=lambda a: _local(a.starts_at),
            width=17,
            example="2024-05-29 09:00",
            hint="日期和时间，如 2024-05-29 09:00",
        ),
        excel.Column(
            "结束时间",
            "ends_at",
            required=True,
            parse=DateTime(),
            export=lambda a: _local(a.ends_at),
            width=17,
            example="2024-05-29 11:30",
        ),
        excel.Column(
            "阵地",
            "site",
            parse=excel.text(max_length=100),
            export=lambda a: a.site.name if a.site else "",
            width=18,
            hint="本协会或上级协会的阵地名称；不在阵地举办的填写地点",
        ),
        excel.Column("地点", "place", parse=excel.text(max_length=200), width=20, empty=""),
        excel.Column(
            "有人身风险",
            "risky",
            parse=excel.boolean(),
            width=8,
            empty=False,
            hint="是或否；有风险的活动须在平台上确认投保意外险后才能标记已开展",
        ),
        excel.Column(
            "状态",
            "status",
            required=True,
            parse=excel.choice(TARGET_STATUSES),
            width=9,
            hint="计划中或已开展",
        ),
        *(_count(name, label) for name, label in PARTICIPANT_GROUPS),
        excel.Column(
            "发放资料（份）",
            "materials",
            parse=excel.integer(minimum=0, maximum=1_000_000),
            kind=excel.NUMBER,
            width=10,
            empty=0,
            aliases=("发放资料",),
        ),
        excel.Column(
            "活动总结",
            "summary",
            parse=excel.text(max_length=5000, multiline=True),
            width=40,
            empty="",
            hint="可不填；已开展的活动填写时至少10个字",
        ),
    ),
    key=("association", "title", "starts_at"),
    related=("association", "category", "theme", "site"),
    notes=(
        "以协会编码、活动名称和开始时间识别活动：已有的活动按文件修改，其余登记为新活动。",
        "状态填“已开展”的活动须已开始，并填写各人群的参加人数；须经上级审批的活动请先在平台上报批。",
        "有人身风险的活动须在活动页面上确认投保意外险后标记已开展。",
    ),
)


class ActivityImporter(excel.Importer):
    sheet = ACTIVITY_IMPORT_SHEET
    capability = "activity.edit"

    def prepare(self, rows: list[excel.Row]) -> None:
        _resolve_associations(self, rows)
        live = [row for row in rows if row.ok]
        # 阵地: a site of the organiser or of one of its ancestors, the nearest by that name.
        codes = {code for row in live for code in row.values["association"].ancestor_codes()}
        names = {row.values["site"] for row in live if row.values.get("site")}
        sites: dict[tuple[str, str], Site] = {}
        if names:
            for site in (
                Site.objects.filter(association__code__in=codes, name__in=names)
                .exclude(status=Site.Status.CLOSED)
                .select_related("association")
                .order_by("id")
            ):
                sites.setdefault((site.association.code, site.name), site)
        approvals: dict[int, bool] = {}
        for row in live:
            association = row.values["association"]
            name = row.values.get("site")
            if name:
                found = next(
                    (
                        sites[(code, name)]
                        for code in reversed(association.ancestor_codes())
                        if (code, name) in sites
                    ),
                    None,
                )
                if found is None:
                    row.fail("site", gettext(NO_SITE) % {"name": name})
                else:
                    row.values["site"] = found
            if row.values["status"] == HELD and association.pk not in approvals:
                approvals[association.pk] = services.approval_required(association)
        self._approval = approvals

    def key(self, row: excel.Row) -> Hashable:
        starts_at = row.values["starts_at"].replace(microsecond=0)
        return (row.values["association"].pk, row.values["title"], starts_at)

    def existing(self, rows: list[excel.Row]) -> dict[Hashable, Any]:
        associations = {row.values["association"].pk for row in rows}
        titles = {row.values["title"] for row in rows}
        starts = {row.values["starts_at"] for row in rows}
        return {
            (a.association_id, a.title, a.starts_at.replace(microsecond=0)): a
            for a in Activity.objects.visible_to(self.actor)
            .filter(association_id__in=associations, title__in=titles, starts_at__in=starts)
            .select_related("association", "category", "theme", "site")
        }

    def current(self, obj: Activity, field_name: str) -> Any:
        if field_name == "category":
            return obj.category.code
        if field_name == "theme":
            return obj.theme.code if obj.theme else None
        if field_name == "status":
            return _status_of(obj)
        if field_name == "site":
            return obj.site
        if field_name in ("starts_at", "ends_at"):
            return _local(getattr(obj, field_name))
        return getattr(obj, field_name)

    def validate(self, row: excel.Row) -> None:
        values, target = row.values, row.target
        if not values.get("site"):
            values["site"] = None
        if target is not None and target.status == Activity.Status.CANCELLED:
            row.fail(None, gettext(CANCELLED))
            return
        if values["ends_at"] < values["starts_at"]:
            row.fail("ends_at", gettext(ENDS_BEFORE))
        if (
            values["site"] is None
            and not values.get("place")
            and values["setting"] != Activity.Setting.ONLINE
        ):
            row.fail("place", gettext(NO_PLACE))
        counted = sum(values.get(name) or 0 for name in COUNT_NAMES)
        summary = values.get("summary") or ""
        was_held = target is not None and _status_of(target) == HELD
        if values["status"] == PLANNED:
            if was_held:
                row.fail("status", gettext(BACK_TO_PLANNED))
            if counted:
                row.fail("members", gettext(PLANNED_COUNTS))
            if summary:
                row.fail("summary", gettext(PLANNED_SUMMARY))
            return
        if sum(values.get(name) or 0 for name, _label in PARTICIPANT_GROUPS) <= 0:
            row.fail("members", gettext(NO_PARTICIPANTS))
        if summary and len(summary) < 10:
            row.fail("summary", gettext(SHORT_SUMMARY))
        if target is not None and not summary:
            values["summary"] = KEEP  # an empty cell leaves a written summary alone
        if was_held:
            return
        if values["starts_at"] > timezone.now():
            row.fail("status", gettext(NOT_STARTED))
        if values["risky"]:
            row.fail("risky", gettext(RISKY))
        approved = target is not None and target.status == Activity.Status.APPROVED
        if not approved and self._approval.get(values["association"].pk):
            row.fail("status", gettext(NEEDS_APPROVAL))

    def _plan_fields(self, values: dict[str, Any]) -> dict[str, Any]:
        plan = {k: v for k, v in values.items() if k in services.PLAN_FIELDS}
        if "category" in plan:
            plan["category"] = CATEGORIES.get(plan["category"])
        if "theme" in plan:
            plan["theme"] = THEMES.get(plan["theme"])
        return plan

    def _counts(self, values: dict[str, Any]) -> dict[str, Any]:
        return {name: values.get(name) or 0 for name in COUNT_NAMES}

    def create(self, values: dict[str, Any]) -> Activity:
        actor = as_user(self.actor)
        plan = self._plan_fields(values)
        activity = services.activity_plan(actor=actor, association=values["association"], **plan)
        if values["status"] == HELD:
            activity = services.activity_hold(
                actor=actor,
                activity=activity,
                **self._counts(values),
            )
            if values.get("summary"):
                activity = services.activity_summarise(
                    actor=actor, activity=activity, summary=values["summary"]
                )
        return activity

    def update(self, obj: Activity, changes: dict[str, Any]) -> Activity:
        actor = as_user(self.actor)
        plan = self._plan_fields(changes)
        activity = obj
        if plan:
            activity = services.activity_update(
                actor=actor, activity=activity, version=activity.version, **plan
            )
        counts = {name: changes.get(name, getattr(activity, name)) for name in COUNT_NAMES}
        if changes.get("status") == HELD:
            activity = services.activity_hold(
                actor=actor, activity=activity, version=activity.version, **counts
            )
        elif any(name in changes for name in COUNT_NAMES):
            activity = services.activity_record_counts(
                actor=actor, activity=activity, version=activity.version, **counts
            )
        if changes.get("summary"):
            activity = services.activity_summarise(
                actor=actor,
                activity=activity,
                summary=changes["summary"],
                highlight=activity.highlight,
                version=activity.version,
            )
        return activity

    def label(self, row: excel.Row) -> str:
        association = row.values.get("association")
        return f"{row.values.get('title', '')}（{getattr(association, 'name', '')}）"


# --- the pages ------------------------------------------------------------------------------------


def _template(sheet: excel.Sheet) -> Any:
    def blank() -> HttpResponseBase:
        return excel.template_response(sheet)

    return blank


SITE_IMPORT = ImportPage(
    kind=jobs.IMPORT_SITES,
    sheet=SITE_SHEET,
    importer=SiteImporter,
    template="activities/import_sites.html",
    blank=_template(SITE_SHEET),
    page_url=reverse_lazy("activities:import_sites"),
    done_url=reverse_lazy("activities:sites"),
    done_message=lambda r: (
        gettext("导入完成：新建%(created)s个阵地，修改%(updated)s个，%(unchanged)s个未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)
ACTIVITY_IMPORT = ImportPage(
    kind=jobs.IMPORT_ACTIVITIES,
    sheet=ACTIVITY_IMPORT_SHEET,
    importer=ActivityImporter,
    template="activities/import_activities.html",
    blank=_template(ACTIVITY_IMPORT_SHEET),
    page_url=reverse_lazy("activities:import_activities"),
    done_url=reverse_lazy("activities:list"),
    done_message=lambda r: (
        gettext("导入完成：新登记%(created)s次活动，修改%(updated)s次，%(unchanged)s次未变化。")
        % {"created": r.created, "updated": r.updated, "unchanged": r.unchanged}
    ),
)
