"""Briefing endpoints, included by ``chihuy.api.urls`` under /api/v1/ (names in the "api" namespace)."""

from django.urls import path

from chihuy.briefings import api

urlpatterns = [
    path("briefings", api.BriefingListView.as_view(), name="briefings"),
    path("briefings/<id:pk>", api.BriefingDetailView.as_view(), name="briefing"),
    path("briefings/<id:pk>/attendance", api.BriefingAttendanceView.as_view(), name="briefing-attendance"),
]
