from django.urls import path

from chihuy.intake import views

app_name = "intake"
urlpatterns = [
    path("", views.intake_list, name="list"),
    path("new/", views.intake_create, name="create"),
    path("export.xlsx", views.export_xlsx, name="export_xlsx"),
    path("export.pdf", views.export_pdf, name="export_pdf"),
    path("check/duplicates/", views.check_duplicates, name="check_duplicates"),
    path("check/route/", views.check_route, name="check_route"),
    path("<int:pk>/", views.intake_detail, name="detail"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_download, name="attachment"),
    path("<int:pk>/edit/", views.intake_edit, name="edit"),
    path("<int:pk>/status/", views.intake_status, name="status"),
    path("<int:pk>/assign/", views.intake_assign, name="assign"),
    path("<int:pk>/forward/", views.intake_forward, name="forward"),
    path("<int:pk>/escalate/", views.intake_escalate, name="escalate"),
    path("<int:pk>/note/", views.intake_note, name="note"),
    path("procedure/<int:centre_id>/", views.procedure_detail, name="procedure"),
    path("routing/<int:centre_id>/", views.routing_rules, name="routing"),
    path("procedure/<int:centre_id>/edit/", views.procedure_edit, name="procedure_edit"),
    path("procedure/<int:centre_id>/ack/", views.procedure_acknowledge_view, name="procedure_acknowledge"),
]
