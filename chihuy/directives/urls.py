from django.urls import path

from chihuy.directives import views

app_name = "directives"
urlpatterns = [
    path("", views.board, name="board"),
    path("mine/", views.mine, name="mine"),
    path("new", views.create, name="create"),
    path("new/", views.create),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/document/", views.document_download, name="document"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/assign/", views.assign, name="assign"),
    path("assignments/<int:pk>/report/", views.report, name="report"),
]
