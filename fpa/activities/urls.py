"""Addresses of the activities module, one module per area, all in the "activities" namespace."""

from fpa.activities import (
    urls_activities,
    urls_campaigns,
    urls_health,
    urls_imports,
    urls_public,
    urls_sites,
)

app_name = "activities"

urlpatterns = [
    *urls_public.urlpatterns,
    *urls_campaigns.urlpatterns,
    *urls_sites.urlpatterns,
    *urls_health.urlpatterns,
    *urls_imports.urlpatterns,
    *urls_activities.urlpatterns,
]
