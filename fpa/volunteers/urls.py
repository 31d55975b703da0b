from django.urls import path

from fpa.volunteers import views

app_name = "volunteers"

urlpatterns = [
    path("", views.volunteer_list, name="list"),
    path("apply/", views.apply, name="apply"),
    path("verify/", views.verify, name="verify"),
    path("me/", views.portal, name="portal"),
    path("new/", views.volunteer_new, name="new"),
    path("renewals/", views.renewals, name="renewals"),
    path("import/", views.import_volunteers, name="import"),
    path("import/hours/", views.import_hours, name="import_hours"),
    path("export/", views.export, name="export"),
    path("services/", views.service_list, name="services"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/assign/", views.assign, name="assign"),
    path("services/<int:pk>/hours/", views.hours_record, name="hours_record"),
    path("hours/pending/", views.pending, name="pending"),
    path("hours/<int:pk>/confirm/", views.hours_confirm, name="hours_confirm"),
    path("match/", views.match, name="match"),
    path("pair/", views.pair, name="pair"),
    path("pairings/<int:pk>/end/", views.pairing_end, name="pairing_end"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("certificates/<int:pk>/", views.certificate, name="certificate"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/vet/", views.vet, name="vet"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/agreement/", views.agreement, name="agreement"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/training/", views.training, name="training"),
    path("<int:pk>/insurance/", views.insurance, name="insurance"),
    path("<int:pk>/link/", views.link, name="link"),
    path("<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
]
