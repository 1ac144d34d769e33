from django.urls import path

from chihuy.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("stream", views.stream, name="stream"),
    path("<int:pk>/acknowledge", views.acknowledge, name="acknowledge"),
    path("policy/<int:centre_id>/", views.policy_edit, name="policy"),
]
