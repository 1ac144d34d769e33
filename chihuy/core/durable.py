"""Work that must not be lost is a row written in the same transaction as what needs it (issue 12).

An after-commit callback lives only in the memory of the process that committed: when the
database connection drops between the commit and the callback, or the process dies there,
the work is gone and nothing ever does it. With the durable task backend (django-tasks-db)
a queued task *is* a row in the same database, so queueing it inside the transaction makes
the data and its follow-up commit together or not at all, and no worker can see the task
before the data it needs is committed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.tasks import task_backends


def stored_with_data(task_obj: Any) -> bool:
    """Whether ``task_obj``'s backend keeps tasks as rows of the project's database."""
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends[task_obj.backend], DatabaseBackend)


def enqueue_in_transaction(
    task_obj: Any, *args: Any, run_after: dt.datetime | None = None, **kwargs: Any
) -> None:
    """Queue ``task_obj(*args, **kwargs)`` as part of the current transaction.

    A backend that runs tasks elsewhere or at once (the tests' immediate backend) gets the
    task after commit instead, so a rolled-back write never runs its follow-up; such a
    backend cannot wait for ``run_after``, and then nothing is queued (the periodic
    auditors find the deadline in the data). ``check --deploy`` refuses such a backend in
    production (``chihuy.core.checks``), so there the callback never carries real work.
    """
    if run_after is not None:
        if not getattr(task_backends[task_obj.backend], "supports_defer", False):
            return
        task_obj = task_obj.using(run_after=run_after)
    if stored_with_data(task_obj):
        task_obj.enqueue(*args, **kwargs)
    else:
        transaction.on_commit(lambda: task_obj.enqueue(*args, **kwargs), robust=True)
