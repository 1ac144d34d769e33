"""Vietnamese phone numbers as a duty officer types them, and their comparable key."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-()]")
_NATIONAL = re.compile(r"^0\d{9,10}$")

PHONE_ERROR = _(
    "Số điện thoại không hợp lệ: nhập số bắt đầu bằng 0 và có 10–11 chữ số "
    "(ví dụ 0912 345 678), hoặc dạng +84…"
)


def normalise_phone(value: str) -> str:
    """ "+84 912.345.678" -> "0912345678"; raises ValidationError when it is not a Vietnamese number."""
    raw = _SEPARATORS.sub("", value or "")
    if not raw:
        return ""
    if raw.startswith("+84"):
        raw = "0" + raw[3:]
    if not _NATIONAL.match(raw):
        raise ValidationError(PHONE_ERROR, code="invalid_phone")
    return raw


def phone_key(value: str) -> str:
    """Digits only, national form, for duplicate checks and look-ups; "" when not a valid number."""
    try:
        return normalise_phone(value)
    except ValidationError:
        return ""
