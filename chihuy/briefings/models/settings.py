from __future__ import annotations

import datetime as dt
import string
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from chihuy.audit.mixins import Audited
from chihuy.centres.access import CentreScopedQuerySet

DEFAULT_TIME = dt.time(17, 0)
DEFAULT_VIDEO_TEMPLATE = "https://meet.jit.si/chihuy-{centre}-{date}-{time}"
VIDEO_PLACEHOLDERS = frozenset({"centre", "date", "time", "kind"})


def validate_video_template(value: str) -> None:
    if not value.startswith("https://"):
        raise ValidationError(_("Đường dẫn họp trực tuyến phải bắt đầu bằng https://."))
    try:
        names = {name for _lit, name, _spec, _conv in string.Formatter().parse(value) if name is not None}
    except ValueError as exc:
        raise ValidationError(_("Mẫu đường dẫn có dấu ngoặc nhọn không khớp.")) from exc
    unknown = names - VIDEO_PLACEHOLDERS
    if unknown:
        raise ValidationError(
            _("Mẫu đường dẫn chỉ được dùng {centre}, {date}, {time}, {kind}; không nhận: %(x)s.")
            % {"x": ", ".join("{" + n + "}" for n in sorted(unknown))}
        )


class BriefingSettings(Audited):
    """A centre's standing arrangements for its briefings: the daily 17:00 one (R5, R12) and the
    video-conference link template."""

    centre = models.OneToOneField(
        "centres.Centre", on_delete=models.CASCADE, related_name="briefing_settings"
    )
    regular_enabled = models.BooleanField(_("giao ban định kỳ hằng ngày"), default=True)
    regular_time = models.TimeField(_("giờ giao ban định kỳ"), default=DEFAULT_TIME)
    duration_minutes = models.PositiveSmallIntegerField(_("thời lượng dự kiến (phút)"), default=60)
    days_ahead = models.PositiveSmallIntegerField(
        _("lên lịch trước (ngày)"),
        default=7,
        help_text=_("Số ngày tới được tạo sẵn cuộc giao ban định kỳ."),
    )
    video_url_template = models.CharField(
        _("mẫu đường dẫn họp trực tuyến"),
        max_length=300,
        default=DEFAULT_VIDEO_TEMPLATE,
        validators=[validate_video_template],
        help_text=_("Dùng {centre} (mã trung tâm), {date} (ngày), {time} (giờ), {kind} (loại cuộc họp)."),
    )

    objects = CentreScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thiết lập giao ban")
        verbose_name_plural = _("thiết lập giao ban")

    def __str__(self) -> str:
        return f"{self.centre} – {self.regular_time:%H:%M}"

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        if not 1 <= self.days_ahead <= 60:
            errors["days_ahead"] = _("Chỉ lên lịch trước từ 1 đến 60 ngày.")
        if not 10 <= self.duration_minutes <= 600:
            errors["duration_minutes"] = _("Thời lượng từ 10 đến 600 phút.")
        if errors:
            raise ValidationError(errors)
