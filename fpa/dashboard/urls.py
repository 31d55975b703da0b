from django.urls import path

from fpa.dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview_page, name="overview"),
    path("overview/evaluation/", views.evaluation_page, name="evaluation"),
    path("overview/evaluation/export/", views.evaluation_export, name="evaluation_export"),
]
