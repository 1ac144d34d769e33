from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.centres.choices import AgencyKind


class Agency(Audited):
    """A member agency of one centre (Sở Y tế, Công an tỉnh, ...), editable per centre (R1, R23)."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="agencies")
    name = models.CharField(_("tên cơ quan"), max_length=200)
    short_name = models.CharField(_("tên viết tắt"), max_length=40, blank=True)
    kind = models.CharField(
        _("lĩnh vực"), max_length=12, choices=AgencyKind.choices, default=AgencyKind.OTHER
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=100)

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cơ quan thành viên")
        verbose_name_plural = _("cơ quan thành viên")
        ordering = ["centre", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["centre", "name"], name="agency_unique_name")]

    def __str__(self) -> str:
        return self.short_name or self.name
