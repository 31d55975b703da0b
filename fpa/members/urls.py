from django.urls import path

from fpa.members import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("apply/", views.apply, name="apply"),
    path("join/", views.join, name="join"),
    path("join/status/", views.join_status, name="join_status"),
    path("check/<str:code>/", views.check, name="check"),
    path("pending/", views.pending, name="pending"),
    path("counts/", views.counts, name="counts"),
    path("groups/", views.groups, name="groups"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/", views.transfer_detail, name="transfer_detail"),
    path("reregistration/", views.campaigns, name="campaigns"),
    path("reregistration/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("composition/", views.composition, name="composition"),
    path("import/", views.import_members, name="import"),
    path("export/", views.export_members, name="export"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/card/", views.card, name="card"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/transfer/", views.transfer, name="transfer"),
    path("<int:pk>/group/", views.group, name="group"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
