"""Public pages of the checkpoint notice and of each signed checkpoint (docs/ledger.md,
"Posting checkpoints outside the platform"). Like the rest of the ledger: no session, no
personal data, a constant number of queries."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from fpa.core.scope import public_view
from fpa.transparency.models import Checkpoint
from fpa.transparency.notice import hex_groups, notice_text, published_note
from fpa.transparency.services import b64, latest_checkpoint, open_alarms
from fpa.transparency.views import _NUMBER


def _check_url(request: HttpRequest, checkpoint: Checkpoint) -> str:
    return request.build_absolute_uri(
        reverse("transparency:checkpoint_page", kwargs={"pk": str(checkpoint.pk)})
    )


def _context(request: HttpRequest, checkpoint: Checkpoint) -> dict[str, object]:
    root = bytes(checkpoint.root_hash)
    check_url = _check_url(request, checkpoint)
    return {
        "checkpoint": checkpoint,
        "root_b64": b64(root),
        "root_hex": hex_groups(root),
        "note": published_note(checkpoint),
        "check_url": check_url,
        "check_path": reverse("transparency:checkpoint_page", kwargs={"pk": str(checkpoint.pk)}),
        "text": notice_text(checkpoint, check_url=check_url),
    }


def _unavailable(request: HttpRequest) -> HttpResponse:
    return render(
        request, "transparency/notice_unavailable.html", {"alarms": open_alarms()}, status=503
    )


@public_view
@require_GET
def notice(request: HttpRequest) -> HttpResponse:
    """The newest checkpoint as a printable A4 notice, with the text to paste elsewhere."""
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return _unavailable(request)
    return render(request, "transparency/notice.html", _context(request, checkpoint))


@public_view
@require_GET
def notice_plain(request: HttpRequest) -> HttpResponse:
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        return _unavailable(request)
    response = HttpResponse(
        notice_text(checkpoint, check_url=_check_url(request, checkpoint)),
        content_type="text/plain; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "no-cache"
    return response


@public_view
@require_GET
def checkpoint_page(request: HttpRequest, pk: str) -> HttpResponse:
    """One signed checkpoint, for good: a posted notice's QR code opens it. It links the
    consistency proof from this checkpoint to today's."""
    if not _NUMBER.fullmatch(pk):
        raise Http404
    checkpoint = Checkpoint.objects.filter(pk=int(pk)).first()
    if checkpoint is None:
        raise Http404
    latest = latest_checkpoint()
    context = _context(request, checkpoint)
    context["latest"] = latest
    if latest is not None and latest.tree_size >= checkpoint.tree_size:
        context["consistency_path"] = (
            reverse("transparency:consistency")
            + f"?first={checkpoint.tree_size}&second={latest.tree_size}"
        )
    return render(request, "transparency/checkpoint_page.html", context)
