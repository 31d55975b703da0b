from django.urls import path

from fpa.transparency import browser_views, views

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
    path("verify_ledger.py", views.verifier_download, name="verifier"),
    path("verify/", browser_views.verify, name="browser_verify"),
]
