from django.urls import path

from fpa.leftbehind import views

app_name = "leftbehind"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("new/", views.person_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("import/", views.import_people, name="import"),
    path("handover/", views.handover, name="handover"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/reveal/<str:field>/", views.reveal, name="reveal"),
    path("<int:pk>/contacts/new/", views.contact_add, name="contact_add"),
    path("<int:pk>/care/new/", views.care_add, name="care_add"),
    path("contacts/<int:pk>/end/", views.contact_end, name="contact_end"),
    path("needs/<int:pk>/", views.need_update, name="need_update"),
]
