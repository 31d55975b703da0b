from django.urls import path

from fpa.insurance import views

app_name = "insurance"

urlpatterns = [
    path("", views.products, name="products"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:pk>/edit/", views.product_edit, name="product_edit"),
    path("products/<int:pk>/years/new/", views.year_new, name="year_new"),
    path("settings/", views.settings_page, name="settings"),
    path("import/enrolments/", views.import_enrolments, name="import_enrolments"),
    path("import/claims/", views.import_claims, name="import_claims"),
    path("years/<int:pk>/", views.year, name="year"),
    path("years/<int:pk>/edit/", views.year_edit, name="year_edit"),
    path("years/<int:pk>/rule/", views.rule, name="rule"),
    path("years/<int:pk>/premium/", views.premium, name="premium"),
    path("years/<int:pk>/export/", views.roster_export, name="roster_export"),
    path("years/<int:pk>/enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/", views.enrolment, name="enrolment"),
    path("enrolments/<int:pk>/remove/", views.remove, name="remove"),
    path("enrolments/<int:pk>/claim/", views.claim_new, name="claim_new"),
    path("enrolments/<int:pk>/reveal/<str:field>/", views.enrolment_reveal, name="reveal"),
    path("families/<int:pk>/", views.family, name="family"),
    path("claims/", views.claims, name="claims"),
    path("claims/<int:pk>/", views.claim, name="claim"),
    path("claims/<int:pk>/submit/", views.claim_submit, name="claim_submit"),
    path("claims/<int:pk>/decide/", views.claim_decide, name="claim_decide"),
    path("claims/<int:pk>/close/", views.claim_close, name="claim_close"),
    path("claims/<int:pk>/documents/", views.document_add, name="document_add"),
    path("claims/<int:pk>/reveal/<str:field>/", views.claim_reveal, name="claim_reveal"),
    path("documents/<int:pk>/", views.document, name="document"),
]
