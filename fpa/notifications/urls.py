from django.urls import path

from fpa.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("preferences/", views.preferences, name="preferences"),
    path("read-all/", views.mark_all_read, name="read_all"),
    path("<int:pk>/", views.open_message, name="open"),
    path("<int:pk>/read/", views.mark_read, name="read"),
]
