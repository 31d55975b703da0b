from django.urls import path

from fpa.field import views

app_name = "field"

urlpatterns = [
    path("devices/<int:pk>/end/", views.device_end, name="device_end"),
]
