from chihuy.core.models.cache import CacheEntry
from chihuy.core.models.worker import TaskWorker

__all__ = ["CacheEntry", "TaskWorker"]
