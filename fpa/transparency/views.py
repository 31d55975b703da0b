"""Public, login-free endpoints of the verifiable ledger (docs/ledger.md, "Endpoints").

JSON only (plus the checkpoint as text and one explanatory page). They never touch the session
or the user, answer in a constant number of queries, and report bad input as structured JSON
errors with status 400.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from fpa.core.errors import ServiceError
from fpa.core.scope import public_view
from fpa.transparency import cosign, selectors
from fpa.transparency.keys import parse_verifier_key, signing_key
from fpa.transparency.models import Checkpoint, Cosignature
from fpa.transparency.services import (
    SigningRefused,
    b64,
    consistency_proof,
    inclusion_proof,
    latest_checkpoint,
    open_alarms,
    root_at,
    tree_size,
)

MAX_PAGE = 1000
DEFAULT_PAGE = 100
MAX_CHECKPOINT_PAGE = 100
_NUMBER = re.compile(r"[0-9]{1,15}")  # ASCII digits only: no sign, no full-width, no 1e6


class BadInput(ServiceError):
    code = "invalid"


def number(value: str | None, name: str, *, default: int | None = None) -> int:
    if value is None or value == "":
        if default is None:
            raise BadInput(
                gettext("缺少参数 %(name)s。") % {"name": name}, field=name, code="required"
            )
        return default
    if not _NUMBER.fullmatch(value):
        raise BadInput(gettext("参数 %(name)s 必须是不带符号的整数。") % {"name": name}, field=name)
    return int(value)


def error_response(error: ServiceError) -> HttpResponse:
    payload = {"code": error.code, "message": error.message, "fields": {}}
    if error.field:
        payload["fields"] = {error.field: [error.message]}
    return _cors(JsonResponse({"error": payload}, status=error.status))


def _cors(response: HttpResponse, *, max_age: int = 0) -> HttpResponse:
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = f"public, max-age={max_age}" if max_age else "no-cache"
    return response


def api(max_age: int = 0) -> Callable[[Callable[..., Any]], Callable[..., HttpResponseBase]]:
    """A public GET endpoint returning a dict as JSON; ServiceError becomes a JSON error."""

    def decorate(view: Callable[..., Any]) -> Callable[..., HttpResponseBase]:
        @public_view
        @require_GET
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                result = view(request, *args, **kwargs)
            except ServiceError as error:
                return error_response(error)
            if isinstance(result, HttpResponse):
                return _cors(result, max_age=max_age)
            return _cors(
                JsonResponse(result, json_dumps_params={"ensure_ascii": False}), max_age=max_age
            )

        return wrapper

    return decorate


def checkpoint_json(cp: Checkpoint) -> dict[str, Any]:
    prefetched = "cosignatures" in getattr(cp, "_prefetched_objects_cache", {})
    rows = cp.cosignatures.all() if prefetched else cp.cosignatures.select_related("witness")
    cosignatures = sorted(rows, key=lambda row: row.witness_id)
    return {
        "id": cp.pk,
        "tree_size": cp.tree_size,
        "root_hash": b64(bytes(cp.root_hash)),
        "timestamp": cp.created_at.isoformat().replace("+00:00", "Z"),
        "key_name": cp.key_name,
        "key_id": cp.key_id,
        "signature": b64(bytes(cp.signature)),
        "body": cp.body,
        "note": cp.note,
        "cosigned_note": cosign.cosigned_note(cp, cosignatures),
        "cosignatures": [cosign.cosignature_json(row) for row in cosignatures],
    }


def review_json() -> dict[str, Any]:
    """The ledger's open alarms, as the public sees them (docs/ledger.md)."""
    alarms = open_alarms()
    return {
        "under_review": bool(alarms),
        "alarms": [
            {
                "id": alarm.pk,
                "kind": alarm.kind,
                "message": alarm.message,
                "tree_size": alarm.tree_size,
                "raised_at": alarm.raised_at.isoformat().replace("+00:00", "Z"),
            }
            for alarm in alarms
        ],
    }


def signed_or_refused(**kwargs: Any) -> Checkpoint:
    signed = latest_checkpoint(**kwargs)
    if signed is None:
        raise SigningRefused(gettext("账本正在审查中：没有可公开的已签名检查点。"))
    return signed


