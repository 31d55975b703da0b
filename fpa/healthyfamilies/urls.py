from django.urls import path

from fpa.healthyfamilies import views

app_name = "healthyfamilies"

urlpatterns = [
    path("", views.nomination_list, name="list"),
    path("new/", views.nomination_new, name="new"),
    path("export/", views.export, name="export"),
    path("counts/", views.counts, name="counts"),
    path("awards/", views.awards, name="awards"),
    path("public/", views.public_index, name="public_index"),
    path("public/<str:code>/<int:year>/", views.public_list, name="public_list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/review/", views.review, name="review"),
    path("<int:pk>/award/", views.award, name="award"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/consent/", views.consent, name="consent"),
]
