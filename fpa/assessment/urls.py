from django.urls import path

from fpa.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.scheme_list, name="list"),
    path("schemes/new/", views.scheme_new, name="scheme_new"),
    path("schemes/<int:pk>/", views.scheme_detail, name="scheme"),
    path("schemes/<int:pk>/indicators/", views.indicator_add, name="indicator_add"),
    path("schemes/<int:pk>/indicators/<int:indicator>/", views.indicator_edit, name="indicator"),
    path("schemes/<int:pk>/publish/", views.scheme_publish, name="scheme_publish"),
    path("schemes/<int:pk>/rounds/", views.round_new, name="round_new"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/advance/", views.round_advance, name="round_advance"),
    path("rounds/<int:pk>/freeze/", views.round_freeze, name="round_freeze"),
    path("rounds/<int:pk>/publish/", views.round_publish, name="round_publish"),
    path("rounds/<int:pk>/export/", views.export, name="export"),
    path("rounds/<int:pk>/<str:code>/", views.sheet, name="sheet"),
    path("rounds/<int:pk>/<str:code>/self/", views.self_assess, name="self"),
    path("rounds/<int:pk>/<str:code>/score/", views.score, name="score"),
    path("rounds/<int:pk>/<str:code>/appeal/", views.appeal, name="appeal"),
    path("appeals/<int:pk>/answer/", views.appeal_answer, name="appeal_answer"),
    path("public/<str:code>/<int:year>/", views.public, name="public"),
]
