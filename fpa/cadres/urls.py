from django.urls import path

from fpa.cadres import views

app_name = "cadres"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("export/", views.export, name="export"),
    path("points/", views.point_list, name="points"),
    path("points/new/", views.point_assign, name="assign"),
    path("points/<int:pk>/", views.point, name="point"),
    path("points/<int:pk>/visit/", views.visit_log, name="visit"),
    path("points/<int:pk>/end/", views.point_end, name="end"),
    path("findings/<int:pk>/solve/", views.finding_solve, name="finding_solve"),
    path("findings/<int:pk>/pass/", views.finding_pass, name="finding_pass"),
    path("findings/<int:pk>/need/", views.finding_need, name="finding_need"),
    path("findings/<int:pk>/task/", views.finding_task, name="finding_task"),
]
