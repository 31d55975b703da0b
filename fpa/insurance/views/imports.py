"""The Excel imports of enrolments and claims (the shared pages of `fpa.core.excel.pages`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from fpa.core.excel.pages import import_page
from fpa.core.scope import scoped_view
from fpa.insurance import excel_import


@scoped_view(capability="insurance.edit")
def import_enrolments(request: HttpRequest) -> HttpResponseBase:
    """GET the page (?download=template the blank workbook); POST a file: the dry run as a job;
    POST the token of a dry run: the commit as a job."""
    return import_page(request, excel_import.ENROLMENT_IMPORT)


@scoped_view(capability="insurance.edit")
def import_claims(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, excel_import.CLAIM_IMPORT)
