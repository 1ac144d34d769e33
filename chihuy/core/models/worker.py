from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskWorker(models.Model):
    """A running ``db_worker`` process and its last heartbeat (issue 12).

    django_tasks_db records which worker claimed a task but not whether that worker still
    lives; this row does. A task RUNNING under a worker whose heartbeat stopped (or whose
    process is gone from this machine) was cut off and is queued again.
    """

    worker_id = models.CharField(_("mã tiến trình"), max_length=64, primary_key=True)
    # Names the process table the pid belongs to (host, boot, pid namespace): only a worker on
    # the same one can tell at once from the pid that another has died.
    machine = models.CharField(_("máy"), max_length=200)
    pid = models.PositiveIntegerField(_("pid"))
    queues = models.CharField(_("hàng đợi"), max_length=200)
    started_at = models.DateTimeField(_("chạy từ"))
    seen_at = models.DateTimeField(_("tín hiệu gần nhất"))

    class Meta:
        verbose_name = _("tiến trình chạy việc nền")
        verbose_name_plural = _("tiến trình chạy việc nền")

    def __str__(self) -> str:
        return f"{self.worker_id} ({self.queues}, pid {self.pid})"
