from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.roster.choices import SwapStatus


class SwapRequestQuerySet(CentreScopedQuerySet["SwapRequest"]):
    centre_lookup = "assignment__centre"


class SwapRequest(Audited):
    """An officer hands his shift to a colleague (optionally taking one of the colleague's back).

    Requested → the counterpart accepts → the commander approves; automatic after acceptance
    when the centre allows it and both are of the same agency and role.
    """

    assignment = models.ForeignKey(
        "roster.Assignment", on_delete=models.CASCADE, related_name="swap_requests"
    )
    requester = models.ForeignKey("centres.Member", on_delete=models.CASCADE, related_name="+")
    counterpart = models.ForeignKey(
        "centres.Member", verbose_name=_("người nhận ca"), on_delete=models.CASCADE, related_name="+"
    )
    counterpart_assignment = models.ForeignKey(
        "roster.Assignment",
        verbose_name=_("ca đổi lại"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SwapStatus.choices, default=SwapStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    objects = SwapRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("yêu cầu đổi ca")
        verbose_name_plural = _("yêu cầu đổi ca")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"đổi ca {self.assignment_id} → {self.counterpart_id}"

    def audit_centre(self) -> Any:
        return self.assignment.centre

    @property
    def status_colour(self) -> str:
        return SwapStatus(self.status).colour


class CheckInQuerySet(CentreScopedQuerySet["CheckIn"]):
    centre_lookup = "assignment__centre"


class CheckIn(Audited):
    """The officer's confirmation of presence at the start of a shift, kept for inspections (R20)."""

    assignment = models.OneToOneField("roster.Assignment", on_delete=models.PROTECT, related_name="checkin")
    at = models.DateTimeField(_("điểm danh lúc"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = CheckInQuerySet.as_manager()

    class Meta:
        verbose_name = _("điểm danh")
        verbose_name_plural = _("điểm danh")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.assignment_id} @ {self.at:%d/%m %H:%M}"

    def audit_centre(self) -> Any:
        return self.assignment.centre
