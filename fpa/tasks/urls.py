from django.urls import path

from fpa.tasks import views

app_name = "tasks"

urlpatterns = [
    path("", views.task_list, name="list"),
    path("new/", views.task_new, name="new"),
    path("export/", views.export, name="export"),
    path("roadmap/", views.roadmap, name="roadmap"),
    path("book/", views.book, name="book"),
    path("measures/", views.measures, name="measures"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/delegate/", views.delegate, name="delegate"),
    path("<int:pk>/report/", views.report, name="report"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/return/", views.return_, name="return"),
    path("<int:pk>/reopen/", views.reopen, name="reopen"),
    path("<int:pk>/remind/", views.remind, name="remind"),
    path("<int:pk>/notice/", views.notice, name="notice"),
    path("<int:pk>/interview/", views.interview, name="interview"),
    path("<int:pk>/extension/", views.extension, name="extension"),
    path("notices/<int:pk>/answer/", views.answer, name="answer"),
    path("extensions/<int:pk>/decide/", views.decide, name="decide"),
    path("evidence/<int:pk>/", views.evidence, name="evidence"),
]
