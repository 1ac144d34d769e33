"""The intake procedure pages (R22), included by ``chihuy.intake.urls`` under /intake/procedure/.

Included without a namespace of its own, so the names live in "intake":
``intake:procedure``, ``intake:procedure_edit``, ``intake:procedure_acknowledge``.
"""

from django.urls import path

from chihuy.intake import procedure_views

urlpatterns = [
    path("<int:centre_id>/", procedure_views.procedure_detail, name="procedure"),
    path("<int:centre_id>/edit/", procedure_views.procedure_edit, name="procedure_edit"),
    path(
        "<int:centre_id>/acknowledge/",
        procedure_views.procedure_acknowledge_view,
        name="procedure_acknowledge",
    ),
]
