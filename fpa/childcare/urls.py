from django.urls import path

from fpa.childcare import views

app_name = "childcare"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("new/", views.institution_new, name="new"),
    path("problems/", views.problems, name="problems"),
    path("checklist/", views.checklist, name="checklist"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/inspect/", views.inspect, name="inspect"),
    path("<int:pk>/recommend/", views.recommend, name="recommend"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("inspections/<int:pk>/", views.inspection, name="inspection"),
    path("inspections/<int:pk>/problem/", views.problem_add, name="problem_add"),
    path("problems/<int:pk>/rectify/", views.problem_rectify, name="problem_rectify"),
    path("problems/<int:pk>/close/", views.problem_close, name="problem_close"),
    path("problems/<int:pk>/return/", views.problem_return, name="problem_return"),
    path("recommendations/<int:pk>/outcome/", views.outcome, name="outcome"),
]
