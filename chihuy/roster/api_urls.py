from django.urls import path

from chihuy.roster import api

urlpatterns = [
    path("centres/<id:pk>/roster", api.CentreRosterView.as_view(), name="centre-roster"),
    path("centres/<id:pk>/on-duty", api.CentreOnDutyView.as_view(), name="centre-on-duty"),
    path("assignments/<id:pk>/swap", api.SwapCreateView.as_view(), name="assignment-swap"),
]
