from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet
from chihuy.centres.choices import Sector
from chihuy.core.text import search_key
from chihuy.intake.choices import Channel, IntakeStatus, Source
from chihuy.intake.phone import normalise_phone

# A clock a few seconds ahead of the server's must not turn "now" into "the future".
FUTURE_TOLERANCE = dt.timedelta(minutes=2)


class IntakeRecordQuerySet(CentreScopedQuerySet["IntakeRecord"]):
    def urgent(self) -> IntakeRecordQuerySet:
        return self.filter(urgent=True)

    def for_briefing(self) -> IntakeRecordQuerySet:
        """Non-urgent records that the receiving centre still keeps (R3)."""
        return self.filter(urgent=False).exclude(status__in=[IntakeStatus.FORWARDED, IntakeStatus.ESCALATED])


class IntakeRecord(Audited):
    """One line of a centre's logbook (sổ theo dõi): what was reported, by whom, what was done (R3, R15)."""

    centre = models.ForeignKey(
        "centres.Centre", verbose_name=_("trung tâm"), on_delete=models.PROTECT, related_name="intakes"
    )
    number = models.CharField(_("số hiệu"), max_length=40, editable=False)
    received_at = models.DateTimeField(_("thời gian tiếp nhận"), default=timezone.now)
    channel = models.CharField(
        _("hình thức"), max_length=10, choices=Channel.choices, default=Channel.HOTLINE
    )

    reporter_name = models.CharField(_("người báo"), max_length=150, blank=True)
    reporter_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    reporter_org = models.CharField(_("cơ quan, tổ chức"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("giấu tên"), default=False)

    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes",
        error_messages={"invalid": _("Không tìm thấy địa bàn đã chọn; hãy chọn lại từ danh sách.")},
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    category = models.CharField(_("phân loại"), max_length=14, choices=Sector.choices, default=Sector.OTHER)
    content = models.TextField(_("nội dung"))
    urgent = models.BooleanField(_("khẩn cấp"), default=False)
    urgency_reason = models.CharField(_("lý do khẩn cấp"), max_length=255, blank=True)

    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ tiếp nhận"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes_received",
    )
    handler_member = models.ForeignKey(
        "centres.Member",
        verbose_name=_("thành viên xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes_handled",
    )
    handler_agency = models.ForeignKey(
        "centres.Agency",
        verbose_name=_("cơ quan xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="intakes_handled",
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=IntakeStatus.choices, default=IntakeStatus.RECEIVED
    )
    result = models.TextField(_("kết quả xử lý"), blank=True)
    reporter_told = models.TextField(_("đã trả lời người báo"), blank=True)
    source = models.CharField(_("nguồn"), max_length=8, choices=Source.choices, default=Source.WEB)
    forwarded_from = models.ForeignKey(
        "self",
        verbose_name=_("chuyển từ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="forwards",
    )
    tracking_code = models.CharField(_("mã tra cứu"), max_length=16, unique=True, editable=False)
    reporter_phone_key = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    # Accent-free text of content, reporter and address. No b-tree index: the text can
    # outgrow a PostgreSQL index row, and a contains-search could not use one anyway.
    search_key = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    objects = IntakeRecordQuerySet.as_manager()

    audit_exclude = frozenset({"search_key", "reporter_phone_key", "updated_at"})

    class Meta:
        verbose_name = _("thông tin tiếp nhận")
        verbose_name_plural = _("sổ theo dõi tiếp nhận thông tin")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="intake_unique_number"),
            models.CheckConstraint(
                condition=models.Q(urgent=False) | ~models.Q(urgency_reason=""),
                name="intake_urgent_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "received_at"], name="intake_centre_received"),
            models.Index(fields=["centre", "status"], name="intake_centre_status"),
        ]

    def __str__(self) -> str:
        return self.number or gettext_number_pending()

    @property
    def status_colour(self) -> str:
        return IntakeStatus(self.status).colour

    @property
    def for_briefing(self) -> bool:
        return not self.urgent and self.status not in (IntakeStatus.FORWARDED, IntakeStatus.ESCALATED)

    @property
    def reporter_label(self) -> str:
        if self.anonymous:
            return str(_("Giấu tên"))
        parts = [self.reporter_name, self.reporter_org]
        return " – ".join(p for p in parts if p)

    @property
    def handler_label(self) -> str:
        parts = [str(x) for x in (self.handler_member, self.handler_agency) if x is not None]
        return "; ".join(parts)

    def build_search_key(self) -> str:
        jurisdiction = self.jurisdiction.name if self.jurisdiction_id and self.jurisdiction else ""
        text = " ".join(
            [
                self.number,
                self.content,
                self.reporter_name,
                self.reporter_phone,
                self.reporter_org,
                self.address,
                jurisdiction,
            ]
        )
        return search_key(text)

    def clean(self) -> None:
        errors: dict[str, list[Any]] = {}
        if self.reporter_phone:
            try:
                self.reporter_phone = normalise_phone(self.reporter_phone)
            except ValidationError as exc:
                errors.setdefault("reporter_phone", []).extend(exc.messages)
        elif not self.anonymous:
            errors.setdefault("reporter_phone", []).append(
                _("Nhập số điện thoại người báo, hoặc đánh dấu “giấu tên”.")
            )
        self.content = (self.content or "").strip()
        if not self.content:
            errors.setdefault("content", []).append(_("Nhập nội dung thông tin tiếp nhận."))
        self.urgency_reason = (self.urgency_reason or "").strip()
        if self.urgent and not self.urgency_reason:
            errors.setdefault("urgency_reason", []).append(
                _("Thông tin khẩn cấp phải ghi rõ lý do khẩn cấp.")
            )
        if self.jurisdiction_id is None and not (self.address or "").strip():
            errors.setdefault("jurisdiction", []).append(
                _("Chọn địa bàn (xã, phường), hoặc ghi địa chỉ nếu chưa xác định được địa bàn.")
            )
        if self.received_at and self.received_at > timezone.now() + FUTURE_TOLERANCE:
            errors.setdefault("received_at", []).append(_("Thời gian tiếp nhận không thể ở tương lai."))
        if self.handler_member_id and self.handler_member and self.handler_member.centre_id != self.centre_id:
            errors.setdefault("handler_member", []).append(_("Thành viên xử lý không thuộc trung tâm này."))
        if self.handler_agency_id and self.handler_agency and self.handler_agency.centre_id != self.centre_id:
            errors.setdefault("handler_agency", []).append(_("Cơ quan xử lý không thuộc trung tâm này."))
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.reporter_phone_key = "".join(ch for ch in self.reporter_phone if ch.isdigit())
        self.search_key = self.build_search_key()
        super().save(*args, **kwargs)


def gettext_number_pending() -> str:
    return str(_("(chưa có số)"))


class IntakeDayCounter(models.Model):
    """The last number given out by one centre on one local day.

    Not audited: it is a sequence, not a record anyone edits. The service bumps it with
    a single UPDATE so concurrent entries queue on the row lock (PostgreSQL) or the
    write lock (SQLite) and never share a number.
    """

    centre = models.ForeignKey("centres.Centre", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["centre", "day"], name="intake_counter_unique_day")]

    def __str__(self) -> str:
        return f"{self.centre_id} {self.day}: {self.last}"
