from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportTally(models.Model):
    """How many filed reports of ``child``'s subtree reached ``ancestor``'s tree for one day.

    Kept live by ``report_submit`` (one upsert per ancestor, in the submitting transaction),
    so a nation's 30-day completeness reads about 63 × 30 rows instead of counting 300,000
    reports (issue 5 benchmark). ``child`` is the direct child of ``ancestor`` on the
    reporting centre's path; it is the reporting centre itself when that reports to
    ``ancestor`` directly. Filing is one-way (a filed report is amended, never withdrawn) and
    a centre's path never changes, so the counters only grow; ``report_tally_rebuild``
    recomputes them from the reports after a bulk load.
    """

    ancestor = models.ForeignKey(
        "centres.Centre", on_delete=models.CASCADE, related_name="+", verbose_name=_("trung tâm cấp trên")
    )
    child = models.ForeignKey(
        "centres.Centre", on_delete=models.CASCADE, related_name="+", verbose_name=_("trung tâm cấp dưới")
    )
    date = models.DateField(_("ngày báo cáo"))
    filed = models.PositiveIntegerField(_("đã nộp"), default=0)
    on_time = models.PositiveIntegerField(_("đúng hạn"), default=0)

    class Meta:
        verbose_name = _("số báo cáo đã nộp theo ngày")
        verbose_name_plural = _("số báo cáo đã nộp theo ngày")
        constraints = [
            models.UniqueConstraint(fields=["ancestor", "date", "child"], name="report_tally_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.ancestor_id}/{self.child_id} {self.date}: {self.filed} ({self.on_time})"
