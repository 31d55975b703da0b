"""The installable offline phone app under /field/: its shell page, web app manifest and service
worker (issue 17).

The shell (`/field/`) holds no personal data: it is a page of empty screens and the app's
strings, so that the service worker may keep it for offline starts. The app itself
(`fpa/static/fpa/field/app.js`) registers the phone, downloads the user's work through
`/api/v1/field/`, and keeps it in IndexedDB encrypted with the phone's data key.

The service worker is built by `make assets` from the npm package workbox-build
(`scripts/build_field_sw.mjs` writes `fpa/static/vendor/field/sw.js`); Django serves it at
`/field/sw.js` so that its scope is `/field/`. The manifest is public (browsers fetch it without
cookies) and, like the service worker, carries nothing personal.
"""

from __future__ import annotations

import json

from django.contrib.staticfiles import finders
from django.core.files.storage import FileSystemStorage
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from fpa.core.care.models import NeedBase
from fpa.core.scope import public_view, scoped_view
from fpa.field.services import IDLE_END

# The app's words, passed to app.js through a json_script element (the script holds no text of
# its own language).
STRINGS = {
    "app": _("计生协外勤"),
    "families": _("我的家庭"),
    "queue": _("待同步"),
    "sync": _("同步"),
    "syncing": _("正在同步…"),
    "online": _("在线"),
    "offline": _("离线"),
    "loading": _("正在准备…"),
    "downloaded": _("已下载工作数据：%(count)s户，%(time)s"),
    "no_work": _("还没有下载工作数据。请联网后打开本页。"),
    "no_families": _("您目前没有联系的家庭。"),
    "cut": _("家庭太多，本机只下载了前%(count)s户；其余请在网页上查看。"),
    "not_allowed": _("只有联系人和村级工作人员可以离线使用外勤。"),
    "need_login": _("登录已过期，请联网后重新登录。"),
    "login": _("登录"),
    "ended": _("这台设备的离线数据已被注销，本机数据已清除。"),
    "idle_wiped": _("这台手机超过%(days)s天没有同步，本机数据已清除。请联网后重新下载。"),
    "register_again": _("重新登记这台手机"),
    "logout": pgettext_lazy("field app", "退出登录"),
    "wipe": _("清除本机数据"),
    "wipe_confirm": _("清除后本机的工作数据和未同步的记录都会删除，确定吗？"),
    "logout_confirm": _("还有%(count)s条记录未同步，退出后会删除，确定退出吗？"),
    "wiped": _("本机数据已清除。"),
    "update_ready": _("新版本已下载，下次启动时生效。"),
    "overdue": _("逾期"),
    "address": _("地址"),
    "head": _("户主"),
    "people": _("家庭成员"),
    "contacts": _("联系人"),
    "mine": _("我"),
    "due": _("联系情况"),
    "last_call": _("最近电话"),
    "last_meeting": _("最近见面"),
    "home_visits": _("今年入户"),
    "open_needs": _("未办结诉求"),
    "last_visits": _("最近走访"),
    "none": _("无"),
    "deceased": _("已故"),
    "back": _("返回"),
    "log_visit": _("记录走访"),
    "raise_need": _("提出诉求"),
    "update_need": _("办理诉求"),
    "kind": _("帮扶类别"),
    "services": _("四项服务"),
    "cares": _("五项关怀"),
    "date": _("日期"),
    "notes": _("情况记录"),
    "photos": _("照片"),
    "photos_added": _("已附%(count)s张照片"),
    "description": _("诉求内容"),
    "due_date": _("办结期限"),
    "status": _("状态"),
    "result": _("办理结果"),
    "save": _("保存到待同步"),
    "saved": _("已保存，联网后同步。"),
    "cancel": _("取消"),
    "edit": _("修改"),
    "discard": _("放弃"),
    "discard_confirm": _("放弃这条记录？它不会同步。"),
    "queue_empty": _("没有待同步的记录。"),
    "waiting": _("等待同步"),
    "sent": _("已发送，等待结果"),
    "refused": _("被拒绝"),
    "conflict": _("有冲突"),
    "type_care": _("走访记录"),
    "type_need_raise": _("新诉求"),
    "type_need_update": _("诉求办理"),
    "type_photo": _("照片"),
    "mine_version": _("本机的版本"),
    "current_version": _("现在的记录"),
    "resubmit": _("按最新内容重新提交"),
    "sync_done": _("同步完成：%(applied)s条已同步，%(refused)s条被拒绝，%(conflict)s条有冲突。"),
    "sync_failed": _("同步失败，请稍后再试。"),
    "no_network": _("没有网络，联网后再同步。"),
    "required": _("请填写此项。"),
    "family_gone": _("该家庭不在本机的工作数据中。"),
    "made_at": _("记录于"),
    "pending_here": _("本户待同步%(count)s条"),
    "photo_failed": _("照片处理失败。"),
    "campaign_todo": _("节日走访未完成：%(name)s"),
    "campaign_counts": _("这次走访计入节日走访活动“%(name)s”。"),
    "raised_in_visit": _("走访中提出"),
    "no_visit": _("不关联走访"),
    "synced_visit": _("已同步的走访"),
    "raise_here": _("本次走访中的诉求"),
    "waits_for_visit": _("等所属走访同步后再发送"),
    "reveal": _("查看敏感信息"),
    "reveal_what": _("查看内容"),
    "reveal_reason": _("查看原因"),
    "reveal_button": _("查看"),
    "reveal_offline": _("需联网才能查看敏感信息"),
    "reveal_note": _("该信息不保存在本机，查看已记入审计日志"),
    "reveal_reason_short": _("请填写查看原因（至少2个字）。"),
    "reveal_failed": _("查看失败，请稍后再试。"),
    "reveal_kind": _("家庭类别"),
    "reveal_notes": _("家庭备注"),
    "reveal_id_number": _("身份证号码"),
    "reveal_phone": _("联系电话"),
    "reveal_health_notes": _("健康状况"),
    "reveal_death_cause": _("死亡原因"),
    "reveal_disability_type": _("残疾类别"),
}

