from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.centres.choices import Role, Sector


class MemberQuerySet(CentreScopedQuerySet["Member"]):
    def active(self) -> MemberQuerySet:
        return self.filter(is_active=True)


class Member(Audited):
    """One role of one person at one centre; a person may hold roles at several centres (R23, R25)."""

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("người dùng"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    role = models.CharField(_("vai trò"), max_length=14, choices=Role.choices)
    agency = models.ForeignKey(
        "centres.Agency",
        verbose_name=_("cơ quan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    title = models.CharField(_("chức vụ"), max_length=200, blank=True)
    phone = models.CharField(_("điện thoại liên hệ"), max_length=20, blank=True)
    is_active = models.BooleanField(_("đang đảm nhiệm"), default=True)
    since = models.DateField(_("từ ngày"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên")
        verbose_name_plural = _("thành viên")
        ordering = ["centre", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["centre", "user", "role"],
                condition=models.Q(is_active=True),
                name="member_unique_active_role",
            ),
            models.UniqueConstraint(
                fields=["centre"],
                condition=models.Q(is_active=True, role="commander"),
                name="member_one_commander",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"

    @property
    def role_colour(self) -> str:
        return Role(self.role).colour

    @property
    def sector_codes(self) -> list[str]:
        return [s.sector for s in self.sectors.all()]


class DeputySector(models.Model):
    """A sector that a deputy commander directs (R9)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sectors")
    sector = models.CharField(_("lĩnh vực"), max_length=14, choices=Sector.choices)

    class Meta:
        verbose_name = _("lĩnh vực phụ trách")
        verbose_name_plural = _("lĩnh vực phụ trách")
        constraints = [models.UniqueConstraint(fields=["member", "sector"], name="deputy_sector_unique")]

    def __str__(self) -> str:
        return self.get_sector_display()
