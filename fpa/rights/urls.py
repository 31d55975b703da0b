from django.urls import path

from fpa.rights import views

app_name = "rights"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.receive, name="receive"),
    path("figures/", views.figures, name="figures"),
    path("kinds/", views.kinds, name="kinds"),
    path("family/<int:pk>/", views.family_cases, name="family"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/receipt/", views.receipt, name="receipt"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/refer/", views.refer, name="refer"),
    path("<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/satisfaction/", views.rate, name="rate"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
