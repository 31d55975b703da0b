"""Addresses of the Excel imports of sites and activities (included by fpa.activities.urls)."""

from django.urls import URLPattern, path

from fpa.activities.views import imports

urlpatterns: list[URLPattern] = [
    path("import/sites/", imports.import_sites, name="import_sites"),
    path("import/", imports.import_activities, name="import_activities"),
]
