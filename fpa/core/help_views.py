"""The user guide's pages (帮助): /help/ the whole guide, /help/<chapter>/ one chapter.

Public: the guide holds no personal data, it ships with the repository, and visitors need its
public chapters (the home page, the volunteer application, the fund's public pages, the ledger)
as staff need theirs before signing in (sign-in, the authenticator, a locked account)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_safe

from fpa.core.help import GuideMissing, guide
from fpa.core.scope import public_view


def _missing(request: HttpRequest) -> HttpResponse:
    context = {"missing": gettext("帮助文档暂时无法打开，请联系系统管理员。")}
    return render(request, "core/help.html", context, status=503)


@require_safe
@public_view
def help_index(request: HttpRequest) -> HttpResponse:
    try:
        document = guide()
    except GuideMissing:
        return _missing(request)
    return render(request, "core/help.html", {"guide": document, "chapter": None})


@require_safe
@public_view
def help_section(request: HttpRequest, anchor: str) -> HttpResponse:
    """One chapter; the anchor of a ### heading goes to its chapter, at that heading."""
    try:
        document = guide()
    except GuideMissing:
        return _missing(request)
    heading = document.anchors.get(anchor[:200])
    if heading is None:
        raise Http404(gettext("帮助中没有这一节。"))
    if heading.level != 2:
        return redirect(heading.url)
    chapter = document.chapter(heading.anchor)
    chapters = document.chapters
    at = chapters.index(chapter) if chapter is not None else 0
    context = {
        "guide": document,
        "chapter": chapter,
        "previous": chapters[at - 1] if at > 0 else None,
        "next": chapters[at + 1] if at + 1 < len(chapters) else None,
    }
    return render(request, "core/help.html", context)
