"""The checkpoint notice in Chromium (issue 18, item 4): at 375 px nothing scrolls sideways and the
copy button copies the text to paste elsewhere; printed, the notice is one A4 page with nothing
cut; its QR path opens the checkpoint's page, whose size and root are the notice's."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Server, print_to_pdf, sideways_overflow


def test_the_notice_on_a_phone_and_on_paper(new_page: Any, app_server: Server) -> None:
    page, recorder = new_page({"width": 375, "height": 800})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_server.origin)
    page.goto(app_server.url("/ledger/notice/"))
    assert sideways_overflow(page) == []
    size = page.inner_text("#notice-size")
    root = page.inner_text("#notice-root")
    assert int(size) > 0 and len(root) == 44
    page.click("[data-fpa-copy]")
    page.wait_for_function(
        "() => document.querySelector('[data-fpa-copy]').textContent === '已复制'"
    )
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.inner_text("#notice-text")
    assert f"条目数：{size}" in copied and copied.rstrip().endswith(
        page.inner_text("#notice-note").rstrip()
    )

    page.set_viewport_size({"width": 1280, "height": 800})
    printout = print_to_pdf(page, "ledger-notice.pdf")
    assert printout.is_a4 and printout.cut == [] and printout.pages == 1, printout

    page.goto(app_server.url(page.get_attribute("#notice-qr", "data-check-path")))
    assert page.inner_text("#checkpoint-size") == size
    assert page.inner_text("#checkpoint-root") == root
    assert sideways_overflow(page) == []
    assert recorder.console_errors == []


def test_a_public_entry_page_checks_itself_in_the_browser(
    new_page: Any, app_server: Server
) -> None:
    """The public page of a journal entry runs the in-browser inclusion check (the verifier's
    include) against the latest checkpoint and says so in plain Chinese, at 375 px."""
    page, recorder = new_page({"width": 375, "height": 800})
    page.goto(app_server.url("/fund/public/622923/entries/1/"))
    index = page.inner_text("#leaf-index")
    card = page.locator(f".ledger-entry-check[data-index='{index}']")
    card.locator(".entry-verdict[data-status=ok]").wait_for(timeout=20_000)
    assert card.locator(".entry-verdict").inner_text() == "此笔记录已写入公开账本，且未被改动"
    assert sideways_overflow(page) == []
    assert recorder.console_errors == []
