from django.urls import path

from fpa.transparency import browser_views, notice_views, spec_views, views, witness_views

app_name = "transparency"

urlpatterns = [
    path("", views.home, name="home"),
    path("checkpoint", views.checkpoint_text, name="checkpoint_text"),
    path("checkpoint.json", views.checkpoint, name="checkpoint"),
    path("checkpoints.json", views.checkpoints, name="checkpoints"),
    path("status.json", views.status, name="status"),
    path("public-key.json", views.public_key, name="public_key"),
    path("leaves.json", views.leaves, name="leaves"),
    path("leaves/<str:index>.json", views.leaf, name="leaf"),
    path("consistency.json", views.consistency, name="consistency"),
    path("witnesses.json", views.witnesses, name="witnesses"),
    path("witnesses/manage/", witness_views.witness_admin, name="witness_admin"),
    path("witnesses/manage/remove/", witness_views.witness_remove, name="witness_remove"),
    path("verify_ledger.py", views.verifier_download, name="verifier"),
    path("notice/", notice_views.notice, name="notice"),
    path("notice.txt", notice_views.notice_plain, name="notice_plain"),
    path("checkpoints/<str:pk>/", notice_views.checkpoint_page, name="checkpoint_page"),
    path("spec/", spec_views.spec, name="spec"),
    path("spec/fund-entries/", spec_views.spec_fund, name="spec_fund"),
    path("verify/", browser_views.verify, name="browser_verify"),
]
