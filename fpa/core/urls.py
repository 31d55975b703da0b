from django.urls import path

from fpa.core import help_views, job_views, views

app_name = "core"

urlpatterns = [
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("audit/", views.audit_list, name="audit_list"),
    path("help/", help_views.help_index, name="help"),
    path("help/<str:anchor>/", help_views.help_section, name="help_section"),
    path("healthz", views.healthz, name="healthz"),
    path("readyz", views.readyz, name="readyz"),
    path("jobs/", job_views.job_list, name="job_list"),
    path("jobs/<int:pk>/", job_views.job_detail, name="job_detail"),
    path("jobs/<int:pk>/progress/", job_views.job_progress, name="job_progress"),
    path("jobs/<int:pk>/cancel/", job_views.job_cancel, name="job_cancel"),
    path("jobs/<int:pk>/download/", job_views.job_download, name="job_download"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon, name="favicon"),
]
