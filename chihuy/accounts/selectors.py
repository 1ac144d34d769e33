"""Account security reads: who has two-factor authentication and who must have it."""

from __future__ import annotations

from typing import Any

from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from chihuy.centres.access import memberships
from chihuy.centres.choices import LEADER_ROLES


def two_factor_enabled(user: Any) -> bool:
    """Whether the user has a confirmed authenticator app (backup codes alone do not count)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def two_factor_required(user: Any) -> bool:
    """A commander or deputy of a centre with ``require_2fa_for_leaders`` must use 2FA."""
    return any(m.role in LEADER_ROLES and m.centre.require_2fa_for_leaders for m in memberships(user))


def totp_device_pending(user: Any) -> TOTPDevice | None:
    """The unconfirmed device being set up, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def backup_codes_remaining(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()
