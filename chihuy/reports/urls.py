import datetime as dt

from django.urls import path, register_converter

from chihuy.reports import views


class ReportDayConverter:
    """A calendar day in the URL as yyyy-mm-dd."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> dt.date:
        try:
            return dt.date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(value) from exc

    def to_url(self, value: dt.date | str) -> str:
        return value if isinstance(value, str) else value.isoformat()


register_converter(ReportDayConverter, "reportday")

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("dashboard/<int:pk>/", views.dashboard, name="dashboard"),
    path("centre/<int:pk>/day/<reportday:day>/", views.day_view, name="day"),
    path("centre/<int:pk>/day/<reportday:day>/file/", views.report_file, name="file"),
    path("centre/<int:pk>/day/<reportday:day>/close/", views.close_day, name="close_day"),
    path("centre/<int:pk>/day/<reportday:day>/reopen/", views.reopen_day, name="reopen_day"),
    path("centre/<int:pk>/settings/", views.report_settings, name="settings"),
    path("centre/<int:pk>/import/", views.import_upload, name="import"),
    path("centre/<int:pk>/import/template.xlsx", views.import_template, name="import_template"),
    path("import/<int:pk>/", views.import_preview, name="import_preview"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/amend/", views.report_amend, name="amend"),
    path("<int:pk>/document.docx", views.report_docx, name="docx"),
    path("<int:pk>/document.pdf", views.report_pdf, name="pdf"),
]
