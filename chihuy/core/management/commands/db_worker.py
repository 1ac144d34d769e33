"""``manage.py db_worker``: django_tasks_db's worker, which also says it is alive (issue 12).

The same command and options as django_tasks_db's (this app is listed before it, so this one
is found first). Before taking its first task the worker registers itself and queues again
the tasks of its queues that a dead worker left RUNNING; then a thread keeps its heartbeat
fresh and repeats that sweep now and then (chihuy/core/workers.py). Nothing changes in how
tasks are picked or run.
"""

from __future__ import annotations

import os
from typing import Any

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from chihuy.core.workers import Heartbeat


class Command(DbWorkerCommand):
    # The checks ran at migrate and deploy; skipping them here saves a restarted worker a second
    # or more before it takes back the due alert steps.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reload"] and not options["batch"] and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent process only watches files; its child is the worker.
            return super().handle(*args, **options)
        queue_names = [q for q in options["queue_name"].split(",") if q]
        exclude = [q for q in (options["exclude_queues"] or "").split(",") if q]
        heartbeat = Heartbeat(
            worker_id=options["worker_id"],
            queue_names=None if "*" in queue_names else queue_names,
            exclude_queues=exclude,
        )
        heartbeat.start()
        try:
            super().handle(*args, **options)
        finally:
            heartbeat.stop()
