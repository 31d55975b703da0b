from django.urls import path

from fpa.organizations import views

app_name = "organizations"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("list/", views.association_list, name="list"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    path("a/<str:code>/", views.detail, name="detail"),
    path("a/<str:code>/children/", views.children, name="children"),
    path("a/<str:code>/new/", views.create_child, name="create_child"),
    path("a/<str:code>/rename/", views.rename, name="rename"),
    path("a/<str:code>/contact/", views.contact, name="contact"),
    path("a/<str:code>/close/", views.close, name="close"),
    path("a/<str:code>/staff/new/", views.staff_create, name="staff_create"),
    path("a/<str:code>/filing/", views.filing_submit, name="filing_submit"),
    path("a/<str:code>/seats/", views.seats, name="seats"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/import/", views.staff_import, name="staff_import"),
    path("staff/export/", views.staff_export, name="staff_export"),
    path("staff/<int:pk>/", views.staff_detail, name="staff_detail"),
    path("staff/<int:pk>/edit/", views.staff_edit, name="staff_edit"),
    path("staff/<int:pk>/end/", views.staff_end, name="staff_end"),
    path("staff/<int:pk>/reveal/<str:field>/", views.staff_reveal, name="staff_reveal"),
    path("staff/<int:pk>/training/", views.training_add, name="training_add"),
    path("filings/", views.filing_list, name="filing_list"),
    path("filings/missing/", views.filing_missing, name="filing_missing"),
    path("filings/<int:pk>/review/", views.filing_review, name="filing_review"),
    path("composition/", views.composition, name="composition"),
    path("seats/<int:pk>/end/", views.seat_end, name="seat_end"),
]
