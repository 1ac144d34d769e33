from django.urls import path

from chihuy.announcements import views

app_name = "announcements"
urlpatterns = [
    path("", views.channel, name="channel"),
    path("<int:pk>/", views.centre_channel, name="centre"),
    path("<int:pk>/post/", views.post, name="post"),
    path("messages/<int:pk>/attachment/", views.attachment_download, name="attachment"),
]
