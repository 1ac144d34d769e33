"""The rows of the database cache (``chihuy.core.cache``)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CacheEntry(models.Model):
    """A row of Django's database cache, with the columns ``createcachetable`` would make.

    A model rather than ``createcachetable`` so that ``migrate`` creates it everywhere the app
    runs (``make run``, tests, CI, production), whatever CACHES said when migrate ran: the
    Redis backend falls back to it while Redis is down, and without REDIS_URL it is the
    cache. Only the cache backend reads or writes it.
    """

    cache_key = models.CharField(max_length=255, primary_key=True)
    value = models.TextField()
    expires = models.DateTimeField(db_index=True)

    class Meta:
        db_table = "chihuy_cache"
        verbose_name = _("mục bộ nhớ đệm")
        verbose_name_plural = _("bộ nhớ đệm")

    def __str__(self) -> str:
        return self.cache_key
