"""Deterministic demo data of the reform task book (`make run`), made through the services:
永靖县's plan with its 21 measures (the county's 2023 reform plan), about ten county tasks,
several handed down to townships, in every status: done (accepted), marked complete and
waiting for the vice-chair's acceptance, on track, due within 7 days, overdue, not started;
progress reports with links to platform pages; the ladder on the overdue task (a reminder, a
督办单 answered by 刘家峡镇 and one still open for 盐锅峡镇, a 约谈); one extension approved and
one waiting. Dates are relative to today, so the statuses hold whenever the demo is loaded."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from fpa.core.demo import DemoCast
from fpa.organizations.models import Association
from fpa.tasks import services
from fpa.tasks.models import Measure, Task

COUNTY = "622923"
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
DAZHUANG = "622923100201"
# The measures of 永靖县计划生育协会改革实施方案 (2023), by their number in the plan.
MEASURES = (
    "明确职能任务",
    "优化组织机构",
    "改进管理方式",
    "加强作风建设",
    "开展宣传教育",
    "加强优生优育指导",
    "扎实推进生殖健康服务",
    "推进计划生育家庭帮扶",
    "积极融入基层社会治理",
    "提升流动人口服务",
    "健全组织网络体系",
    "增强基层服务能力",
    "加强志愿者队伍建设",
    "增强计生协组织的广泛性和代表性",
    "深入实施“暖心行动”",
    "深化“五关怀”活动",
    "设立生育关怀基金",
    "加强组织领导",
    "坚持统筹推进",
    "加强业务指导",
    "做好督促评估",
)


def _day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def _place(code: str) -> Association:
    return Association.objects.get(code=code)


class _Plan:
    def __init__(self, cast: DemoCast) -> None:
        self.county = cast.county
        self.vice_chair = cast.vice_chair or cast.county
        self.ljx = cast.townships.get(LIUJIAXIA, cast.township)
        self.ygx = cast.townships.get(YANGUOXIA)
        self.village = cast.village
        self.measures = {
            number: services.measure_create(actor=cast.county, number=number, title=title)
            for number, title in enumerate(MEASURES, start=1)
        }

    def task(self, number: int, title: str, start: int, deadline: int, **extra: Any) -> Task:
        return services.task_create(
            actor=self.county,
            measure=self.measures[number],
            title=title,
            association=extra.pop("association", None) or _place(COUNTY),
            start_on=_day(start),
            deadline=_day(deadline),
            deliverables=extra.pop("deliverables", "按期完成并上报佐证材料。"),
            **extra,
        )

    def down(self, task: Task, *codes: str) -> dict[str, Task]:
        copies = services.task_delegate(
            actor=self.county, task=task, associations=[_place(c) for c in codes]
        )
        return {c.association.code: c for c in copies}

    def report(self, actor: Any, task: Task, percent: int, text: str, links: str = "") -> None:
        services.report_add(
            actor=actor,
            task=task,
            reported_on=timezone.localdate(),
            text=text,
            percent=percent,
            links=links,
        )


def seed_tasks(cast: DemoCast) -> dict[str, int]:
    plan = _Plan(cast)
    # Done: the plan's own timetable, completed by the county and accepted by the vice-chair.
    book = plan.task(
        19,
        "制定改革时间表、路线图和任务书",
        -200,
        -120,
        lead_department="县卫生健康局",
        deliverables="印发改革任务书，明确每项措施的牵头单位、配合单位和完成时限。",
    )
    plan.report(plan.county, book, 100, "任务书已印发各乡镇。", "/tasks/book/")
    services.task_complete(actor=plan.county, task=book, note="已印发")
    services.task_accept(actor=plan.vice_chair, task=book, note="材料齐全")
    # On track in two townships.
    organs = plan.task(
        2,
        "健全乡镇计生协工作机构，配齐配强领导班子",
        -90,
        60,
        co_departments="县委编办、县财政局",
        deliverables="各乡镇计生协机构、人员编制落实到位，名单报县计生协备案。",
    )
    copies = plan.down(organs, LIUJIAXIA, YANGUOXIA)
    plan.report(plan.ljx, copies[LIUJIAXIA], 50, "已完成班子调整，正在办理备案。", "/org/")
    if plan.ygx is not None:
        plan.report(plan.ygx, copies[YANGUOXIA], 30, "已拟定人选，待党委研究。")
    # Due within 7 days.
    contact = plan.task(4, "建立干部直接联系基层制度", -60, 5)
    plan.report(plan.county, contact, 70, "制度初稿已征求意见。")
    # Overdue: the supervision ladder.
    network = plan.task(
        11,
        "推动乡镇、村计生协组织建设全覆盖",
        -150,
        -10,
        deliverables="乡镇、村（社区）计生协全部建立，备案率100%。",
    )
    copies = plan.down(network, LIUJIAXIA, YANGUOXIA)
    ljx_net = copies[LIUJIAXIA]
    plan.report(plan.ljx, ljx_net, 80, "尚有2个村未完成备案。", "/org/filings/")
    notice = services.notice_issue(
        actor=plan.county,
        task=ljx_net,
        problem="未按期完成村级计生协备案。",
        new_deadline=_day(7),
        required_answer="说明原因，报送整改计划。",
    )
    services.notice_answer(
        actor=plan.ljx,
        notice=notice,
        answer="2个村因换届推迟，已于本周补报备案材料。",
        links="/org/filings/",
    )
    asked = services.extension_request(
        actor=plan.ljx,
        task=ljx_net,
        requested_deadline=_day(30),
        reason="村委会换届，备案材料须换届后重新填报。",
    )
    services.extension_decide(actor=plan.county, extension=asked, approve=True, note="同意延期")
    ygx_net = copies[YANGUOXIA]
    services.task_remind(actor=plan.county, task=ygx_net, message="请尽快报告进展。")
    services.notice_issue(
        actor=plan.county,
        task=ygx_net,
        problem="逾期未报告进展。",
        new_deadline=_day(5),
        required_answer="报告进展情况并附佐证材料。",
    )
    services.interview_record(
        actor=plan.county,
        task=ygx_net,
        held_on=timezone.localdate(),
        attendees="县计生协常务副会长、盐锅峡镇分管领导、盐锅峡镇专干",
        conclusions="两周内完成全部村级计生协建立和备案，每周报告进展。",
    )
    # Done in a township: reported, marked complete, accepted.
    training = plan.task(12, "开展计生协工作者业务培训", -100, 20)
    trained = plan.down(training, LIUJIAXIA)[LIUJIAXIA]
    plan.report(plan.ljx, trained, 100, "全镇专干培训2期，86人次。", "/activities/")
    services.task_complete(actor=plan.ljx, task=trained)
    services.task_accept(actor=plan.county, task=trained)
    # Not started, on track, waiting for acceptance.
    plan.task(13, "建立志愿者招募、登记和考察制度", 10, 120)
    seats = plan.task(14, "优化会员代表大会代表结构", -30, 90)
    plan.report(plan.county, seats, 20, "已统计现任代表构成。", "/org/composition/")
    fund = plan.task(17, "制定生育关怀基金管理办法", -80, 15)
    plan.report(plan.county, fund, 100, "管理办法已经理事会审议通过。", "/fund/")
    services.task_complete(actor=plan.county, task=fund)
    plan.task(20, "建立计生协重点工作考评机制", -20, 100)
    # Handed down twice: the county to 刘家峡镇, 刘家峡镇 to 大庄村.
    check = plan.task(21, "开展改革落实情况督促检查", -10, 40)
    ljx_check = plan.down(check, LIUJIAXIA, YANGUOXIA)[LIUJIAXIA]
    (village_check,) = services.task_delegate(
        actor=plan.ljx, task=ljx_check, associations=[_place(DAZHUANG)]
    )
    plan.report(plan.village, village_check, 10, "已制定自查表。")
    # Due soon, with an extension waiting for the county.
    care = plan.task(15, "落实计生特殊家庭“4+1”联系人制度", -120, 3)
    ljx_care = plan.down(care, LIUJIAXIA)[LIUJIAXIA]
    plan.report(
        plan.ljx, ljx_care, 85, "联系人已全部落实，正在补录联系记录。", "/families/coverage/"
    )
    services.extension_request(
        actor=plan.ljx,
        task=ljx_care,
        requested_deadline=_day(20),
        reason="联系记录补录工作量大，申请延期。",
    )
    return {"measures": Measure.objects.count(), "tasks": Task.objects.count()}


def seed(cast: DemoCast) -> dict[str, int]:
    """This module's demo data (registered as the app's `demo_seeder`)."""
    return seed_tasks(cast)
