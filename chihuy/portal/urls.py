from django.urls import path

from chihuy.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("report/<int:centre_id>/", views.report, name="report"),
    path("report/<int:centre_id>/places/", views.places, name="places"),
    path("status/", views.status, name="status"),
]