@api()
def checkpoint(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    signed = latest_checkpoint()
    review = review_json()
    if signed is None:
        error = SigningRefused(gettext("账本正在审查中：没有可公开的已签名检查点。"))
        payload = {"error": {"code": error.code, "message": error.message, "fields": {}}}
        return JsonResponse(
            payload | review, status=error.status, json_dumps_params={"ensure_ascii": False}
        )
    return {**checkpoint_json(signed), **review}


@api()
def status(request: HttpRequest) -> dict[str, Any]:
    return review_json()


@api()
def checkpoint_text(request: HttpRequest) -> HttpResponse:
    signed = signed_or_refused()
    return HttpResponse(cosign.cosigned_note(signed), content_type="text/plain; charset=utf-8")


@api()
def witnesses(request: HttpRequest) -> dict[str, Any]:
    """The witnesses that cosign our checkpoints and the newest cosignature of each."""
    active = selectors.active_witnesses()
    latest = cosign.latest_cosignatures(active)
    return {
        "witnesses": [
            {
                "name": witness.name,
                "label": witness.label,
                "verifier_key": witness.verifier_key,
                "url": witness.url,
                "latest": _latest_json(latest.get(witness.pk)),
            }
            for witness in active
        ]
    }


def _latest_json(row: Cosignature | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "tree_size": row.checkpoint.tree_size,
        "checkpoint": row.checkpoint_id,
        "timestamp": row.timestamp,
        "cosigned_at": datetime.fromtimestamp(row.timestamp, UTC)
        .isoformat()
        .replace("+00:00", "Z"),
    }


@api(max_age=60)
def checkpoints(request: HttpRequest) -> dict[str, Any]:
    before = request.GET.get("before")
    limit = number(request.GET.get("limit"), "limit", default=20)
    if not 1 <= limit <= MAX_CHECKPOINT_PAGE:
        raise BadInput(
            gettext("每页条数必须在 1 到 %(max)s 之间。") % {"max": MAX_CHECKPOINT_PAGE},
            field="limit",
        )
    page = selectors.checkpoints_before(
        before=None if before is None else number(before, "before"), limit=limit
    )
    more = len(page) > limit
    page = page[:limit]
    url = reverse("transparency:checkpoints")
    return {
        "checkpoints": [checkpoint_json(cp) for cp in page],
        "next": f"{url}?before={page[-1].pk}&limit={limit}" if more and page else None,
    }


@api(max_age=3600)
def public_key(request: HttpRequest) -> dict[str, Any]:
    key = signing_key()
    retired = []
    for vkey in settings.FPA_LEDGER_TRUSTED_KEYS:
        name, kid, public = parse_verifier_key(vkey)
        retired.append({"key_name": name, "key_id": kid.hex(), "public_key": b64(public)})
    return {
        "origin": key.name,
        "algorithm": "Ed25519",
        "key_name": key.name,
        "key_id": key.key_id.hex(),
        "public_key": b64(key.public_bytes),
        "verifier_key": key.vkey,
        "retired_keys": retired,
    }


@api()
def leaves(request: HttpRequest) -> dict[str, Any]:
    start = number(request.GET.get("start"), "start", default=0)
    limit = number(request.GET.get("limit"), "limit", default=DEFAULT_PAGE)
    if not 1 <= limit <= MAX_PAGE:
        raise BadInput(
            gettext("每页条数必须在 1 到 %(max)s 之间。") % {"max": MAX_PAGE}, field="limit"
        )
    size = tree_size()
    if start > size:
        raise BadInput(
            gettext("起始序号必须在 0 到 %(size)s 之间。") % {"size": size},
            field="start",
            code="out_of_range",
        )
    rows = selectors.leaves(start=start, limit=limit)
    items = [{"index": i, "data": b64(d), "leaf_hash": b64(h)} for i, d, h in rows]
    end = start + len(items)
    url = reverse("transparency:leaves")
    return {
        "start": start,
        "tree_size": size,
        "leaves": items,
        "next": f"{url}?start={end}&limit={limit}" if end < size else None,
    }


@api()
def leaf(request: HttpRequest, index: str) -> dict[str, Any]:
    position = number(index, "index")
    given = request.GET.get("tree_size")
    signed: Checkpoint | None = None
    if given is None or given == "":
        signed = signed_or_refused(covering=position + 1)
        size = signed.tree_size
    else:
        size = number(given, "tree_size")
    if position >= size:
        raise BadInput(
            gettext("条目序号必须小于树的大小 %(size)s。") % {"size": size},
            field="index",
            code="out_of_range",
        )
    proof = inclusion_proof(position, size)  # checks size <= the tree
    row = selectors.leaf(position)
    return {
        "index": position,
        "data": b64(row[0]),
        "leaf_hash": b64(row[1]),
        "appended_at": row[2].isoformat().replace("+00:00", "Z"),
        "tree_size": size,
        "root_hash": b64(bytes(signed.root_hash)) if signed else b64(root_at(size)),
        "inclusion_proof": [b64(h) for h in proof],
        "checkpoint": checkpoint_json(signed) if signed else None,
    }


@api()
def consistency(request: HttpRequest) -> dict[str, Any]:
    first = number(request.GET.get("first"), "first")
    given = request.GET.get("second")
    if given is None or given == "":
        second = signed_or_refused().tree_size
    else:
        second = number(given, "second")
    if first > second:
        raise BadInput(gettext("first 不能大于 second。"), field="first", code="out_of_range")
    proof = consistency_proof(first, second)
    return {"first": first, "second": second, "consistency_proof": [b64(h) for h in proof]}


@public_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "transparency/ledger_home.html",
        {
            "origin": settings.FPA_LEDGER_ORIGIN,
            "verifier_key": signing_key().vkey,
            "alarms": open_alarms(),
            "witnesses": home_witnesses(),
        },
    )


@public_view
@require_GET
def verifier_download(request: HttpRequest) -> HttpResponseBase:
    path = settings.BASE_DIR / "tools" / "verify_ledger.py"
    if not path.exists():
        raise Http404
    return FileResponse(
        path.open("rb"),
        as_attachment=True,
        filename="verify_ledger.py",
        content_type="text/x-python; charset=utf-8",
    )


def home_witnesses() -> list[dict[str, Any]]:
    """Each active witness, its newest cosignature and whether it covers the latest checkpoint
    (the public ledger page's list; transparency/_home_witnesses.html)."""
    active = selectors.active_witnesses()
    latest = cosign.latest_cosignatures(active)
    newest = selectors.newest_checkpoint_head()
    rows = []
    for witness in active:
        row = latest.get(witness.pk)
        rows.append(
            {
                "witness": witness,
                "cosignature": row,
                "cosigned_at": datetime.fromtimestamp(row.timestamp, UTC) if row else None,
                "covers_latest": bool(row and newest and row.checkpoint_id == newest.pk),
            }
        )
    return rows
