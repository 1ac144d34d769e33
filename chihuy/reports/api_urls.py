"""Report endpoints, included by ``chihuy.api.urls`` under /api/v1/ (names in the "api" namespace)."""

from django.urls import path

from chihuy.reports import api

urlpatterns = [
    path("reports", api.ReportListView.as_view(), name="reports"),
    path("reports/completeness", api.CompletenessView.as_view(), name="reports-completeness"),
    path("reports/<id:pk>", api.ReportDetailView.as_view(), name="report"),
    path("reports/<id:pk>/amend", api.ReportAmendView.as_view(), name="report-amend"),
]
