"""A living demo care fund (`make run`), made through the services: the county's fund with its
rules, a year of appropriations and donations (some restricted, some in kind, most donors
published), grants at every step of the workflow, public notices, comments and replies.

Everything is synthetic (faker zh_CN names, random.Random(2023)). Shortcuts are taken where the
services follow the calendar: the grants paid in the past get their steps and notice period moved
into the past (noticed first, paid after), one approved grant's notice is over so that finance has
one to pay, and one comment gets a deadline in the past so that the public page has an overdue
reply to show.
"""

from __future__ import annotations

import datetime
import random

from django.utils import timezone
from faker import Faker

from fpa.accounts.models import User
from fpa.core.demo import DemoCast
from fpa.families.models import Family
from fpa.fund import services
from fpa.fund.models import Account, Feedback, Fund, Grant
from fpa.organizations.models import Association

SEED = 2023
RULES = "\n".join(
    [
        "第一条　为规范永靖县生育关怀基金（以下简称基金）的募集、管理和使用，依据《永靖县"
        "计划生育协会综合改革实施方案》（永政办发\u30142023\u301538号）第十七项措施，制定本"
        "办法。",
        "第二条　基金按照“社会参与、系统整合、群众受益”的原则，依法依规向社会募集，专款专用。",
        "第三条　基金用于生殖健康教育促进项目，扶助计生失独和伤残家庭，关心“三留守”家庭"
        "和计生困难家庭等活动。",
        "第四条　捐赠人可指定用途（限定用途），基金按指定用途使用；捐赠人可选择是否公开姓名。",
        "第五条　资助须经申请、乡镇审核、县级审批，审批后公示七天，公示期内任何人可提出异议；"
        "公示期满、异议均已答复后由财务支付。",
        "第六条　基金的募集、管理、使用全过程公开，接受社会监督评价；受助人个人信息依法保"
        "护，不予公开。",
        "第七条　本办法由县计划生育协会负责解释，自发布之日起施行。",
    ]
)
AMOUNTS = [100, 200, 500, 1000, 2000, 5000, 10000]
COMMENTS = [
    (5, "每一笔捐赠都能查到去向，很放心。"),
    (4, "希望年度报告能早点公布。"),
    (5, "公示很及时，点赞。"),
    (3, "建议增加心理服务方面的支出。"),
]


def seed_fund(cast: DemoCast) -> dict[str, int]:
    county, finance = cast.county, cast.finance
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo data, not secrets
    fake = Faker("zh_CN")
    fake.seed_instance(SEED)
    today = timezone.localdate()
    accounts = {a.code: a for a in Account.objects.all()}
    fund = services.fund_create(
        actor=county, association=Association.objects.get(code="622923"), name="永靖县生育关怀基金"
    )
    services.rules_publish(actor=county, fund=fund, title="永靖县生育关怀基金管理办法", body=RULES)
    start = today - datetime.timedelta(days=330)
    for code, amount, days in (
        ("4101", "200000.00", 0),
        ("4105", "50000.00", 60),
        ("4106", "30000.00", 120),
    ):
        services.income_record(
            actor=finance,
            fund=fund,
            category=accounts[code],
            amount=amount,
            asset_account=accounts["1002"],
            date=start + datetime.timedelta(days=days),
            memo="（演示）",
        )
    donations = _donations(fund, finance, fake, rng, start, today, accounts)
    grants = _grants(fund, cast, rng, today, accounts)
    services.income_record(
        actor=finance,
        fund=fund,
        category=accounts["4107"],
        amount="312.45",
        asset_account=accounts["1002"],
        date=today,
        memo="（演示）季度利息",
    )
    feedback = _feedback(fund, county, rng)
    return {"fund donations": donations, "fund grants": grants, "fund feedback": feedback}


def _donations(
    fund: Fund,
    finance: User,
    fake: Faker,
    rng: random.Random,
    start: datetime.date,
    today: datetime.date,
    accounts: dict[str, Account],
) -> int:
    count = 0
    for i in range(36):
        day = start + datetime.timedelta(days=rng.randrange((today - start).days + 1))
        enterprise = rng.random() < 0.35
        in_kind = rng.random() < 0.12
        services.donation_record(
            actor=finance,
            fund=fund,
            donor_name=fake.company() if enterprise else fake.name(),
            donor_kind="enterprise" if enterprise else "individual",
            form="in_kind" if in_kind else "cash",
            channel=rng.choice(["bank", "online", "cash"]),
            amount=f"{rng.choice(AMOUNTS) + rng.randrange(0, 100)}.00",
            received_on=day,
            in_kind_description="米面油慰问品一批" if in_kind else "",
            restricted_purpose=accounts["5104"] if i % 9 == 0 else None,
            publish_name=rng.random() < 0.7,
        )
        count += 1
    return count


