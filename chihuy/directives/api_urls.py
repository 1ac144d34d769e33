"""Task endpoints, included by ``chihuy.api.urls`` under /api/v1/ (names in the "api" namespace)."""

from django.urls import path

from chihuy.directives import api

urlpatterns = [
    path("tasks", api.TaskListView.as_view(), name="tasks"),
    path("tasks/<int:pk>", api.TaskDetailView.as_view(), name="task"),
    path("tasks/<int:pk>/document", api.TaskDocumentView.as_view(), name="task-document"),
    path(
        "tasks/<int:pk>/attachments/<int:attachment_pk>",
        api.TaskAttachmentView.as_view(),
        name="task-attachment",
    ),
    path("assignments/<int:pk>/updates", api.AssignmentUpdateView.as_view(), name="assignment-updates"),
]
