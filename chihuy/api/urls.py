from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView

from chihuy.api import views
from chihuy.audit.api import AuditListView
from chihuy.centres import api as centres

app_name = "api"
urlpatterns = [
    path("me", views.MeView.as_view(), name="me"),
    path("jurisdictions", views.JurisdictionSearchView.as_view(), name="jurisdictions"),
    path("centres", centres.CentreListView.as_view(), name="centres"),
    path("centres/<id:pk>", centres.CentreDetailView.as_view(), name="centre"),
    path("centres/<id:pk>/status", centres.CentreStatusView.as_view(), name="centre-status"),
    path(
        "centres/<id:pk>/files/<slug:which>",
        centres.CentreDocumentView.as_view(),
        name="centre-document",
    ),
    path("centres/<id:pk>/children", centres.CentreChildrenView.as_view(), name="centre-children"),
    path("centres/<id:pk>/coverage", centres.CentreCoverageView.as_view(), name="centre-coverage"),
    path("centres/<id:pk>/members", centres.CentreMembersView.as_view(), name="centre-members"),
    path("centres/<id:pk>/agencies", centres.CentreAgenciesView.as_view(), name="centre-agencies"),
    path("members/<id:pk>", centres.MemberDetailView.as_view(), name="member"),
    path("agencies/<id:pk>", centres.AgencyDetailView.as_view(), name="agency"),
    path("audit", AuditListView.as_view(), name="audit"),
    path("", include("chihuy.intake.api_urls")),
    path("", include("chihuy.roster.api_urls")),
    path("", include("chihuy.reports.api_urls")),
    path("", include("chihuy.briefings.api_urls")),
    path("", include("chihuy.directives.api_urls")),
    path("", include("chihuy.announcements.api_urls")),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", views.DocsView.as_view(), name="docs"),
]