SW_PATH = "vendor/field/sw.js"
SCOPE = "/field/"


@require_GET
@scoped_view(capability="account.self")
def shell(request: HttpRequest) -> HttpResponse:
    """The app's page: empty screens, filled by app.js from the encrypted store."""
    statuses = [{"code": code, "name": str(name)} for code, name in NeedBase.Status.choices]
    return render(
        request,
        "field/app.html",
        {"need_statuses": statuses, "strings": STRINGS, "idle_days": IDLE_END.days},
    )


@require_GET
@scoped_view(capability="account.self")
def session(request: HttpRequest) -> JsonResponse:
    """The session's CSRF token (the CSRF cookie is HttpOnly and the cached shell cannot hold
    it: a sign-in rotates it)."""
    return JsonResponse({"csrf": get_token(request)})


@require_GET
@public_view
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": gettext("计生协外勤"),
        "short_name": gettext("计生协外勤"),
        "description": gettext("离线记录走访、诉求和照片，联网后同步。"),
        "lang": request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else "zh-hans",
        "start_url": reverse("field:app"),
        "scope": SCOPE,
        "id": reverse("field:app"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#b0303a",
        "icons": [
            {
                "src": static(f"fpa/field/icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


def _service_worker_source() -> bytes:
    found = finders.find(SW_PATH)
    if isinstance(found, list):
        found = found[0] if found else None
    if found:
        with open(found, "rb") as source:
            return source.read()
    from django.contrib.staticfiles.storage import staticfiles_storage

    storage = staticfiles_storage
    if isinstance(storage, FileSystemStorage) and storage.exists(SW_PATH):
        with storage.open(SW_PATH) as source:
            data: bytes = source.read()
            return data
    raise Http404("service worker not built (make assets)")


@require_GET
@public_view
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker (built by `make assets`), scoped to /field/. Browsers check it for an
    update on every start; the new one waits and takes over on the app's next start."""
    response = HttpResponse(_service_worker_source(), content_type="text/javascript")
    response["Service-Worker-Allowed"] = SCOPE
    response["Cache-Control"] = "no-cache"
    return response
