from chihuy.reports.models.imports import ReportImport
from chihuy.reports.models.report import DailyReport, ReportExtraValue, ReportVersion, day_status
from chihuy.reports.models.settings import DEFAULT_DEADLINE, ClosedDay, ReminderLog, ReportingSettings
from chihuy.reports.models.tally import ReportTally
from chihuy.reports.models.template import ReportTemplate, TemplateIndicator

__all__ = [
    "DEFAULT_DEADLINE",
    "ClosedDay",
    "DailyReport",
    "ReminderLog",
    "ReportExtraValue",
    "ReportImport",
    "ReportTally",
    "ReportTemplate",
    "ReportVersion",
    "ReportingSettings",
    "TemplateIndicator",
    "day_status",
]
