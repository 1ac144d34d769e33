from __future__ import annotations

import pytest

from chihuy.announcements.demo import seed_demo_channel
from chihuy.announcements.models import Message
from chihuy.directives.demo import seed_demo_directives
from chihuy.directives.models import Task

pytestmark = pytest.mark.django_db


def test_demo_seeds_are_idempotent(world, clock):
    tasks = seed_demo_directives(world.province)
    assert {t.centre for t in tasks} == {world.province, world.district}
    directive = Task.objects.get(centre=world.district, title__startswith="Rà soát")
    assert directive.assignments.count() == 2 and directive.progress == 30
    assert len(seed_demo_directives(world.province)) == len(tasks)
    assert Task.objects.count() == len(tasks)
    messages = seed_demo_channel(world.province)
    assert {m.centre for m in messages} == {world.province, world.district, world.sibling}
    assert seed_demo_channel(world.province) == []
    assert Message.objects.count() == len(messages)
