"""Issue 16's reform-steering flow in a real browser, through the pages only (set-up data through
the services is named as such):

1. the county (demo-county) sets a task in the task book and hands it down to every township;
2. 刘家峡镇 finds its copy, reports progress with a PNG made here and a link to one of its
   families' records; the file downloads again, the link is on the timeline;
3. the county corrects 盐锅峡镇's deadline to yesterday: that copy is overdue, the county issues
   a 督办单 (its number in the message and on the ladder), 盐锅峡镇 answers it;
4. the county makes last year's assessment scheme (weights to 100: refused at 90), starts a
   round cut off on 31 December, moves it to self-assessment; 刘家峡镇 assesses itself; the
   county scores it (the other townships are scored through the services), freezes the computed
   indicator, publishes the preliminary results, opens the appeal window; 刘家峡镇, second,
   appeals; the county answers with a higher score; the final results rank 刘家峡镇 first on the
   round page it sees.

The township's task page and score sheet are looked at 375 px wide (no sideways scroll)."""

from __future__ import annotations

import datetime
import json
import re
import struct
import subprocess
import sys
import zlib
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, ROOT, Server, login, sideways_overflow

pytestmark = pytest.mark.browser
LIUJIAXIA = "622923100"
YANGUOXIA = "622923101"
PHONE = {"width": 375, "height": 800}
WIDE = {"width": 1366, "height": 900}


def path_of(page: Any) -> str:
    return re.sub(r"^https?://[^/]+", "", page.url).split("?")[0]


def alerts(page: Any) -> str:
    """The messages the last action left at the top of the page."""
    return " ".join(page.locator("main > .alert[role=alert]").all_inner_texts())


def submit(page: Any, selector: str, *, confirm: bool = False) -> str:
    """Click a submit button, accept its data-fpa-confirm question when it asks one, wait for the
    next page; returns its messages."""
    if confirm:
        page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.locator(selector).click()
    return alerts(page)


def choose(page: Any, selector: str, text: str) -> None:
    """Select the first option whose text contains `text`."""
    value = page.eval_on_selector(
        selector, "(s, t) => [...s.options].find(o => o.text.includes(t))?.value ?? null", text
    )
    assert value, (selector, text)
    page.select_option(selector, value=value)


