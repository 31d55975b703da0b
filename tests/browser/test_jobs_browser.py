"""A families workbook imported through the page in headless Chromium, as background jobs: the
job page with its progress bar and stage, the dry-run report it ends on, the confirm, the
commit's progress, the result page with the done message; at 1366 px and at 375 px (no sideways
scroll). The server runs a real task worker beside gunicorn (conftest.py).

Screenshots go to test-artifacts/ (gitignored): jobs-progress-375.png is the one to look at.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.import_bench import make_file
from tests.browser.conftest import ARTIFACTS, Server, login, serve

pytestmark = pytest.mark.browser

ROWS = 20_000  # ten batches: the commit's job page is seen before the commit ends
STAGES = {"排队等待后台处理", "开始处理", "打开文件并做安全检查", "逐行检查", "逐行检查并写入"}
WIDE = {"width": 1366, "height": 800}
PHONE = {"width": 375, "height": 812}


def no_sideways_scroll(page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")


def progress_shown(page) -> str:
    """The progress bar of a running (or queued) job: its stage text."""
    assert re.search(r"/jobs/\d+/$", page.url), page.url
    bar = page.locator("#job-progress [role=progressbar]")
    assert bar.count() == 1, page.inner_text("main")
    assert 0 <= int(bar.get_attribute("aria-valuenow")) <= 100
    stage = page.locator("#job-progress .job-stage").inner_text().strip()
    assert stage in STAGES, stage
    assert "已读取" in page.locator("#job-progress .job-counters").inner_text()
    assert page.get_by_role("button", name="取消任务").count() == 1
    return stage


@pytest.fixture(scope="module")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """This module imports 20,000 families: its own server, so that the other browser tests
    (exact counts on printed rosters, the to-do counts) keep the demo data as seeded."""
    with serve(tmp_path_factory) as server:
        yield server


@pytest.mark.parametrize(("viewport", "seed"), [(WIDE, 1), (PHONE, 2)], ids=["1366", "375"])
def test_import_families_as_jobs_with_a_progress_bar(
    new_page, app_server, tmp_path: Path, viewport: dict[str, int], seed: int
) -> None:
    width = viewport["width"]
    book = tmp_path / "特殊家庭.xlsx"
    make_file(ROWS, book, seed)  # new families over Yongjing's villages; unique ID numbers
    page, recorder = new_page(viewport=viewport)
    login(page, app_server, "demo-county", "/families/import/")
    page.set_input_files("input[name=file]", str(book))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并检查").click()
    assert re.search(r"/jobs/\d+/$", page.url), page.url
    if page.locator("#job-progress").count():  # a fast dry run may already show its report
        progress_shown(page)
    assert no_sideways_scroll(page), width

    # The page polls and ends on the dry-run report, with the confirm button.
    confirm = page.get_by_role("button", name=re.compile(rf"确认导入（新登记{ROWS}户，修改0户）"))
    confirm.wait_for(timeout=180_000)
    assert f"检查通过：共{ROWS}行" in page.inner_text("main")
    assert no_sideways_scroll(page), width
    page.screenshot(path=str(ARTIFACTS / f"jobs-report-{width}.png"), full_page=True)

    with page.expect_navigation():
        confirm.click()
    stage = progress_shown(page)
    page.screenshot(path=str(ARTIFACTS / f"jobs-progress-{width}.png"), full_page=True)
    assert no_sideways_scroll(page), width
    assert stage in STAGES

    done = page.get_by_text(f"导入完成：新登记{ROWS}户，修改0户，0户未变化。")
    done.wait_for(timeout=600_000)
    assert no_sideways_scroll(page), width
    page.screenshot(path=str(ARTIFACTS / f"jobs-done-{width}.png"), full_page=True)
    # The job stays in 我的任务, done.
    page.goto(app_server.url("/jobs/"))
    assert "导入：计生特殊家庭" in page.inner_text("main")
    assert no_sideways_scroll(page), width
    assert recorder.errors == [], recorder.errors
