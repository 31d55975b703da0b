"""Addresses of the activities pages (included by fpa.activities.urls)."""

from django.urls import path

from fpa.activities.views import activities as pages
from fpa.activities.views import activity_funding as funding
from fpa.activities.views import activity_steps as steps

urlpatterns = [
    path("", pages.activity_list, name="list"),
    path("export/", pages.export, name="export"),
    path("highlights/", pages.highlights, name="highlights"),
    path("new/", pages.activity_new, name="new"),
    path("<int:pk>/", pages.activity_detail, name="detail"),
    path("<int:pk>/edit/", pages.activity_edit, name="edit"),
    path("<int:pk>/approve/", steps.approve, name="approve"),
    path("<int:pk>/hold/", steps.hold, name="hold"),
    path("<int:pk>/counts/", steps.counts, name="counts"),
    path("<int:pk>/summary/", steps.summarise, name="summarise"),
    path("<int:pk>/cancel/", steps.cancel, name="cancel"),
    path("<int:pk>/media/", steps.media_add, name="media_add"),
    path("<int:pk>/media/remove/", steps.media_remove, name="media_remove"),
    path("<int:pk>/media/scan/", funding.media_scan_add, name="media_scan_add"),
    path("media/<int:pk>/scan/", funding.media_scan, name="media_scan"),
    path("<int:pk>/fund/", funding.fund_link, name="fund_link"),
    path("<int:pk>/volunteers/", steps.volunteers, name="volunteers"),
    path("<int:pk>/signin/open/", steps.signin_open, name="signin_open"),
    path("<int:pk>/signin/close/", steps.signin_close, name="signin_close"),
]
