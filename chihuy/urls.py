from django.contrib import admin
from django.urls import include, path, re_path
from django.views.i18n import set_language

from chihuy.api.views import NotFoundView
from chihuy.core.views import healthz

# No route serves MEDIA_ROOT, in any mode: an uploaded file is downloaded through the view of
# the record it belongs to, which checks the permission layer (chihuy.core.files).
# Outside the URL conf (a 404 or a crash anywhere): a problem under /api/, the site's page elsewhere.
handler404 = "chihuy.api.errors.api_page_not_found"
handler500 = "chihuy.api.errors.api_server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("accounts/", include("chihuy.accounts.urls")),
    path("audit/", include("chihuy.audit.urls")),
    path("jurisdictions/", include("chihuy.jurisdictions.urls")),
    path("intake/", include("chihuy.intake.urls")),
    path("alerts/", include("chihuy.alerts.urls")),
    path("roster/", include("chihuy.roster.urls")),
    path("reports/", include("chihuy.reports.urls")),
    path("briefings/", include("chihuy.briefings.urls")),
    path("directives/", include("chihuy.directives.urls")),
    path("announcements/", include("chihuy.announcements.urls")),
    path("notifications/", include("chihuy.notifications.urls")),
    path("public/", include("chihuy.portal.urls")),
    path("api/v1/", include("chihuy.api.urls")),
    # Any other address under /api/ answers a problem, not the site's HTML page (nor DEBUG's).
    # [\s\S], not ".": a path with a newline in it (/api/v1/x%0Ay) slipped past ".*".
    re_path(r"^api/[\s\S]*$", NotFoundView.as_view(), name="api-not-found"),
    path("", include("chihuy.centres.urls")),
]
