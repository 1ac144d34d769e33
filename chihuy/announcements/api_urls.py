"""Announcement channel endpoints, included by ``chihuy.api.urls`` under /api/v1/."""

from django.urls import path

from chihuy.announcements import api

urlpatterns = [
    path("announcements", api.MessageListView.as_view(), name="announcements"),
    path("announcements/<id:pk>/read", api.MessageReadView.as_view(), name="announcement-read"),
    path(
        "announcements/<id:pk>/attachment",
        api.MessageAttachmentView.as_view(),
        name="announcement-attachment",
    ),
]
