from django.urls import include, path

from fpa.api import api

urlpatterns = [
    path("", include("fpa.dashboard.urls")),
    path("", include("fpa.core.urls")),
    path("accounts/", include("fpa.accounts.urls")),
    path("org/", include("fpa.organizations.urls")),
    path("families/", include("fpa.families.urls")),
    path("fund/", include("fpa.fund.urls")),
    path("ledger/", include("fpa.transparency.urls")),
    path("members/", include("fpa.members.urls")),
    path("volunteers/", include("fpa.volunteers.urls")),
    path("childcare/", include("fpa.childcare.urls")),
    path("activities/", include("fpa.activities.urls")),
    path("healthy-families/", include("fpa.healthyfamilies.urls")),
    path("cadres/", include("fpa.cadres.urls")),
    path("field/", include("fpa.field.urls")),
    path("assessment/", include("fpa.assessment.urls")),
    path("insurance/", include("fpa.insurance.urls")),
    path("migrants/", include("fpa.migrants.urls")),
    path("left-behind/", include("fpa.leftbehind.urls")),
    path("rights/", include("fpa.rights.urls")),
    path("reports/", include("fpa.reports.urls")),
    path("tasks/", include("fpa.tasks.urls")),
    path("notifications/", include("fpa.notifications.urls")),
    path("api/v1/", api.urls),
]

handler400 = "fpa.core.views.bad_request"
handler403 = "fpa.core.views.permission_denied"
handler404 = "fpa.core.views.page_not_found"
handler500 = "fpa.core.views.server_error"
