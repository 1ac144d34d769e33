"""factory_boy factories for tasks and directives."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from chihuy.core.testing.factories import CentreFactory
from chihuy.directives.choices import AssigneeKind, Priority, SourceKind, TaskStatus
from chihuy.directives.models import Assignment, Task, TaskUpdate


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    centre = factory.SubFactory(CentreFactory)
    title = factory.Sequence(lambda n: f"Nhiệm vụ thử nghiệm {n}")
    description = "Rà soát, báo cáo kết quả."
    source_kind = SourceKind.OTHER
    assignee_kind = AssigneeKind.CENTRES
    deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=2))
    priority = Priority.NORMAL
    status = TaskStatus.ASSIGNED


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    task = factory.SubFactory(TaskFactory)
    status = TaskStatus.ASSIGNED


class TaskUpdateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskUpdate

    task = factory.SubFactory(TaskFactory)
    kind = "progress"
    note = "Đã triển khai."
