from django.urls import path

from fpa.families import views
from fpa.families.views import transfers as transfer_views

app_name = "families"

urlpatterns = [
    path("", views.family_list, name="list"),
    path("import/", views.import_families, name="import"),
    path("export/", views.export_families, name="export"),
    path("monthly/", views.monthly_report, name="monthly_report"),
    path("payments/", views.payment_roster, name="payment_roster"),
    path("new/", views.register, name="register"),
    path("mine/", views.mine, name="mine"),
    path("overdue/", views.overdue, name="overdue"),
    path("coverage/", views.coverage, name="coverage"),
    path("roster/", views.roster, name="roster"),
    path("reassign/", views.reassign, name="reassign"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("rates/", views.rates, name="rates"),
    path("transfers/", transfer_views.transfers, name="transfers"),
    path("transfers/<int:pk>/", transfer_views.transfer_detail, name="transfer_detail"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/transfer/", transfer_views.transfer_offer, name="transfer_offer"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/status/", views.status, name="status"),
    path("<int:pk>/people/new/", views.person_add, name="person_add"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/care/new/", views.care_add, name="care_add"),
    path("<int:pk>/supports/new/", views.support_add, name="support_add"),
    path("<int:pk>/reveal/", views.family_reveal, name="family_reveal"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/reveal/<str:field>/", views.person_reveal, name="person_reveal"),
    path("contacts/<int:pk>/end/", views.contact_end, name="contact_end"),
    path("contacts/<int:pk>/reveal/<str:field>/", views.contact_reveal, name="contact_reveal"),
    path("care/<int:pk>/reveal/", views.care_reveal, name="care_reveal"),
    path("needs/<int:pk>/", views.need_update, name="need_update"),
    path("care/<int:pk>/photos/", views.care_photos_add, name="care_photos_add"),
    path("photos/<int:pk>/", views.care_photo, name="care_photo"),
]
