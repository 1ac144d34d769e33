from django.urls import path

from chihuy.jurisdictions import views

app_name = "jurisdictions"
urlpatterns = [
    path("autocomplete", views.autocomplete, name="autocomplete"),
]
