from django.urls import path

from chihuy.notifications import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_index, name="index"),
    path("badge", views.notification_badge, name="badge"),
    path("read-all", views.notification_read_all, name="read_all"),
    path("<int:pk>/open", views.notification_open, name="open"),
]
