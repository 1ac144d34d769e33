from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.choices import CentreLevel, CentreStatus
from chihuy.core.files import PrivateFileField, display_name, validate_document

phone_validator = RegexValidator(
    r"^\+?[0-9][0-9 .\-]{7,18}[0-9]$",
    _("Số điện thoại không hợp lệ: chỉ gồm chữ số, dấu cách, dấu chấm hoặc gạch ngang (8–20 ký tự)."),
)
short_code_validator = RegexValidator(
    r"^[A-Z0-9]{2,12}$", _("Mã viết tắt gồm 2–12 chữ in hoa hoặc chữ số, ví dụ VP, VY, HP01.")
)


class CentreQuerySet(models.QuerySet["Centre"]):
    def visible_to(self, user: Any) -> CentreQuerySet:
        from chihuy.centres.access import visible_centres_q

        return self.filter(visible_centres_q(user))


class Centre(Audited):
    """A command centre (R12, R36) or forward command post (R29) and its set-up facts."""

    name = models.CharField(_("tên trung tâm"), max_length=200)
    short_code = models.CharField(
        _("mã viết tắt"),
        max_length=12,
        unique=True,
        validators=[short_code_validator],
        help_text=_("Dùng trong số hiệu sổ theo dõi, ví dụ VP-20261122-0042."),
    )
    level = models.CharField(_("cấp"), max_length=10, choices=CentreLevel.choices)
    jurisdiction = models.ForeignKey(
        "jurisdictions.Jurisdiction",
        verbose_name=_("địa bàn"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="centres",
    )
    region = models.ManyToManyField(
        "jurisdictions.Jurisdiction",
        verbose_name=_("các địa phương phụ trách"),
        blank=True,
        related_name="forward_posts",
        help_text=_("Chỉ dùng cho sở chỉ huy tiền phương: các địa phương thuộc vùng phụ trách."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trung tâm cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/1/5/12/": the ids from the root down to this centre; a subtree is a prefix.
    path = models.CharField(max_length=255, blank=True, db_index=True, editable=False)

    hotline = models.CharField(_("đường dây nóng"), max_length=20, blank=True, validators=[phone_validator])
    hotline_fallback = models.CharField(
        _("số chuyển tiếp dự phòng"),
        max_length=20,
        blank=True,
        validators=[phone_validator],
        help_text=_("Số di động nhận cuộc gọi khi đường dây nóng không liên lạc được (R4)."),
    )
    hotline_fallback_member = models.ForeignKey(
        "centres.Member",
        verbose_name=_("người nhận cuộc gọi chuyển tiếp"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    room_primary = models.CharField(_("phòng họp chính"), max_length=200, blank=True)
    room_primary_capacity = models.PositiveIntegerField(_("sức chứa phòng chính"), null=True, blank=True)
    room_fallback = models.CharField(_("phòng họp dự phòng"), max_length=200, blank=True)
    room_fallback_capacity = models.PositiveIntegerField(_("sức chứa phòng dự phòng"), null=True, blank=True)

    decision_number = models.CharField(_("số quyết định thành lập"), max_length=60, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    decision_file = PrivateFileField(
        _("tệp quyết định"),
        folder="centres/decisions",
        name_field="decision_file_name",
        blank=True,
        validators=[validate_document],
    )
    decision_file_name = models.CharField(_("tên tệp quyết định"), max_length=255, blank=True, editable=False)
    rules_document = PrivateFileField(
        _("quy chế hoạt động"),
        folder="centres/rules",
        name_field="rules_document_name",
        blank=True,
        validators=[validate_document],
    )
    rules_document_name = models.CharField(_("tên tệp quy chế"), max_length=255, blank=True, editable=False)
    rules_issued_on = models.DateField(_("ngày ban hành quy chế"), null=True, blank=True)

    status = models.CharField(
        _("trạng thái"), max_length=12, choices=CentreStatus.choices, default=CentreStatus.PROPOSED
    )
    proposed_on = models.DateField(_("ngày đề xuất"), null=True, blank=True)
    established_on = models.DateField(_("ngày thành lập"), null=True, blank=True)
    activated_on = models.DateField(_("ngày đi vào hoạt động"), null=True, blank=True)
    dissolved_on = models.DateField(_("ngày giải thể"), null=True, blank=True)

    require_2fa_for_leaders = models.BooleanField(
        _("bắt buộc xác thực hai lớp với chỉ huy trưởng, phó chỉ huy trưởng"), default=False
    )

    objects = CentreQuerySet.as_manager()

    class Meta:
        verbose_name = _("trung tâm chỉ huy")
        verbose_name_plural = _("trung tâm chỉ huy")
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level="forward") | models.Q(jurisdiction__isnull=False),
                name="centre_jurisdiction_required",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_centre(self) -> Centre:
        return self

    @property
    def decision_file_label(self) -> str:
        return display_name(self.decision_file, self.decision_file_name)

    @property
    def rules_document_label(self) -> str:
        return display_name(self.rules_document, self.rules_document_name)

    @property
    def has_rules(self) -> bool:
        return bool(self.rules_document) or self.rules_issued_on is not None

    @property
    def status_colour(self) -> str:
        return CentreStatus(self.status).colour

    @property
    def is_forward_post(self) -> bool:
        return self.level == CentreLevel.FORWARD

    def ancestor_ids(self) -> list[int]:
        return [int(p) for p in self.path.strip("/").split("/") if p]
