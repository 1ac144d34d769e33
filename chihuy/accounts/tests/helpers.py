"""Shared helpers for the account tests: turn 2FA on and compute real TOTP codes."""

from __future__ import annotations

from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from chihuy.accounts import services


def code_for(device: TOTPDevice, *, ahead: int = 0) -> str:
    """The code the authenticator app shows now (``ahead`` steps later, within tolerance)."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=ahead):06d}"


def enable_2fa(user: Any) -> tuple[TOTPDevice, list[str]]:
    """A confirmed authenticator app and ten backup codes, without going through the page."""
    device = services.totp_device_create(user=user)
    device.confirmed = True
    device.save()
    return device, services.backup_codes_generate(user=user)


def mark_verified(client: Any, device: Any) -> None:
    """Make the client's session count as having passed the code step."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