def tiny_png(width: int = 48, height: int = 32) -> bytes:
    """A real PNG (red, 48 x 32), made without any imaging library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes((200, 30, 30)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def on_the_server(server: Server, code: str) -> Any:
    """Run Python in the browser server's own environment (its database), as `manage.py shell`;
    the code prints one JSON value, returned here."""
    from tests.browser.conftest import _server_env

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=_server_env(server.log.parent),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def fits_a_phone(page: Any, name: str) -> None:
    """The page at 375 px: a screenshot to look at, and nothing wider than the screen."""
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        page.screenshot(path=str(ARTIFACTS / name), full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"] + 1, width
        assert sideways_overflow(page) == []
    finally:
        page.set_viewport_size(size)


def phase_of(page: Any) -> str:
    return str(page.locator("#phases li.fw-bold").inner_text()).strip()


def test_task_book_supervision_and_assessment(new_page: Any, app_server: Server) -> None:
    today = timezone.localdate()
    title = f"开展改革落实情况自查（流程测试{today:%m%d}）"

    # --- 1. the county sets the task and hands it down to every township ----------------------
    county, county_log = new_page(WIDE)
    login(county, app_server, "demo-county", "/tasks/new/")
    county.goto(app_server.url("/tasks/new/"))
    choose(county, "#id_measure", "做好督促评估")
    county.fill("#id_title", title)
    county_value = county.eval_on_selector(
        "#id_association",
        "s => [...s.options].find(o => o.dataset.kind === 'county')?.value ?? null",
    )
    county.select_option("#id_association", value=county_value)
    county.fill("#id_start_on", (today - datetime.timedelta(days=30)).isoformat())
    county.fill("#id_deadline", (today + datetime.timedelta(days=30)).isoformat())
    county.fill("#id_deliverables", "各乡镇完成自查，报送自查报告和佐证材料。")
    assert "已下达任务。" in submit(county, "#task-form button[type=submit]")
    task_url = path_of(county)
    assert re.fullmatch(r"/tasks/\d+/", task_url), county.inner_text("main")[:500]

    with county.expect_navigation():
        county.get_by_role("link", name="分解下达").click()
    # Below the county: its 10 towns and 7 townships, and two county-level units (the demo's
    # 工业园区 and 工商联 associations) that are not townships.
    units = county.locator("#task-form .form-check")
    named = [(units.nth(i), units.nth(i).inner_text()) for i in range(units.count())]
    towns = [box for box, name in named if re.search("[镇乡]", name) and "永靖县" not in name]
    townships = len(towns)
    assert townships == 17, [name for _box, name in named]
    for box in towns:
        box.locator("input[name=associations]").check()
    assert f"已分解下达给{townships}个单位。" in submit(county, "#task-form button[type=submit]")
    assert path_of(county) == task_url
    children = county.locator("#children tbody tr")
    assert children.count() == townships
    assert "未开始" in children.filter(has_text="刘家峡镇").inner_text()
    assert "分解下达" in county.locator("#timeline").inner_text()

    # --- 2. 刘家峡镇 finds its copy and reports progress with evidence --------------------------
    township, township_log = new_page(WIDE)
    login(township, app_server, "demo-township", "/tasks/")
    township.goto(app_server.url(f"/families/?code={LIUJIAXIA}"))
    family = township.eval_on_selector_all(
        "main a[href]",
        "links => links.map(a => a.getAttribute('href')).find(h => /^\\/families\\/\\d+\\/$/.test(h))",
    )
    assert family, "no family in the township's list"
    township.goto(app_server.url("/tasks/"))
    township.fill("#id_q", title[:12])  # the list follows the search box (htmx)
    expect(township.locator("#task-list tbody tr")).to_have_count(1)  # its own copy only
    with township.expect_navigation():
        township.locator("#task-list a", has_text=title).click()
    ljx_url = path_of(township)
    assert ljx_url != task_url
    assert "永靖县" in township.locator("main dl dd").first.inner_text()  # 下达单位: the county
    # the county's task above is not the township's to open: no link to it
    assert township.locator(".breadcrumb a", has_text="上级任务").count() == 0
    with township.expect_navigation():
        township.get_by_role("link", name="报告进展").click()
    assert township.input_value("#id_reported_on") == today.isoformat()
    township.fill("#id_percent", "40")
    township.fill("#id_text", "已召开自查部署会，8个村完成自查，附会议照片。")
    township.fill("#id_links", family)
    township.set_input_files(
        "#id_evidence_files",
        files=[{"name": "自查会议.png", "mimeType": "image/png", "buffer": tiny_png()}],
    )
    assert "已报告进展。" in submit(township, "#task-form button[type=submit]")
    assert path_of(township) == ljx_url
    assert township.locator("#task-status").inner_text().strip() == "正常推进"
    assert "40%" in township.locator("main dl").inner_text()
    report = township.locator("#timeline li", has_text="报告进展")
    assert "已召开自查部署会" in report.inner_text()
    assert report.locator(f'a[href="{family}"]').count() == 1
    evidence = report.locator("a", has_text="佐证材料1（PNG）")
    download = township.request.get(app_server.url(evidence.get_attribute("href")))
    assert download.status == 200
    assert download.headers["content-type"] == "image/png"
    assert download.body().startswith(b"\x89PNG\r\n\x1a\n")
    fits_a_phone(township, "reform-task-township-phone.png")

    # --- 3. 盐锅峡镇 is late: the county's 督办单, the township's answer -------------------------
    county.goto(app_server.url(task_url))
    assert "40%" in children.filter(has_text="刘家峡镇").inner_text()
    with county.expect_navigation():
        children.filter(has_text="盐锅峡镇").locator("a").click()
    ygx_url = path_of(county)
    assert county.locator(".breadcrumb a", has_text="上级任务").get_attribute("href") == task_url
    # Its deadline was meant to be yesterday: the county corrects it (修改), and the copy is late.
    with county.expect_navigation():
        county.get_by_role("link", name="修改").click()
    county.fill("#id_deadline", (today - datetime.timedelta(days=1)).isoformat())
    assert "已保存。" in submit(county, "#task-form button[type=submit]")
    assert county.locator("#task-status").inner_text().strip() == "已逾期"
    with county.expect_navigation():
        county.get_by_role("link", name="下发督办单").click()
    county.fill("#id_problem", "已过完成时限，未报告任何进展。")
    county.fill("#id_new_deadline", (today + datetime.timedelta(days=7)).isoformat())
    county.fill("#id_required_answer", "说明原因，报送自查报告和整改计划。")
    message = submit(county, "#task-form button[type=submit]")
    found = re.search(r"已下发督办单(DB-(\d{4})-\d{3})。", message)
    assert found, message
    number = found.group(1)
    assert int(found.group(2)) == today.year
    assert path_of(county) == ygx_url
    assert number in county.locator("#ladder").inner_text()

    ygx, ygx_log = new_page(WIDE)
    login(ygx, app_server, "demo-township2", ygx_url)
    ygx.goto(app_server.url(ygx_url))
    assert ygx.locator("#task-status").inner_text().strip() == "已逾期"
    waiting = ygx.locator("#responsible-actions .alert", has_text=number)
    assert "待答复" in waiting.inner_text()
    with ygx.expect_navigation():
        waiting.get_by_role("link", name="答复").click()
    assert number in ygx.locator("h1").inner_text()
    ygx.fill("#id_answer", "前期人员调整延误，已完成全镇自查，整改计划随附。")
    ygx.set_input_files(
        "#id_evidence_files",
        files=[{"name": "整改计划.png", "mimeType": "image/png", "buffer": tiny_png(64, 40)}],
    )
    assert "已答复督办单。" in submit(ygx, "#answer-form button[type=submit]", confirm=True)
    assert path_of(ygx) == ygx_url
    assert ygx.locator("#responsible-actions .alert", has_text=number).count() == 0
    answered = ygx.locator("#ladder li", has_text="答复督办单")
    assert number in answered.inner_text() and "前期人员调整延误" in answered.inner_text()
    county.goto(app_server.url(ygx_url))
    assert "前期人员调整延误" in county.locator("#ladder").inner_text()
    state = on_the_server(
        app_server,
        "import json\n"
        "from fpa.tasks.models import Evidence, Supervision, Task\n"
        f"copies = Task.objects.filter(parent__title={title!r})\n"
        f"notice = Supervision.objects.get(number={number!r}, year={today.year})\n"
        "print(json.dumps({'copies': copies.count(),"
        f" 'ljx': list(Evidence.objects.filter(task__association__code={LIUJIAXIA!r},"
        f" task__title={title!r}).values_list('format', flat=True)),"
        " 'notice_task': notice.task.association.code,"
        " 'answered': str(notice.answered_on), 'answer_files': notice.files.count()}))",
    )
    assert state == {
        "copies": townships,
        "ljx": ["png"],
        "notice_task": YANGUOXIA,
        "answered": today.isoformat(),
        "answer_files": 1,
    }, state

    # --- 4. the assessment: last year's scheme, a round through all its phases -----------------
    year = today.year - 1  # its cut-off (31 December) has passed: the values can be frozen
    county.goto(app_server.url("/assessment/"))
    county.fill("#id_year", str(year))
    county.fill("#id_title", f"{year}年度乡镇计生协重点工作考评方案（流程测试）")
    assert "考核方案已建立" in submit(county, "form[action$='/schemes/new/'] button")
    scheme_url = path_of(county)
    assert re.fullmatch(r"/assessment/schemes/\d+/", scheme_url), county.inner_text("main")[:500]

    def indicator(area: str, name: str, weight: str, kind: str, key: str = "") -> None:
        county.fill("#id_area", area)
        county.fill("#id_name", name)
        county.fill("#id_weight", weight)
        county.select_option("#id_kind", value=kind)
        if key:
            county.select_option("#id_computed_key", value=key)
            county.fill("#id_target", "90")
        county.fill("#id_rule", "按评分规则打分。")
        assert "指标已添加。" in submit(county, "form[action$='/indicators/'] button")

    indicator("改革推进", "改革任务自查整改", "90", "scored")
    refused = submit(county, "form[action$='/publish/'] button")
    assert "各指标分值合计应为100分，现为90.00分。" in refused, refused
    indicator("改革推进", "改革任务按时完成", "10", "computed", "tasks.done_on_time")
    assert "分值合计100.00分" in county.inner_text("main")
    assert county.locator("#indicators tbody td:first-child").all_inner_texts() == ["1", "2"]
    assert "考核方案已发布" in submit(county, "form[action$='/publish/'] button")
    assert county.input_value("#id_cutoff") == f"{year}-12-31"
    county.fill("#id_title", f"{year}年度考评（流程测试）")
    assert "考核轮次已建立。" in submit(county, "form[action$='/rounds/'] button")
    round_url = path_of(county)
    assert re.fullmatch(r"/assessment/rounds/\d+/", round_url), county.inner_text("main")[:500]
    round_id = int(round_url.split("/")[-2])
    assert phase_of(county) == "1. 准备"
    advance = "form[action$='/advance/'] button"
    assert "考核轮次已进入下一阶段。" in submit(county, advance, confirm=True)
    assert phase_of(county) == "2. 乡镇自评"

    # 刘家峡镇 assesses itself on its score sheet
    township.goto(app_server.url("/assessment/"))
    with township.expect_navigation():
        township.locator("#rounds a", has_text="流程测试").click()
    assert path_of(township) == round_url
    assert "初评结果公布后显示得分和各乡镇排名。" in township.inner_text("main")
    assert township.locator("#results tbody tr").count() == 1  # its own row only
    with township.expect_navigation():
        township.locator("#results a", has_text="刘家峡镇").click()
    sheet_url = path_of(township)
    assert sheet_url == f"{round_url}{LIUJIAXIA}/"
    line = township.locator("#sheet tbody tr", has_text="改革任务自查整改")
    line.locator("input[name=score]").fill("85")
    line.locator("input[name=note]").fill("全镇自查全覆盖，整改台账见任务书佐证材料。")
    assert "自评已保存。" in submit(township, "#sheet button:has-text('保存自评')")
    assert "自评85.00分" in line.inner_text()

    # the county scores 刘家峡镇 on the page; Yongjing has 17 townships, so the others are
    # scored through the services as set-up (盐锅峡镇 75, the rest 40)
    assert "考核轮次已进入下一阶段。" in submit(county, advance, confirm=True)
    assert phase_of(county) == "3. 县级评分"
    county.goto(app_server.url(sheet_url))
    county_line = county.locator("#sheet tbody tr", has_text="改革任务自查整改")
    county_line.locator("input[name=score]").fill("60")
    county_line.locator("input[name=note]").fill("自查报告未附村级台账，扣30分。")
    assert "评分已保存。" in submit(county, "#sheet button:has-text('保存评分')")
    scored = on_the_server(
        app_server,
        "import json\n"
        "from decimal import Decimal\n"
        "from fpa.accounts.models import User\n"
        "from fpa.assessment import services\n"
        "from fpa.assessment.models import Round\n"
        f"round_ = Round.objects.get(pk={round_id})\n"
        "actor = User.objects.get(username='demo-county')\n"
        "item = round_.scheme.indicators.get(kind='scored')\n"
        "done = 0\n"
        "for township in services.townships_of(round_.scheme.county):\n"
        f"    if township.code == {LIUJIAXIA!r}:\n"
        "        continue\n"
        f"    points = Decimal(75 if township.code == {YANGUOXIA!r} else 40)\n"
        "    services.score_give(actor=actor, round_=round_, indicator=item, township=township,"
        " score=points, note='（流程测试）')\n"
        "    done += 1\n"
        "print(json.dumps(done))",
    )
    assert scored == townships - 1
    county.goto(app_server.url(round_url))
    # the freeze runs as a background job: its page shows the progress, then comes back to the
    # round with the message
    county.locator("form[action$='/freeze/'] button").click()
    county.wait_for_url(app_server.url(round_url), timeout=90_000)
    assert "计算指标已按截止日期冻结。" in alerts(county)
    assert "计算指标已于" in county.inner_text("main")
    assert "考核轮次已进入下一阶段。" in submit(county, advance, confirm=True)
    assert phase_of(county) == "4. 初评结果已公布"
    assert "考核轮次已进入下一阶段。" in submit(county, advance, confirm=True)
    assert phase_of(county) == "5. 申诉期"

    # 刘家峡镇, second behind 盐锅峡镇, appeals its score
    township.goto(app_server.url(sheet_url))
    assert township.locator("#sheet-rank").inner_text() == "名次：第2名"
    assert "冻结值" in township.locator("#sheet tbody tr", has_text="改革任务按时完成").inner_text()
    line = township.locator("#sheet tbody tr", has_text="改革任务自查整改")
    assert "60.00" in line.locator("td").last.inner_text()
    line.locator("textarea[name=reason]").fill("村级台账已于评分前上传至任务书，见佐证材料。")
    assert "申诉已提交，请等待县级答复。" in submit(township, "#sheet button:has-text('提出申诉')")
    assert "待答复" in line.locator(".appeal").inner_text()

    # the county answers it with a higher score
    county.goto(app_server.url(round_url))
    appeal_row = county.locator("#appeals tbody tr", has_text="刘家峡镇")
    assert "待答复" in appeal_row.inner_text()
    with county.expect_navigation():
        appeal_row.locator("a").click()
    county_line = county.locator("#sheet tbody tr", has_text="改革任务自查整改")
    county_line.locator("input[name=answer]").fill("经核实，村级台账已按时上传，调整得分。")
    county_line.locator("input[name=new_score]").fill("88")
    assert "申诉已答复。" in submit(county, "#sheet button:has-text('答复申诉')", confirm=True)
    assert "88.00" in county_line.locator("td").last.inner_text()
    county.goto(app_server.url(round_url))
    cells = county.locator("#appeals tbody tr", has_text="刘家峡镇").locator("td")
    assert cells.nth(2).inner_text().strip() == "已答复，调整得分"
    assert cells.nth(3).inner_text().strip() == "60.00"  # 原得分
    assert cells.nth(4).inner_text().strip() == "88.00"  # 调整后得分
    assert "考核轮次已进入下一阶段。" in submit(county, advance, confirm=True)
    assert phase_of(county) == "6. 最终结果"

    # the final ranking, as 刘家峡镇 sees it
    township.goto(app_server.url(round_url))
    ranking = township.locator("#results tbody tr")
    assert ranking.count() == townships  # every township's total and rank
    mine = ranking.filter(has_text="刘家峡镇").locator("td")
    assert mine.first.inner_text().strip() == "1"
    assert ranking.filter(has_text="盐锅峡镇").locator("td").first.inner_text().strip() == "2"
    assert "已答复，调整得分" in township.locator("#appeals").inner_text()
    township.goto(app_server.url(sheet_url))
    assert township.locator("#sheet-rank").inner_text() == "名次：第1名"
    assert "经核实，村级台账已按时上传" in township.locator("#sheet .appeal").inner_text()
    fits_a_phone(township, "reform-sheet-township-phone.png")
    final = on_the_server(
        app_server,
        "import json\n"
        "from fpa.assessment.models import Appeal, Round, Score, Snapshot\n"
        f"round_ = Round.objects.get(pk={round_id})\n"
        f"appeal = Appeal.objects.get(round=round_, association__code={LIUJIAXIA!r})\n"
        f"score = Score.objects.get(round=round_, association__code={LIUJIAXIA!r})\n"
        "print(json.dumps([round_.phase, appeal.status, str(appeal.score_before),"
        " str(appeal.score_after), str(score.self_score), str(score.score),"
        " Snapshot.objects.filter(round=round_).count()]))",
    )
    assert final == ["final", "changed", "60.00", "88.00", "85.00", "88.00", townships], final
    for log in (county_log, township_log, ygx_log):
        assert log.console_errors == []
        assert log.errors == []
