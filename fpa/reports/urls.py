from django.urls import path

from fpa.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.own, name="own"),
    path("open/", views.open_report, name="open"),
    path("below/", views.below, name="below"),
    path("below/live/", views.live, name="live"),
    path("archive/", views.archive, name="archive"),
    path("kinds/", views.kinds, name="kinds"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/save/", views.save, name="save"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.send_back, name="return"),
    path("<int:pk>/export/", views.export, name="export"),
]
