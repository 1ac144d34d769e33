from chihuy.core.models.worker import TaskWorker

__all__ = ["TaskWorker"]
