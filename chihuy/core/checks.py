"""Deployment checks of the core (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def durable_task_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Follow-up work (alert sends, escalation, reminders) must be rows of the data's database.

    ``chihuy.core.durable.enqueue_in_transaction`` falls back to an after-commit callback for a
    backend that keeps tasks elsewhere; that is fine for the tests' immediate backend, and lost
    work in production (issue 12: urgent means never lost).
    """
    from django.utils.module_loading import import_string
    from django_tasks_db.backend import DatabaseBackend

    wrong = [
        alias
        for alias, conf in settings.TASKS.items()
        if not issubclass(import_string(str(conf["BACKEND"])), DatabaseBackend)
    ]
    return [
        checks.Error(
            f"TASKS[{alias!r}] must be django_tasks_db.DatabaseBackend in production",
            hint="Queued follow-ups of urgent records would live only in process memory.",
            id="chihuy.E001",
        )
        for alias in wrong
    ]
