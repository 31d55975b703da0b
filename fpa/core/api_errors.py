"""The API's error responses, documented once: every operation that names them with
`with_errors` lists in the OpenAPI description the JSON error it may answer with (the body the
handlers of `fpa.api` write for a ServiceError, a refusal, a missing record or invalid input)."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = {}


class ErrorOut(Schema):
    """`{"error": {"code": "...", "message": "中文说明", "fields": {"field": ["..."]}}}`"""

    error: ErrorDetail


# 400 a refused value (code "invalid" or the rule's own code); 401 no session or token; 403 the
# role may not (code "forbidden"); 404 missing or outside the caller's scope (code "not_found");
# 409 changed by someone else since it was read (code "conflict"); 422 input of the wrong shape.
ERRORS: dict[int, Any] = {status: ErrorOut for status in (400, 401, 403, 404, 409, 422)}


def with_errors(schema: Any, *, created: bool = False) -> dict[int, Any]:
    """`response=` for an operation answering `schema` (201 when `created`) or an error."""
    return {201 if created else 200: schema, **ERRORS}
