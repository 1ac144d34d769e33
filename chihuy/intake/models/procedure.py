from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet


class IntakeProcedure(Audited):
    """A centre's written intake and handling procedure, which the standing unit keeps (R15, R22).

    Plain text: line breaks are kept when shown, nothing else is interpreted, so what the
    standing unit types is what every officer reads.
    """

    centre = models.OneToOneField(
        "centres.Centre",
        verbose_name=_("trung tâm"),
        on_delete=models.CASCADE,
        related_name="intake_procedure",
    )
    body = models.TextField(_("nội dung quy trình"), blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người cập nhật"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = CentreScopedQuerySet.as_manager()

    audit_exclude = frozenset({"updated_at"})

    class Meta:
        verbose_name = _("quy trình tiếp nhận thông tin")
        verbose_name_plural = _("quy trình tiếp nhận thông tin")

    def __str__(self) -> str:
        return str(_("Quy trình tiếp nhận – %(centre)s") % {"centre": self.centre})


class ProcedureAcknowledgement(models.Model):
    """That a user has read his centre's procedure, as it stood at ``version`` (R22).

    A later edit of the procedure has a newer ``updated_at``, so every officer sees it
    again once. Not audited: it is a receipt, not a record anyone edits.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    version = models.DateTimeField(_("phiên bản đã đọc"))
    acknowledged_at = models.DateTimeField(_("đã đọc lúc"), auto_now=True)

    class Meta:
        verbose_name = _("xác nhận đã đọc quy trình")
        verbose_name_plural = _("xác nhận đã đọc quy trình")
        constraints = [
            models.UniqueConstraint(fields=["user", "centre"], name="intake_procedure_ack_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.centre_id}: {self.version:%Y-%m-%d %H:%M}"
