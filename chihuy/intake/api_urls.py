"""Intake endpoints, included by ``chihuy.api.urls`` under /api/v1/ (names in the "api" namespace)."""

from django.urls import path

from chihuy.intake import api

urlpatterns = [
    path("intakes", api.IntakeListView.as_view(), name="intakes"),
    path("intakes/<id:pk>", api.IntakeDetailView.as_view(), name="intake"),
    path(
        "intakes/<id:pk>/attachments/<id:attachment_pk>",
        api.IntakeAttachmentView.as_view(),
        name="intake-attachment",
    ),
    path("webhooks/sms/<id:centre_id>", api.SmsWebhookView.as_view(), name="webhook-sms"),
]
