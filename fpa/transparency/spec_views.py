"""The ledger's specification served as public pages: docs/ledger.md (the log, checkpoints,
proofs, endpoints) and docs/fund-ledger-entries.md (the bytes of a fund leaf), read in place from
the repository and rendered with the user guide's Markdown renderer (raw HTML off)."""

from __future__ import annotations

import functools
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import get_script_prefix
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from fpa.core.help import _markdown
from fpa.core.scope import public_view

DOCUMENTS = {
    "ledger": "ledger.md",
    "fund": "fund-ledger-entries.md",
}


def document_path(name: str) -> Path:
    return Path(settings.BASE_DIR) / "docs" / DOCUMENTS[name]


@functools.lru_cache(maxsize=8)
def _rendered(path: str, mtime: float, size: int, prefix: str) -> tuple[str, SafeString]:
    text = Path(path).read_text(encoding="utf-8")
    title = next((line[2:].strip() for line in text.splitlines() if line.startswith("# ")), "")
    html = _markdown().render(text, {"prefix": prefix})
    return title, mark_safe(html)  # noqa: S308 - markdown-it with raw HTML off escapes the text


def rendered(name: str) -> tuple[str, SafeString]:
    path = document_path(name)
    try:
        stat = path.stat()
    except OSError as error:
        raise Http404(str(error)) from error
    return _rendered(str(path), stat.st_mtime, stat.st_size, get_script_prefix())


def _page(request: HttpRequest, name: str) -> HttpResponse:
    title, html = rendered(name)
    context = {"title": title, "html": html, "name": name, "source": f"docs/{DOCUMENTS[name]}"}
    return render(request, "transparency/spec.html", context)


@public_view
@require_safe
def spec(request: HttpRequest) -> HttpResponse:
    return _page(request, "ledger")


@public_view
@require_safe
def spec_fund(request: HttpRequest) -> HttpResponse:
    return _page(request, "fund")
