"""Reads for API tokens."""

from __future__ import annotations

import hmac

from chihuy.api.models import ApiToken
from chihuy.api.services import api_token_hash


def api_token_for_secret(*, secret: str) -> ApiToken | None:
    """The token whose secret is ``secret``, with its user, whether usable or not.

    The lookup is by the hash, so the database never compares the secret itself; the
    final compare is constant-time anyway.
    """
    digest = api_token_hash(secret)
    token = ApiToken.objects.select_related("user").filter(key_hash=digest).first()
    if token is None or not hmac.compare_digest(token.key_hash, digest):
        return None
    return token
