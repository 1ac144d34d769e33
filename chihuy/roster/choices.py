from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class RosterStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã ban hành")

    @property
    def colour(self) -> str:
        return {"draft": "grey", "published": "green"}[self.value]


class DutyRole(models.TextChoices):
    """The part a person plays in a slot (R1: primary and backup; R9: command duty)."""

    PRIMARY = "primary", _("Trực chính")
    BACKUP = "backup", _("Dự phòng")
    COMMAND = "command", _("Trực chỉ huy")

    @property
    def colour(self) -> str:
        return {"primary": "blue", "backup": "grey", "command": "red"}[self.value]


class SwapStatus(models.TextChoices):
    REQUESTED = "requested", _("Chờ người nhận đồng ý")
    ACCEPTED = "accepted", _("Chờ chỉ huy duyệt")
    APPROVED = "approved", _("Đã duyệt")
    REJECTED = "rejected", pgettext_lazy("swap status", "Từ chối")
    CANCELLED = "cancelled", _("Đã huỷ")

    @property
    def colour(self) -> str:
        return {
            "requested": "orange",
            "accepted": "blue",
            "approved": "green",
            "rejected": "red",
            "cancelled": "grey",
        }[self.value]


OPEN_SWAP_STATUSES = frozenset({SwapStatus.REQUESTED, SwapStatus.ACCEPTED})
