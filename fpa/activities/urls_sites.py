"""Addresses of the sites pages, the photos, the expert pool, the peer clubs and the settings
(included by fpa.activities.urls)."""

from django.urls import path

from fpa.activities.views import pool, settings, sites

urlpatterns = [
    path("sites/", sites.site_list, name="sites"),
    path("sites/new/", sites.site_new, name="site_new"),
    path("sites/<int:pk>/", sites.site_detail, name="site"),
    path("sites/<int:pk>/edit/", sites.site_edit, name="site_edit"),
    path("sites/<int:pk>/families/", sites.site_families, name="site_families"),
    path("sites/<int:pk>/reveal/<str:field>/", sites.site_reveal, name="site_reveal"),
    path("photos/<str:kind>/<int:owner>/add/", sites.photo_add, name="photo_add"),
    path("photos/<int:pk>/", sites.photo, name="photo"),
    path("photos/<int:pk>/thumb/", sites.photo_thumb, name="photo_thumb"),
    path("photos/<int:pk>/edit/", sites.photo_edit, name="photo_edit"),
    path("photos/<int:pk>/public/", sites.photo_public, name="photo_public"),
    path("photos/<int:pk>/remove/", sites.photo_remove, name="photo_remove"),
    path("experts/", pool.expert_list, name="experts"),
    path("experts/new/", pool.expert_new, name="expert_new"),
    path("experts/<int:pk>/", pool.expert_detail, name="expert"),
    path("experts/<int:pk>/edit/", pool.expert_edit, name="expert_edit"),
    path("experts/<int:pk>/reveal/<str:field>/", pool.expert_reveal, name="expert_reveal"),
    path("clubs/", pool.club_list, name="clubs"),
    path("clubs/new/", pool.club_new, name="club_new"),
    path("clubs/<int:pk>/", pool.club_detail, name="club"),
    path("clubs/<int:pk>/edit/", pool.club_edit, name="club_edit"),
    path("settings/", settings.settings_page, name="settings"),
    path("settings/<str:kind>/add/", settings.settings_item_add, name="settings_item_add"),
    path(
        "settings/<str:kind>/<int:pk>/edit/", settings.settings_item_edit, name="settings_item_edit"
    ),
    path(
        "settings/<str:kind>/<int:pk>/move/", settings.settings_item_move, name="settings_item_move"
    ),
    path(
        "settings/<str:kind>/<int:pk>/active/",
        settings.settings_item_active,
        name="settings_item_active",
    ),
]
