from chihuy.directives.models.task import Assignment, Task
from chihuy.directives.models.update import TaskAttachment, TaskUpdate

__all__ = ["Assignment", "Task", "TaskAttachment", "TaskUpdate"]
