"""factory_boy factories of the briefings app. Points and participants are set up by the same
code the services use, so a factory briefing looks like a real one."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from chihuy.briefings.choices import BriefingKind
from chihuy.briefings.models import AgendaItem, Briefing, BriefingSettings, Conclusion


class BriefingSettingsFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BriefingSettings

    regular_time = dt.time(17, 0)


class BriefingFactory(factory.django.DjangoModelFactory):
    """An ad-hoc meeting two hours from now at the centre's main room, with its points and people."""

    class Meta:
        model = Briefing
        skip_postgeneration_save = True

    kind = BriefingKind.ADHOC
    title = factory.Sequence(lambda n: f"Họp đột xuất số {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(hours=2))
    duration_minutes = 60
    venue = factory.LazyAttribute(lambda b: b.centre.room_primary or "Phòng họp")
    video_url = "https://meet.jit.si/chihuy-test"

    @factory.lazy_attribute
    def occurrence_date(self):
        return timezone.localdate(self.starts_at) if self.kind == BriefingKind.REGULAR else None

    @factory.post_generation
    def people(obj, create, extracted, **kwargs):
        if create and extracted is not False:
            from chihuy.briefings.services.schedule import _set_up_points_and_people

            _set_up_points_and_people(obj)


class AgendaItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgendaItem

    title = factory.Sequence(lambda n: f"Nội dung {n}")
    position = factory.Sequence(lambda n: (n + 1) * 10)


class ConclusionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Conclusion

    text = factory.Sequence(lambda n: f"Kết luận {n}")
