from django.urls import path

from fpa.fund import views

app_name = "fund"

urlpatterns = [
    path("", views.home, name="home"),
    path("create/", views.fund_create, name="create"),
    path("settings/", views.fund_settings, name="settings"),
    path("rules/edit/", views.rules_edit, name="rules_edit"),
    path("donations/", views.donation_list, name="donations"),
    path("donations/new/", views.donation_new, name="donation_new"),
    path("donations/<int:pk>/receipt/", views.receipt, name="receipt"),
    path("entries/", views.entry_list, name="entries"),
    path("entries/income/", views.income_new, name="income_new"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("grants/", views.grant_list, name="grants"),
    path("grants/new/", views.grant_new, name="grant_new"),
    path("grants/<int:pk>/", views.grant_detail, name="grant_detail"),
    path("grants/<int:pk>/review/", views.grant_review, name="grant_review"),
    path("grants/<int:pk>/approve/", views.grant_approve, name="grant_approve"),
    path("grants/<int:pk>/pay/", views.grant_pay, name="grant_pay"),
    path("grants/<int:pk>/close/", views.grant_close, name="grant_close"),
    path("grants/<int:pk>/attachments/", views.grant_attachment_add, name="grant_attachment_add"),
    path("attachments/<int:pk>/", views.grant_attachment, name="grant_attachment"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/<int:pk>/reply/", views.feedback_reply, name="feedback_reply"),
    path("feedback/<int:pk>/review/", views.feedback_review, name="feedback_review"),
    path("report/", views.report, name="report"),
    # Public disclosure: no sign-in.
    path("public/", views.public_root, name="public_root"),
    path("public/<str:code>/", views.public_home, name="public_home"),
    path("public/<str:code>/data.json", views.public_data, name="public_data"),
    path("public/<str:code>/donations/", views.public_donations, name="public_donations"),
    path("public/<str:code>/receipts/<str:number>/", views.public_receipt, name="public_receipt"),
    path("public/<str:code>/grants/", views.public_grants, name="public_grants"),
    path("public/<str:code>/grants/<str:number>/", views.public_grant, name="public_grant"),
    path("public/<str:code>/notices/", views.public_notices, name="public_notices"),
    path("public/<str:code>/feedback/", views.public_feedback, name="public_feedback"),
    path(
        "public/<str:code>/feedback/r/<str:receipt>/",
        views.public_feedback_status,
        name="public_feedback_status",
    ),
    path("public/<str:code>/entries/", views.public_entries, name="public_entries"),
    path("public/<str:code>/entries/<str:number>/", views.public_entry, name="public_entry"),
    path("public/<str:code>/codes/", views.public_codes, name="public_codes"),
    path("public/<str:code>/lookup/", views.public_lookup, name="public_lookup"),
    path("public/<str:code>/rules/", views.public_rules, name="public_rules"),
    path("public/<str:code>/report/", views.public_report, name="public_report"),
]
