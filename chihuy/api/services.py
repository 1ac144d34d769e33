"""Writes for API tokens. The admin, the management command and tests all call these."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chihuy.api.models import ApiToken
from chihuy.audit.choices import AuditAction
from chihuy.audit.mixins import audit_record

# last_used_at is a hint for people reviewing tokens, not a log: one write a minute is enough.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def api_token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: Any, name: str, expires_at: dt.datetime | None = None) -> tuple[ApiToken, str]:
    """Issue a token acting as ``user``; returns the token and its secret, which is never stored.

    The secret has 256 bits of entropy, so a plain SHA-256 (not a slow password hash)
    is enough to make a leaked table useless.
    """
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": [_("Thời điểm hết hạn phải ở tương lai.")]})
    secret = secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip(), prefix=secret[:8], key_hash=api_token_hash(secret))
    token.expires_at = expires_at
    token.full_clean()
    token.save()
    audit_record(
        instance=token,
        action=AuditAction.CREATE,
        changes={"user": [None, user.pk], "name": [None, token.name], "prefix": [None, token.prefix]},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Stop a token from working; the row stays so its use can still be reviewed."""
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(instance=token, action=AuditAction.UPDATE, changes={"revoked_at": [None, token.revoked_at]})
    return token


def api_token_touch(*, token: ApiToken, now: dt.datetime | None = None) -> None:
    """Record that the token was used, at most once per LAST_USED_RESOLUTION."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
