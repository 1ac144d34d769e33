"""Who is acting right now, for the audit log.

The web middleware sets the actor for each request; services called from a
management command or a task set it with ``acting_as``. A context variable keeps
it correct across threads and async tasks.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

_actor: ContextVar[Any | None] = ContextVar("chihuy_actor", default=None)


def current_actor() -> Any | None:
    return _actor.get()


@contextmanager
def acting_as(user: Any | None) -> Iterator[None]:
    token = _actor.set(user if user is not None and getattr(user, "is_authenticated", False) else None)
    try:
        yield
    finally:
        _actor.reset(token)
