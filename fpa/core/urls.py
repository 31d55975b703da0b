from django.urls import path

from fpa.core import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("audit/", views.audit_list, name="audit_list"),
    path("healthz", views.healthz, name="healthz"),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", views.favicon, name="favicon"),
]
