"""The Excel imports of sites and activities (the shared pages of `fpa.core.excel.pages`)."""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase

from fpa.activities import excel_import
from fpa.core.excel.pages import import_page
from fpa.core.scope import scoped_view


@scoped_view(capability="activity.edit")
def import_sites(request: HttpRequest) -> HttpResponseBase:
    """GET the page (?download=template the blank workbook); POST a file: the dry run as a job;
    POST the token of a dry run: the commit as a job."""
    return import_page(request, excel_import.SITE_IMPORT)


@scoped_view(capability="activity.edit")
def import_activities(request: HttpRequest) -> HttpResponseBase:
    return import_page(request, excel_import.ACTIVITY_IMPORT)
