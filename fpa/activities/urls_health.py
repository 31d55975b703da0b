"""Addresses of the sensitive health follow-ups (included by fpa.activities.urls)."""

from django.urls import path

from fpa.activities.views import health

urlpatterns = [
    path("health/", health.case_list, name="health_cases"),
    path("health/new/", health.case_new, name="health_case_new"),
    path("health/<int:pk>/", health.case_detail, name="health_case"),
    path("health/<int:pk>/follow-up/", health.follow_up, name="health_follow_up"),
    path("health/<int:pk>/reopen/", health.case_reopen, name="health_case_reopen"),
    path("health/<int:pk>/reveal/<str:field>/", health.case_reveal, name="health_reveal"),
]
