"""The report kinds, in the layout of the forms associations file (docs: reports.md).

A kind is a list of sections, each a list of field keys; the fields themselves are declared by
the modules that own the figures (`fpa.reports.fields`). A key that no installed module declares
is entered by hand, under the label and unit given here (`HAND`). Checks say which figures must
add up (a total equals its parts). The county may add simple kinds of numeric hand fields
(`CustomKind`), which `kind_get` returns in the same shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from django.utils.translation import gettext_noop

from fpa.reports.fields import MONTH, QUARTER, YEAR, ReportField, registered_fields


@dataclass(frozen=True)
class Section:
    title: str
    keys: tuple[str, ...]


@dataclass(frozen=True)
class SumCheck:
    """`total` equals the sum of `parts`."""

    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    periodicity: str
    sections: tuple[Section, ...]
    sums: tuple[SumCheck, ...] = ()
    custom: bool = False
    hand: dict[str, ReportField] = field(default_factory=dict)  # custom kinds' fields

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for section in self.sections for key in section.keys)

    def field(self, key: str) -> ReportField:
        """The registered field, or the hand field this kind names."""
        return registered_fields().get(key) or self.hand.get(key) or HAND[key]


def _hand(key: str, label: str, unit: str = gettext_noop("个"), **extra: bool) -> ReportField:
    return ReportField(key=key, label=label, unit=unit, **extra)  # type: ignore[arg-type]


HOUSEHOLDS, PEOPLE, TIMES, YUAN = (
    gettext_noop("户"),
    gettext_noop("人"),
    gettext_noop("次"),
    gettext_noop("元"),
)
# 八大项目: (code, events label, people label); each label whole, so it is translated whole.
# The activities module derives these fields with the same keys and labels.
PROJECTS = (
    ("publicity", gettext_noop("宣传教育·活动次数"), gettext_noop("宣传教育·服务人数")),
    ("training", gettext_noop("业务培训·活动次数"), gettext_noop("业务培训·服务人数")),
    ("health", gettext_noop("健康服务·活动次数"), gettext_noop("健康服务·服务人数")),
    (
        "family_support",
        gettext_noop("计生家庭帮扶·活动次数"),
        gettext_noop("计生家庭帮扶·服务人数"),
    ),
    ("youth", gettext_noop("青春健康·活动次数"), gettext_noop("青春健康·服务人数")),
    ("migrants", gettext_noop("流动人口服务·活动次数"), gettext_noop("流动人口服务·服务人数")),
    ("rights", gettext_noop("权益维护·活动次数"), gettext_noop("权益维护·服务人数")),
    ("other", gettext_noop("其他·活动次数"), gettext_noop("其他·服务人数")),
)
# 暖心行动 visits: (code, households label, people label).
VISITS = (
    ("routine", gettext_noop("日常走访（户）"), gettext_noop("日常走访（人）")),
    ("festival", gettext_noop("节日看望（户）"), gettext_noop("节日看望（人）")),
    ("birthday", gettext_noop("生日陪伴（户）"), gettext_noop("生日陪伴（人）")),
    ("hospital", gettext_noop("住院探望（户）"), gettext_noop("住院探望（人）")),
    ("emergency", gettext_noop("突发事件（户）"), gettext_noop("突发事件（人）")),
)

# Fields entered by hand until a module declares them (same key, same meaning).
_HAND_FIELDS = [
    # 特殊家庭帮扶月报 (the families module derives these when installed)
    _hand("families.special.total", gettext_noop("月末在册特殊家庭"), HOUSEHOLDS),
    _hand("families.special.bereaved", gettext_noop("其中：失独家庭"), HOUSEHOLDS),
    _hand("families.special.disabled", gettext_noop("其中：伤残家庭"), HOUSEHOLDS),
    _hand("families.special.complication", gettext_noop("其中：并发症家庭"), HOUSEHOLDS),
    _hand("families.new.bereaved", gettext_noop("新增失独人员（户）"), HOUSEHOLDS),
    _hand("families.new.disabled", gettext_noop("新增伤残家庭"), HOUSEHOLDS),
    _hand("families.new.counselling", gettext_noop("新增心理干预人员（户）"), HOUSEHOLDS),
    _hand("families.moved_out", gettext_noop("需信息迁移人员（迁出户数）"), HOUSEHOLDS),
    _hand("families.changed", gettext_noop("需信息变更人员（注销、亡故、恢复）"), HOUSEHOLDS),
    _hand("families.care_records", gettext_noop("帮扶记录"), TIMES),
    _hand("families.open_needs", gettext_noop("月末未办结诉求"), gettext_noop("件")),
    # 暖心行动
    _hand("warmth.survey.households", gettext_noop("需求调查户数"), HOUSEHOLDS),
    _hand("warmth.survey.people", gettext_noop("需求调查人数"), PEOPLE),
    _hand("insurance.claims.cases", gettext_noop("保险理赔件数"), gettext_noop("件")),
    _hand("insurance.claims.amount", gettext_noop("保险理赔金额"), YUAN, money=True),
    _hand("warmth.mental.households", gettext_noop("心理健康服务户数"), HOUSEHOLDS),
    _hand("warmth.mental.people", gettext_noop("心理健康服务人数"), PEOPLE),
    _hand("warmth.mental.files", gettext_noop("建立心理档案"), gettext_noop("份")),
    _hand("warmth.mental.assessments", gettext_noop("心理评估"), TIMES),
    *[
        _hand(f"warmth.visits.{code}.{what}", label, unit)
        for code, households, people in VISITS
        for what, label, unit in (
            ("households", households, HOUSEHOLDS),
            ("people", people, PEOPLE),
        )
    ],
    _hand("warmth.events", gettext_noop("服务活动场次"), TIMES),
    _hand("warmth.events.people", gettext_noop("服务活动人数"), PEOPLE),
    # 八大项目 (the activities module derives these when installed)
    *[
        field
        for code, events, people in PROJECTS
        for field in (
            _hand(f"projects.{code}.events", events, TIMES),
            _hand(f"projects.{code}.people", people, PEOPLE),
        )
    ],
    # 年度工作报表
    _hand("annual.youth.lectures", gettext_noop("青少年/家长讲座培训场次"), TIMES),
    _hand("annual.youth.attendance", gettext_noop("青少年/家长讲座培训人次"), PEOPLE),
    _hand("annual.trainers", gettext_noop("师资（市、县级）"), PEOPLE),
    _hand("annual.bases", gettext_noop("基地"), gettext_noop("个")),
    _hand("annual.peer_clubs", gettext_noop("建立青春健康同伴社的高校"), gettext_noop("所")),
    _hand("annual.pairings", gettext_noop("会员、志愿者与特殊家庭结对"), gettext_noop("对")),
    _hand("annual.non_enterprise", gettext_noop("相关民办非企业单位"), gettext_noop("个")),
    _hand("annual.villages", gettext_noop("村（社区）"), gettext_noop("个")),
    _hand("annual.rules_revised", gettext_noop("新修订计生村规民约的村"), gettext_noop("个")),
    _hand("annual.rules_pending", gettext_noop("待修订计生村规民约的村"), gettext_noop("个")),
    _hand("annual.rights_pilots", gettext_noop("维权试点"), gettext_noop("个")),
    _hand("annual.helped.households", gettext_noop("帮扶户数"), HOUSEHOLDS),
    _hand("annual.relief.amount", gettext_noop("慰问救助资金"), YUAN, money=True),
    _hand("annual.wishes", gettext_noop("圆梦微心愿"), gettext_noop("个")),
    _hand("annual.wishes.amount", gettext_noop("圆梦微心愿金额"), YUAN, money=True),
    _hand("activities.materials", gettext_noop("发放宣传资料"), gettext_noop("份")),
    _hand("activities.media", gettext_noop("县级以上电视、报纸报道"), TIMES),
    _hand("annual.wechat_articles", gettext_noop("官方微信公众号发文"), gettext_noop("篇")),
    _hand(
        "annual.enterprise_associations", gettext_noop("企业、流动人口计生协"), gettext_noop("个")
    ),
    _hand("annual.trainings", gettext_noop("举办培训班"), gettext_noop("期")),
    _hand("volunteers.teams", gettext_noop("志愿者队伍"), gettext_noop("支")),
    _hand("volunteers.active", gettext_noop("志愿者"), PEOPLE),
    # 组织建设报表
    _hand("org.areas", gettext_noop("行政区域"), gettext_noop("个")),
    _hand("org.associations", gettext_noop("计生协组织"), gettext_noop("个")),
    _hand("org.party_groups", gettext_noop("党组（党支部）"), gettext_noop("个")),
    _hand("org.departments", gettext_noop("内设机构"), gettext_noop("个")),
    _hand("org.posts", gettext_noop("编制数"), gettext_noop("名")),
    _hand("org.staff", gettext_noop("在编人员"), PEOPLE),
    _hand("org.staff.women", gettext_noop("其中：女性"), PEOPLE),
    _hand("org.staff.party", gettext_noop("其中：党员"), PEOPLE),
    _hand("org.part_time", gettext_noop("兼职及聘用人员"), PEOPLE),
    _hand("org.council", gettext_noop("理事"), PEOPLE),
    _hand("org.standing_council", gettext_noop("常务理事"), PEOPLE),
    _hand("org.congress", gettext_noop("会员代表"), PEOPLE),
    _hand("org.member_homes", gettext_noop("会员之家"), gettext_noop("个")),
    _hand("org.sites", gettext_noop("活动阵地"), gettext_noop("个")),
    _hand("org.appropriation", gettext_noop("本年度政府拨款"), YUAN, money=True),
    # 会员报表
    _hand("members.total", gettext_noop("会员总数"), PEOPLE),
    _hand("members.male", gettext_noop("其中：男性"), PEOPLE),
    _hand("members.individual", gettext_noop("个人会员"), PEOPLE),
    _hand("members.group", gettext_noop("团体会员"), PEOPLE),
    _hand("members.migrant", gettext_noop("流动人口会员"), PEOPLE),
    _hand("members.resident", gettext_noop("常住会员"), PEOPLE),
    _hand("members.bereaved", gettext_noop("失独会员"), PEOPLE),
    _hand("members.childbearing", gettext_noop("育龄会员"), PEOPLE),
    _hand("members.youth", gettext_noop("青少年会员"), PEOPLE),
]
# 暖心行动 figures are reported as running totals of the year (本年累计).
CUMULATIVE_PREFIXES = ("warmth.", "insurance.claims.")
HAND: dict[str, ReportField] = {
    f.key: replace(f, cumulative=True) if f.key.startswith(CUMULATIVE_PREFIXES) else f
    for f in _HAND_FIELDS
}

MONTHLY_SPECIAL = Kind(
    key="monthly_special",
    label=gettext_noop("特殊家庭帮扶月报"),
    periodicity=MONTH,
    sections=(
        Section(
            gettext_noop("月末在册"),
            (
                "families.special.total",
                "families.special.bereaved",
                "families.special.disabled",
                "families.special.complication",
            ),
        ),
        Section(
            gettext_noop("本月新增与变更"),
            (
                "families.new.bereaved",
                "families.new.disabled",
                "families.new.counselling",
                "families.moved_out",
                "families.changed",
            ),
        ),
        Section(gettext_noop("帮扶与诉求"), ("families.care_records", "families.open_needs")),
    ),
    sums=(
        SumCheck(
            "families.special.total",
            (
                "families.special.bereaved",
                "families.special.disabled",
                "families.special.complication",
            ),
        ),
    ),
)

WARMTH = Kind(
    key="warmth_quarterly",
    label=gettext_noop("暖心行动季报（本年累计）"),
    periodicity=QUARTER,
    sections=(
        Section(gettext_noop("需求调查"), ("warmth.survey.households", "warmth.survey.people")),
        Section(gettext_noop("保险理赔"), ("insurance.claims.cases", "insurance.claims.amount")),
        Section(
            gettext_noop("心理健康服务"),
            (
                "warmth.mental.households",
                "warmth.mental.people",
                "warmth.mental.files",
                "warmth.mental.assessments",
            ),
        ),
        Section(
            gettext_noop("走访慰问落实"),
            tuple(
                f"warmth.visits.{code}.{what}"
                for code, _h, _p in VISITS
                for what in ("households", "people")
            ),
        ),
        Section(gettext_noop("服务活动开展"), ("warmth.events", "warmth.events.people")),
    ),
)

ANNUAL = Kind(
    key="annual_work",
    label=gettext_noop("年度工作报表"),
    periodicity=YEAR,
    sections=(
        Section(
            gettext_noop("八大项目"),
            tuple(
                f"projects.{code}.{what}"
                for code, _e, _p in PROJECTS
                for what in ("events", "people")
            ),
        ),
        Section(
            gettext_noop("青春健康与培训"),
            (
                "annual.youth.lectures",
                "annual.youth.attendance",
                "annual.trainers",
                "annual.bases",
                "annual.peer_clubs",
                "annual.trainings",
            ),
        ),
        Section(
            gettext_noop("帮扶服务"),
            (
                "annual.pairings",
                "annual.helped.households",
                "annual.relief.amount",
                "annual.wishes",
                "annual.wishes.amount",
            ),
        ),
        Section(
            gettext_noop("基层组织与宣传"),
            (
                "annual.non_enterprise",
                "annual.villages",
                "annual.rules_revised",
                "annual.rules_pending",
                "annual.rights_pilots",
                "activities.materials",
                "activities.media",
                "annual.wechat_articles",
                "annual.enterprise_associations",
            ),
        ),
        Section(gettext_noop("志愿服务"), ("volunteers.teams", "volunteers.active")),
    ),
)

ORGANISATION = Kind(
    key="organisation",
    label=gettext_noop("组织建设报表"),
    periodicity=YEAR,
    sections=(
        Section(
            gettext_noop("组织机构"),
            ("org.areas", "org.associations", "org.party_groups", "org.departments", "org.posts"),
        ),
        Section(
            gettext_noop("工作人员"),
            ("org.staff", "org.staff.women", "org.staff.party", "org.part_time"),
        ),
        Section(
            gettext_noop("理事会与会员组织"),
            (
                "org.council",
                "org.standing_council",
                "org.congress",
                "volunteers.active",
                "volunteers.teams",
                "org.member_homes",
                "org.sites",
            ),
        ),
        Section(gettext_noop("经费"), ("org.appropriation",)),
    ),
)

MEMBERS = Kind(
    key="members",
    label=gettext_noop("会员报表"),
    periodicity=YEAR,
    sections=(
        Section(
            gettext_noop("会员"),
            (
                "members.total",
                "members.male",
                "members.individual",
                "members.group",
                "members.migrant",
                "members.resident",
                "members.bereaved",
                "members.childbearing",
                "members.youth",
            ),
        ),
    ),
    sums=(
        SumCheck(
            "members.total",
            ("members.individual", "members.group", "members.migrant", "members.resident"),
        ),
    ),
)

BUILT_IN: dict[str, Kind] = {
    k.key: k for k in (MONTHLY_SPECIAL, WARMTH, ANNUAL, ORGANISATION, MEMBERS)
}
