"""Addresses of the campaigns and figures pages (included by fpa.activities.urls)."""

from django.urls import path

from fpa.activities.views import campaigns, figures

urlpatterns = [
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_new, name="campaign_new"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path(
        "campaigns/<int:pk>/activities/",
        campaigns.campaign_activities,
        name="campaign_activities",
    ),
    path("campaigns/<int:pk>/export/", campaigns.campaign_export, name="campaign_export"),
    path("figures/", figures.figures, name="figures"),
    path("figures/records/", figures.figure_records, name="figure_records"),
    path("figures/export/", figures.figures_export, name="figures_export"),
]
