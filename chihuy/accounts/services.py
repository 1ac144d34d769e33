"""Account security writes: two-factor devices and backup codes.

A user has two-factor authentication when he has a *confirmed* TOTP device (an
authenticator app). Backup codes are a django-otp StaticDevice whose tokens are
each consumed on use. Every change is recorded in the audit log; secrets never
are. Token checks run outside the atomic blocks on purpose: a wrong code must
leave its throttling counter behind even though the caller then raises.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chihuy.audit.choices import AuditAction
from chihuy.audit.mixins import audit_record

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
BACKUP_DEVICE_NAME = "Mã dự phòng"

_TOTP_RE = re.compile(r"^\d{6}$")


def normalise_token(token: str) -> str:
    """What the user typed, without spaces or dashes, lower case (backup codes are base32)."""
    return re.sub(r"[\s-]+", "", token or "").lower()


def _throttled_message(device: Device) -> str | None:
    allowed, _data = device.verify_is_allowed()
    if allowed:
        return None
    return _("Bạn đã nhập sai quá nhiều lần. Vui lòng chờ một lát rồi thử lại.")


def totp_device_create(*, user: Any) -> TOTPDevice:
    """Start setting up an authenticator app: a new unconfirmed device with a fresh secret.

    Any earlier unconfirmed device is discarded, so only the QR code shown last works.
    Refused when the user already has a confirmed device (disable it first).
    """
    with transaction.atomic():
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            raise ValidationError(_("Xác thực hai lớp đã được bật cho tài khoản này."))
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        device.full_clean()
        device.save()
    return device


def totp_device_confirm(*, user: Any, device: TOTPDevice, token: str) -> list[str]:
    """Turn on two-factor authentication once the user proves the app shows the right code.

    Returns the new backup codes, which are shown once and never stored in clear elsewhere.
    """
    if device.user_id != user.pk or device.confirmed:
        raise ValidationError(_("Thiết bị xác thực không hợp lệ."))
    token = normalise_token(token)
    if not _TOTP_RE.match(token):
        raise ValidationError(_("Mã xác thực gồm 6 chữ số."), code="invalid")
    throttled = _throttled_message(device)
    if throttled:
        raise ValidationError(throttled, code="throttled")
    if not device.verify_token(token):
        raise ValidationError(_("Mã xác thực không đúng hoặc đã hết hạn."), code="invalid")
    with transaction.atomic():
        device.confirmed = True
        device.full_clean()
        device.save(update_fields=["confirmed"])
        audit_record(instance=device, action=AuditAction.UPDATE, changes={"confirmed": [False, True]})
        codes = backup_codes_generate(user=user)
    return codes


def backup_codes_generate(*, user: Any) -> list[str]:
    """Replace the user's backup codes with ten new one-time codes; the old ones stop working."""
    with transaction.atomic():
        device, created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
        device.token_set.all().delete()
        codes: list[str] = []
        while len(codes) < BACKUP_CODE_COUNT:
            code = StaticToken.random_token()
            if code not in codes:
                codes.append(code)
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
        audit_record(
            instance=device,
            action=AuditAction.CREATE if created else AuditAction.UPDATE,
            changes={"backup_codes": [None, f"{BACKUP_CODE_COUNT} mã mới"]},
        )
    return codes


def two_factor_disable(*, user: Any) -> None:
    """Turn off two-factor authentication: remove the authenticator app and the backup codes.

    The caller has already checked the current password or a valid code.
    """
    with transaction.atomic():
        for device in [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]:
            if device.confirmed:
                audit_record(instance=device, action=AuditAction.DELETE, changes={"confirmed": [True, None]})
            device.delete()


def two_factor_check(*, user: Any, token: str) -> Device:
    """The confirmed device that accepts ``token``: six digits for the app, otherwise a backup code.

    A backup code is consumed by the check. Raises ValidationError with a Vietnamese message.
    Routing by shape keeps a mistyped backup code from throttling the app and vice versa.
    """
    token = normalise_token(token)
    if not token:
        raise ValidationError(_("Vui lòng nhập mã xác thực."), code="required")
    devices: list[Device]
    if _TOTP_RE.match(token):
        devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    else:
        devices = list(StaticDevice.objects.filter(user=user, confirmed=True))
    throttled = None
    for device in devices:
        throttled = _throttled_message(device)
        if throttled:
            continue
        if device.verify_token(token):
            return device
    raise ValidationError(throttled or _("Mã xác thực không đúng hoặc đã hết hạn."), code="invalid")
