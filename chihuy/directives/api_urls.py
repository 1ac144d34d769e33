"""Task endpoints, included by ``chihuy.api.urls`` under /api/v1/ (names in the "api" namespace)."""

from django.urls import path

from chihuy.directives import api

urlpatterns = [
    path("tasks", api.TaskListView.as_view(), name="tasks"),
    path("tasks/<id:pk>", api.TaskDetailView.as_view(), name="task"),
    path("tasks/<id:pk>/document", api.TaskDocumentView.as_view(), name="task-document"),
    path(
        "tasks/<id:pk>/attachments/<id:attachment_pk>",
        api.TaskAttachmentView.as_view(),
        name="task-attachment",
    ),
    path("assignments/<id:pk>/updates", api.AssignmentUpdateView.as_view(), name="assignment-updates"),
]
