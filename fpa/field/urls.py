from django.urls import path

from fpa.field import app, views

app_name = "field"

urlpatterns = [
    path("", app.shell, name="app"),
    path("session/", app.session, name="session"),
    path("manifest.webmanifest", app.manifest, name="manifest"),
    path("sw.js", app.service_worker, name="sw"),
    path("devices/<int:pk>/end/", views.device_end, name="device_end"),
]