def _grants(
    fund: Fund,
    cast: DemoCast,
    rng: random.Random,
    today: datetime.date,
    accounts: dict[str, Account],
) -> int:
    """Grants at every step in the fund's order (notice first): waiting for review, for
    approval, in their notice (公示中（待支付）), noticed and waiting for finance, paid, closed;
    and the single-administrator case: an application of the township that the county
    administrator reviewed in its place, which only the vice-chair may now approve."""
    county, finance, township, village = cast.county, cast.finance, cast.township, cast.village
    families = list(
        Family.objects.filter(association__path__startswith="/62/6229/622923/622923100/").order_by(
            "pk"
        )
    )
    categories = ["5101", "5102", "5103", "5104", "5108"]
    made = 0
    reviewed_in_place = False
    for n, family in enumerate(families * 2):
        category = accounts[categories[n % len(categories)]]
        grant = services.grant_apply(
            actor=village if family.association_id == village.home_association_id else township,
            association=family.association,
            target=Grant.Target.FAMILY,
            family=family,
            category=category,
            amount=f"{rng.choice([300, 500, 800, 1000, 1500])}.00",
            purpose="（演示）家庭困难，申请帮扶。",
        )
        made += 1
        stage = n % 5
        if grant.applicant_id == township.pk and cast.vice_chair and not reviewed_in_place:
            # The township cannot review its own application: the county administrator does,
            # and so may not approve it too; the vice-chair's to-do shows it.
            services.grant_review(actor=county, grant=grant, approve=True)
            reviewed_in_place = True
            continue
        if grant.applicant_id == township.pk or stage == 0:
            continue  # waits for the township's review
        grant = services.grant_review(actor=township, grant=grant, approve=True)
        if stage == 1:
            continue
        grant = services.grant_approve(actor=county, grant=grant, approve=True)
        if stage == 2:
            if n % 2:  # Demo shortcut: an older approval whose notice is over, for finance.
                _back_date(grant, today - datetime.timedelta(days=1), fund.notice_days)
            continue
        paid_on = today - datetime.timedelta(days=rng.randrange(1, 200))
        # Demo shortcut: an old grant, noticed before it was paid.
        grant = _back_date(grant, paid_on - datetime.timedelta(days=1), fund.notice_days)
        grant = services.grant_pay(
            actor=finance, grant=grant, source_account=accounts["1002"], paid_on=paid_on
        )
        if stage == 4:
            services.grant_close(actor=county, grant=grant, version=grant.version)
    assert village.home_association is not None  # the demo village's staff account
    activity = services.grant_apply(
        actor=village,
        association=village.home_association,
        target=Grant.Target.ACTIVITY,
        category=accounts["5105"],
        amount="2600.00",
        activity_name="（演示）“5·29会员活动日”健康讲座",
        purpose="（演示）场地、资料与讲师费用。",
    )
    activity = services.grant_review(actor=township, grant=activity, approve=True)
    services.grant_approve(actor=cast.vice_chair or county, grant=activity, approve=True)
    return made + 1


def _back_date(grant: Grant, notice_until: datetime.date, notice_days: int) -> Grant:
    """Demo shortcut: move a grant's application, review, approval and notice into the past,
    its notice ending on `notice_until` (the services follow the calendar)."""
    approved = timezone.make_aware(
        datetime.datetime.combine(
            notice_until - datetime.timedelta(days=notice_days), datetime.time(10)
        )
    )
    Grant.objects.filter(pk=grant.pk).update(
        created_at=approved - datetime.timedelta(days=5),
        reviewed_at=approved - datetime.timedelta(days=2),
        approved_at=approved,
        notice_until=notice_until,
    )
    grant.refresh_from_db()
    return grant


def _feedback(fund: Fund, county: User, rng: random.Random) -> int:
    """Comments as the public sees them: reviewed and published, except the last, still held
    for review (the county's queue shows it); the objection is held too. No text names a
    beneficiary or an address."""
    items = [
        services.feedback_submit(fund=fund, kind=Feedback.Kind.COMMENT, rating=rating, text=text)
        for rating, text in COMMENTS
    ]
    for item in items[:-1]:
        services.feedback_publish(actor=county, feedback=item)
    services.feedback_reply(
        actor=county, feedback=items[1], reply="年度报告将于次年一月公开，感谢监督。"
    )
    services.feedback_reply(actor=county, feedback=items[3], reply="已纳入下一年度预算安排。")
    # Demo shortcut: one question whose reply is late, for the county's overdue list.
    Feedback.objects.filter(pk=items[2].pk).update(
        reply_due=timezone.localdate() - datetime.timedelta(days=3)
    )
    # An objection to a grant in its notice: it holds the payment until it is answered.
    in_notice = Grant.objects.filter(fund=fund, status=Grant.Status.NOTICE).order_by("pk").first()
    if in_notice is not None and in_notice.in_notice():
        services.feedback_submit(
            fund=fund,
            grant=in_notice,
            kind=Feedback.Kind.OBJECTION,
            text="（演示）请核实该资助是否符合条件。",
        )
    return len(items) + 1


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_fund(cast)
