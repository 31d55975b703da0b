from django.urls import path

from fpa.migrants import transfer_views, views

app_name = "migrants"

urlpatterns = [
    path("", views.migrant_list, name="list"),
    path("new/", views.migrant_new, name="new"),
    path("counts/", views.counts, name="counts"),
    path("import/", views.import_migrants, name="import"),
    path("transfers/", transfer_views.transfers, name="transfers"),
    path("transfers/<int:pk>/", transfer_views.transfer_detail, name="transfer_detail"),
    path("<int:pk>/transfer/", transfer_views.transfer_offer, name="transfer_offer"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<int:pk>/family/new/", views.family_add, name="family_add"),
    path("<int:pk>/services/new/", views.service_add, name="service_add"),
    path("<int:pk>/needs/new/", views.need_add, name="need_add"),
    path("family/<int:pk>/remove/", views.family_remove, name="family_remove"),
    path("needs/<int:pk>/", views.need_update, name="need_update"),
    path("enterprises/", views.enterprise_list, name="enterprises"),
    path("enterprises/<int:pk>/", views.enterprise_detail, name="enterprise"),
    path("enterprises/<int:pk>/profile/", views.profile_edit, name="profile_edit"),
    path("enterprises/<int:pk>/evaluations/new/", views.evaluation_add, name="evaluation_add"),
]
